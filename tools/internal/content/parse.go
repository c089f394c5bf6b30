package content

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// section is the text under one heading (level 0: before the first).
type section struct {
	heading   string
	id        string
	level     int
	line      int
	links     []string
	citations []string
	figures   []string
	typed     []typedNumber
	// blocks counts the paragraphs, list items, tables and code under
	// the heading: a section with none is empty (a heading, and at
	// most a comment).
	blocks int
}

type typedNumber struct {
	line    int
	message string
}

// md parses as Hugo's default goldmark configuration does: GitHub
// Flavored Markdown and {#id} attributes on headings.
var md = goldmark.New(
	goldmark.WithExtensions(extension.GFM),
	goldmark.WithParserOptions(parser.WithAttribute()),
)

func (p *page) parse(body []byte) {
	doc := md.Parser().Parse(text.NewReader(body))
	cur := &section{line: p.bodyLine}
	p.sections = nil
	var prose strings.Builder
	lineOf := func(offset int) int { return p.bodyLine + bytes.Count(body[:offset], []byte("\n")) }
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.HTMLBlock:
			if l := n.Lines(); l.Len() > 0 {
				first := l.At(0)
				if !bytes.HasPrefix(bytes.TrimSpace(first.Value(body)), []byte("<!--")) {
					p.htmlBlocks = append(p.htmlBlocks, lineOf(first.Start))
				}
			}
			return ast.WalkSkipChildren, nil
		case *ast.FencedCodeBlock, *ast.CodeBlock, *east.Table:
			cur.blocks++
			return ast.WalkSkipChildren, nil
		case *ast.Heading:
			p.sections = append(p.sections, cur)
			cur = &section{level: n.Level, line: lineOf(firstOffset(n))}
			if id, ok := n.AttributeString("id"); ok {
				if b, ok := id.([]byte); ok {
					cur.id = string(b)
				}
			}
			s := blockText(n, body, cur)
			cur.heading = strings.TrimSpace(s)
			scan(cur, s, cur.line)
			prose.WriteString(s + ".\n")
			return ast.WalkSkipChildren, nil
		case *ast.Paragraph, *ast.TextBlock:
			cur.blocks++
			s := blockText(n, body, cur)
			scan(cur, s, lineOf(firstOffset(n)))
			prose.WriteString(s + "\n")
			if _, ok := n.(*ast.TextBlock); ok {
				prose.WriteString(".\n")
			}
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	p.sections = append(p.sections, cur)
	p.prose = prose.String()
}

func firstOffset(n ast.Node) int {
	if l := n.Lines(); l != nil && l.Len() > 0 {
		return l.At(0).Start
	}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if t, ok := c.(*ast.Text); ok {
			return t.Segment.Start
		}
	}
	return 0
}

// blockText returns the prose of a block, collecting its links on the way.
func blockText(n ast.Node, src []byte, s *section) string {
	var b strings.Builder
	var walk func(ast.Node)
	walk = func(n ast.Node) {
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			switch c := c.(type) {
			case *ast.Text:
				b.Write(c.Segment.Value(src))
				if c.SoftLineBreak() || c.HardLineBreak() {
					b.WriteByte(' ')
				}
			case *ast.String:
				b.Write(c.Value)
			case *ast.CodeSpan:
				b.WriteString(" ")
			case *ast.AutoLink:
				s.links = append(s.links, string(c.URL(src)))
				b.WriteString(" ")
			case *ast.Link:
				s.links = append(s.links, string(c.Destination))
				walk(c)
			case *ast.Image:
				s.links = append(s.links, string(c.Destination))
			case *ast.RawHTML:
				b.WriteString(" ")
			default:
				walk(c)
			}
		}
	}
	walk(n)
	return b.String()
}

var (
	shortcodeRE = regexp.MustCompile(`\{\{[<%]\s*(/?[\w-]+)((?:[^>%}]|[>%][^}])*?)\s*[>%]\}\}`)
	// Legal citations, as they are written in every language.
	citationREs = []*regexp.Regexp{
		regexp.MustCompile(`\b\d+\s+ILCS\s+\d+(?:/\d+(?:\.\d+)?)?(?:\([a-z0-9]+\))*`),
		regexp.MustCompile(`\b\d+\s+U\.S\.C\.(?:\s*§)?\s*\d+(?:\([a-z0-9]+\))*`),
		regexp.MustCompile(`\b(?:HB|SB)\s*\d+\b`),
		regexp.MustCompile(`\b[A-Z]*\d+(?:[-/.]\d+)+(?:\([a-z0-9]+\))*`),
		regexp.MustCompile(`\b\d+\([a-z]\)`),
	}
	isoDateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	numberRE  = regexp.MustCompile(`\d+(?:[.,]\d+)*`)
	spaceRE   = regexp.MustCompile(`\s+`)
)

// scan sorts a block's text into shortcodes, citations and numbers.
func scan(s *section, text string, line int) {
	text = shortcodeRE.ReplaceAllStringFunc(text, func(m string) string {
		sub := shortcodeRE.FindStringSubmatch(m)
		args := strings.TrimSpace(spaceRE.ReplaceAllString(sub[2], " "))
		s.figures = append(s.figures, strings.TrimSpace(fmt.Sprintf("{{< %s %s", sub[1], args))+" >}}")
		return " "
	})
	text = normalizeDigits(text)
	for _, re := range citationREs {
		text = re.ReplaceAllStringFunc(text, func(m string) string {
			if isoDateRE.MatchString(m) {
				s.typed = append(s.typed, typedNumber{line, fmt.Sprintf("date %s typed by hand: write {{< date %q >}} so that every language shows it in its own form", m, m)})
				return " "
			}
			s.citations = append(s.citations, m)
			return " "
		})
	}
	for _, loc := range numberRE.FindAllStringIndex(text, -1) {
		m := text[loc[0]:loc[1]]
		before, after := lastRune(text[:loc[0]]), firstRune(text[loc[1]:])
		if partOfWord(before) || partOfWord(after) {
			continue // part of a word, like SHA256SUMS
		}
		if n, err := strconv.Atoi(m); err == nil && ((len(m) == 4 && n >= 1800 && n <= 2099) || m == "911" || m == "311") {
			s.figures = append(s.figures, m)
			continue
		}
		s.typed = append(s.typed, typedNumber{line, fmt.Sprintf("the number %s is typed by hand: a number about the data comes from the data files through {{< stat >}} or {{< threshold >}}, a date through {{< date >}}; only years, legal citations, 911 and 311 may be typed", m)})
	}
}

// partOfWord reports whether a letter next to digits makes them part of a
// word. Scripts written without spaces between words (Chinese, Japanese,
// Korean counters such as 2021年 or 2021년) do not: the digits are a number.
func partOfWord(r rune) bool {
	return unicode.IsLetter(r) && !unicode.In(r, unicode.Han, unicode.Hangul, unicode.Hiragana, unicode.Katakana)
}

func lastRune(s string) rune {
	r := []rune(s)
	if len(r) == 0 {
		return ' '
	}
	return r[len(r)-1]
}

func firstRune(s string) rune {
	for _, r := range s {
		return r
	}
	return ' '
}

// normalizeDigits writes every decimal digit (Arabic-Indic, Devanagari,
// full-width, ...) as its ASCII digit, so a figure is the same figure in
// any script.
func normalizeDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x80 || !unicode.IsDigit(r) {
			return r
		}
		return '0' + digitValue(r)
	}, s)
}

func digitValue(r rune) rune {
	for _, rg := range unicode.Nd.R16 {
		if rune(rg.Lo) <= r && r <= rune(rg.Hi) {
			return (r - rune(rg.Lo)) % 10
		}
	}
	for _, rg := range unicode.Nd.R32 {
		if rune(rg.Lo) <= r && r <= rune(rg.Hi) {
			return (r - rune(rg.Lo)) % 10
		}
	}
	return 0
}
