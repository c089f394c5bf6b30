//go:build integration

package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// cutText lists, on the page as drawn, the text a reader cannot see
// without scrolling sideways: the page wider than the screen, or words
// outside the screen or outside the box that clips them (a table's
// columns beyond a scrolling frame). Text hidden on purpose for screen
// readers (clipped to nothing) and the skip link are not text on screen.
const cutText = `(() => {
  const W = window.innerWidth;
  const out = [];
  const hiddenOnPurpose = el => { for (let e = el; e; e = e.parentElement) {
    const st = getComputedStyle(e);
    if (st.clipPath !== 'none' || e.classList.contains('skip') || st.display === 'none' || st.visibility === 'hidden') return true;
  } return false; };
  const clippers = el => { const cs = []; for (let e = el.parentElement; e && e !== document.documentElement; e = e.parentElement) {
    const st = getComputedStyle(e);
    if (st.overflowX !== 'visible') cs.push(e);
  } return cs; };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.data.trim()) continue;
    const el = n.parentElement;
    if (hiddenOnPurpose(el)) continue;
    const r = document.createRange(); r.selectNodeContents(n);
    for (const rect of r.getClientRects()) {
      if (rect.width === 0) continue;
      let cut = rect.left < -1 || rect.right > W + 1;
      for (const c of clippers(el)) {
        const b = c.getBoundingClientRect();
        if (rect.left < b.left - 1 || rect.right > b.right + 1) cut = true;
      }
      if (cut) { out.push(n.data.trim().slice(0, 40)); break; }
    }
    if (out.length >= 8) break;
  }
  return {wide: document.documentElement.scrollWidth > W + 1, cut: out};
})()`

type cutResult struct {
	Wide bool     `json:"wide"`
	Cut  []string `json:"cut"`
}

// TestPhonesLoseNothing opens every kind of page of the sample site in
// Debian's Chromium at 320 and 360 pixels, in English, Spanish and Arabic:
// no page is wider than the screen, and no word of it is outside the
// screen or hidden in a frame that must be scrolled sideways (a table too
// wide for a phone reflows, one record per block).
func TestPhonesLoseNothing(t *testing.T) {
	t.Parallel()
	chromium := chromiumOrSkip(t)
	o := sampleSite(t)
	base := serve(t, o.public)
	ctx := browser(t, chromium)
	kinds := []string{"/", "/reports/", "/reports/2026-q3/", "/reports/2026-q4/", "/reports/2025/", "/downloads/",
		"/explainers/", "/explainers/history/", "/methodology/", "/data-dictionary/", "/compliance/", "/revisions/",
		"/calendar/", "/translations/", "/filings/mcc-2-173-069/2026-q3/"}
	pagesChecked := 0
	for _, lang := range []string{"", "/es", "/ar"} {
		for _, page := range kinds {
			for _, width := range []int64{320, 360} {
				url := base + lang + page
				var console []string
				tab, cancel := consoleOf(ctx, &console)
				err := openPage(tab, width, 800, url)
				var r cutResult
				if err == nil {
					r, err = chromedp.Run(tab, chromedp.Evaluate[cutResult](cutText))
				}
				cancel()
				if err != nil {
					t.Fatalf("%s: %v", url, err)
				}
				where := fmt.Sprintf("%s%s at %d px", lang, page, width)
				if r.Wide {
					t.Errorf("%s: the page is wider than the screen", where)
				}
				if len(r.Cut) > 0 {
					t.Errorf("%s: text out of sight: %s", where, strings.Join(r.Cut, " | "))
				}
				pagesChecked++
			}
		}
	}
	t.Logf("%d page views checked", pagesChecked)
}
