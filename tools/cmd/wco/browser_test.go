//go:build integration

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	wcobrowser "github.com/chicago-welcoming-city/transparency/tools/internal/browser"
	"github.com/chicago-welcoming-city/transparency/tools/internal/needs"
)

// chromiumOrSkip returns Debian's Chromium, which the test needs.
func chromiumOrSkip(t *testing.T) string {
	t.Helper()
	needs.Have(t, needs.Chromium)
	chromium, _ := wcobrowser.Find("")
	return chromium
}

// serve serves a folder on a loopback port and returns its address.
func serve(t *testing.T, dir string) string {
	t.Helper()
	origin, stop, err := wcobrowser.Serve(dir, "/")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return origin
}

// browser starts Debian's Chromium with the project's flags and returns a
// context to open tabs in.
var (
	browserOnce sync.Once
	browserCtx  context.Context
	browserStop func()
	browserErr  error
)

// browser is one Chromium for every test of the package, stopped by
// TestMain; each test opens its own tabs in it.
func browser(t *testing.T, chromium string) context.Context {
	t.Helper()
	browserOnce.Do(func() {
		browserCtx, browserStop, browserErr = wcobrowser.Start(context.Background(), chromium)
	})
	if browserErr != nil {
		t.Fatal(browserErr)
	}
	return browserCtx
}

// openPage opens url in tab at a viewport of width × height, with the
// browser's log on (consoleOf records it).
func openPage(tab context.Context, width, height int64, url string) error {
	if err := chromedp.Do(tab); err != nil {
		return err
	}
	if _, err := chromedp.Call(tab, cdplog.Enable, cdp.Empty{}); err != nil {
		return err
	}
	return chromedp.Do(tab, chromedp.EmulateViewport(width, height), chromedp.Navigate(url))
}

// consoleOf opens a tab in the browser that records, in *messages, every
// console message, uncaught exception and browser log entry (such as a
// blocked request or a Content-Security-Policy violation) of its page.
func consoleOf(ctx context.Context, messages *[]string) (context.Context, context.CancelFunc) {
	var mu sync.Mutex
	add := func(m string) {
		mu.Lock()
		*messages = append(*messages, m)
		mu.Unlock()
	}
	return chromedp.NewContext(ctx, chromedp.WithListener(func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			add(fmt.Sprintf("console.%s", ev.Type))
		case *runtime.EventExceptionThrown:
			add(ev.ExceptionDetails.Text)
		case *cdplog.EventEntryAdded:
			// Chromium asks every site for /favicon.ico on its own; the
			// site has none and its pages link to none.
			if strings.HasSuffix(ev.Entry.URL, "/favicon.ico") {
				return
			}
			add(fmt.Sprintf("%s %s: %s %s", ev.Entry.Source, ev.Entry.Level, ev.Entry.Text, ev.Entry.URL))
		}
	}))
}

// glyphCheck lists the characters of the page's text that the browser
// draws as a missing-glyph box: each is drawn with the font of the element
// it is in and compared, pixel for pixel, with a code point no font has.
const glyphCheck = `(() => {
  const c = document.createElement('canvas'); c.width = 64; c.height = 64;
  const g = c.getContext('2d', {willReadFrequently: true});
  const draw = (ch, font) => { g.clearRect(0, 0, 64, 64); g.font = font; g.fillText(ch, 8, 48); return g.getImageData(0, 0, 64, 64).data.join(','); };
  const missing = new Set(), seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const boxes = {};
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement; const st = getComputedStyle(el);
    if (st.display === 'none' || st.visibility === 'hidden') continue;
    const font = '32px ' + st.fontFamily;
    if (!(font in boxes)) boxes[font] = [draw('\u0378', font), draw('\uFDD0', font)];
    for (const ch of n.data) {
      if (/[\s\p{Cf}\p{Mn}\p{Me}]/u.test(ch) || seen.has(font + ch)) continue;
      seen.add(font + ch);
      const img = draw(ch, font);
      if (boxes[font].includes(img)) missing.add(ch);
    }
  }
  return {lang: document.documentElement.lang, dir: document.documentElement.dir,
    missing: [...missing].join(''), checked: seen.size,
    overflow: document.documentElement.scrollWidth > window.innerWidth + 1};
})()`

type glyphResult struct {
	Lang     string `json:"lang"`
	Dir      string `json:"dir"`
	Missing  string `json:"missing"`
	Checked  int    `json:"checked"`
	Overflow bool   `json:"overflow"`
}

// TestEveryLanguageRendersInBrowser opens every language's home page and an
// explainer in Debian's Chromium at 375 pixels: the right lang and dir, no
// character drawn as a missing-glyph box, nothing wider than the screen,
// no console message. It keeps screenshots of the Arabic and Chinese pages
// (in $WCO_SCREENSHOTS when set).
func TestEveryLanguageRendersInBrowser(t *testing.T) {
	t.Parallel()
	chromium := chromiumOrSkip(t)
	o := sampleSite(t)
	base := serve(t, o.public)
	ctx := browser(t, chromium)
	shots := os.Getenv("WCO_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	} else if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, l := range siteLanguages(t) {
		for _, page := range []string{"/", "/explainers/history/"} {
			url := base + l.prefix + page
			var console []string
			tab, cancel := consoleOf(ctx, &console)
			err := openPage(tab, 375, 800, url)
			var r glyphResult
			if err == nil {
				r, err = chromedp.Run(tab, chromedp.Evaluate[glyphResult](glyphCheck))
			}
			var png []byte
			if err == nil && (l.key == "ar" || l.key == "zh-hans") {
				png, err = chromedp.Run(tab, chromedp.CaptureScreenshot())
			}
			cancel()
			if err != nil {
				t.Fatalf("%s: %v", url, err)
			}
			where := l.prefix + page
			if r.Lang != l.locale || r.Dir != l.direction {
				t.Errorf("%s: lang=%q dir=%q, want %q %q", where, r.Lang, r.Dir, l.locale, l.direction)
			}
			if r.Missing != "" {
				t.Errorf("%s: %d characters drawn as missing-glyph boxes: %q (install fonts-noto-core and fonts-noto-cjk)", where, len([]rune(r.Missing)), r.Missing)
			}
			if r.Checked < 20 {
				t.Errorf("%s: only %d characters checked", where, r.Checked)
			}
			if r.Overflow {
				t.Errorf("%s: wider than a 375-pixel screen", where)
			}
			if len(console) > 0 {
				t.Errorf("%s: console messages %v", where, console)
			}
			if png != nil {
				name := filepath.Join(shots, fmt.Sprintf("%s-%s-375.png", l.key, strings.Trim(strings.ReplaceAll(page, "/", "-"), "-")+map[bool]string{true: "home"}[page == "/"]))
				if err := os.WriteFile(name, png, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if r.Missing == "" {
				t.Logf("%s: lang=%s dir=%s, %d distinct characters, none missing", where, r.Lang, r.Dir, r.Checked)
			}
		}
	}
	t.Logf("screenshots in %s", shots)
}

// TestBrowserRendersWithoutErrors opens the home page and a report page in
// Debian's Chromium at 375 and 1280 pixels wide, keeps screenshots, and
// fails on any console message: a site without scripts has none, unless
// the CSP blocked something or a resource is missing.
func TestBrowserRendersWithoutErrors(t *testing.T) {
	t.Parallel()
	chromium := chromiumOrSkip(t)
	o := sampleSite(t)
	base := serve(t, o.public)
	shots := os.Getenv("WCO_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	} else if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx := browser(t, chromium)
	report := map[string]string{}
	for _, page := range []string{"/", "/reports/2026-q3/"} {
		for _, width := range []int{375, 1280} {
			name := fmt.Sprintf("%s-%d.png", strings.Trim(strings.ReplaceAll(page, "/", "-"), "-"), width)
			if page == "/" {
				name = fmt.Sprintf("home-%d.png", width)
			}
			var console []string
			tab, cancel := consoleOf(ctx, &console)
			tctx, stop := context.WithTimeout(tab, 60*time.Second)
			err := openPage(tctx, int64(width), 2000, base+page)
			var png []byte
			if err == nil {
				png, err = chromedp.Run(tctx, chromedp.CaptureScreenshot())
			}
			stop()
			cancel()
			if err != nil {
				t.Fatalf("chromium %s at %d: %v", page, width, err)
			}
			for _, m := range console {
				t.Errorf("%s at %d px: console: %s", page, width, m)
			}
			if len(png) < 10_000 {
				t.Errorf("%s at %d px: no screenshot (%d bytes)", page, width, len(png))
				continue
			}
			if err := os.WriteFile(filepath.Join(shots, name), png, 0o644); err != nil {
				t.Fatal(err)
			}
			report[name] = fmt.Sprintf("%d bytes", len(png))
		}
	}
	b, _ := json.Marshal(report)
	t.Logf("screenshots in %s: %s", shots, b)
}
