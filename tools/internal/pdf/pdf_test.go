package pdf

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/browser"
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

// TestPrintingIsRepeatable prints a page with tables of sticky headers,
// which paint out of document order, twice in one browser, once in
// another and once while another tab prints: every PDF is the same, and
// links are made absolute on the public address, or left out.
func TestPrintingIsRepeatable(t *testing.T) {
	t.Parallel()
	if _, err := browser.Find(""); err != nil {
		if os.Getenv("WCO_REQUIRE_BROWSER") != "" {
			t.Fatal("Chromium is required (WCO_REQUIRE_BROWSER is set) but not installed: apt-get install chromium")
		}
		t.Skip("SKIPPED: Chromium is not installed (apt-get install chromium); .ci/run installs it and requires this test")
	}
	dir := t.TempDir()
	var rows strings.Builder
	for i := range 60 {
		rows.WriteString("<tr><th scope=\"row\">" + strings.Repeat("x", i%7+1) + "</th><td>1</td><td>2</td></tr>")
	}
	table := `<table><thead><tr><th scope="col">A</th><th scope="col">B</th><th scope="col">C</th></tr></thead><tbody>` + rows.String() + `</tbody></table>`
	page := `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test page</title><link rel="stylesheet" href="/s.css"></head><body><h1>Heading</h1><p><a href="/other/">a link</a></p>` + table + `<h2>Second</h2>` + table + `</body></html>`
	os.MkdirAll(filepath.Join(dir, "p"), 0o755)
	os.WriteFile(filepath.Join(dir, "p", "index.html"), []byte(page), 0o644)
	os.WriteFile(filepath.Join(dir, "s.css"), []byte("th { position: sticky; top: 0; background: #fff; } table { margin: 1rem 0; }"), 0o644)

	ctx := context.Background()
	one, err := Open(ctx, "", dir, "/")
	if err != nil {
		t.Fatal(err)
	}
	defer one.Close()
	two, err := Open(ctx, "", dir, "/")
	if err != nil {
		t.Fatal(err)
	}
	defer two.Close()
	o := Options{Stamp: time.Date(2026, 11, 16, 12, 0, 0, 0, time.UTC)}
	var prints [][]byte
	print := func(p *Printer, o Options) []byte {
		t.Helper()
		b, err := p.Print("/p/", o)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	prints = append(prints, print(one, o), print(one, o), print(two, o))
	var wg sync.WaitGroup
	var concurrent [2][]byte
	for i := range 2 {
		wg.Add(1)
		go func() { defer wg.Done(); concurrent[i], _ = one.Print("/p/", o) }()
	}
	wg.Wait()
	prints = append(prints, concurrent[:]...)
	for i, b := range prints[1:] {
		if !bytes.Equal(b, prints[0]) {
			t.Errorf("print %d differs from the first (%d and %d bytes)", i+2, len(b), len(prints[0]))
		}
	}
	if !bytes.HasPrefix(prints[0], []byte("%PDF-")) || bytes.Contains(prints[0], []byte("127.0.0.1")) {
		t.Errorf("the PDF names the loopback server, or is no PDF")
	}
	if bytes.Contains(prints[0], []byte("/URI")) {
		t.Errorf("with no public address, the PDF still holds a link")
	}
	o.Base = "https://example.org/site/"
	if b := print(one, o); !bytes.Contains(b, []byte("(https://example.org/other/)")) {
		t.Errorf("the link is not made absolute on the public address")
	}
}
