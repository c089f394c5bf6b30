package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/chicago-welcoming-city/transparency/tools/internal/browser"
	"github.com/chicago-welcoming-city/transparency/tools/internal/filing"
	"github.com/chicago-welcoming-city/transparency/tools/internal/pdf"
	"github.com/chicago-welcoming-city/transparency/tools/internal/publish"
	"github.com/chicago-welcoming-city/transparency/tools/internal/site"
)

// PrintMode says whether a run prints PDFs with Chromium.
type PrintMode string

const (
	// PrintOff prints nothing.
	PrintOff PrintMode = "off"
	// PrintAuto prints when Chromium is installed, and says so when not.
	PrintAuto PrintMode = "auto"
	// PrintRequired fails the run when Chromium is not installed.
	PrintRequired PrintMode = "required"
)

// ParsePrintMode reads off, auto or required.
func ParsePrintMode(s string) (PrintMode, error) {
	switch m := PrintMode(s); m {
	case PrintOff, PrintAuto, PrintRequired:
		return m, nil
	}
	return "", fmt.Errorf("--pdf %q: use off, auto or required", s)
}

// printing says whether the run prints PDFs (Options.Print).
func (p *Pipeline) printing() bool { return p.opt.Print != "" && p.opt.Print != PrintOff }

// printer starts a printer of the site in public, or, when Chromium is
// missing and Options.Print allows it, returns nil after saying so in the
// log.
func (p *Pipeline) printer(ctx context.Context, public string) (*pdf.Printer, error) {
	pr, err := pdf.Open(ctx, p.opt.Chromium, public, p.basePath())
	if errors.Is(err, browser.ErrNoChromium) && p.opt.Print == PrintAuto {
		fmt.Fprintf(p.opt.Log, "PDFs not printed: %v\n", err)
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("print PDFs: %w (--pdf=off builds without them)", err)
	}
	return pr, nil
}

// basePath is the path of the site's address, "/" for most sites.
func (p *Pipeline) basePath() string {
	if u, err := url.Parse(p.cfg.BaseURL); err == nil && u.Path != "" {
		if u.Path[len(u.Path)-1] != '/' {
			return u.Path + "/"
		}
		return u.Path
	}
	return "/"
}

// publicBase is the site's absolute public address, on which a PDF's links
// are made absolute, or "" when the configuration has none (links are
// then left out of PDFs).
func (p *Pipeline) publicBase() string {
	if u, err := url.Parse(p.cfg.BaseURL); err == nil && u.Scheme != "" && u.Host != "" {
		return u.String()
	}
	return ""
}

// filingFooter numbers a filing's pages with its title, in English.
func filingFooter(f *filing.Filing) string {
	return `<div style="font-size:8pt;width:100%;text-align:center;font-family:sans-serif">` +
		html.EscapeString(fmt.Sprintf("%s, %s", f.Title, f.Period)) +
		` · Page <span class="pageNumber"></span> of <span class="totalPages"></span></div>`
}

// stampOf is the time a PDF made from a delivery exported at exportedAt
// (RFC 3339, or empty) carries.
func stampOf(exportedAt string) time.Time {
	t, _ := time.Parse(time.RFC3339, exportedAt)
	return t
}

func pdfOptions(footer, exportedAt, base string) pdf.Options {
	return pdf.Options{Footer: footer, Stamp: stampOf(exportedAt), Base: base}
}

// PrintsFile lists the PDFs a build printed, for the pages' links to them.
const PrintsFile = "prints.json"

// Print is one printed page.
type Print struct {
	Lang   string `json:"lang"`   // the language key of the page printed
	Path   string `json:"path"`   // the page's path in Hugo (/reports/2026-q3)
	File   string `json:"file"`   // the PDF's address, from the site's root
	Bytes  int    `json:"bytes"`  // its size
	Locale string `json:"locale"` // the language tag of its text
}

// printable is a page to print: where it is in public, and how.
type printable struct {
	Print
	page   string // the page's address, from the site's root (es/reports/2026-q3/)
	footer string
}

var (
	htmlLangAttr = regexp.MustCompile(`<html[^>]*\slang="?([^"> ]+)`)
	reportPage   = regexp.MustCompile(`^(?:([a-z-]+)/)?reports/([0-9]{4}(?:-q[1-4])?)/index\.html$`)
	filingPage   = regexp.MustCompile(`^filings/([a-z0-9-]+)/([0-9]{4}(?:-q[1-4])?)/index\.html$`)
)

// printables are the pages of the rendered site in public that a build
// prints: every report page of every language, and the page of every
// filing in force (in English, as filed).
func (p *Pipeline) printables(public string, filings publish.Filings) ([]printable, error) {
	langs := map[string]bool{}
	for _, l := range p.cfg.Languages {
		langs[l] = true
	}
	var out []printable
	err := site.WalkFiles(public, func(path string) error {
		rel, _ := filepath.Rel(public, path)
		rel = filepath.ToSlash(rel)
		var pr printable
		if m := reportPage.FindStringSubmatch(rel); m != nil {
			lang := m[1]
			if lang == "" {
				lang = p.cfg.DefaultLanguage
			} else if !langs[lang] || lang == p.cfg.DefaultLanguage {
				return nil
			}
			name := m[2] + "-report.pdf"
			if lang != p.cfg.DefaultLanguage {
				name = m[2] + "-report-" + lang + ".pdf"
			}
			pr = printable{Print: Print{Lang: lang, Path: "/reports/" + m[2], File: strings.TrimSuffix(rel, "index.html") + name}, footer: pdf.DefaultFooter}
		} else if m := filingPage.FindStringSubmatch(rel); m != nil {
			i := slices.IndexFunc(filings.Filings, func(f publish.PublishedFiling) bool { return f.Current && f.ID == m[1] && f.Slug == m[2] })
			if i < 0 {
				return nil
			}
			f := &filings.Filings[i].Filing
			pr = printable{Print: Print{Lang: p.cfg.DefaultLanguage, Path: "/filings/" + m[1] + "/" + m[2], File: strings.TrimSuffix(rel, "index.html") + f.Name("", "pdf")}, footer: filingFooter(f)}
		} else {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if l := htmlLangAttr.FindSubmatch(b); l != nil {
			pr.Locale = string(l[1])
		}
		pr.page = strings.TrimSuffix(rel, "index.html")
		out = append(out, pr)
		return nil
	})
	slices.SortFunc(out, func(a, b printable) int { return strings.Compare(a.File, b.File) })
	return out, err
}

// printSite prints the printables of the stage's rendered site into its
// prints folder and lists them in its data; it reports whether it printed
// (with PrintAuto and no Chromium it does not).
func (p *Pipeline) printSite(ctx context.Context, st *site.Stage, exportedAt string) (bool, error) {
	filings, err := publish.LoadFilings(st.DataDir())
	if err != nil {
		return false, err
	}
	pages, err := p.printables(st.PublicDir(), filings)
	if err != nil || len(pages) == 0 {
		return false, err
	}
	pr, err := p.printer(ctx, st.PublicDir())
	if pr == nil || err != nil {
		return false, err
	}
	defer pr.Close()
	start := time.Now()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(2) // a tab per core of the machines CI runs on
	for i := range pages {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			b, err := pr.Print(p.basePath()+pages[i].page, pdfOptions(pages[i].footer, exportedAt, p.publicBase()))
			if err != nil {
				return err
			}
			dst := filepath.Join(st.PrintsDir(), filepath.FromSlash(pages[i].File))
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
			pages[i].Bytes = len(b)
			return os.WriteFile(dst, b, 0o644)
		})
	}
	if err := g.Wait(); err != nil {
		return false, fmt.Errorf("print PDFs: %w", err)
	}
	list := struct {
		Prints []Print `json:"prints"`
	}{}
	total := 0
	for _, pg := range pages {
		list.Prints = append(list.Prints, pg.Print)
		total += pg.Bytes
	}
	b, err := json.MarshalIndent(list, "", "  ")
	if err != nil {
		return false, err
	}
	if err := os.WriteFile(filepath.Join(st.DataDir(), PrintsFile), append(b, '\n'), 0o644); err != nil {
		return false, err
	}
	fmt.Fprintf(p.opt.Log, "printed %d PDFs (%d KB) in %s\n", len(pages), total/1024, time.Since(start).Round(100*time.Millisecond))
	return true, nil
}
