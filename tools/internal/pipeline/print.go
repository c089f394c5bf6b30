package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/chicago-welcoming-city/transparency/tools/internal/browser"
	"github.com/chicago-welcoming-city/transparency/tools/internal/filing"
	"github.com/chicago-welcoming-city/transparency/tools/internal/pdf"
	"github.com/chicago-welcoming-city/transparency/tools/internal/publish"
	"github.com/chicago-welcoming-city/transparency/tools/internal/site"
	"github.com/chicago-welcoming-city/transparency/tools/internal/verify"
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

// printer starts a printer of the site in public (for wco filing), or,
// when Chromium is missing and Options.Print allows it, returns nil after
// saying so in the log.
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

// PrintsFile is the PDF plan: every PDF a build prints, written with the
// data files before the site is rendered, so that the pages link their
// PDFs in the one render and the templates never guess a PDF's name.
const PrintsFile = "prints.json"

// Print is one PDF of the plan.
type Print struct {
	Lang   string `json:"lang"`   // the language key of the page printed
	Path   string `json:"path"`   // the page's path in Hugo (/reports/2026-q3)
	File   string `json:"file"`   // the PDF's address, from the site's root
	Locale string `json:"locale"` // the language tag of its text
}

// printable is a page to print: where it is in public, and how.
type printable struct {
	Print
	page   string // the page's address, from the site's root (es/reports/2026-q3/)
	footer string
}

// htmlLangAttr is a rendered page's language, which must be the plan's.
var htmlLangAttr = regexp.MustCompile(`<html[^>]*\slang="?([^"> ]+)`)

// printPlan is every page a build prints, from the data files in dir
// alone: the report page of every published quarter and year in every
// language, and the page of every filing in force (in English, as filed).
func (p *Pipeline) printPlan(dir string) ([]printable, error) {
	idx, err := publish.LoadIndex(dir)
	if err != nil {
		return nil, err
	}
	filings, err := publish.LoadFilings(dir)
	if err != nil {
		return nil, err
	}
	var slugs []string
	for _, q := range idx.Quarters {
		slugs = append(slugs, q.Slug)
	}
	for _, y := range idx.Years {
		slugs = append(slugs, strconv.Itoa(y.Year))
	}
	var out []printable
	for _, lang := range p.cfg.Languages {
		prefix, suffix := "", ""
		if lang != p.cfg.DefaultLanguage {
			prefix, suffix = lang+"/", "-"+lang
		}
		for _, slug := range slugs {
			page := prefix + "reports/" + slug + "/"
			out = append(out, printable{Print: Print{Lang: lang, Path: "/reports/" + slug, File: page + slug + "-report" + suffix + ".pdf", Locale: p.cfg.Locales[lang]}, page: page, footer: pdf.DefaultFooter})
		}
	}
	for i := range filings.Filings {
		f := &filings.Filings[i]
		if !f.Current {
			continue
		}
		page := "filings/" + f.ID + "/" + f.Slug + "/"
		out = append(out, printable{Print: Print{Lang: p.cfg.DefaultLanguage, Path: "/filings/" + f.ID + "/" + f.Slug, File: page + f.Filing.Name("", "pdf"), Locale: p.cfg.Locales[p.cfg.DefaultLanguage]}, page: page, footer: filingFooter(&f.Filing)})
	}
	slices.SortFunc(out, func(a, b printable) int { return strings.Compare(a.File, b.File) })
	return out, nil
}

// planPrints decides, before the render, whether the build prints, and if
// so writes the plan into the stage's data for the pages to link: with
// PrintAuto and no Chromium it prints nothing, and says so.
func (p *Pipeline) planPrints(st *site.Stage) ([]printable, error) {
	if !p.printing() {
		return nil, nil
	}
	if _, err := browser.Find(p.opt.Chromium); err != nil {
		if errors.Is(err, browser.ErrNoChromium) && p.opt.Print == PrintAuto {
			fmt.Fprintf(p.opt.Log, "PDFs not printed: %v\n", err)
			return nil, nil
		}
		return nil, fmt.Errorf("print PDFs: %w (--pdf=off builds without them)", err)
	}
	plan, err := p.printPlan(st.DataDir())
	if err != nil || len(plan) == 0 {
		return nil, err
	}
	list := struct {
		Prints []Print `json:"prints"`
	}{}
	for _, pg := range plan {
		list.Prints = append(list.Prints, pg.Print)
	}
	b, err := json.MarshalIndent(list, "", "  ")
	if err != nil {
		return nil, err
	}
	return plan, os.WriteFile(filepath.Join(st.DataDir(), PrintsFile), append(b, '\n'), 0o644)
}

// PrintCacheDir is where a build keeps the PDFs it printed, by what they
// were printed from: .wco/prints beside the data folder.
func (p *Pipeline) PrintCacheDir() string {
	return filepath.Join(filepath.Dir(p.Site().DataDir), ".wco", "prints")
}

// printVersion changes when the way pages are printed changes, so that no
// PDF printed the old way is reused.
const printVersion = "wco-print-1"

// printSite prints the plan's pages of the stage's rendered site into it,
// reusing from the cache every PDF whose page, stylesheets, images, print
// settings, browser and fonts are byte for byte those it was printed from,
// with as many tabs as the machine has cores.
func (p *Pipeline) printSite(ctx context.Context, st *site.Stage, plan []printable, exportedAt string) error {
	public := st.PublicDir()
	env, err := printEnvironment(p.opt.Chromium)
	if err != nil {
		return err
	}
	keys := make([]string, len(plan))
	for i, pg := range plan {
		html, err := os.ReadFile(filepath.Join(public, filepath.FromSlash(pg.page), "index.html"))
		if err != nil {
			return fmt.Errorf("the PDF plan names %s, which the site does not have: %w", pg.page, err)
		}
		if l := htmlLangAttr.FindSubmatch(html); l == nil || string(l[1]) != pg.Locale {
			return fmt.Errorf("the PDF plan prints %s in %s, but the page is marked %q", pg.page, pg.Locale, l)
		}
		keys[i] = p.printKey(public, pg.page, html, env, pdfOptions(pg.footer, exportedAt, p.publicBase()))
	}
	cache := p.PrintCacheDir()
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return err
	}
	var misses []int
	for i := range plan {
		if _, err := os.Stat(filepath.Join(cache, keys[i]+".pdf")); err != nil {
			misses = append(misses, i)
		}
	}
	start := time.Now()
	if len(misses) > 0 {
		pr, err := pdf.Open(ctx, p.opt.Chromium, public, p.basePath())
		if err != nil {
			return fmt.Errorf("print PDFs: %w (--pdf=off builds without them)", err)
		}
		defer pr.Close()
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(runtime.NumCPU()) // a tab per core
		for _, i := range misses {
			g.Go(func() error {
				if err := gctx.Err(); err != nil {
					return err
				}
				b, err := pr.Print(p.basePath()+plan[i].page, pdfOptions(plan[i].footer, exportedAt, p.publicBase()))
				if err != nil {
					return err
				}
				return writeFileAtomic(filepath.Join(cache, keys[i]+".pdf"), b)
			})
		}
		if err := g.Wait(); err != nil {
			return fmt.Errorf("print PDFs: %w", err)
		}
	}
	total := 0
	used := map[string]bool{}
	for i, pg := range plan {
		src := filepath.Join(cache, keys[i]+".pdf")
		b, err := os.ReadFile(src)
		if err != nil {
			return err
		}
		dst := filepath.Join(public, filepath.FromSlash(pg.File))
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			return err
		}
		total += len(b)
		used[keys[i]+".pdf"] = true
	}
	// The cache keeps what this build printed, and nothing older.
	if entries, err := os.ReadDir(cache); err == nil {
		for _, e := range entries {
			if !used[e.Name()] {
				_ = os.Remove(filepath.Join(cache, e.Name()))
			}
		}
	}
	fmt.Fprintf(p.opt.Log, "PDFs: %d printed, %d unchanged from the last build (%d KB in all), in %s\n",
		len(misses), len(plan)-len(misses), total/1024, time.Since(start).Round(100*time.Millisecond))
	return nil
}

// printEnvironment is what, besides the page, a PDF depends on: the
// browser's version and the fonts the machine has.
func printEnvironment(chromium string) (string, error) {
	path, err := browser.Find(chromium)
	if err != nil {
		return "", err
	}
	version, err := exec.Command(path, "--version").Output()
	if err != nil {
		return "", fmt.Errorf("%s --version: %w", path, err)
	}
	fonts, _ := exec.Command("fc-list", "--format", "%{file} %{fontversion}\n").Output()
	lines := strings.Split(string(fonts), "\n")
	slices.Sort(lines)
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n%s", printVersion, strings.TrimSpace(string(version)), strings.Join(lines, "\n"))
	return hex.EncodeToString(h.Sum(nil)), nil
}

// printKey is the name of a page's PDF in the cache: the sha256 of the
// page's bytes, of every file of the site it loads (and, for a
// stylesheet, every file it loads), as the site checks find them
// (verify.Loads), of the print settings and of the environment. page is
// the page's address from the site's root (es/reports/2026-q3/).
func (p *Pipeline) printKey(public, page string, html []byte, env string, o pdf.Options) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%q\n%s\n%q\n", env, o.Footer, o.Stamp.UTC().Format(time.RFC3339), o.Base)
	h.Write(html)
	base := p.basePath()
	seen := map[string]bool{}
	var add func(from, ref string)
	add = func(from, ref string) {
		u, err := url.Parse(ref)
		if err != nil || u.Scheme != "" || u.Host != "" || u.Path == "" {
			return // not a file of the site
		}
		file := u.Path
		if !strings.HasPrefix(file, "/") {
			file = path.Join(path.Dir(from), file)
		}
		file = strings.TrimPrefix(path.Clean(file), strings.TrimSuffix(base, "/"))
		if seen[file] {
			return
		}
		seen[file] = true
		b, err := os.ReadFile(filepath.Join(public, filepath.FromSlash(strings.TrimPrefix(file, "/"))))
		if err != nil {
			return // not on the site: the page cannot load it either
		}
		fmt.Fprintf(h, "\n%s %d\n", file, len(b))
		h.Write(b)
		if strings.HasSuffix(file, ".css") {
			for _, r := range verify.StylesheetLoads(b) {
				add(file, r)
			}
		}
	}
	for _, r := range verify.Loads(html) {
		add(base+page+"index.html", r)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// writeFileAtomic writes a cache entry whole or not at all.
func writeFileAtomic(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
