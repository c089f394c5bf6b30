// Package browser starts Debian's Chromium, headless, with the flags this
// project runs it with everywhere (tests and wco verify): no sandbox, no
// GPU, no QUIC, and none of Chromium's own background connections, in a
// fresh profile that is removed when the browser is closed.
package browser

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
)

// ErrNoChromium is returned when Chromium is not installed.
var ErrNoChromium = errors.New("Chromium is not installed: apt-get install chromium")

// Find returns the path of Chromium: path when given, else chromium (as
// Debian names it) or chromium-browser on PATH.
func Find(path string) (string, error) {
	if path != "" {
		return path, nil
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNoChromium
}

// Start starts Chromium and returns a context to open tabs in (with
// chromedp.NewContext) and a function that closes the browser.
func Start(ctx context.Context, chromium string) (context.Context, func(), error) {
	profile, err := os.MkdirTemp("", "wco-chromium-")
	if err != nil {
		return nil, nil, err
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(profile),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancel := chromedp.NewContext(alloc)
	stop := func() { cancel(); cancelAlloc(); os.RemoveAll(profile) }
	if err := chromedp.Do(bctx); err != nil {
		stop()
		return nil, nil, fmt.Errorf("start %s: %w", chromium, err)
	}
	return bctx, stop, nil
}

// Serve serves the built site in dir on a loopback port, its pages at their
// addresses under basePath ("/" for most sites), for the browser to open;
// it returns the server's origin (http://127.0.0.1:port) and a function
// that stops it.
func Serve(dir, basePath string) (origin string, stop func(), err error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: http.StripPrefix(strings.TrimSuffix(basePath, "/"), http.FileServer(http.Dir(dir))), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(l)
	return "http://" + l.Addr().String(), func() { srv.Close() }, nil
}
