package disclosure

import "testing"

func TestValidateThreshold(t *testing.T) {
	t.Parallel()
	if ValidateThreshold(1) == nil || ValidateThreshold(0) == nil {
		t.Error("thresholds below 2 protect no one and must be refused")
	}
	if ValidateThreshold(11) != nil {
		t.Error("11 is a valid threshold")
	}
}
