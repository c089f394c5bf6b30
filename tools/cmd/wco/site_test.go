package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/chicago-welcoming-city/transparency/tools/internal/config"
	"github.com/chicago-welcoming-city/transparency/tools/internal/publish"
	"github.com/chicago-welcoming-city/transparency/tools/internal/site"
	"github.com/chicago-welcoming-city/transparency/tools/internal/verify"
)

var (
	sampleOnce   sync.Once
	sampleOut    outputs
	sampleStdout string
	sampleErr    error
	sampleDir    string // removed by TestMain
)

// samplePrint is how the sample site prints: with its PDFs in the second
// tier, which needs Chromium; without them in the first.
func samplePrint() string {
	if secondTier {
		return "--pdf=required"
	}
	return "--pdf=off"
}

// sampleSite builds the site from the embedded sample once per test run.
func sampleSite(t *testing.T) outputs {
	t.Helper()
	sampleOnce.Do(func() {
		dir, err := os.MkdirTemp("", "wco-sample-site-")
		if err != nil {
			sampleErr = err
			return
		}
		sampleDir = dir
		sampleOut = outputs{data: filepath.Join(dir, "data"), public: filepath.Join(dir, "public")}
		var stderr string
		sampleStdout, stderr, err = sampleOut.build(t, samplePrint())
		if err != nil {
			sampleErr = fmt.Errorf("%w\n%s", err, stderr)
		}
	})
	if sampleErr != nil {
		t.Fatalf("build the sample site: %v", sampleErr)
	}
	return sampleOut
}

// pages lists every HTML page of a built site, by path within it.
func pages(t *testing.T, public string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	root, _ := filepath.EvalSymlinks(public)
	err := site.WalkFiles(public, func(p string) error {
		if !strings.HasSuffix(p, ".html") {
			return nil
		}
		b, err := os.ReadFile(p)
		real, _ := filepath.EvalSymlinks(p)
		rel, _ := filepath.Rel(root, real)
		out["/"+filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var (
	stylesheet  = regexp.MustCompile(`<link rel="stylesheet" href="([^"]+)"`)
	resourceRef = regexp.MustCompile(`<(?:link|img|script|iframe|source|video|audio|embed|object)\b[^>]*\s(?:src|href|data|srcset)="([^"]*)"`)
	cssURL      = regexp.MustCompile(`url\(([^)]*)\)|@import`)
)

// TestEveryPageMeetsTheBudgets: within params.verify.page_budget_kb with
// what it loads and with a strict CSP (wco verify's budget check), no
// script, no inline style, nothing from another host, one h1, and a lang
// attribute.
func TestEveryPageMeetsTheBudgets(t *testing.T) {
	t.Parallel()
	o := sampleSite(t)
	ps := pages(t, o.public)
	if len(ps) < 15 {
		t.Fatalf("only %d pages", len(ps))
	}
	cfg, err := config.Load(filepath.Join(repoRoot(t), "config.yaml"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	results, err := verify.Run(context.Background(), verify.Options{Public: o.public, BaseURL: cfg.BaseURL,
		Languages: cfg.Languages, PageBudget: cfg.Verify.PageBudgetKB * 1024, Repo: repoRoot(t), Only: []string{"budget"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 1 || results[0].Err != nil {
		t.Fatalf("the budget check did not run: %+v", results)
	}
	for _, f := range results[0].Findings {
		t.Errorf("%s: %s: %s", f.Page, f.Rule, f.Detail)
	}
	t.Logf("budget: %s", results[0].Checked)
	for path, b := range ps {
		html := string(b)
		if strings.Contains(html, "<script") || strings.Contains(html, "javascript:") || regexp.MustCompile(`\son[a-z]+=`).MatchString(html) {
			t.Errorf("%s: ships script", path)
		}
		if strings.Contains(html, ` style="`) {
			t.Errorf("%s: inline style attribute (blocked by the CSP)", path)
		}
		for _, m := range resourceRef.FindAllStringSubmatch(html, -1) {
			if u := m[1]; strings.Contains(u, "//") {
				t.Errorf("%s: loads %s from another host", path, u)
			}
		}
		if n := strings.Count(html, "<h1"); n != 1 {
			t.Errorf("%s: %d h1 headings", path, n)
		}
		if !regexp.MustCompile(`<html lang="[a-zA-Z-]+"`).MatchString(html) {
			t.Errorf("%s: no lang attribute", path)
		}
		for _, m := range stylesheet.FindAllStringSubmatch(html, -1) {
			css, err := os.ReadFile(filepath.Join(o.public, filepath.FromSlash(m[1])))
			if err != nil {
				t.Errorf("%s: stylesheet %s: %v", path, m[1], err)
				continue
			}
			if cssURL.Match(css) {
				t.Errorf("%s: stylesheet loads other resources", m[1])
			}
		}
	}
}

// TestPagesShowTheDataFiles: every breakdown count on a report page is the
// number in the data file, or "not shown" where the file suppresses it.
func TestPagesShowTheDataFiles(t *testing.T) {
	t.Parallel()
	o := sampleSite(t)
	tables, err := publish.LoadTables(filepath.Join(o.data, "current"))
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(`<tr>\s*<th scope="row">([^<]*)</th>\s*<td>([\s\S]*?)</td>\s*</tr>`)
	checked := 0
	for _, tab := range tables {
		for _, p := range tab.Periods {
			page, err := os.ReadFile(filepath.Join(o.public, "reports", strings.ToLower(p.Period), "index.html"))
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range p.Breakdowns {
				id := fmt.Sprintf(`<caption id="%s-%s">`, strings.ReplaceAll(tab.Export, "_", "-"), b.Dimension)
				i := bytes.Index(page, []byte(id))
				if b.Withheld != "" {
					// Withheld breakdowns are a sentence, not tables of hidden cells.
					if i >= 0 {
						t.Errorf("%s %s: breakdown %s is withheld, yet the page has its table", tab.Export, p.Period, b.Dimension)
					}
					if !bytes.Contains(page, []byte(`<p class="withheld">`)) {
						t.Errorf("%s %s: the page does not say why %s is withheld", tab.Export, p.Period, b.Dimension)
					}
					continue
				}
				if i < 0 {
					t.Fatalf("%s %s: no table %s", tab.Export, p.Period, b.Dimension)
				}
				end := bytes.Index(page[i:], []byte("</table>"))
				rows := row.FindAllSubmatch(page[i:i+end], -1)
				if len(rows) != len(b.Cells) {
					t.Fatalf("%s %s %s: %d rows on the page, %d in the data", tab.Export, p.Period, b.Dimension, len(rows), len(b.Cells))
				}
				for ci, c := range b.Cells {
					got := strings.TrimSpace(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(string(rows[ci][2]), ""))
					want := "not shown*"
					if c.Status == publish.Published {
						want = fmt.Sprint(*c.Count.Count)
						if *c.Count.Count >= 1000 {
							want = fmt.Sprintf("%d,%03d", *c.Count.Count/1000, *c.Count.Count%1000)
						}
					}
					if got != want {
						t.Errorf("%s %s %s=%s: page %q, data %q", tab.Export, p.Period, b.Dimension, c.Value, got, want)
					}
					checked++
				}
			}
		}
	}
	t.Logf("%d breakdown cells on report pages match the data files", checked)
}

// TestTemplatesRejectBadData renders the site's templates over tampered
// data files: each must stop the build, naming the file and the key.
func TestTemplatesRejectBadData(t *testing.T) {
	t.Parallel()
	o := sampleSite(t)
	good := filepath.Join(o.data, "current")
	tests := []struct {
		name, file, from, to, want string
	}{
		{"small count published", "detainer-log.json", `"status": "suppressed"`, `"count": 5, "status": "published"`, "below the disclosure threshold"},
		{"unknown status", "detainer-log.json", `"status": "published"`, `"status": "maybe"`, `unknown status "maybe"`},
		{"threshold mismatch", "publication.json", `"threshold": 11`, `"threshold": 5`, "meta.disclosure.threshold is 5"},
		{"missing key", "federal-incidents.json", `"breakdowns"`, `"breakdownz"`, `has no key "breakdowns"`},
		{"headline the period lacks", "presentation.json", `"value": "DECLINED"`, `"value": "NOT_A_RESPONSE"`, "has no response=NOT_A_RESPONSE"},
		// The values the templates meet are those wco's vocabulary names.
		{"unknown reason", "detainer-log.json", `"reason": "privacy"`, `"reason": "mystery"`, `unknown reason "mystery"`},
		{"unknown withheld reason", "assistance-requests.json", `"withheld": "linked"`, `"withheld": "whim"`, `unknown withheld reason "whim"`},
		{"no vocabulary", "presentation.json", `"vocabulary"`, `"vocabularx"`, "has no vocabulary"},
		{"a reason the vocabulary lacks", "presentation.json", `"reason": "privacy"`, `"reason": "privacy_renamed"`, `unknown reason "privacy"`},
	}
	// render renders the site over a copy of the good data, changed by
	// change, and returns Hugo's verdict.
	render := func(t *testing.T, change func(data string)) error {
		t.Helper()
		// The data files are the same in every language: the default
		// language alone is enough to meet them.
		s := testSite(t)
		s.DisableLanguages = testConfig(t).Languages[1:]
		st, err := s.NewStage()
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if err := os.CopyFS(st.DataDir(), os.DirFS(good)); err != nil {
			t.Fatal(err)
		}
		change(st.DataDir())
		var log bytes.Buffer
		return st.Render(context.Background(), &log)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := render(t, func(data string) {
				path := filepath.Join(data, tt.file)
				b, _ := os.ReadFile(path)
				if !bytes.Contains(b, []byte(tt.from)) {
					t.Fatalf("%s has no %s to tamper with", tt.file, tt.from)
				}
				os.WriteFile(path, bytes.Replace(b, []byte(tt.from), []byte(tt.to), 1), 0o644)
			})
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.file[:strings.Index(tt.file, ".")]) {
				t.Errorf("render over %s: %v", tt.name, err)
			}
		})
	}
	// A data file the pages read that is not there stops the build too.
	for _, file := range []string{"dictionary.json", "downloads.json", "presentation.json"} {
		t.Run("missing "+file, func(t *testing.T) {
			t.Parallel()
			err := render(t, func(data string) {
				if err := os.Remove(filepath.Join(data, file)); err != nil {
					t.Fatal(err)
				}
			})
			if want := "data/current/" + file + " is missing"; err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("render without %s: %v, want %q", file, err, want)
			}
		})
	}
}

// TestDataUsersFindWhatTheyNeed: the downloads page explains every status
// and reason the files may hold (as the vocabulary in presentation.json lists them), names the
// licence, and links each release's zip and Parquet file, which exist;
// every page of every language links its feed and the source code where a
// reader sees them, not only in the page's head.
func TestDataUsersFindWhatTheyNeed(t *testing.T) {
	t.Parallel()
	o := sampleSite(t)
	var idx publish.DownloadsIndex
	b, err := os.ReadFile(filepath.Join(o.data, "current", "downloads.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &idx); err != nil {
		t.Fatal(err)
	}
	// The statuses and reasons the pages explain are the vocabulary's.
	var pres publish.Presentation
	if b, err = os.ReadFile(filepath.Join(o.data, "current", "presentation.json")); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &pres); err != nil {
		t.Fatal(err)
	}
	var reasons []string
	for _, r := range pres.Vocabulary.Reasons {
		reasons = append(reasons, r.Reason)
	}
	if !slices.Equal(pres.Vocabulary.Statuses, publish.Statuses) || !slices.Equal(reasons, publish.Reasons) {
		t.Errorf("presentation.json lists statuses %v and reasons %v", pres.Vocabulary.Statuses, reasons)
	}
	for _, l := range siteLanguages(t) {
		page, err := os.ReadFile(filepath.Join(o.public, filepath.FromSlash(l.prefix), "downloads", "index.html"))
		if err != nil {
			t.Fatal(err)
		}
		for _, code := range append(slices.Clone(pres.Vocabulary.Statuses), reasons...) {
			if !regexp.MustCompile(`<dt><code>` + code + `</code></dt><dd>[^<]+</dd>`).Match(page) {
				t.Errorf("%s downloads page: %q is not explained", l.key, code)
			}
		}
		if !bytes.Contains(page, []byte(`rel="license"`)) {
			t.Errorf("%s downloads page names no licence", l.key)
		}
		releases := 0
		for _, c := range idx.Changes {
			if c.Zip == nil || c.Parquet == nil {
				continue
			}
			releases++
			for _, f := range []*publish.DownloadFile{c.Zip, c.Parquet} {
				if !bytes.Contains(page, []byte(`href="`+l.prefix+"/downloads/"+f.Path+`"`)) && !bytes.Contains(page, []byte(`href="/downloads/`+f.Path+`"`)) {
					t.Errorf("%s downloads page does not link %s", l.key, f.Path)
				}
				if _, err := os.Stat(filepath.Join(o.public, "downloads", filepath.FromSlash(f.Path))); err != nil {
					t.Errorf("%s: %v", f.Path, err)
				}
			}
		}
		if releases == 0 {
			t.Errorf("no release of the sample has its zip and Parquet file")
		}
	}
	for p, page := range pages(t, o.public) {
		at := bytes.Index(page, []byte(`<footer`))
		if at < 0 {
			continue // a page without the site's frame (a redirect)
		}
		footer := page[at:]
		if !regexp.MustCompile(`<a href="[^"]*feed\.xml" type="application/atom\+xml">`).Match(footer) {
			t.Errorf("%s: no visible link to the feed", p)
		}
		if !bytes.Contains(footer, []byte(`href="https://github.com/chicago-welcoming-city/transparency"`)) {
			t.Errorf("%s: no link to the source code", p)
		}
	}
}
