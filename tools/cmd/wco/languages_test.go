package main

import (
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// language is one of the site's languages as config.yaml defines it.
type language struct {
	key, locale, direction, prefix string
}

func siteLanguages(t *testing.T) []language {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Default   string `yaml:"defaultContentLanguage"`
		Languages map[string]struct {
			Locale    string `yaml:"locale"`
			Direction string `yaml:"direction"`
			Weight    int    `yaml:"weight"`
		} `yaml:"languages"`
	}
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	var out []language
	for k, l := range cfg.Languages {
		dir := l.Direction
		if dir == "" {
			dir = "ltr"
		}
		prefix := "/" + k
		if k == cfg.Default {
			prefix = ""
		}
		out = append(out, language{k, l.Locale, dir, prefix})
	}
	slices.SortFunc(out, func(a, b language) int { return cfg.Languages[a.key].Weight - cfg.Languages[b.key].Weight })
	return out
}

// TestTenLanguages: the languages the site promises, with the right
// direction.
func TestTenLanguages(t *testing.T) {
	t.Parallel()
	var got []string
	for _, l := range siteLanguages(t) {
		got = append(got, l.key+":"+l.direction)
	}
	want := []string{"en:ltr", "es:ltr", "pl:ltr", "zh-hans:ltr", "ar:rtl", "ur:rtl", "tl:ltr", "ko:ltr", "hi:ltr", "uk:ltr"}
	if !slices.Equal(got, want) {
		t.Errorf("languages %v, want %v", got, want)
	}
}

var placeholder = regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)

// TestEveryLanguageHasEveryInterfaceString: Hugo quietly falls back to
// English for a language without a file, so --printI18nWarnings alone
// cannot tell; every i18n file must have exactly the English keys, each
// with the same placeholders, and no HTML.
func TestEveryLanguageHasEveryInterfaceString(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	load := func(key string) map[string]string {
		b, err := os.ReadFile(filepath.Join(root, "i18n", key+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := yaml.Unmarshal(b, &m); err != nil {
			t.Fatalf("i18n/%s.yaml: %v", key, err)
		}
		return m
	}
	en := load("en")
	holders := func(s string) string {
		var names []string
		for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
			names = append(names, m[1])
		}
		slices.Sort(names)
		return strings.Join(slices.Compact(names), ",")
	}
	for _, l := range siteLanguages(t) {
		m := load(l.key)
		for k, v := range en {
			tr, ok := m[k]
			switch {
			case !ok:
				t.Errorf("i18n/%s.yaml: no %s (English: %q)", l.key, k, v)
			case strings.TrimSpace(tr) == "":
				t.Errorf("i18n/%s.yaml: %s is empty", l.key, k)
			case holders(tr) != holders(v):
				t.Errorf("i18n/%s.yaml: %s has placeholders {%s}, English {%s}", l.key, k, holders(tr), holders(v))
			case strings.ContainsAny(tr, "<>"):
				t.Errorf("i18n/%s.yaml: %s has HTML", l.key, k)
			}
		}
		for k := range m {
			if _, ok := en[k]; !ok {
				t.Errorf("i18n/%s.yaml: %s is not an English key", l.key, k)
			}
		}
	}
}

// TestContentCheckPasses: every translation is faithful to its English
// source and complete, and no page types a number by hand.
func TestContentCheckPasses(t *testing.T) {
	t.Parallel()
	out, _, err := wco(t, "content", "check", "--complete", "--config", filepath.Join(repoRoot(t), "config.yaml"))
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	t.Log(out)
}

var (
	htmlTag     = regexp.MustCompile(`<html lang="([^"]+)" dir="([^"]+)">`)
	switchLinks = regexp.MustCompile(`(?s)<details class="languages">.*?</details>`)
	hrefRE      = regexp.MustCompile(`href="([^"]+)"`)
)

// TestEveryPageInEveryLanguage: each English page exists in every language,
// with that language's lang and dir, and a language switcher that leads to
// the same page in every language.
func TestEveryPageInEveryLanguage(t *testing.T) {
	t.Parallel()
	o := sampleSite(t)
	ps := pages(t, o.public)
	langs := siteLanguages(t)
	var english []string
	for p := range ps {
		own := true
		for _, l := range langs[1:] {
			if strings.HasPrefix(p, l.prefix+"/") {
				own = false
			}
		}
		if own {
			english = append(english, p)
		}
	}
	slices.Sort(english)
	checked := 0
	for _, l := range langs {
		for _, p := range english {
			path := l.prefix + p
			html, ok := ps[path]
			if !ok {
				t.Errorf("%s: missing (the English page %s exists)", path, p)
				continue
			}
			m := htmlTag.FindSubmatch(html)
			if m == nil || string(m[1]) != l.locale || string(m[2]) != l.direction {
				t.Errorf("%s: <html> says %q, want lang=%q dir=%q", path, m, l.locale, l.direction)
			}
			sw := switchLinks.Find(html)
			var targets []string
			for _, h := range hrefRE.FindAllSubmatch(sw, -1) {
				targets = append(targets, string(h[1]))
			}
			var want []string
			for _, other := range langs {
				want = append(want, other.prefix+strings.TrimSuffix(p, "index.html"))
			}
			if !slices.Equal(targets, want) {
				t.Errorf("%s: language switcher leads to %v, want %v", path, targets, want)
			}
			checked++
		}
	}
	t.Logf("%d pages × %d languages: %d pages with the right lang, dir and switcher", len(english), len(langs), checked)
}

// TestEveryLanguageHasASitemap: /sitemap.xml is an index of one sitemap per
// language, in the languages' order, each in its language's own folder and
// listing exactly that language's pages (not the 404 pages); robots.txt
// names the index.
func TestEveryLanguageHasASitemap(t *testing.T) {
	t.Parallel()
	o := sampleSite(t)
	ps := pages(t, o.public)
	langs := siteLanguages(t)
	read := func(path string, v any) {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(o.public, filepath.FromSlash(path)))
		if err != nil {
			t.Fatal(err)
		}
		if err := xml.Unmarshal(b, v); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	var index struct {
		Sitemaps []string `xml:"sitemap>loc"`
	}
	read("/sitemap.xml", &index)
	if len(index.Sitemaps) != len(langs) {
		t.Fatalf("/sitemap.xml lists %d sitemaps %v, want one for each of %d languages", len(index.Sitemaps), index.Sitemaps, len(langs))
	}
	// ownLang is the language whose folder holds a page.
	ownLang := func(path string) string {
		for _, l := range langs[1:] {
			if strings.HasPrefix(path, l.prefix+"/") {
				return l.key
			}
		}
		return langs[0].key
	}
	listed := 0
	for i, l := range langs {
		sm := index.Sitemaps[i]
		if !strings.HasPrefix(sm, l.prefix+"/") || strings.Contains(strings.TrimPrefix(sm, l.prefix+"/"), "/") || ownLang(sm) != l.key {
			t.Errorf("%s: the sitemap of %s is not in that language's own folder %s/", sm, l.key, l.prefix)
			continue
		}
		var set struct {
			URLs []string `xml:"url>loc"`
		}
		read(sm, &set)
		var want []string
		for p, html := range ps {
			// A page shown in English (a missing translation, a filing) is
			// listed by the English sitemap, through its canonical link.
			if m := canonicalRE.FindSubmatch(html); m != nil {
				if c := string(m[1]); c == strings.TrimSuffix(p, "index.html") || !strings.HasPrefix(c, "/") || ps[c+"index.html"] == nil {
					t.Errorf("%s: canonical %s is not another page of the site", p, m[1])
				}
				continue
			}
			if ownLang(p) == l.key && !strings.HasSuffix(p, "/404.html") {
				want = append(want, strings.TrimSuffix(p, "index.html"))
			}
		}
		slices.Sort(want)
		got := slices.Sorted(slices.Values(set.URLs))
		if !slices.Equal(got, want) {
			t.Errorf("%s lists %v, want the %s pages %v", sm, got, l.key, want)
		}
		listed += len(got)
	}
	robots, err := os.ReadFile(filepath.Join(o.public, "robots.txt"))
	if err != nil || !regexp.MustCompile(`(?m)^Sitemap: /sitemap\.xml$`).Match(robots) {
		t.Errorf("robots.txt does not name the sitemap index: %v\n%s", err, robots)
	}
	t.Logf("%d sitemaps list %d pages", len(index.Sitemaps), listed)
}

var (
	tdRE    = regexp.MustCompile(`(?s)<td[^>]*>(.*?)</td>`)
	tagRE   = regexp.MustCompile(`<[^>]+>`)
	digitRE = regexp.MustCompile(`\d+`)
)

// TestReportNumbersAreTheSameInEveryLanguage: every table cell of every
// report page holds the same figures in every language (digits compared,
// whatever the language's separators).
func TestReportNumbersAreTheSameInEveryLanguage(t *testing.T) {
	t.Parallel()
	o := sampleSite(t)
	ps := pages(t, o.public)
	langs := siteLanguages(t)
	figures := func(html []byte) []string {
		var out []string
		for _, td := range tdRE.FindAllSubmatch(html, -1) {
			text := tagRE.ReplaceAllString(string(td[1]), "")
			out = append(out, strings.Join(digitRE.FindAllString(text, -1), ""))
		}
		return out
	}
	cells := 0
	for p, html := range ps {
		if !strings.HasPrefix(p, "/reports/") {
			continue
		}
		want := figures(html)
		for _, l := range langs[1:] {
			got := figures(ps[l.prefix+p])
			if !slices.Equal(got, want) {
				t.Errorf("%s%s: figures differ from the English page:\n got %v\nwant %v", l.prefix, p, head(got), head(want))
				continue
			}
			cells += len(got)
		}
	}
	if cells < 3000 { // the sample's report tables hold about 3,900
		t.Errorf("only %d cells compared", cells)
	}
	t.Logf("%d table cells on translated report pages equal the English ones", cells)
}

func head(s []string) string {
	if len(s) > 20 {
		s = s[:20]
	}
	return fmt.Sprint(s)
}

var canonicalRE = regexp.MustCompile(`<link rel="?canonical"? href="?([^"> ]+)`)

var ltrElements = func() (out []*regexp.Regexp) {
	for _, tag := range []string{"article", "section", "div", "p", "span", "h1", "h2", "td", "li"} {
		out = append(out, regexp.MustCompile(`(?s)<`+tag+`\b[^>]*\sdir="?ltr"?[^>]*>.*?</`+tag+`>`))
	}
	return out
}()

var quarterToken = regexp.MustCompile(`.?\d{4}-Q[1-4]`)

// TestQuartersReadLeftToRightOnRightToLeftPages: an Arabic or Urdu page
// names a quarter in its own words (i18n quarter_label: "الربع 3 من
// 2026"), isolated as a whole so that its digits keep their place; a
// quarter left as a code (2026-Q3, in an English filing's title) is
// isolated left to right, or it would show as Q3-2026.
func TestQuartersReadLeftToRightOnRightToLeftPages(t *testing.T) {
	t.Parallel()
	o := sampleSite(t)
	ps := pages(t, o.public)
	checked := 0
	for _, l := range siteLanguages(t) {
		if l.direction != "rtl" {
			continue
		}
		labels := map[string]string{}
		b, err := os.ReadFile(filepath.Join(repoRoot(t), "i18n", l.key+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		if err := yaml.Unmarshal(b, &labels); err != nil {
			t.Fatal(err)
		}
		pattern := regexp.QuoteMeta(labels["quarter_label"])
		pattern = strings.NewReplacer(regexp.QuoteMeta("{{ .Year }}"), `\d{4}`, regexp.QuoteMeta("{{ .Q }}"), `[1-4]`).Replace(pattern)
		label := regexp.MustCompile(`(.?)` + pattern + `(.?)`)
		for p, html := range ps {
			if !strings.HasPrefix(p, l.prefix+"/") {
				continue
			}
			// Text in an element marked left to right (a filing, in
			// English) is laid out left to right already.
			page := string(html)
			for _, re := range ltrElements {
				page = re.ReplaceAllString(page, " ")
			}
			text := tagRE.ReplaceAllString(page, " ")
			for _, m := range label.FindAllStringSubmatch(text, -1) {
				if m[1] != "\u2068" || m[2] != "\u2069" {
					t.Errorf("%s: the quarter %q is not isolated", p, strings.TrimSpace(m[0]))
				}
				checked++
			}
			for _, m := range quarterToken.FindAllString(text, -1) {
				if !strings.HasPrefix(m, "\u2066") {
					t.Errorf("%s: %q is not isolated left to right", p, strings.TrimSpace(m))
				}
				checked++
			}
		}
	}
	if checked < 50 {
		t.Errorf("only %d quarters checked", checked)
	}
	t.Logf("%d quarters on right-to-left pages, each isolated", checked)
}
