//go:build integration

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/chicago-welcoming-city/transparency/tools/internal/needs"
)

var pdfLink = regexp.MustCompile(`<a href="?([^" >]+\.pdf)"? type="?application/pdf"?[^>]*>`)

// TestEveryReportPageLinksItsPDF: the sample site, built with Chromium,
// has beside every report page of every language its PDF, linked from the
// page, Letter and tagged, in the page's language, within the budget; the
// page of every filing in force has its PDF in English, which the report
// pages of its period link in every language.
func TestEveryReportPageLinksItsPDF(t *testing.T) {
	t.Parallel()
	chromiumOrSkip(t)
	needs.Have(t, needs.PrintFonts)
	o := sampleSite(t)
	ps := pages(t, o.public)
	cfg := testConfig(t)
	reports, filings := 0, 0
	for _, l := range siteLanguages(t) {
		for p, html := range ps {
			rel := strings.TrimPrefix(p, l.prefix+"/")
			isReport := strings.HasPrefix(p, l.prefix+"/reports/") && strings.Count(rel, "/") == 2 && rel != "reports/index.html"
			isFiling := l.prefix == "" && strings.HasPrefix(p, "/filings/") && strings.Count(p, "/") == 4
			if !isReport && !isFiling {
				continue
			}
			var links []string
			for _, m := range pdfLink.FindAllSubmatch(html, -1) {
				links = append(links, string(m[1]))
			}
			if len(links) == 0 {
				t.Errorf("%s links no PDF", p)
				continue
			}
			own := strings.TrimSuffix(p, "index.html")
			if !strings.HasPrefix(links[0], own) {
				t.Errorf("%s: its first PDF link %s is not beside it", p, links[0])
			}
			for _, link := range links {
				info, err := os.Stat(filepath.Join(o.public, filepath.FromSlash(link)))
				if err != nil {
					t.Errorf("%s links %s, which does not exist", p, link)
					continue
				}
				if info.Size() > int64(cfg.Verify.PDFBudgetKB)*1024 {
					t.Errorf("%s: %d bytes, over the budget of %d KB", link, info.Size(), cfg.Verify.PDFBudgetKB)
				}
			}
			if isFiling {
				filings++
				continue
			}
			reports++
			if strings.Contains(string(html), `class="report-filings"`) && len(links) < 2 {
				t.Errorf("%s: the filing of its period is published, but its PDF is not linked", p)
			}
			// A page of each language, read: Letter, tagged, its own words.
			if strings.HasSuffix(p, "/reports/2026-q3/index.html") {
				pdf := filepath.Join(o.public, filepath.FromSlash(links[0]))
				info := poppler(t, "pdfinfo", pdf)
				if !strings.Contains(info, "612 x 792 pts (letter)") || !regexp.MustCompile(`(?m)^Tagged:\s+yes`).MatchString(info) {
					t.Errorf("%s is not a tagged Letter PDF:\n%s", links[0], info)
				}
				h1 := regexp.MustCompile(`<h1[^>]*>([^<]+)</h1>`).FindSubmatch(html)
				// Arabic script comes out of a PDF in presentation forms,
				// which NFKC makes letters again.
				text := norm.NFKC.String(poppler(t, "pdftotext", "-raw", pdf, "-"))
				if h1 == nil {
					t.Fatalf("%s has no heading", p)
				}
				for _, w := range strings.Fields(norm.NFKC.String(strings.NewReplacer("\u2066", " ", "\u2067", " ", "\u2068", " ", "\u2069", " ").Replace(string(h1[1])))) {
					if !strings.Contains(text, w) {
						t.Errorf("%s does not hold %q of its page's heading %q", links[0], w, h1[1])
					}
				}
			}
		}
	}
	if reports < 9*len(siteLanguages(t)) || filings == 0 {
		t.Errorf("only %d report pages and %d filing pages with their PDF", reports, filings)
	}
	t.Logf("%d report pages and %d filing pages, each with its PDF", reports, filings)
}

// TestARebuildReprintsOnlyWhatChanged: a build keeps the PDFs it printed
// by what they were printed from; after one paragraph of a quarter's
// narrative changes, the rebuild prints again only that quarter's report,
// in every language (each shows the English narrative until its own is
// written), and takes every other PDF, byte for byte, from the last build.
func TestARebuildReprintsOnlyWhatChanged(t *testing.T) {
	t.Parallel()
	needs.Have(t, needs.Chromium, needs.PrintFonts)
	dir := t.TempDir()
	siteDir := copySiteTo(t, filepath.Join(dir, "site"))
	config := filepath.Join(siteDir, "config.yaml")
	if _, stderr, err := wco(t, "report", "new", "2026-Q3", "--config", config); err != nil {
		t.Fatalf("report new: %v\n%s", err, stderr)
	}
	narrative := filepath.Join(siteDir, "content", "narratives", "2026-q3.md")
	write := func(brief string) {
		b, err := os.ReadFile(narrative)
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		for heading, body := range map[string]string{"in-brief": brief, "changes": "Nothing changed.", "notes": "No record came late."} {
			h := "{#" + heading + "}\n"
			if i := strings.Index(text, h); i >= 0 {
				end := strings.Index(text[i+len(h):], "\n## ")
				if end < 0 {
					end = len(text) - i - len(h)
				}
				text = text[:i+len(h)] + "\n" + body + "\n" + text[i+len(h)+end:]
			}
		}
		if err := os.WriteFile(narrative, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	o := outputs{data: filepath.Join(dir, "data"), public: filepath.Join(dir, "public")}
	build := func() (string, map[string]string) {
		_, stderr, err := wco(t, "build", "--config", config, "--data", o.data, "--public", o.public, "--pdf=required")
		if err != nil {
			t.Fatalf("build: %v\n%s", err, stderr)
		}
		pdfs := map[string]string{}
		for p, h := range snapshot(t, o.public) {
			if strings.HasSuffix(p, ".pdf") {
				rel, _ := filepath.Rel(o.public, p)
				pdfs[filepath.ToSlash(rel)] = h
			}
		}
		return stderr, pdfs
	}
	write("Fewer requests came in this quarter.")
	_, first := build()
	write("Fewer requests came in this quarter than in the last.")
	log, second := build()

	cfg := testConfig(t)
	var changed []string
	for p, h := range second {
		if first[p] != h {
			changed = append(changed, p)
		}
	}
	if len(second) != len(first) || len(changed) != len(cfg.Languages) {
		t.Errorf("%d PDFs before, %d after; %d changed, want the %d languages' 2026-Q3 report: %v", len(first), len(second), len(changed), len(cfg.Languages), changed)
	}
	for _, p := range changed {
		if !strings.Contains(p, "reports/2026-q3/") {
			t.Errorf("%s was printed again, but nothing it is printed from changed", p)
		}
	}
	want := fmt.Sprintf("PDFs: %d printed, %d unchanged from the last build", len(cfg.Languages), len(first)-len(cfg.Languages))
	if !strings.Contains(log, want) {
		t.Errorf("the rebuild does not say %q:\n%s", want, log)
	}
}
