// Package content checks the site's Markdown the way a careful editor would:
// every translation against its English source, and every page for numbers
// typed by hand.
//
// A page is written in the default language as <name>.md and translated as
// <name>.<lang>.md beside it. Each translation records, in its front matter,
// the revision of the English body it was made from (translation.source,
// see Revision) and whether a qualified translator reviewed it
// (translation.reviewed: a date, or false). The site shows a banner on a
// translation whose source revision is not the English page's current one,
// and shows the English page, with a notice, in a language that has no
// translation yet.
//
// Check parses every page with goldmark, as Hugo does, and requires of a
// translation, section by section (a section is the text under a heading):
//   - the same headings, at the same levels, with the same {#id}s;
//   - the same link destinations;
//   - the same legal citations (MCC 2-173-020, 5 ILCS 805/25, 287(g), ...);
//   - the same figures: years, the phone numbers 911 and 311, and the
//     shortcodes that bring numbers and dates from the data ({{< stat >}},
//     {{< threshold >}}, {{< date >}}, ...);
//   - the same values for the front matter keys that are not text (weight,
//     sections, type, and the compliance matrix's rule, export and answers).
//
// On every page, a number in the prose that is not a year, part of a
// citation, 911 or 311 is an error: numbers about the data come from the
// data files through a shortcode, and dates through {{< date >}}, so that
// no translation can show a different figure. Headings need an explicit
// {#id}, so that links to a section work in every language. The English
// explainers must read at or below grade 8 (Flesch–Kincaid).
package content

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Revision identifies a version of a page's text: the first 12 hexadecimal
// digits of the SHA-256 of its Markdown body (everything after the front
// matter). The site computes the same value from Hugo's .RawContent.
func Revision(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])[:12]
}

// Options say what to check.
type Options struct {
	// Dir is the content directory.
	Dir string
	// Languages are the site's language keys, the default first.
	Languages []string
	// Readable lists the directories (relative to Dir, slash-separated)
	// whose default-language pages must read at or below MaxGrade.
	Readable []string
	// MaxGrade is the highest Flesch–Kincaid grade allowed there.
	MaxGrade float64
	// Shortcodes are the shortcodes the site has.
	Shortcodes []string
}

// Problem is one thing wrong with one file.
type Problem struct {
	File    string // relative to the content directory's parent, e.g. content/explainers/history.es.md
	Line    int
	Heading string // the heading of the section, "" before the first
	Rule    string
	Message string
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	if p.Heading != "" {
		fmt.Fprintf(&b, ": under %q", p.Heading)
	}
	fmt.Fprintf(&b, ": %s: %s", p.Rule, p.Message)
	return b.String()
}

// State is where one page stands in one language.
type State string

const (
	Source  State = "source"  // the English page itself
	Current State = "current" // translated from the English page's current revision
	Stale   State = "stale"   // translated from an older revision
	Missing State = "missing" // not translated: the site shows English
)

// Entry is one page in one language.
type Entry struct {
	Page     string // the English file, relative to the content directory
	Lang     string
	State    State
	Reviewed bool   // a qualified translator reviewed it
	From     string // the English revision it was translated from
	Now      string // the English page's current revision
	Grade    float64
}

// Report is the outcome of a check.
type Report struct {
	Problems []Problem
	Entries  []Entry
}

// Count returns how many entries of a language are in a state; lang ""
// counts every language.
func (r *Report) Count(lang string, s State) int {
	n := 0
	for _, e := range r.Entries {
		if (lang == "" || e.Lang == lang) && e.State == s {
			n++
		}
	}
	return n
}

// Unreviewed returns how many translations of a language no qualified
// translator has reviewed yet.
func (r *Report) Unreviewed(lang string) int {
	n := 0
	for _, e := range r.Entries {
		if (lang == "" || e.Lang == lang) && (e.State == Current || e.State == Stale) && !e.Reviewed {
			n++
		}
	}
	return n
}

// Check reads every Markdown file under opts.Dir.
func Check(opts Options) (*Report, error) {
	if len(opts.Languages) == 0 {
		return nil, errors.New("content check: no languages")
	}
	def := opts.Languages[0]
	known := map[string]bool{}
	for _, l := range opts.Languages {
		known[l] = true
	}
	// Group files: page name (without language) → language → path.
	pages := map[string]map[string]string{}
	err := filepath.WalkDir(opts.Dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(path, ".md") {
			return nil
		}
		rel, _ := filepath.Rel(opts.Dir, path)
		rel = filepath.ToSlash(rel)
		stem := strings.TrimSuffix(rel, ".md")
		lang := def
		if ext := filepath.Ext(stem); ext != "" && known[ext[1:]] && ext[1:] != def {
			lang = ext[1:]
			stem = strings.TrimSuffix(stem, ext)
		}
		if pages[stem] == nil {
			pages[stem] = map[string]string{}
		}
		pages[stem][lang] = path
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("content check: %w", err)
	}
	c := &checker{opts: opts, report: &Report{}, shortcodes: map[string]bool{}}
	for _, s := range opts.Shortcodes {
		c.shortcodes[s] = true
	}
	stems := slices.Sorted(maps.Keys(pages))
	for _, stem := range stems {
		files := pages[stem]
		srcPath, ok := files[def]
		if !ok {
			for _, lang := range opts.Languages[1:] {
				if p, ok := files[lang]; ok {
					c.problem(p, 0, "", "orphan", fmt.Sprintf("no %s source %s.md to translate", def, stem))
				}
			}
			continue
		}
		src, err := c.read(srcPath)
		if err != nil {
			return nil, err
		}
		c.checkPage(src)
		entry := Entry{Page: stem + ".md", Lang: def, State: Source, Now: src.revision, Reviewed: true}
		if c.readable(stem) && !isIndex(stem) {
			entry.Grade = Grade(src.prose)
			if entry.Grade > opts.MaxGrade {
				c.problem(src.path, 0, "", "readability", fmt.Sprintf("reads at grade %.1f (Flesch–Kincaid); the limit is %.0f: use shorter sentences and plainer words", entry.Grade, opts.MaxGrade))
			}
		}
		c.report.Entries = append(c.report.Entries, entry)
		for _, lang := range opts.Languages[1:] {
			p, ok := files[lang]
			if !ok {
				c.report.Entries = append(c.report.Entries, Entry{Page: stem + ".md", Lang: lang, State: Missing, Now: src.revision})
				continue
			}
			t, err := c.read(p)
			if err != nil {
				return nil, err
			}
			// A scaffold not yet written, or a copy of the English text,
			// is not a translation: the site shows the English page.
			if copied := t.revision == src.revision && len(bytes.TrimSpace(t.body)) > 0; copied || t.unwritten() && !src.unwritten() {
				c.checkRules(t)
				c.report.Entries = append(c.report.Entries, Entry{Page: stem + ".md", Lang: lang, State: Missing, Now: src.revision})
				continue
			}
			c.checkPage(t)
			c.report.Entries = append(c.report.Entries, c.compare(stem+".md", src, t, lang))
		}
	}
	return c.report, nil
}

func isIndex(stem string) bool { return stem == "_index" || strings.HasSuffix(stem, "/_index") }

type checker struct {
	opts       Options
	report     *Report
	shortcodes map[string]bool
}

func (c *checker) display(path string) string {
	parent := filepath.Dir(filepath.Clean(c.opts.Dir))
	if rel, err := filepath.Rel(parent, path); err == nil {
		return filepath.ToSlash(rel)
	}
	return path
}

func (c *checker) problem(path string, line int, heading, rule, msg string) {
	c.report.Problems = append(c.report.Problems, Problem{File: c.display(path), Line: line, Heading: heading, Rule: rule, Message: msg})
}

func (c *checker) readable(stem string) bool {
	for _, d := range c.opts.Readable {
		if strings.HasPrefix(stem, strings.TrimSuffix(d, "/")+"/") {
			return true
		}
	}
	return false
}

// page is one parsed Markdown file.
type page struct {
	path       string
	front      map[string]any
	bodyLine   int // the line the body starts on
	revision   string
	body       []byte
	sections   []*section
	prose      string // the body's prose, for readability
	htmlBlocks []int  // lines of raw HTML
}

var frontMatter = regexp.MustCompile(`(?s)\A---\r?\n(.*?)\r?\n---\r?\n?`)

func (c *checker) read(path string) (*page, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("content check: %w", err)
	}
	p := &page{path: path, front: map[string]any{}, bodyLine: 1}
	body := raw
	if m := frontMatter.FindSubmatchIndex(raw); m == nil {
		c.problem(path, 1, "", "front-matter", "no YAML front matter between --- lines")
	} else {
		if err := yaml.Unmarshal(raw[m[2]:m[3]], &p.front); err != nil {
			c.problem(path, 2, "", "front-matter", fmt.Sprintf("front matter is not valid YAML: %v", err))
		}
		body = raw[m[1]:]
		p.bodyLine = 1 + bytes.Count(raw[:m[1]], []byte("\n"))
	}
	p.revision = Revision(body)
	p.body = body
	p.parse(body)
	return p, nil
}

// unwritten reports whether a page has headings and nothing under any of
// them: a scaffold (wco report new) waiting to be written.
func (p *page) unwritten() bool {
	headings, blocks := 0, 0
	for _, s := range p.sections {
		if s.level > 0 {
			headings++
		}
		blocks += s.blocks
	}
	return headings > 0 && blocks == 0
}

// emptySections are the headings with nothing under them, not even a
// subsection: published, they would stand alone on the page.
func (p *page) emptySections() []*section {
	var out []*section
	for i, s := range p.sections {
		if s.level > 0 && s.blocks == 0 && (i+1 == len(p.sections) || p.sections[i+1].level <= s.level) {
			out = append(out, s)
		}
	}
	return out
}

// checkPage applies the rules every page follows, source or translation.
func (c *checker) checkPage(p *page) {
	c.checkRules(p)
	for _, s := range p.emptySections() {
		c.problem(p.path, s.line, s.heading, "empty-section", "nothing under this heading: write the section, or delete its heading (the build refuses an empty section)")
	}
}

// checkRules applies the rules every page follows, written or not.
func (c *checker) checkRules(p *page) {
	if _, ok := p.front["title"]; !ok {
		c.problem(p.path, 1, "", "front-matter", "no title")
	}
	for _, line := range p.htmlBlocks {
		c.problem(p.path, line, "", "raw-html", "raw HTML is not published (the site renders Markdown only); write it in Markdown")
	}
	ids := map[string]int{}
	for _, s := range p.sections {
		if s.level == 0 {
			continue
		}
		if s.level == 1 {
			c.problem(p.path, s.line, s.heading, "structure", "a level-1 heading: the page title is the only h1; start at ##")
		}
		if s.id == "" {
			c.problem(p.path, s.line, s.heading, "structure", "heading has no {#id}: add one, lowercase-with-dashes, the same in every language")
		} else if prev, dup := ids[s.id]; dup {
			c.problem(p.path, s.line, s.heading, "structure", fmt.Sprintf("id {#%s} is used by the heading on line %d too", s.id, prev))
		} else {
			ids[s.id] = s.line
		}
	}
	for _, s := range p.sections {
		for _, n := range s.typed {
			c.problem(p.path, n.line, s.heading, "typed-number", n.message)
		}
		for _, sc := range s.figures {
			if name, ok := strings.CutPrefix(sc, "{{<"); ok {
				name = strings.Fields(strings.TrimSuffix(name, ">}}"))[0]
				if !c.shortcodes[name] {
					c.problem(p.path, s.line, s.heading, "shortcode", fmt.Sprintf("unknown shortcode %q (the site has: %s)", name, strings.Join(c.opts.Shortcodes, ", ")))
				}
			}
		}
	}
}

// compare holds a translation to its English source.
func (c *checker) compare(name string, src, t *page, lang string) Entry {
	e := Entry{Page: name, Lang: lang, Now: src.revision}
	tr, _ := t.front["translation"].(map[string]any)
	switch {
	case tr == nil:
		c.problem(t.path, 1, "", "translation", fmt.Sprintf("front matter has no translation block: add translation: {source: %s, reviewed: false}", src.revision))
	default:
		e.From, _ = tr["source"].(string)
		if e.From == "" {
			c.problem(t.path, 1, "", "translation", fmt.Sprintf("translation.source is missing: the revision of the English text translated (now %s)", src.revision))
		}
		switch v := tr["reviewed"].(type) {
		case bool:
			if v {
				c.problem(t.path, 1, "", "translation", "translation.reviewed: give the date of the review, not true")
			}
		case time.Time:
			e.Reviewed = true
		case string:
			if _, err := time.Parse("2006-01-02", v); err != nil {
				c.problem(t.path, 1, "", "translation", fmt.Sprintf("translation.reviewed %q: a date (YYYY-MM-DD) or false", v))
			} else {
				e.Reviewed = true
			}
		default:
			c.problem(t.path, 1, "", "translation", "translation.reviewed is missing: a date (YYYY-MM-DD), or false until a qualified translator has reviewed it")
		}
	}
	e.State = Current
	if e.From != src.revision {
		e.State = Stale
	}
	for _, k := range sameKeys {
		if !equalYAML(src.front[k], t.front[k]) {
			c.problem(t.path, 1, "", "front-matter", fmt.Sprintf("%s is %v, the English page says %v: it must be the same in every language", k, show(t.front[k]), show(src.front[k])))
		}
	}
	c.compareParams(src, t)
	c.compareSections(src, t)
	return e
}

// sameKeys are the front matter keys that are data, not text.
var sameKeys = []string{"weight", "sections", "type", "layout", "build", "quarter"}

// compareParams holds the compliance matrix's structure: each rule's
// rule, period, export and answers, and how many gaps it lists.
func (c *checker) compareParams(src, t *page) {
	sp, _ := src.front["params"].(map[string]any)
	tp, _ := t.front["params"].(map[string]any)
	if sp == nil && tp == nil {
		return
	}
	sr, _ := sp["rules"].([]any)
	trs, _ := tp["rules"].([]any)
	if len(sr) != len(trs) {
		c.problem(t.path, 1, "", "front-matter", fmt.Sprintf("params.rules has %d rules, the English page %d", len(trs), len(sr)))
		return
	}
	for i := range sr {
		a, _ := sr[i].(map[string]any)
		b, _ := trs[i].(map[string]any)
		for _, k := range []string{"rule", "period", "export", "answers"} {
			if !equalYAML(a[k], b[k]) {
				c.problem(t.path, 1, "", "front-matter", fmt.Sprintf("params.rules[%d].%s is %v, the English page says %v", i, k, show(b[k]), show(a[k])))
			}
		}
		ga, _ := a["gaps"].([]any)
		gb, _ := b["gaps"].([]any)
		if len(ga) != len(gb) {
			c.problem(t.path, 1, "", "front-matter", fmt.Sprintf("params.rules[%d].gaps lists %d, the English page %d", i, len(gb), len(ga)))
		}
	}
}

func equalYAML(a, b any) bool { return fmt.Sprint(a) == fmt.Sprint(b) }

func show(v any) string {
	if v == nil {
		return "missing"
	}
	return fmt.Sprint(v)
}

func (c *checker) compareSections(src, t *page) {
	// Sections pair up in order. When the counts differ, pairing is lost
	// at the first heading that differs, so the check stops there.
	aligned := len(src.sections) == len(t.sections)
	n := min(len(src.sections), len(t.sections))
	for i, a := range src.sections[:n] {
		b := t.sections[i]
		if a.id != b.id || a.level != b.level {
			c.problem(t.path, b.line, b.heading, "structure", fmt.Sprintf("expected the English heading %q (level %d, {#%s}) here; got level %d {#%s}", a.heading, a.level, a.id, b.level, b.id))
			if !aligned {
				return
			}
			continue
		}
		for _, d := range []struct {
			rule     string
			what     string
			src, dst []string
		}{
			{"links", "link", a.links, b.links},
			{"citations", "citation", a.citations, b.citations},
			{"figures", "figure", a.figures, b.figures},
		} {
			if msg := setDiff(d.what, d.src, d.dst); msg != "" {
				c.problem(t.path, b.line, b.heading, d.rule, msg)
			}
		}
	}
	switch {
	case len(src.sections) > n:
		s := src.sections[n]
		c.problem(t.path, 0, "", "structure", fmt.Sprintf("the English heading %q {#%s} (line %d of the English page) has no counterpart", s.heading, s.id, s.line))
	case len(t.sections) > n:
		s := t.sections[n]
		c.problem(t.path, s.line, s.heading, "structure", "this heading has no counterpart in the English page")
	}
}

// setDiff says which values one side has that the other lacks.
func setDiff(what string, src, dst []string) string {
	in := func(list []string) map[string]bool {
		m := map[string]bool{}
		for _, v := range list {
			m[v] = true
		}
		return m
	}
	s, d := in(src), in(dst)
	var missing, extra []string
	for v := range s {
		if !d[v] {
			missing = append(missing, v)
		}
	}
	for v := range d {
		if !s[v] {
			extra = append(extra, v)
		}
	}
	if len(missing) == 0 && len(extra) == 0 {
		return ""
	}
	sort.Strings(missing)
	sort.Strings(extra)
	var parts []string
	if len(missing) > 0 {
		parts = append(parts, fmt.Sprintf("the English section has %s %s that this one lacks", plural(what, len(missing)), quoteAll(missing)))
	}
	if len(extra) > 0 {
		parts = append(parts, fmt.Sprintf("this section has %s %s that the English one lacks", plural(what, len(extra)), quoteAll(extra)))
	}
	return strings.Join(parts, "; ")
}

func plural(w string, n int) string {
	if n == 1 {
		return w
	}
	return w + "s"
}

func quoteAll(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}
