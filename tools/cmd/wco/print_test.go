//go:build integration

package main

import (
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
