package main

import (
	"encoding/xml"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// atomFeed is what RFC 4287 requires of a feed and its entries, as
// encoding/xml reads it: every element in the Atom namespace.
type atomFeed struct {
	XMLName  xml.Name     `xml:"http://www.w3.org/2005/Atom feed"`
	Lang     string       `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	IDs      []string     `xml:"http://www.w3.org/2005/Atom id"`
	Titles   []string     `xml:"http://www.w3.org/2005/Atom title"`
	Updated  []string     `xml:"http://www.w3.org/2005/Atom updated"`
	Authors  []atomAuthor `xml:"http://www.w3.org/2005/Atom author"`
	Links    []atomLink   `xml:"http://www.w3.org/2005/Atom link"`
	Entries  []atomEntry  `xml:"http://www.w3.org/2005/Atom entry"`
	Subtitle []string     `xml:"http://www.w3.org/2005/Atom subtitle"`
}

type atomAuthor struct {
	Names []string `xml:"http://www.w3.org/2005/Atom name"`
}

type atomLink struct {
	Rel    string `xml:"rel,attr"`
	Type   string `xml:"type,attr"`
	Href   string `xml:"href,attr"`
	Length string `xml:"length,attr"`
}

type atomEntry struct {
	IDs     []string     `xml:"http://www.w3.org/2005/Atom id"`
	Titles  []string     `xml:"http://www.w3.org/2005/Atom title"`
	Updated []string     `xml:"http://www.w3.org/2005/Atom updated"`
	Authors []atomAuthor `xml:"http://www.w3.org/2005/Atom author"`
	Links   []atomLink   `xml:"http://www.w3.org/2005/Atom link"`
	Summary []string     `xml:"http://www.w3.org/2005/Atom summary"`
	Content []string     `xml:"http://www.w3.org/2005/Atom content"`
}

// checkAtom holds a feed to the MUST rules of RFC 4287 (sections 4.1 and
// 4.2): one id, title and updated per feed and per entry, ids that are
// absolute IRIs and unique, dates in RFC 3339, an author for every entry
// (its own or the feed's), an entry without content has a link to it and
// a summary, every link has an href. It returns the feed's entries.
func checkAtom(t testing.TB, name string, b []byte) []atomEntry {
	t.Helper()
	var f atomFeed
	if err := xml.Unmarshal(b, &f); err != nil {
		t.Fatalf("%s: not an Atom feed: %v", name, err)
	}
	errorf := func(format string, a ...any) { t.Errorf("%s: %s", name, fmt.Sprintf(format, a...)) }
	one := func(what string, v []string) string {
		if len(v) != 1 || strings.TrimSpace(v[0]) == "" {
			errorf("%s: %d, want exactly one, not empty", what, len(v))
			return ""
		}
		return v[0]
	}
	iri := func(what, s string) {
		if u, err := url.Parse(s); err != nil || u.Scheme == "" {
			errorf("%s %q is not an absolute IRI", what, s)
		}
	}
	date := func(what, s string) {
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			errorf("%s %q is not an RFC 3339 date: %v", what, s, err)
		}
	}
	links := func(what string, ls []atomLink) {
		for _, l := range ls {
			if l.Href == "" {
				errorf("%s: a link without href", what)
			}
			if l.Rel == "enclosure" && l.Length == "" {
				errorf("%s: an enclosure without its length", what)
			}
		}
	}
	iri("the feed's id", one("feed id", f.IDs))
	one("feed title", f.Titles)
	date("the feed's updated", one("feed updated", f.Updated))
	links("the feed", f.Links)
	if f.Lang == "" {
		errorf("no xml:lang")
	}
	if len(f.Subtitle) > 1 {
		errorf("%d subtitles", len(f.Subtitle))
	}
	if !slices.ContainsFunc(f.Links, func(l atomLink) bool { return l.Rel == "self" }) {
		errorf("no link to itself")
	}
	seen := map[string]bool{}
	for i, e := range f.Entries {
		what := fmt.Sprintf("entry %d", i)
		id := one(what+" id", e.IDs)
		iri(what+"'s id", id)
		if seen[id] {
			errorf("%s: id %s twice", what, id)
		}
		seen[id] = true
		one(what+" title", e.Titles)
		date(what+"'s updated", one(what+" updated", e.Updated))
		links(what, e.Links)
		if len(f.Authors) == 0 && len(e.Authors) == 0 {
			errorf("%s has no author, and the feed none", what)
		}
		if len(e.Content) == 0 {
			if !slices.ContainsFunc(e.Links, func(l atomLink) bool { return l.Rel == "alternate" }) {
				errorf("%s has no content and no alternate link", what)
			}
			if len(e.Summary) != 1 {
				errorf("%s has no content and %d summaries", what, len(e.Summary))
			}
		}
	}
	return f.Entries
}

// TestEveryLanguageHasAFeed: the sample site has a valid feed in every
// language, with an entry per release of the sample's history (each
// quarter on its due date, 2025 with its last quarter), newest first, and
// every page names its language's feed in its head.
func TestEveryLanguageHasAFeed(t *testing.T) {
	t.Parallel()
	o := sampleSite(t)
	for _, l := range siteLanguages(t) {
		dir := filepath.Join(o.public, filepath.FromSlash(strings.TrimPrefix(l.prefix, "/")))
		b, err := os.ReadFile(filepath.Join(dir, "feed.xml"))
		if err != nil {
			t.Fatalf("%s: %v", l.key, err)
		}
		if entries := checkAtom(t, l.key+" feed", b); len(entries) != 8 || !strings.HasSuffix(entries[0].IDs[0], "/2026-q3/v1") {
			t.Errorf("%s: %d entries, the first %v; want the sample's 8 releases, 2026-Q3 first", l.key, len(entries), entries[0].IDs)
		}
		page, _ := os.ReadFile(filepath.Join(dir, "explainers", "index.html"))
		if want := `type="application/atom+xml" href="` + l.prefix + `/feed.xml"`; !strings.Contains(string(page), want) {
			t.Errorf("%s explainers: no %s in its head", l.key, want)
		}
	}
}

// TestCheckAtomRefusesABrokenFeed: the feed check finds what RFC 4287
// forbids, so that a feed it passes is one readers can read.
func TestCheckAtomRefusesABrokenFeed(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, feed, want string }{
		{"no id", `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en"><title>t</title><updated>2026-01-01T00:00:00Z</updated><author><name>a</name></author><link rel="self" href="/f"/></feed>`, "feed id: 0"},
		{"a bad date", `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en"><id>tag:x,2026:f</id><title>t</title><updated>1 January 2026</updated><author><name>a</name></author><link rel="self" href="/f"/></feed>`, "not an RFC 3339 date"},
		{"an entry twice", `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en"><id>tag:x,2026:f</id><title>t</title><updated>2026-01-01T00:00:00Z</updated><author><name>a</name></author><link rel="self" href="/f"/>` +
			`<entry><id>tag:x,2026:e</id><title>e</title><updated>2026-01-01T00:00:00Z</updated><link rel="alternate" href="/e"/><summary>s</summary></entry>` +
			`<entry><id>tag:x,2026:e</id><title>e</title><updated>2026-01-01T00:00:00Z</updated><summary>s</summary></entry></feed>`, "id tag:x,2026:e twice"},
		{"not Atom", `<rss version="2.0"><channel/></rss>`, "not an Atom feed"},
	} {
		r := &recorder{TB: t}
		func() {
			defer func() { recover() }() // Fatalf of a feed that is not Atom
			checkAtom(r, tt.name, []byte(tt.feed))
		}()
		if !slices.ContainsFunc(r.errs, func(e string) bool { return strings.Contains(e, tt.want) }) {
			t.Errorf("%s: errors %v, want one with %q", tt.name, r.errs, tt.want)
		}
	}
}
