//go:build integration

package verify

import (
	"context"
	"strings"
	"testing"

	"github.com/chicago-welcoming-city/transparency/tools/internal/needs"
	"github.com/chicago-welcoming-city/transparency/tools/internal/synth"
)

func TestHTMLValidity(t *testing.T) {
	t.Parallel()
	needs.Have(t, needs.Java, needs.Npm)
	// The clean fixture passes in TestRun.
	r := htmlValidity(context.Background(), openFixture(t, map[string]string{
		"reports/index.html": htmlPage("en", "Reports", `<p id="x">one</p><p id="x">two</p><ul><p>not a list item</p></ul>`),
		"css/main.css":       "body { colour: red; }\n",
	}))
	wantFinding(t, r, "reports/index.html", "html-error")
	wantFinding(t, r, "css/main.css", "html-error")
}

// TestPrivacyReadsThePDFsText: a PDF's text is compressed and encoded, so
// the scan reads it through pdftotext: a canary in a PDF is found, and a
// PDF's numbers (its coordinates look like telephone numbers) are not.
func TestPrivacyReadsThePDFsText(t *testing.T) {
	t.Parallel()
	needs.Have(t, needs.PDFToText)
	r := privacy(context.Background(), openFixture(t, map[string]string{
		"reports/print.pdf": minimalPDF("Suppressed counts only"),
		"reports/leak.pdf":  minimalPDF("Remarks " + synth.Canary + "DL000777"),
	}))
	wantFinding(t, r, "reports/leak.pdf", "canary")
	if len(r.Findings) != 1 || !strings.Contains(r.Checked, "2 PDFs by their text") {
		t.Errorf("want the canary alone, in 2 PDFs read: %s %+v", r.Checked, r.Findings)
	}
}

// TestBrowse: axe-core finds WCAG violations and the network log finds a
// request to another host, each named by page and rule.
func TestBrowse(t *testing.T) {
	t.Parallel()
	needs.Have(t, needs.Chromium, needs.Npm)
	// The clean fixture passes in TestRun.
	noCSP := func(s string) string {
		return strings.Replace(s, `<meta http-equiv="Content-Security-Policy"`, `<meta name="no-policy"`, 1)
	}
	a11y, netw := browse(context.Background(), openFixture(t, map[string]string{
		"reports/index.html": htmlPage("en", "Reports", `<img src="/chart.png"><p><a href="/"></a></p>`),
		"es/index.html":      noCSP(htmlPage("es", "Inicio", `<img src="http://tracker.invalid/p.gif" alt=""><img src="data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7" alt="">`)),
	}))
	for _, f := range netw.Findings {
		if strings.Contains(f.Detail, "data:") {
			t.Errorf("an inline data: image counted as a request to another host: %+v", f)
		}
	}
	wantFinding(t, a11y, "reports/index.html", "image-alt")
	wantFinding(t, a11y, "reports/index.html", "link-name")
	wantFinding(t, netw, "es/index.html", "third-party-request")
}

// TestRun: the whole run over the good fixture passes every check, in the
// reported order.
func TestRun(t *testing.T) {
	t.Parallel()
	needs.Have(t, needs.Go, needs.Java, needs.Npm, needs.Chromium)
	results, err := Run(context.Background(), fixture(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range results {
		names = append(names, r.Check)
		wantClean(t, r)
		if (r.Check == "html" || r.Check == "network" || r.Check == "accessibility") && !strings.Contains(r.Checked, "5 pages") {
			t.Errorf("%s checked %q, want the fixture's 5 pages", r.Check, r.Checked)
		}
	}
	if strings.Join(names, " ") != "links html hosts privacy budget structure accessibility network" {
		t.Errorf("checks %v", names)
	}
	only, err := Run(context.Background(), Options{Public: fixture(t, nil).Public, Only: []string{"hosts", "budget"}})
	if err != nil || len(only) != 2 || only[0].Check != "hosts" || only[1].Check != "budget" {
		t.Errorf("Only hosts and budget ran %+v, %v", only, err)
	}
	if _, err := Run(context.Background(), Options{Public: fixture(t, nil).Public, Only: []string{"spelling"}}); err == nil {
		t.Error("an unknown check name was accepted")
	}
	if _, err := Run(context.Background(), Options{Public: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "no pages") {
		t.Errorf("an empty site: %v", err)
	}
}
