//go:build integration

package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chicago-welcoming-city/transparency/tools/internal/needs"
	"github.com/chicago-welcoming-city/transparency/tools/internal/synth"
	"github.com/chicago-welcoming-city/transparency/tools/internal/verify"
)

// TestVerifyStopsABuildWithDefects: wco verify on a copy of the sample
// site with defects planted — a canary and an image without text on a
// report, a stylesheet from another host, a language without its 404 page —
// exits 1 and names each page and rule, above the summary table. The
// browser's network log sees the request the static scan predicts.
func TestVerifyStopsABuildWithDefects(t *testing.T) {
	t.Parallel()
	needs.Have(t, needs.Chromium, needs.Java, needs.Npm)
	o := sampleSite(t)
	src, err := filepath.EvalSymlinks(o.public)
	if err != nil {
		t.Fatal(err)
	}
	public := filepath.Join(t.TempDir(), "public")
	if err := os.CopyFS(public, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	edit := func(page, old, new string) {
		t.Helper()
		p := filepath.Join(public, filepath.FromSlash(page))
		b, err := os.ReadFile(p)
		if err != nil || !strings.Contains(string(b), old) {
			t.Fatalf("%s: cannot plant the defect (%v)", page, err)
		}
		os.WriteFile(p, []byte(strings.Replace(string(b), old, new, 1)), 0o644)
	}
	edit("reports/2026-q3/index.html", "</h1>", "</h1><p>"+synth.Canary+"DL000123</p><img src=\"/css/chart.png\">")
	edit("explainers/index.html", `<link rel="stylesheet" href="/`, `<link rel="stylesheet" href="https://cdn.example.net/`)
	os.Remove(filepath.Join(public, "es", "404.html"))

	// Every check reads the whole site; the validator and the browser open
	// the pages with defects and the home page (.ci/run's wco verify opens
	// every page).
	cfg := testConfig(t)
	results, err := verify.Run(context.Background(), verify.Options{
		Public: public, Data: o.data, BaseURL: cfg.BaseURL, Languages: cfg.Languages,
		PageBudget: cfg.Verify.PageBudgetKB * 1024, Repo: repoRoot(t),
		Pages: []string{"index.html", "reports/2026-q3/index.html", "explainers/index.html"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var report strings.Builder
	err = verifyVerdict(&report, public, results)
	stdout := report.String()
	if err == nil || !strings.Contains(err.Error(), "nothing may be published") {
		t.Fatalf("verify passed a site with defects: %v\n%s", err, stdout)
	}
	for _, want := range []string{
		`FAIL privacy reports/2026-q3/index.html: canary: line \d+ holds the synthetic canary`,
		`FAIL links reports/2026-q3/index.html: target does not exist`,
		`FAIL budget reports/2026-q3/index.html: missing-resource`,
		`FAIL accessibility reports/2026-q3/index.html: image-alt`,
		`FAIL hosts explainers/index.html: third-party-request: <link href> loads https://cdn.example.net/`,
		`FAIL structure es/404.html: 404-missing`,
		`FAIL html reports/2026-q3/index.html: html-error: line 1, column \d+: An “img” element must have an “alt” attribute`,
		`FAIL network explainers/index.html: third-party-request: requested https://cdn.example.net/`,
		`(?m)^privacy +FAIL +1 +\d+ files`,
		`(?m)^accessibility +FAIL +1 +3 pages`,
	} {
		if !regexp.MustCompile(want).MatchString(stdout) {
			t.Errorf("the report lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("report:\n%s", stdout)
	}
}
