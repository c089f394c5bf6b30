package verify

import (
	"bufio"
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
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
	var sitemaps []string
	if index != "" {
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
	}

	// Each language: its sitemap, its pages, its 404 page.
	for _, lang := range s.Languages {
		p := s.prefix(lang)
		want := p + "sitemap.xml"
		if len(s.Languages) == 1 {
			want = index
		}
		if !slices.Contains(sitemaps, want) {
			fail(want, "sitemap-language", "language %s has no sitemap in the sitemap index %s", lang, index)
		} else if m, err := readSitemap(s, want); err != nil {
			fail(want, "sitemap-invalid", "%v", err)
		} else {
			if len(m.URLs) == 0 {
				fail(want, "sitemap-empty", "the sitemap of language %s lists no page", lang)
			}
			mapped[lang] = true
			for _, u := range m.URLs {
				file, _, ok := s.resolve(want, u.Loc)
				switch {
				case !ok:
					fail(want, "sitemap-loc", "%s is not a page of this site", u.Loc)
				case !slices.Contains(s.pages, file):
					fail(want, "sitemap-loc", "%s lists %s, which does not exist", want, u.Loc)
				case s.language(file) != lang:
					fail(want, "sitemap-language", "the sitemap of %s lists %s, a page of %s", lang, u.Loc, s.language(file))
				default:
					listed[file] = true
				}
			}
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
		if mapped[s.language(page)] && !listed[page] && !strings.HasSuffix(page, "404.html") {
			fail(page, "sitemap-unlisted", "the page is in no sitemap")
		}
	}
	r.Checked = fmt.Sprintf("%s, %s, %s in sitemaps", count(len(s.Languages), "language"), count(len(sitemaps), "sitemap"), count(len(listed), "page"))
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
