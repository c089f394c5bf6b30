package verify

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	wcosite "github.com/chicago-welcoming-city/transparency/tools/internal/site"
)

var cspMeta = regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="([^"]*)"`)

// budget checks every page's weight, with the stylesheets, images and
// other files it loads, and its Content-Security-Policy: default-src
// 'none', nothing unsafe.
func budget(_ context.Context, s *site) Result {
	var r Result
	largest, largestPage := 0, ""
	for _, page := range s.pages {
		b, err := s.read(page)
		if err != nil {
			return Result{Err: err}
		}
		size := len(b)
		seen := map[string]bool{}
		for ref := range resourceRefs(b) {
			file, _, ok := s.resolve(page, ref.url)
			if !ok || seen[file] || !weighs(ref) {
				continue
			}
			seen[file] = true
			info, err := os.Stat(s.path(file))
			if err != nil {
				r.Findings = append(r.Findings, Finding{Page: page, Rule: "missing-resource", Detail: fmt.Sprintf("%s loads %s, which the site does not have", ref.what, ref.url)})
				continue
			}
			size += int(info.Size())
		}
		if size > s.PageBudget {
			r.Findings = append(r.Findings, Finding{Page: page, Rule: "page-budget",
				Detail: fmt.Sprintf("%d bytes with what it loads, over the budget of %d", size, s.PageBudget)})
		}
		if size > largest {
			largest, largestPage = size, page
		}
		switch csp := cspMeta.FindSubmatch(b); {
		case csp == nil:
			r.Findings = append(r.Findings, Finding{Page: page, Rule: "csp-missing", Detail: "no Content-Security-Policy meta tag"})
		case !strings.Contains(string(csp[1]), "default-src 'none'") || strings.Contains(string(csp[1]), "unsafe-"):
			r.Findings = append(r.Findings, Finding{Page: page, Rule: "csp-weak", Detail: fmt.Sprintf("Content-Security-Policy %q: it must start from default-src 'none' and allow nothing unsafe", csp[1])})
		}
	}
	r.Checked = fmt.Sprintf("%s, largest %s at %.1f of %d KB", count(len(s.pages), "page"), largestPage, float64(largest)/1024, s.PageBudget/1024)

	// The PDFs printed from pages: each within its own budget.
	limit := s.PDFBudget
	if limit == 0 {
		limit = DefaultPDFBudgetKB * 1024
	}
	pdfs, largest, largestPDF := 0, 0, ""
	err := wcosite.WalkFiles(s.root, func(p string) error {
		if !strings.HasSuffix(p, ".pdf") {
			return nil
		}
		info, err := os.Stat(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(s.root, p)
		rel = filepath.ToSlash(rel)
		pdfs++
		if int(info.Size()) > limit {
			r.Findings = append(r.Findings, Finding{Page: rel, Rule: "pdf-budget",
				Detail: fmt.Sprintf("%d bytes, over the budget of %d for a PDF", info.Size(), limit)})
		}
		if int(info.Size()) > largest {
			largest, largestPDF = int(info.Size()), rel
		}
		return nil
	})
	if err != nil {
		return Result{Err: err}
	}
	if pdfs > 0 {
		r.Checked += fmt.Sprintf("; %s, largest %s at %.1f of %d KB", count(pdfs, "PDF"), largestPDF, float64(largest)/1024, limit/1024)
	}
	return r
}

// The budgets' defaults, in KB (params.verify).
const (
	// DefaultPageBudgetKB is the most a page may weigh with what it loads.
	DefaultPageBudgetKB = 60
	// DefaultPDFBudgetKB is the most a PDF may weigh.
	DefaultPDFBudgetKB = 400
)

// weighs says whether the browser downloads a reference with the page:
// not a form's target, a ping or a base.
func weighs(ref resourceRef) bool {
	switch ref.what {
	case "<form action>", "<button formaction>", "<input formaction>", "<a ping>", "<area ping>", "<base href>", "<meta refresh>":
		return false
	}
	return true
}
