package disclosure

import (
	"encoding/json"
	"testing"
)

func TestPrimary(t *testing.T) {
	const k = 11
	for n := 0; n <= 30; n++ {
		c := Primary(n, k)
		v, ok := c.Value()
		switch {
		case n == 0:
			if !ok || v != 0 || c.Suppressed {
				t.Errorf("zero must be published as zero, got %+v", c)
			}
		case n < k:
			if ok || !c.Suppressed {
				t.Errorf("%d must be suppressed at k=%d", n, k)
			}
		default:
			if !ok || v != n || c.Suppressed {
				t.Errorf("%d must be published, got %+v", n, c)
			}
		}
	}
}

func TestSuppressedCellCarriesNoNumber(t *testing.T) {
	b, err := json.Marshal(Primary(7, 11))
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"count":null,"suppressed":true}` {
		t.Errorf("suppressed cell encodes as %s", b)
	}
}

func TestValidateThreshold(t *testing.T) {
	if ValidateThreshold(1) == nil || ValidateThreshold(0) == nil {
		t.Error("thresholds below 2 protect no one and must be refused")
	}
	if ValidateThreshold(11) != nil {
		t.Error("11 is a valid threshold")
	}
}
