package verify

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/net/html"
)

// loads lists, per element, the attributes whose URL the browser fetches by
// itself, without the reader following a link.
var loads = map[string][]string{
	"img": {"src", "srcset"}, "source": {"src", "srcset"}, "script": {"src"},
	"iframe": {"src"}, "frame": {"src"}, "embed": {"src"}, "object": {"data"},
	"video": {"src", "poster"}, "audio": {"src"}, "track": {"src"},
	"input": {"src", "formaction"}, "button": {"formaction"}, "form": {"action"},
	"link": {"href", "imagesrcset"}, "base": {"href"}, "a": {"ping"}, "area": {"ping"},
	"image": {"href", "xlink:href"}, "use": {"href", "xlink:href"},
}

// navigation are link relations that name a page without loading it.
var navigation = []string{"alternate", "canonical", "author", "license", "help", "next", "prev", "bookmark", "external", "nofollow", "noopener", "noreferrer"}

var (
	cssRef     = regexp.MustCompile(`url\(\s*['"]?([^'")]*)|@import\s+['"]([^'"]*)`)
	refreshURL = regexp.MustCompile(`(?i)url\s*=\s*['"]?([^'"]+)`)
)

// hosts scans every page and stylesheet for a resource on another host.
func hosts(_ context.Context, s *site) Result {
	var r Result
	refs := 0
	sheets := map[string]bool{}
	note := func(page, what, ref string) {
		refs++
		if _, external, _ := s.resolve(page, ref); external {
			r.Findings = append(r.Findings, Finding{Page: page, Rule: "third-party-request", Detail: fmt.Sprintf("%s loads %s", what, ref)})
		}
	}
	for _, page := range s.pages {
		b, err := s.read(page)
		if err != nil {
			return Result{Err: err}
		}
		for ref := range resourceRefs(b) {
			note(page, ref.what, ref.url)
			if ref.stylesheet {
				if file, _, ok := s.resolve(page, ref.url); ok {
					sheets[file] = true
				}
			}
		}
	}
	for _, sheet := range slices.Sorted(maps.Keys(sheets)) {
		b, err := s.read(sheet)
		if err != nil {
			r.Findings = append(r.Findings, Finding{Page: sheet, Rule: "missing-stylesheet", Detail: err.Error()})
			continue
		}
		for _, u := range StylesheetLoads(b) {
			note(sheet, "the stylesheet", u)
		}
	}
	r.Checked = fmt.Sprintf("%s, %s, %s", count(len(s.pages), "page"), count(len(sheets), "stylesheet"), count(refs, "reference"))
	return r
}

// Loads lists every URL a page makes the browser load, in page order: the
// attributes that load, inline style and <style>, and a meta refresh.
func Loads(page []byte) []string {
	var out []string
	for ref := range resourceRefs(page) {
		out = append(out, ref.url)
	}
	return out
}

// StylesheetLoads lists every URL a stylesheet loads: url() and @import.
func StylesheetLoads(css []byte) []string {
	var out []string
	for _, m := range cssRef.FindAllSubmatch(css, -1) {
		out = append(out, string(append(m[1], m[2]...)))
	}
	return out
}

type resourceRef struct {
	what, url  string
	stylesheet bool
}

// resourceRefs yields every URL a page makes the browser load: attributes
// that load, inline style and <style>, and a meta refresh.
func resourceRefs(page []byte) func(func(resourceRef) bool) {
	return func(yield func(resourceRef) bool) {
		z := html.NewTokenizer(bytes.NewReader(page))
		inStyle := false
		for {
			switch z.Next() {
			case html.ErrorToken:
				return
			case html.TextToken:
				if inStyle {
					for _, m := range cssRef.FindAllSubmatch(z.Text(), -1) {
						if !yield(resourceRef{what: "<style>", url: string(append(m[1], m[2]...))}) {
							return
						}
					}
				}
			case html.EndTagToken:
				inStyle = false
			case html.StartTagToken, html.SelfClosingTagToken:
				t := z.Token()
				inStyle = t.Data == "style"
				attrs := map[string]string{}
				for _, a := range t.Attr {
					attrs[a.Key] = a.Val
				}
				for _, ref := range elementRefs(t.Data, attrs) {
					if !yield(ref) {
						return
					}
				}
			}
		}
	}
}

// elementRefs lists the URLs one element loads.
func elementRefs(tag string, attrs map[string]string) []resourceRef {
	var out []resourceRef
	rels := strings.Fields(strings.ToLower(attrs["rel"]))
	for _, name := range loads[tag] {
		v, ok := attrs[name]
		if !ok {
			continue
		}
		if tag == "link" && len(rels) > 0 && !slices.ContainsFunc(rels, func(r string) bool { return !slices.Contains(navigation, r) }) {
			continue // a link to a page, not a resource
		}
		what := fmt.Sprintf("<%s %s>", tag, name)
		if strings.HasSuffix(name, "srcset") || name == "ping" {
			for _, part := range strings.Split(v, ",") {
				if f := strings.Fields(part); len(f) > 0 {
					out = append(out, resourceRef{what: what, url: f[0]})
				}
			}
			continue
		}
		out = append(out, resourceRef{what: what, url: v, stylesheet: tag == "link" && slices.Contains(rels, "stylesheet")})
	}
	if style, ok := attrs["style"]; ok {
		for _, m := range cssRef.FindAllStringSubmatch(style, -1) {
			out = append(out, resourceRef{what: fmt.Sprintf("<%s style>", tag), url: m[1] + m[2]})
		}
	}
	if tag == "meta" && strings.EqualFold(attrs["http-equiv"], "refresh") {
		if m := refreshURL.FindStringSubmatch(attrs["content"]); m != nil {
			out = append(out, resourceRef{what: "<meta refresh>", url: m[1]})
		}
	}
	return out
}
