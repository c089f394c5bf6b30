//go:build integration

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

	"github.com/chicago-welcoming-city/transparency/tools/internal/needs"
)

// TestPrintingIsRepeatable prints a page with tables of sticky headers,
// which paint out of document order, twice in one browser, once in
// another and once while another tab prints: every PDF is the same, and
// links are made absolute on the public address, or left out.
func TestPrintingIsRepeatable(t *testing.T) {
	t.Parallel()
	needs.Have(t, needs.Chromium)
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
