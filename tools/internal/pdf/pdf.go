// Package pdf prints pages of the built site to PDF with Debian's Chromium:
// Letter paper, page numbers in the footer, a tagged (accessible) PDF with
// an outline of the page's headings. The same page always gives the same
// bytes: the times Chromium stamps in a PDF are replaced by one the caller
// gives (the delivery's export time).
package pdf

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/chicago-welcoming-city/transparency/tools/internal/browser"
)

// Options say how a page prints.
type Options struct {
	// Footer is the footer's HTML, in which Chromium fills the elements of
	// class pageNumber, totalPages and title; empty gives "n / total".
	Footer string
	// Stamp replaces every date Chromium writes into the PDF.
	Stamp time.Time
	// Base is the site's public address (https://…/): links in the PDF
	// are made absolute on it. Empty removes them, as the page is printed
	// from a server on loopback whose address means nothing to a reader.
	Base string
}

// settled waits until the page's fonts are loaded and its layout done, so
// that no print catches a page still changing.
const settled = `document.fonts.ready.then(() => { void document.body.offsetHeight; })`

// links makes every link of the page absolute on a public base, or, with
// none, takes it out; run through DevTools, which the page's policy of no
// scripts does not bind.
const links = `((base) => { for (const a of document.querySelectorAll('a[href]')) {
  const h = a.getAttribute('href');
  if (base && !h.startsWith('#')) { a.setAttribute('href', new URL(h, new URL(location.pathname, base)).href); }
  else if (!h.startsWith('#')) { a.removeAttribute('href'); }
} })(%q)`

// DefaultFooter numbers the pages in digits, in any language.
const DefaultFooter = `<div style="font-size:8pt;width:100%;text-align:center;font-family:sans-serif"><span class="pageNumber"></span> / <span class="totalPages"></span></div>`

// Print opens url in a new tab of the browser bctx (see browser.Start) and
// prints it.
func Print(bctx context.Context, url string, o Options) ([]byte, error) {
	tab, cancel := chromedp.NewContext(bctx)
	defer cancel()
	footer := o.Footer
	if footer == "" {
		footer = DefaultFooter
	}
	t, f := true, false
	top, bottom, side := 0.6, 0.7, 0.6
	if err := chromedp.Do(tab, chromedp.Navigate(url), chromedp.Evaluate[chromedp.Void](fmt.Sprintf(links, o.Base)),
		chromedp.Evaluate[chromedp.Void](settled, chromedp.EvalAwaitPromise)); err != nil {
		return nil, fmt.Errorf("print %s: %w", url, err)
	}
	res, err := chromedp.Call(tab, page.PrintToPDF, page.PrintToPDFParams{
		PaperWidth: 8.5, PaperHeight: 11,
		MarginTop: &top, MarginBottom: &bottom, MarginLeft: &side, MarginRight: &side,
		DisplayHeaderFooter: &t, HeaderTemplate: `<span></span>`, FooterTemplate: footer,
		PrintBackground: &f, PreferCSSPageSize: &f,
		GenerateTaggedPDF: &t, GenerateDocumentOutline: &t,
	})
	if err != nil {
		return nil, fmt.Errorf("print %s: %w", url, err)
	}
	return Renumber(Stamp(res.Data, o.Stamp)), nil
}

// pdfDate matches a PDF date string as Chromium writes it:
// (D:20261203031500+00'00').
var pdfDate = regexp.MustCompile(`\(D:\d{14}[^)]{0,7}\)`)

// Stamp replaces every PDF date string in b with t, in UTC, byte for byte
// the same length, so that the cross-reference offsets stay right. A zero
// t gives the Unix epoch.
func Stamp(b []byte, t time.Time) []byte {
	if t.IsZero() {
		t = time.Unix(0, 0)
	}
	return pdfDate.ReplaceAllFunc(b, func(m []byte) []byte {
		s := []byte("(D:" + t.UTC().Format("20060102150405") + "+00'00')")
		if len(s) > len(m) {
			return m
		}
		return append(s[:len(s)-1], append(bytes.Repeat([]byte{' '}, len(m)-len(s)), ')')...)
	})
}

// nodeID matches the ids Chromium gives the structure elements of a tagged
// PDF (the table headers, which cells name), from its DOM node counter:
// (node00000103).
var nodeID = regexp.MustCompile(`\(node(\d{8})\)`)

// idNames matches the array of a PDF's id tree (its one leaf, as Chromium
// writes it), pairs of an id and a reference separated by single spaces.
var idNames = regexp.MustCompile(`/Names \[((?:\(node\d{8}\) \d+ \d+ R ?)+)\]`)

var idPair = regexp.MustCompile(`\(node(\d{8})\) (\d+ \d+ R)`)

// Renumber gives the structure elements' ids of b the numbers 1, 2, … in
// the order they first appear in the file, outside the id tree, and sorts
// the id tree's pairs again. Chromium's ids come from a counter that runs
// on from page to page within a browser, and that paint may draw on before
// the document is asked for its ids, so the same page printed twice would
// differ; the file's order of objects does not vary. Every id keeps its
// length, and the id tree its bytes' length, so the cross-reference
// offsets stay right.
func Renumber(b []byte) []byte {
	names := idNames.FindSubmatchIndex(b)
	to := map[string]int{}
	var order []string
	see := func(from, until int) {
		for _, m := range nodeID.FindAllSubmatch(b[from:until], -1) {
			if _, ok := to[string(m[1])]; !ok {
				order = append(order, string(m[1]))
				to[string(m[1])] = len(order)
			}
		}
	}
	if names == nil {
		see(0, len(b))
	} else {
		see(0, names[0])
		see(names[1], len(b))
		see(names[0], names[1]) // ids the tree alone names, after the rest
	}
	out := nodeID.ReplaceAllFunc(b, func(m []byte) []byte {
		return fmt.Appendf(nil, "(node%08d)", to[string(m[5:13])])
	})
	if names != nil {
		type pair struct {
			id  int
			ref string
		}
		var pairs []pair
		for _, m := range idPair.FindAllSubmatch(out[names[2]:names[3]], -1) {
			n, _ := strconv.Atoi(string(m[1]))
			pairs = append(pairs, pair{n, string(m[2])})
		}
		slices.SortFunc(pairs, func(a, b pair) int { return a.id - b.id })
		var sorted []byte
		for i, p := range pairs {
			if i > 0 {
				sorted = append(sorted, ' ')
			}
			sorted = fmt.Appendf(sorted, "(node%08d) %s", p.id, p.ref)
		}
		if trailing := out[names[3]-1] == ' '; trailing {
			sorted = append(sorted, ' ')
		}
		if len(sorted) == names[3]-names[2] {
			copy(out[names[2]:names[3]], sorted)
		}
		// The leaf's limits, its first and last id, just before or after.
		if len(pairs) > 0 {
			limits := fmt.Appendf(nil, "/Limits [(node%08d) (node%08d)]", pairs[0].id, pairs[len(pairs)-1].id)
			before := max(0, names[0]-64)
			if l := idLimits.FindIndex(out[before:names[0]]); l != nil {
				copy(out[before+l[0]:], limits)
			} else if l := idLimits.FindIndex(out[names[1]:min(len(out), names[1]+64)]); l != nil {
				copy(out[names[1]+l[0]:], limits)
			}
		}
	}
	return out
}

var idLimits = regexp.MustCompile(`/Limits \[\(node\d{8}\) \(node\d{8}\)\]`)

// Printer prints the pages of a built site folder, served on loopback to
// a Chromium of its own.
type Printer struct {
	bctx       context.Context
	stop       func()
	stopServer func()
	origin     string
}

// Open serves the site in public (its pages at their addresses under
// basePath, "/" for most sites) and starts chromium (see browser.Find).
func Open(ctx context.Context, chromium, public, basePath string) (*Printer, error) {
	chromium, err := browser.Find(chromium)
	if err != nil {
		return nil, err
	}
	origin, stopServer, err := browser.Serve(public, basePath)
	if err != nil {
		return nil, err
	}
	bctx, stop, err := browser.Start(ctx, chromium)
	if err != nil {
		stopServer()
		return nil, err
	}
	return &Printer{bctx: bctx, stop: stop, stopServer: stopServer, origin: origin}, nil
}

// Print prints the page at path (an address of the site, such as
// /reports/2026-q3/), within a minute.
func (p *Printer) Print(path string, o Options) ([]byte, error) {
	ctx, cancel := context.WithTimeout(p.bctx, time.Minute)
	defer cancel()
	return Print(ctx, p.origin+path, o)
}

// Close stops the browser and the server.
func (p *Printer) Close() {
	p.stop()
	p.stopServer()
}
