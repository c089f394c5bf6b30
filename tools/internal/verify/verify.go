// Package verify checks a built site before it may be published. Every
// check runs on every run; none can be switched off, and a check that
// cannot run (a browser or Java missing) is a failure, never a skip.
//
// The checks:
//
//   - links: every internal link and anchor resolves (htmltest, the version
//     pinned in go.mod, run as `go tool htmltest`);
//   - html: every page and stylesheet is valid (the Nu HTML Checker from
//     the npm package vnu-jar, on the system's Java);
//   - accessibility: axe-core finds no WCAG 2.1 A or AA violation on any
//     page of any language, in Debian's Chromium;
//   - network: while those pages load, Chromium requests nothing from any
//     origin but the site's own;
//   - hosts: no page or stylesheet refers to a resource on another host
//     (a static scan of every src, srcset, stylesheet, form action, CSS url()
//     and @import);
//   - privacy: no file of the site or of the data folder holds a canary
//     string of the synthetic fixtures or anything shaped like personal
//     data (an e-mail address, a phone number, a block address, precise
//     coordinates);
//   - budget: every page, with the stylesheets and images it loads, is
//     within the page budget, and carries a strict Content-Security-Policy;
//   - structure: robots.txt names the sitemap; every language has a sitemap
//     listing its pages (and only pages that exist) and a 404 page.
//
// Node packages (vnu-jar, axe-core) come from the committed lock file in
// .ci/, installed with `npm ci --ignore-scripts` when missing.
package verify

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Options say what to check and with what.
type Options struct {
	Public  string // the built site
	Data    string // the data folder, scanned for personal data with the site
	BaseURL string // where the site is served (Hugo's baseURL)
	// Languages are the site's language keys, the default first; the
	// default is served at the root, every other under /<key>/.
	Languages []string
	// PageBudget is the most a page may weigh, in bytes, with what it loads.
	PageBudget int
	// PDFBudget is the most a PDF of the site may weigh, in bytes; zero is
	// DefaultPDFBudgetKB.
	PDFBudget int
	// Repo is the module root: htmltest runs there as `go tool htmltest`,
	// and the Node packages are installed in Repo/.ci.
	Repo string
	// Chromium is the browser; "" looks for chromium on PATH.
	Chromium string
	// Progress receives a line as each check starts; may be nil.
	Progress io.Writer
	// Only names the checks to run, for callers that need a few (the
	// tests); nil runs every check, as wco verify always does.
	Only []string
	// Pages limits the checks that open pages one by one in a validator
	// or a browser (html, accessibility, network) to these pages, for
	// callers that need a few (the tests); nil opens every page, as wco
	// verify always does. Every other check reads every page.
	Pages []string
}

// Finding is one problem: on which page (or file), by which rule, and what.
type Finding struct {
	Page   string // path within the site (or the data folder)
	Rule   string // the checker's rule, such as color-contrast
	Detail string
}

// Result is the outcome of one check.
type Result struct {
	Check    string
	Checked  string // what was checked, with counts: "280 pages, 9,120 links"
	Findings []Finding
	Err      error // the check could not run; counts as a failure
	Elapsed  time.Duration
}

// Failed says whether the check found a problem or could not run.
func (r Result) Failed() bool { return r.Err != nil || len(r.Findings) > 0 }

// site is the built site as the checks see it.
type site struct {
	Options
	root     string   // Public with symbolic links resolved
	basePath string   // the path the site is served under: "/" or "/transparency/"
	host     string   // the site's own host, "" when BaseURL is a bare path
	pages    []string // every HTML file, slash-separated, relative to root, sorted
}

type check struct {
	name string
	run  func(ctx context.Context, s *site) Result
}

// checks in the order they run and are reported; accessibility and
// network follow, from one pass of the browser over every page.
var checks = []check{
	{"links", links},
	{"html", htmlValidity},
	{"hosts", hosts},
	{"privacy", privacy},
	{"budget", budget},
	{"structure", structure},
}

// Run runs every check and returns their results in a fixed order. An
// error is returned only when the site cannot be read at all.
func Run(ctx context.Context, opt Options) ([]Result, error) {
	s, err := open(opt)
	if err != nil {
		return nil, err
	}
	for _, name := range opt.Only {
		if !slices.ContainsFunc(checks, func(c check) bool { return c.name == name }) && name != "accessibility" && name != "network" {
			return nil, fmt.Errorf("no check is named %q", name)
		}
	}
	runs := func(name string) bool { return opt.Only == nil || slices.Contains(opt.Only, name) }
	var out []Result
	for _, c := range checks {
		if !runs(c.name) {
			continue
		}
		s.progress(c.name)
		start := time.Now()
		r := c.run(ctx, s)
		r.Check, r.Elapsed = c.name, time.Since(start)
		r.Findings = sortFindings(r.Findings)
		out = append(out, r)
	}
	if runs("accessibility") || runs("network") {
		s.progress("accessibility and network")
		start := time.Now()
		a11y, network := browse(ctx, s)
		a11y.Elapsed, network.Elapsed = time.Since(start), 0
		out = append(out, a11y, network)
	}
	return out, nil
}

func (s *site) progress(name string) {
	if s.Progress != nil {
		fmt.Fprintf(s.Progress, "verify: %s…\n", name)
	}
}

func open(opt Options) (*site, error) {
	root, err := filepath.EvalSymlinks(opt.Public)
	if err != nil {
		return nil, fmt.Errorf("read the site %s: %w", opt.Public, err)
	}
	s := &site{Options: opt, root: root, basePath: "/"}
	if opt.BaseURL != "" {
		u, err := url.Parse(opt.BaseURL)
		if err != nil {
			return nil, fmt.Errorf("base URL %q: %w", opt.BaseURL, err)
		}
		s.host = u.Host
		s.basePath = strings.TrimSuffix(cmp.Or(u.Path, "/"), "/") + "/"
	}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".html") {
			rel, _ := filepath.Rel(root, p)
			s.pages = append(s.pages, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the site %s: %w", opt.Public, err)
	}
	if len(s.pages) == 0 {
		return nil, fmt.Errorf("the site %s has no pages: build it first (wco build)", opt.Public)
	}
	slices.Sort(s.pages)
	return s, nil
}

// opened is the pages the validator and the browser open: Options.Pages,
// each of which must exist, or every page.
func (s *site) opened() ([]string, error) {
	if s.Pages == nil {
		return s.pages, nil
	}
	for _, p := range s.Pages {
		if !slices.Contains(s.pages, p) {
			return nil, fmt.Errorf("the site has no page %s to check", p)
		}
	}
	return s.Pages, nil
}

// prefix is the folder a language's pages are in: "" for the default.
func (s *site) prefix(lang string) string {
	if len(s.Languages) == 0 || lang == s.Languages[0] {
		return ""
	}
	return lang + "/"
}

// pageURL is the path a page is served at: index.html as its folder.
func (s *site) pageURL(page string) string {
	return s.basePath + strings.TrimSuffix(page, "index.html")
}

// resolve maps a reference found on page (a site-relative path) to the
// file it names within the site; external is true when it is on another
// host, and ok false when it names no file of the site (a fragment only,
// mailto:, data:).
func (s *site) resolve(page, ref string) (file string, external, ok bool) {
	u, err := url.Parse(strings.TrimSpace(ref))
	if err != nil {
		return "", false, false
	}
	if u.Host != "" || strings.HasPrefix(ref, "//") {
		if u.Host == s.host && (u.Scheme == "" || u.Scheme == "https" || u.Scheme == "http") {
			u.Host, u.Scheme = "", ""
		} else {
			return "", true, false
		}
	}
	if u.Scheme != "" || u.Path == "" {
		return "", false, false
	}
	p := u.Path
	if strings.HasPrefix(p, "/") {
		if !strings.HasPrefix(p+"/", s.basePath) {
			return "", false, false // outside the site
		}
		p = "/" + strings.TrimPrefix(p+"/", s.basePath)
		if !strings.HasSuffix(u.Path, "/") && p != "/" {
			p = strings.TrimSuffix(p, "/")
		}
	} else {
		dir := strings.HasSuffix(p, "/")
		p = path.Join(path.Dir("/"+page), p)
		if dir {
			p += "/"
		}
	}
	if strings.HasSuffix(p, "/") {
		p += "index.html"
	}
	return strings.TrimPrefix(path.Clean(p), "/"), false, true
}

// path is where a file of the site is on disk.
func (s *site) path(rel string) string { return filepath.Join(s.root, filepath.FromSlash(rel)) }

// read returns a file of the site.
func (s *site) read(rel string) ([]byte, error) { return os.ReadFile(s.path(rel)) }

// maxListed is how many problems of one check are listed; the rest are counted.
const maxListed = 40

// WriteReport writes the findings of each check (the first maxListed), then one summary table, and returns
// the number of checks that failed.
func WriteReport(w io.Writer, results []Result) (failed int, err error) {
	for _, r := range results {
		if r.Err != nil {
			fmt.Fprintf(w, "FAIL %s: could not run: %v\n", r.Check, r.Err)
		}
		for i, f := range r.Findings {
			if i == maxListed {
				fmt.Fprintf(w, "FAIL %s: … and %d more problems\n", r.Check, len(r.Findings)-maxListed)
				break
			}
			fmt.Fprintf(w, "FAIL %s %s: %s: %s\n", r.Check, cmp.Or(f.Page, "(site)"), f.Rule, f.Detail)
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\ncheck\tresult\tproblems\tchecked\ttime")
	for _, r := range results {
		status := "ok"
		if r.Failed() {
			status, failed = "FAIL", failed+1
		}
		problems := fmt.Sprint(len(r.Findings))
		if r.Err != nil {
			problems = "could not run"
		}
		elapsed := "—"
		if r.Elapsed > 0 {
			elapsed = r.Elapsed.Round(100 * time.Millisecond).String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Check, status, problems, r.Checked, elapsed)
	}
	if err := tw.Flush(); err != nil {
		return failed, err
	}
	return failed, nil
}

// count formats n with thousands separators, as the summary shows counts.
func count(n int, unit string) string {
	if n != 1 {
		unit += "s"
	}
	return englishNumbers.Sprintf("%d %s", n, unit)
}

var englishNumbers = message.NewPrinter(language.English)

// sortFindings orders findings by page, then rule, then detail, and drops
// repeats (a page linking twice to the same missing page).
func sortFindings(fs []Finding) []Finding {
	slices.SortFunc(fs, func(a, b Finding) int {
		return cmp.Or(strings.Compare(a.Page, b.Page), strings.Compare(a.Rule, b.Rule), strings.Compare(a.Detail, b.Detail))
	})
	return slices.Compact(fs)
}
