package verify

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chicago-welcoming-city/transparency/tools/internal/needs"
	"github.com/chicago-welcoming-city/transparency/tools/internal/synth"
)

// repo is the module root, where htmltest runs and the Node packages live.
func repo(t *testing.T) string {
	t.Helper()
	dir, _ := filepath.Abs(".")
	for ; dir != "/"; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
	}
	t.Fatal("no go.mod above the test")
	return ""
}

// htmlPage is a small valid page of the fixture site.
func htmlPage(lang, title, body string) string {
	return `<!doctype html>
<html lang="` + lang + `" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'self'; img-src 'self'">
<title>` + title + `</title>
<link rel="stylesheet" href="/css/main.css">
<link rel="alternate" hreflang="es" href="https://example.org/es/">
</head>
<body>
<main id="main">
<h1>` + title + `</h1>
` + body + `
</main>
</body>
</html>
`
}

// fixture writes a small two-language site that passes every check, with
// files replaced or added by extra, and returns its options.
func fixture(t *testing.T, extra map[string]string) Options {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"index.html":         htmlPage("en", "Home", `<p><a href="/es/">Español</a> <a href="/reports/#q3">Reports</a> <a href="https://example.com/elsewhere">elsewhere</a></p>`),
		"reports/index.html": htmlPage("en", "Reports", `<h2 id="q3">Third quarter</h2><p><a href="/">Home</a></p>`),
		"404.html":           strings.Replace(htmlPage("en", "Not found", `<p><a href="/">Home</a></p>`), "<title>", `<meta name="robots" content="noindex"><title>`, 1),
		"es/index.html":      htmlPage("es", "Inicio", `<p><a href="/">English</a></p>`),
		"es/404.html":        strings.Replace(htmlPage("es", "No encontrada", `<p><a href="/es/">Inicio</a></p>`), "<title>", `<meta name="robots" content="noindex"><title>`, 1),
		"css/main.css":       "body { font-family: system-ui, sans-serif; color: #111; background: #fff; }\n",
		"robots.txt":         "User-agent: *\nSitemap: https://example.org/sitemap.xml\n",
		"sitemap.xml": `<?xml version="1.0" encoding="utf-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://example.org/en/sitemap.xml</loc></sitemap>
<sitemap><loc>https://example.org/es/sitemap.xml</loc></sitemap>
</sitemapindex>`,
		"en/sitemap.xml": `<?xml version="1.0" encoding="utf-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://example.org/</loc></url><url><loc>https://example.org/reports/</loc></url>
</urlset>`,
		"es/sitemap.xml": `<?xml version="1.0" encoding="utf-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://example.org/es/</loc></url></urlset>`,
	}
	for k, v := range extra {
		files[k] = v
	}
	for name, body := range files {
		p := filepath.Join(dir, "public", filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if body == "" {
			continue // removed
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data := filepath.Join(dir, "data")
	os.MkdirAll(data, 0o755)
	os.WriteFile(filepath.Join(data, "counts.json"), []byte(`{"total": 42}`), 0o644)
	return Options{
		Public: filepath.Join(dir, "public"), Data: data, BaseURL: "https://example.org/",
		Languages: []string{"en", "es"}, PageBudget: 60 * 1024, Repo: repo(t),
	}
}

func openFixture(t *testing.T, extra map[string]string) *site {
	t.Helper()
	s, err := open(fixture(t, extra))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// wantFinding fails unless r has a finding on page by rule.
func wantFinding(t *testing.T, r Result, page, rule string) {
	t.Helper()
	if r.Err != nil {
		t.Fatalf("the check could not run: %v", r.Err)
	}
	for _, f := range r.Findings {
		if f.Page == page && strings.Contains(f.Rule, rule) {
			return
		}
	}
	t.Errorf("no %s finding on %s; findings: %+v", rule, page, r.Findings)
}

func wantClean(t *testing.T, r Result) {
	t.Helper()
	if r.Failed() {
		t.Errorf("the good fixture fails: %v %+v", r.Err, r.Findings)
	}
}

func TestResolve(t *testing.T) {
	t.Parallel()
	s := &site{basePath: "/transparency/", host: "example.org"}
	for _, c := range []struct {
		page, ref, file string
		external, ok    bool
	}{
		{"es/index.html", "/transparency/es/reports/", "es/reports/index.html", false, true},
		{"es/index.html", "/transparency/css/main.css", "css/main.css", false, true},
		{"es/index.html", "/transparency", "index.html", false, true},
		{"es/reports/index.html", "../explainers/", "es/explainers/index.html", false, true},
		{"es/index.html", "https://example.org/transparency/es/", "es/index.html", false, true},
		{"es/index.html", "https://cdn.example.com/x.css", "", true, false},
		{"es/index.html", "//cdn.example.com/x.css", "", true, false},
		{"es/index.html", "/other-site/", "", false, false},
		{"es/index.html", "#top", "", false, false},
		{"es/index.html", "data:image/png;base64,AAAA", "", false, false},
	} {
		file, external, ok := s.resolve(c.page, c.ref)
		if file != c.file || external != c.external || ok != c.ok {
			t.Errorf("resolve(%q, %q) = %q, %v, %v; want %q, %v, %v", c.page, c.ref, file, external, ok, c.file, c.external, c.ok)
		}
	}
}

func TestLinks(t *testing.T) {
	t.Parallel()
	needs.Have(t, needs.Go)
	wantClean(t, links(context.Background(), openFixture(t, nil)))
	r := links(context.Background(), openFixture(t, map[string]string{
		"reports/index.html": htmlPage("en", "Reports", `<p><a href="/nowhere/">gone</a> <a href="/#missing">anchor</a></p>`),
	}))
	wantFinding(t, r, "reports/index.html", "target does not exist")
	wantFinding(t, r, "reports/index.html", "hash does not exist")
	wantFinding(t, r, "index.html", "hash does not exist") // #q3 went with the old page
}

func TestLinksUnderABasePath(t *testing.T) {
	t.Parallel()
	needs.Have(t, needs.Go)
	opt := fixture(t, nil)
	opt.BaseURL = "https://example.org/transparency/"
	// The site as Hugo renders it under a path: every root-relative link
	// starts with it.
	filepath.WalkDir(opt.Public, func(p string, d os.DirEntry, err error) error {
		if strings.HasSuffix(p, ".html") {
			b, _ := os.ReadFile(p)
			os.WriteFile(p, bytes.ReplaceAll(b, []byte(`href="/`), []byte(`href="/transparency/`)), 0o644)
		}
		return err
	})
	s, err := open(opt)
	if err != nil {
		t.Fatal(err)
	}
	wantClean(t, links(context.Background(), s))
	os.WriteFile(filepath.Join(opt.Public, "es", "index.html"), []byte(htmlPage("es", "Inicio", `<a href="/transparency/nowhere/">x</a>`)), 0o644)
	wantFinding(t, links(context.Background(), s), "es/index.html", "target does not exist")
}

func TestHosts(t *testing.T) {
	t.Parallel()
	wantClean(t, hosts(context.Background(), openFixture(t, nil)))
	r := hosts(context.Background(), openFixture(t, map[string]string{
		"reports/index.html": strings.Replace(htmlPage("en", "Reports", `<img src="https://tracker.example.net/p.gif" alt=""><form action="https://forms.example.net/"></form>`),
			`href="/css/main.css"`, `href="https://cdn.example.net/main.css"`, 1),
		"css/main.css": "@import url('//fonts.example.net/font.css');\n",
	}))
	for _, want := range []string{"tracker.example.net", "forms.example.net", "cdn.example.net", "fonts.example.net"} {
		found := false
		for _, f := range r.Findings {
			found = found || strings.Contains(f.Detail, want) && f.Rule == "third-party-request"
		}
		if !found {
			t.Errorf("no finding for %s: %+v", want, r.Findings)
		}
	}
}

func TestPrivacy(t *testing.T) {
	t.Parallel()
	wantClean(t, privacy(context.Background(), openFixture(t, nil)))
	s := openFixture(t, map[string]string{
		"reports/index.html": htmlPage("en", "Reports", `<p>Call 312-555-0142 or write to jane.doe@example.com</p>`),
		"downloads/rows.csv": "id,name\n1,Test Person " + synth.Canary + "DL000007\n",
	})
	os.WriteFile(filepath.Join(s.Data, "leak.json"), []byte(`{"where": "041XX W FAKE ST", "at": "41.88123, -87.63210"}`), 0o644)
	// data/current is a link into the active build: scanned through it.
	active := filepath.Join(t.TempDir(), "active")
	os.MkdirAll(active, 0o755)
	os.WriteFile(filepath.Join(active, "index.json"), []byte(`{"note": "`+synth.Canary+`FI000042"}`), 0o644)
	if err := os.Symlink(active, filepath.Join(s.Data, "current")); err != nil {
		t.Fatal(err)
	}
	r := privacy(context.Background(), s)
	wantFinding(t, r, "data/current/index.json", "canary")
	wantFinding(t, r, "reports/index.html", "phone-number")
	wantFinding(t, r, "reports/index.html", "email-address")
	wantFinding(t, r, "downloads/rows.csv", "canary")
	wantFinding(t, r, "data/leak.json", "block-address")
	wantFinding(t, r, "data/leak.json", "coordinates")
	for _, f := range r.Findings {
		if strings.Contains(f.Detail, "555-0142") || strings.Contains(f.Detail, "jane.doe") {
			t.Errorf("a finding repeats the personal data: %s", f.Detail)
		}
	}
}

// minimalPDF is a one-page PDF showing text in Helvetica, with rectangles
// whose coordinates (44.999882 522.005 203.9964) look like a telephone
// number to a scan of the bytes.
func minimalPDF(text string) string {
	content := "BT /F1 12 Tf 72 720 Td (" + text + ") Tj ET\n"
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R /Annots [6 0 R] >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", len(content), content),
		"<< /Type /Annot /Subtype /Link /Rect [44.999882 522.005 203.9964 534.00476] /Border [0 0 0] >>",
	}
	var b strings.Builder
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.String()
}

func TestBudget(t *testing.T) {
	t.Parallel()
	wantClean(t, budget(context.Background(), openFixture(t, nil)))
	big := strings.Repeat("<p>A long table of numbers.</p>\n", 2200)
	r := budget(context.Background(), openFixture(t, map[string]string{
		"reports/index.html": htmlPage("en", "Reports", big),
		"es/index.html":      strings.Replace(htmlPage("es", "Inicio", ""), `default-src 'none'; style-src 'self'`, `default-src 'none'; style-src 'self' 'unsafe-inline'`, 1),
		"404.html":           strings.Replace(htmlPage("en", "Not found", ""), `<meta http-equiv="Content-Security-Policy"`, `<meta name="x"`, 1),
	}))
	wantFinding(t, r, "reports/index.html", "page-budget")
	wantFinding(t, r, "es/index.html", "csp-weak")
	wantFinding(t, r, "404.html", "csp-missing")

	// A PDF within its budget passes; one over it is a finding.
	r = budget(context.Background(), openFixture(t, map[string]string{
		"reports/small.pdf": "%PDF-1.4\n" + strings.Repeat("x", 1000),
		"reports/big.pdf":   "%PDF-1.4\n" + strings.Repeat("x", DefaultPDFBudgetKB*1024),
	}))
	wantFinding(t, r, "reports/big.pdf", "pdf-budget")
	if len(r.Findings) != 1 || !strings.Contains(r.Checked, "2 PDFs") {
		t.Errorf("want the big PDF alone over the budget, of 2: %s %+v", r.Checked, r.Findings)
	}
}

func TestStructure(t *testing.T) {
	t.Parallel()
	wantClean(t, structure(context.Background(), openFixture(t, nil)))
	r := structure(context.Background(), openFixture(t, map[string]string{
		"es/404.html": "",
		"en/sitemap.xml": `<?xml version="1.0" encoding="utf-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://example.org/</loc></url><url><loc>https://example.org/gone/</loc></url><url><loc>https://example.org/es/</loc></url>
</urlset>`,
	}))
	wantFinding(t, r, "es/404.html", "404-missing")
	wantFinding(t, r, "en/sitemap.xml", "sitemap-loc")      // /gone/
	wantFinding(t, r, "en/sitemap.xml", "sitemap-language") // /es/ in the English sitemap
	wantFinding(t, r, "reports/index.html", "sitemap-unlisted")

	// A page shown in English in another language's site names the English
	// page as canonical and is listed through it; a canonical page that
	// does not exist, or is in no sitemap, is a finding.
	fallback := func(href string) string {
		return strings.Replace(htmlPage("en", "Reports", ""), "<title>", `<link rel="canonical" href="`+href+`"><title>`, 1)
	}
	wantClean(t, structure(context.Background(), openFixture(t, map[string]string{"es/reports/index.html": fallback("https://example.org/reports/")})))
	r = structure(context.Background(), openFixture(t, map[string]string{
		"es/reports/index.html":   fallback("https://example.org/gone/"),
		"es/revisions/index.html": fallback("/revisions/"),
		"revisions/index.html":    htmlPage("en", "Revisions", ""),
	}))
	wantFinding(t, r, "es/reports/index.html", "canonical-missing")
	wantFinding(t, r, "es/revisions/index.html", "sitemap-unlisted")

	r = structure(context.Background(), openFixture(t, map[string]string{"robots.txt": "User-agent: *\n"}))
	wantFinding(t, r, "robots.txt", "robots-sitemap")
	if len(r.Findings) != 1 {
		t.Errorf("the sitemaps are still read at /sitemap.xml: %+v", r.Findings)
	}
	r = structure(context.Background(), openFixture(t, map[string]string{"robots.txt": "", "sitemap.xml": ""}))
	wantFinding(t, r, "robots.txt", "robots-missing")
	wantFinding(t, r, "sitemap.xml", "sitemap-invalid")
}

func TestCount(t *testing.T) {
	t.Parallel()
	for n, want := range map[int]string{0: "0 pages", 1: "1 page", 999: "999 pages", 18351: "18,351 pages", 1234567: "1,234,567 pages"} {
		if got := count(n, "page"); got != want {
			t.Errorf("count(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestReportNamesPageAndRule(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	failed, err := WriteReport(&b, []Result{
		{Check: "links", Checked: "280 pages"},
		{Check: "budget", Checked: "280 pages", Findings: []Finding{{Page: "es/index.html", Rule: "page-budget", Detail: "70000 bytes"}}},
		{Check: "html", Err: os.ErrNotExist},
	})
	if err != nil || failed != 2 {
		t.Fatalf("failed = %d, %v", failed, err)
	}
	out := b.String()
	for _, want := range []string{`FAIL budget es/index.html: page-budget: 70000 bytes`, `FAIL html: could not run`,
		`(?m)^links +ok +0 +280 pages`, `(?m)^budget +FAIL +1 +280 pages`, `(?m)^html +FAIL +could not run`} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}
