package pipeline

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net/url"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/browser"
	"github.com/chicago-welcoming-city/transparency/tools/internal/filing"
	"github.com/chicago-welcoming-city/transparency/tools/internal/pdf"
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

// printer starts a printer of the site in public, or, when Chromium is
// missing and mode allows it, returns nil after saying so in the log.
func (p *Pipeline) printer(ctx context.Context, public string, mode PrintMode) (*pdf.Printer, error) {
	pr, err := pdf.Open(ctx, p.opt.Chromium, public, p.basePath())
	if errors.Is(err, browser.ErrNoChromium) && mode == PrintAuto {
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
