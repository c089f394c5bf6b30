//go:build integration

package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/chicago-welcoming-city/transparency/tools/internal/needs"
)

// visualOrder returns, for each occurrence of each token in the page's
// text (bidi controls aside), its characters in the order they are drawn
// from left to right; a token that wraps is read line by line, top first
// (the tokens are left-to-right text).
const visualOrder = `((tokens) => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const chars = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    for (let i = 0; i < n.data.length; i++) {
      if (/[\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(n.data[i])) continue;
      chars.push({n, i, c: n.data[i]});
    }
  }
  const text = chars.map(x => x.c).join('');
  const out = [];
  for (const tok of tokens) {
    for (let at = text.indexOf(tok); at >= 0; at = text.indexOf(tok, at + 1)) {
      const drawn = [];
      for (let k = at; k < at + tok.length; k++) {
        const r = document.createRange(); r.setStart(chars[k].n, chars[k].i); r.setEnd(chars[k].n, chars[k].i + 1);
        const b = r.getBoundingClientRect();
        if (b.width > 0) drawn.push({x: b.left, y: Math.round(b.top), c: chars[k].c});
      }
      drawn.sort((a, b) => (a.y - b.y) || (a.x - b.x));
      out.push({token: tok, drawn: drawn.map(d => d.c).join('')});
    }
  }
  return out;
})`

type drawnToken struct {
	Token string `json:"token"`
	Drawn string `json:"drawn"`
}

var bidiControls = regexp.MustCompile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")

// TestRightToLeftPagesKeepLeftToRightTokens: on the Arabic and Urdu
// report pages, citations ("5 ILCS 825 (VOICES Act)", "MCC
// 2-173-069(b)"), signed changes ("+20 (+16%)") and quarter labels are
// isolated in the markup, so that Chromium draws each one in its own
// order (not "ILCS 825 5" or "20+"); and the Arabic report's PDF gives
// them in order in its text.
func TestRightToLeftPagesKeepLeftToRightTokens(t *testing.T) {
	t.Parallel()
	chromium := chromiumOrSkip(t)
	needs.Have(t, needs.PrintFonts)
	o := sampleSite(t)
	base := serve(t, o.public)
	ctx := browser(t, chromium)
	tokens := []string{"5 ILCS 825 (VOICES Act)", "MCC 2-173-069(b)", "MCC 2-173-069(a)", "5 ILCS 805/25(a)(2)", "+20 (+16%)", "+12 (+12%)"}
	for _, lang := range []string{"/ar", "/ur"} {
		for _, page := range []string{"/reports/2026-q3/", "/reports/2025/", "/downloads/"} {
			for _, width := range []int64{360, 1280} {
				var console []string
				tab, cancel := consoleOf(ctx, &console)
				err := openPage(tab, width, 900, base+lang+page)
				var got []drawnToken
				if err == nil {
					got, err = chromedp.Run(tab, chromedp.Evaluate[[]drawnToken](fmt.Sprintf("%s(%s)", visualOrder, jsStrings(tokens))))
				}
				cancel()
				if err != nil {
					t.Fatalf("%s%s: %v", lang, page, err)
				}
				seen := map[string]int{}
				for _, d := range got {
					seen[d.Token]++
					// A space where a token wraps is not drawn.
					if strings.ReplaceAll(d.Drawn, " ", "") != strings.ReplaceAll(d.Token, " ", "") {
						t.Errorf("%s%s at %d px: %q is drawn as %q", lang, page, width, d.Token, d.Drawn)
					}
				}
				if page == "/reports/2026-q3/" && (seen["MCC 2-173-069(b)"] == 0 || seen["+20 (+16%)"] == 0 || seen["5 ILCS 825 (VOICES Act)"] == 0) {
					t.Errorf("%s%s: the page lacks the tokens it is checked for: %v", lang, page, seen)
				}
			}
		}
	}
	out, err := exec.Command("pdftotext", filepath.Join(o.public, "ar", "reports", "2026-q3", "2026-q3-report-ar.pdf"), "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := bidiControls.ReplaceAllString(string(out), "")
	for _, want := range []string{"5 ILCS 825", "+20", "+16%", "MCC 2-173-069", "5 ILCS 805/25"} {
		if !strings.Contains(text, want) {
			t.Errorf("the Arabic report's PDF has no %q in its text", want)
		}
	}
}

// jsStrings is a JavaScript array of strings.
func jsStrings(ss []string) string {
	var b strings.Builder
	b.WriteString("[")
	for i, s := range ss {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "%q", s)
	}
	b.WriteString("]")
	return b.String()
}
