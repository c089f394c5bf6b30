package pdf

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestRenumberFollowsTheFileAndKeepsTheIDTreeSorted(t *testing.T) {
	t.Parallel()
	// Two prints of one page: Chromium numbered the same headers apart.
	first := []byte("1 0 obj\n<</S /TH /ID (node00000107)>>\n2 0 obj\n<</S /TD /A [<</Headers [(node00000103)]>>]>>\n3 0 obj\n<</S /TH /ID (node00000103)>>\n4 0 obj\n<</Limits [(node00000103) (node00000107)]\n/Names [(node00000103) 3 0 R (node00000107) 1 0 R]>>\n")
	second := bytes.ReplaceAll(bytes.ReplaceAll(bytes.ReplaceAll(first, []byte("00000107"), []byte("0000000X")), []byte("00000103"), []byte("00000209")), []byte("0000000X"), []byte("00000208"))
	second = bytes.Replace(second, []byte("(node00000209) 3 0 R (node00000208) 1 0 R"), []byte("(node00000208) 1 0 R (node00000209) 3 0 R"), 1)
	a, b := Renumber(first), Renumber(second)
	if len(a) != len(first) {
		t.Fatalf("the length changed: %d → %d", len(first), len(a))
	}
	want := "1 0 obj\n<</S /TH /ID (node00000001)>>\n2 0 obj\n<</S /TD /A [<</Headers [(node00000002)]>>]>>\n3 0 obj\n<</S /TH /ID (node00000002)>>\n4 0 obj\n<</Limits [(node00000001) (node00000002)]\n/Names [(node00000001) 1 0 R (node00000002) 3 0 R]>>\n"
	if string(a) != want {
		t.Errorf("renumbered:\n%s\nwant:\n%s", a, want)
	}
	if !bytes.Equal(a, b) {
		t.Errorf("the two prints still differ:\n%s\n%s", a, b)
	}
}

func TestStampKeepsTheLength(t *testing.T) {
	t.Parallel()
	in := []byte("/CreationDate (D:20261203061500+00'00')\n/ModDate (D:20261203061501+00'00')")
	out := Stamp(in, time.Date(2026, 11, 16, 12, 0, 0, 0, time.UTC))
	if len(out) != len(in) || strings.Count(string(out), "(D:20261116120000+00'00')") != 2 {
		t.Errorf("stamped: %s", out)
	}
}
