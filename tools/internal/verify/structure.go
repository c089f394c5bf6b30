package verify

import (
	"bufio"
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"html"
	"regexp"
	"slices"
	"strings"
)

var htmlLang = regexp.MustCompile(`<html[^>]*\slang="([^"]*)"`)

// structure checks what crawlers and lost readers rely on: robots.txt
// naming the sitemap, a sitemap per language listing that language's pages
// and nothing that does not exist, and a 404 page per language in it.
func structure(_ context.Context, s *site) Result {
	var r Result
	fail := func(page, rule, format string, args ...any) {
		r.Findings = append(r.Findings, Finding{Page: page, Rule: rule, Detail: fmt.Sprintf(format, args...)})
	}
	listed := map[string]bool{} // pages in a sitemap
	mapped := map[string]bool{} // languages whose sitemap was read

	// robots.txt and the sitemap it names.
	index := ""
	if b, err := s.read("robots.txt"); err != nil {
		fail("robots.txt", "robots-missing", "the site has no robots.txt")
	} else {
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.EqualFold(strings.TrimSpace(k), "sitemap") {
				if file, _, ok := s.resolve("robots.txt", strings.TrimSpace(v)); ok {
					index = file
				} else {
					fail("robots.txt", "robots-sitemap", "the Sitemap line %q is not a sitemap of this site", strings.TrimSpace(v))
				}
			}
		}
		if index == "" {
			fail("robots.txt", "robots-sitemap", "no Sitemap line: crawlers cannot find the sitemap")
		}
	}
	if index == "" {
		index = "sitemap.xml" // where crawlers look without robots.txt
	}
	var sitemaps []string
	idx, err := readSitemap(s, index)
	switch {
	case err != nil:
		fail(index, "sitemap-invalid", "%v", err)
	case idx.XMLName.Local == "sitemapindex":
		for _, m := range idx.Sitemaps {
			if file, _, ok := s.resolve(index, m.Loc); ok {
				sitemaps = append(sitemaps, file)
			} else {
				fail(index, "sitemap-loc", "%s is not a sitemap of this site", m.Loc)
			}
		}
	default:
		sitemaps = append(sitemaps, index)
	}

	// The sitemaps: each lists the pages of one language, all of which exist.
	perLanguage := map[string][]string{}
	for _, sm := range sitemaps {
		m, err := readSitemap(s, sm)
		if err != nil {
			fail(sm, "sitemap-invalid", "%v", err)
			continue
		}
		if len(m.URLs) == 0 {
			fail(sm, "sitemap-empty", "the sitemap lists no page")
			continue
		}
		lang := ""
		for _, u := range m.URLs {
			file, _, ok := s.resolve(sm, u.Loc)
			switch {
			case !ok:
				fail(sm, "sitemap-loc", "%s is not a page of this site", u.Loc)
			case !slices.Contains(s.pages, file):
				fail(sm, "sitemap-loc", "%s does not exist", u.Loc)
			case lang != "" && s.language(file) != lang:
				fail(sm, "sitemap-language", "a sitemap of %s lists %s, a page of %s", lang, u.Loc, s.language(file))
			default:
				lang = s.language(file)
				listed[file] = true
			}
		}
		if lang != "" {
			perLanguage[lang] = append(perLanguage[lang], sm)
			mapped[lang] = true
		}
	}

	// Each language: a sitemap and a 404 page in the language.
	for _, lang := range s.Languages {
		p := s.prefix(lang)
		if len(perLanguage[lang]) == 0 {
			fail(index, "sitemap-language", "no sitemap lists the pages of language %s", lang)
		}
		notFound := p + "404.html"
		b, err := s.read(notFound)
		if err != nil {
			fail(notFound, "404-missing", "language %s has no 404 page", lang)
			continue
		}
		home, _ := s.read(p + "index.html")
		got, homeLang := htmlLang.FindSubmatch(b), htmlLang.FindSubmatch(home)
		if got == nil || homeLang == nil || !bytes.Equal(got[1], homeLang[1]) {
			fail(notFound, "404-language", "the 404 page of %s is not in the language of its home page", lang)
		}
	}
	for _, page := range s.pages {
		if !mapped[s.language(page)] || noindex(s, page) {
			continue
		}
		// A page that names another as canonical (a page shown in English in
		// another language's site) is listed through that page.
		want := page
		if c, ok := canonical(s, page); ok {
			file, _, found := s.resolve(page, c)
			if !found || !slices.Contains(s.pages, file) {
				fail(page, "canonical-missing", "its canonical page %s is not a page of this site", c)
				continue
			}
			want = file
		}
		if !listed[want] {
			if want == page {
				fail(page, "sitemap-unlisted", "the page is in no sitemap")
			} else {
				fail(page, "sitemap-unlisted", "its canonical page %s is in no sitemap", want)
			}
		}
	}
	r.Checked = fmt.Sprintf("%s, %s listing %s, robots.txt", count(len(s.Languages), "language"), count(len(sitemaps), "sitemap"), count(len(listed), "page"))
	return r
}

// sitemap is a sitemap or a sitemap index (sitemaps.org).
type sitemap struct {
	XMLName  xml.Name
	Sitemaps []struct {
		Loc string `xml:"loc"`
	} `xml:"sitemap"`
	URLs []struct {
		Loc string `xml:"loc"`
	} `xml:"url"`
}

func readSitemap(s *site, file string) (*sitemap, error) {
	b, err := s.read(file)
	if err != nil {
		return nil, fmt.Errorf("the site has no %s", file)
	}
	var m sitemap
	if err := xml.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("not a sitemap: %v", err)
	}
	if m.XMLName.Local != "urlset" && m.XMLName.Local != "sitemapindex" {
		return nil, fmt.Errorf("not a sitemap: the root element is <%s>", m.XMLName.Local)
	}
	return &m, nil
}

// language is the language a page of the site is in.
func (s *site) language(page string) string {
	for _, l := range s.Languages[1:] {
		if strings.HasPrefix(page, l+"/") {
			return l
		}
	}
	return s.Languages[0]
}

var robotsNoindex = regexp.MustCompile(`<meta name="robots" content="[^"]*noindex`)

// noindex says whether a page asks search engines to leave it out (a 404
// page does): it belongs in no sitemap.
// canonical is the address a page's <link rel="canonical"> names.
func canonical(s *site, page string) (string, bool) {
	b, _ := s.read(page)
	m := canonicalLink.FindSubmatch(b)
	if m == nil {
		return "", false
	}
	return html.UnescapeString(string(m[1])), true
}

var canonicalLink = regexp.MustCompile(`<link rel="?canonical"? href="?([^"> ]+)"?`)

func noindex(s *site, page string) bool {
	b, _ := s.read(page)
	return robotsNoindex.Match(b)
}
