package pull

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
)

// httpSource downloads a delivery published as files under a base URL.
type httpSource struct {
	base     *url.URL
	token    string
	client   *http.Client
	attempts int
	backoff  time.Duration
	idle     time.Duration
	progress io.Writer
	limits   fileLimits
}

func newHTTPSource(u *url.URL, opt Options) *httpSource {
	h := &httpSource{base: u, token: opt.Token, attempts: opt.Attempts, backoff: opt.Backoff, idle: opt.IdleTimeout, progress: opt.Progress, limits: fileLimits{opt.MaxFileBytes, opt.Limits}}
	if h.attempts < 1 {
		h.attempts = 5
	}
	if h.backoff <= 0 {
		h.backoff = time.Second
	}
	if h.idle <= 0 {
		h.idle = 60 * time.Second
	}
	client := opt.Client
	if client == nil {
		client = &http.Client{Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 15 * time.Second}).DialContext,
			TLSHandshakeTimeout:   15 * time.Second,
			ResponseHeaderTimeout: 60 * time.Second,
		}}
	}
	c := *client
	// Go drops the Authorization header on a redirect to another host; a
	// redirect may also never leave HTTPS, nor reach a non-loopback host
	// over plain http.
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 5 {
			return errors.New("too many redirects")
		}
		if req.URL.Scheme != "https" && !(req.URL.Scheme == "http" && isLoopback(req.URL.Hostname())) {
			return fmt.Errorf("refused redirect to %s: a delivery is fetched over https only", redact(req.URL))
		}
		if via[0].URL.Scheme == "https" && req.URL.Scheme != "https" {
			return fmt.Errorf("refused redirect from https to %s", redact(req.URL))
		}
		return nil
	}
	h.client = &c
	return h
}

func (h *httpSource) String() string { return redact(h.base) }

// statusError is an HTTP answer other than 200.
type statusError struct {
	code int
	url  string
}

func (e *statusError) Error() string {
	switch {
	case e.code == http.StatusUnauthorized || e.code == http.StatusForbidden:
		return fmt.Sprintf("%s: the source refused access (%d %s): check WCO_SOURCE_TOKEN", e.url, e.code, http.StatusText(e.code))
	default:
		return fmt.Sprintf("%s: %d %s", e.url, e.code, http.StatusText(e.code))
	}
}

// retryable reports whether trying again may help: a 5xx or 429 answer, or
// a transport failure (timeout, refused or dropped connection, short body),
// but not a refusal, a missing file or a file that does not verify.
func retryable(ctx context.Context, err error) bool {
	var se *statusError
	switch {
	case ctx.Err() != nil:
		return false
	case errors.As(err, &se):
		return se.code >= 500 || se.code == http.StatusTooManyRequests
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, errVerify), errors.Is(err, errTooLarge), errors.Is(err, fs.ErrInvalid):
		return false
	}
	return true
}

// get runs fn on a 200 answer for name, retrying with backoff.
func (h *httpSource) get(ctx context.Context, name string, fn func(body io.Reader, size int64) error) error {
	wait := h.backoff
	for attempt := 1; ; attempt++ {
		err := h.once(ctx, name, fn)
		if err == nil || !retryable(ctx, err) || attempt == h.attempts {
			if err != nil && attempt > 1 {
				err = fmt.Errorf("after %d tries: %w", attempt, err)
			}
			return err
		}
		if h.progress != nil {
			fmt.Fprintf(h.progress, "%s: try %d of %d failed (%v); trying again in %s\n", name, attempt, h.attempts, err, wait)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 30*time.Second)
	}
}

func (h *httpSource) once(ctx context.Context, name string, fn func(io.Reader, int64) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	u := join(h.base, name)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	if h.token != "" {
		req.Header.Set("Authorization", "Bearer "+h.token)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return fs.ErrNotExist
	case resp.StatusCode != http.StatusOK:
		return &statusError{code: resp.StatusCode, url: redact(req.URL)}
	}
	// A download that receives nothing for the idle timeout is cut off
	// and counts as a dropped connection.
	var last atomic.Int64
	last.Store(time.Now().UnixNano())
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		t := time.NewTicker(h.idle / 4)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case now := <-t.C:
				if now.UnixNano()-last.Load() > int64(h.idle) {
					cancel()
					return
				}
			}
		}
	}()
	body := readFunc(func(b []byte) (int, error) {
		n, err := resp.Body.Read(b)
		if n > 0 {
			last.Store(time.Now().UnixNano())
		}
		return n, err
	})
	return fn(body, resp.ContentLength)
}

type readFunc func([]byte) (int, error)

func (f readFunc) Read(b []byte) (int, error) { return f(b) }

func (h *httpSource) fetchAll(ctx context.Context, name string) ([]byte, error) {
	var out []byte
	err := h.get(ctx, name, func(body io.Reader, _ int64) error {
		b, err := io.ReadAll(io.LimitReader(body, maxSmallFile+1))
		if len(b) > maxSmallFile {
			return fmt.Errorf("%s is larger than 1 MB", name)
		}
		out = b
		return err
	})
	return out, err
}

func (h *httpSource) download(ctx context.Context, name, dst string, want *delivery.ManifestFile) (int64, error) {
	var n int64
	err := h.get(ctx, name, func(body io.Reader, size int64) error {
		var err error
		n, err = writeVerified(ctx, body, size, h.limits, name, dst, want, h.progress)
		return err
	})
	return n, err
}
