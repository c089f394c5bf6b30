package verify

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/chicago-welcoming-city/transparency/tools/internal/browser"
)

// axeRun runs axe-core on the page with the rules of WCAG 2.1 levels A and
// AA, and returns its violations.
const axeRun = `axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})
  .then(r => ({rules: r.violations.length + r.passes.length + r.incomplete.length + r.inapplicable.length,
    violations: r.violations.map(v => ({id: v.id, impact: v.impact || '', help: v.help,
      nodes: v.nodes.length, targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))}))`

type axeResult struct {
	Rules      int `json:"rules"`
	Violations []struct {
		ID      string   `json:"id"`
		Impact  string   `json:"impact"`
		Help    string   `json:"help"`
		Nodes   int      `json:"nodes"`
		Targets []string `json:"targets"`
	} `json:"violations"`
}

// browse opens every page in Chromium, from a server on loopback: axe-core
// checks it against WCAG 2.1 A and AA, and every request the page makes is
// logged and must go to the site's own origin.
func browse(ctx context.Context, s *site) (a11y, netw Result) {
	a11y.Check, netw.Check = "accessibility", "network"
	fail := func(err error) (Result, Result) {
		a11y.Err, netw.Err = err, err
		return a11y, netw
	}
	visit, err := s.opened()
	if err != nil {
		return fail(err)
	}
	chromium, err := browser.Find(s.Chromium)
	if err != nil {
		return fail(err)
	}
	modules, err := nodePackages(ctx, s.Repo)
	if err != nil {
		return fail(err)
	}
	axe, err := os.ReadFile(filepath.Join(modules, "axe-core", "axe.min.js"))
	if err != nil {
		return fail(fmt.Errorf("read axe-core: %w", err))
	}
	origin, stopServer, err := browser.Serve(s.root, s.basePath)
	if err != nil {
		return fail(err)
	}
	defer stopServer()

	bctx, stop, err := browser.Start(ctx, chromium)
	if err != nil {
		return fail(err)
	}
	defer stop()

	var (
		mu       sync.Mutex
		rules    int
		requests int
		firstErr error
	)
	jobs := make(chan string)
	var wg sync.WaitGroup
	for range 2 { // one tab per core of the machines CI runs on
		wg.Add(1)
		go func() {
			defer wg.Done()
			var current string // the page the tab is on; read by the listener
			var curMu sync.Mutex
			tab, cancel := chromedp.NewContext(bctx, chromedp.WithListener(func(ev any) {
				e, ok := ev.(*network.EventRequestWillBeSent)
				if !ok {
					return
				}
				curMu.Lock()
				p := current
				curMu.Unlock()
				mu.Lock()
				defer mu.Unlock()
				requests++
				u, err := url.Parse(e.Request.URL)
				if err == nil && (u.Scheme == "data" || u.Scheme == "blob") {
					return // inline, from no host
				}
				if err != nil || u.Scheme+"://"+u.Host != origin {
					netw.Findings = append(netw.Findings, Finding{Page: p, Rule: "third-party-request",
						Detail: fmt.Sprintf("requested %.200s (%s)", e.Request.URL, e.Type)})
				}
			}))
			defer cancel()
			// axe-core is added to every page as it loads, by the browser
			// itself: the pages' policy allows no script of their own.
			setup := chromedp.Do(tab)
			if setup == nil {
				_, setup = chromedp.Call(tab, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: string(axe)})
			}
			for p := range jobs {
				err := setup
				curMu.Lock()
				current = p
				curMu.Unlock()
				var r axeResult
				if err == nil {
					pctx, cancel := context.WithTimeout(tab, time.Minute)
					if err = chromedp.Do(pctx, chromedp.Navigate(origin+s.pageURL(p))); err == nil {
						r, err = chromedp.Run(pctx, chromedp.Evaluate[axeResult](axeRun, chromedp.EvalAwaitPromise))
					}
					cancel()
				}
				mu.Lock()
				if err != nil {
					firstErr = errors.Join(firstErr, fmt.Errorf("%s: %w", p, err))
				}
				rules += r.Rules
				for _, v := range r.Violations {
					a11y.Findings = append(a11y.Findings, Finding{Page: p, Rule: v.ID,
						Detail: fmt.Sprintf("%s (%s; %d elements: %s)", v.Help, v.Impact, v.Nodes, strings.Join(v.Targets, ", "))})
				}
				mu.Unlock()
			}
		}()
	}
	for _, p := range visit {
		jobs <- p
	}
	close(jobs)
	wg.Wait()
	a11y.Err = firstErr
	a11y.Checked = fmt.Sprintf("%s, %s (WCAG 2.1 A and AA)", count(len(visit), "page"), count(rules, "rule run"))
	netw.Checked = fmt.Sprintf("%s, %s, all to %s", count(len(visit), "page"), count(requests, "request"), "the site's own origin")
	if len(netw.Findings) > 0 {
		netw.Checked = fmt.Sprintf("%s, %s", count(len(visit), "page"), count(requests, "request"))
	}
	a11y.Findings = sortFindings(a11y.Findings)
	netw.Findings = sortFindings(netw.Findings)
	return a11y, netw
}
