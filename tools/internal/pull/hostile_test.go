//go:build unix

package pull

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/synth"
)

// traversalNames are manifest entries that try to leave the delivery's
// folder, or the store, by their name.
var traversalNames = []string{"../../escape.csv", "../escape.csv", "/tmp/escape.csv", "sub/escape.csv", `..\escape.csv`, ".escape.csv", "..", "manifest.json"}

// withManifestEntry lists an extra file named name in src's manifest.
func withManifestEntry(t *testing.T, src, name string) {
	t.Helper()
	m := readManifest(t, src)
	m.Files = append(m.Files, m.Files[0])
	m.Files[len(m.Files)-1].Name = name
	writeManifest(t, src, m)
}

// assertNothingOutside checks that no file named escape.csv appeared
// anywhere near the source or the store.
func assertNothingOutside(t *testing.T, dirs ...string) {
	t.Helper()
	for _, d := range dirs {
		for _, up := range []string{d, filepath.Dir(d), filepath.Dir(filepath.Dir(d))} {
			if _, err := os.Stat(filepath.Join(up, "escape.csv")); err == nil {
				t.Errorf("a file was written outside the store: %s", filepath.Join(up, "escape.csv"))
			}
		}
	}
}

func TestPullRefusesNamesThatLeaveTheFolder(t *testing.T) {
	t.Parallel()
	for _, name := range traversalNames {
		t.Run(name, func(t *testing.T) {
			src := synthDir(t, 10, synth.DefaultExportedAt)
			// The file a traversal would read exists, so a refusal is not
			// merely a missing file.
			os.WriteFile(filepath.Join(filepath.Dir(src), "escape.csv"), []byte("CANARY-TRAVERSAL\n"), 0o644)
			withManifestEntry(t, src, name)
			store := filepath.Join(t.TempDir(), "a", "store")

			_, err := Pull(context.Background(), src, fastOptions(store))
			if err == nil || !strings.Contains(err.Error(), "is refused") {
				t.Fatalf("folder source: got %v, want the name refused", err)
			}
			if !strings.Contains(err.Error(), "files[4]") {
				t.Errorf("the message should name the manifest entry: %v", err)
			}
			assertEmptyStore(t, store)

			s := newServer(t, src)
			ts := httptest.NewTLSServer(s)
			defer ts.Close()
			opt := fastOptions(store)
			opt.Client = ts.Client()
			_, err = Pull(context.Background(), ts.URL+"/d/", opt)
			if err == nil || !strings.Contains(err.Error(), "is refused") {
				t.Fatalf("https source: got %v, want the name refused", err)
			}
			for n := range s.requests {
				if strings.Contains(n, "escape") {
					t.Errorf("the server was asked for %q", n)
				}
			}
			assertEmptyStore(t, store)
			assertNothingOutside(t, store)
		})
	}
}

func TestPullRefusesLinksDevicesAndFIFOs(t *testing.T) {
	t.Parallel()
	for name, plant := range map[string]func(t *testing.T, p, outside string) error{
		"link out of the folder": func(_ *testing.T, p, outside string) error { return os.Symlink(outside, p) },
		"relative link out":      func(_ *testing.T, p, _ string) error { return os.Symlink("../outside.csv", p) },
		"link to /etc/passwd":    func(_ *testing.T, p, _ string) error { return os.Symlink("/etc/passwd", p) },
		"link to /dev/zero":      func(_ *testing.T, p, _ string) error { return os.Symlink("/dev/zero", p) },
		"FIFO with no writer":    func(_ *testing.T, p, _ string) error { return syscall.Mkfifo(p, 0o644) },
	} {
		t.Run(name, func(t *testing.T) {
			src := synthDir(t, 10, synth.DefaultExportedAt)
			outside := filepath.Join(filepath.Dir(src), "outside.csv")
			os.WriteFile(outside, []byte("CANARY-OUTSIDE\n"), 0o644)
			target := filepath.Join(src, "visa_certifications.csv")
			os.Remove(target)
			if err := plant(t, target, outside); err != nil {
				t.Fatal(err)
			}
			store := t.TempDir()
			done := make(chan error, 1)
			go func() {
				_, err := Pull(context.Background(), src, fastOptions(store))
				done <- err
			}()
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), "visa_certifications.csv") ||
					!(strings.Contains(err.Error(), "escapes") || strings.Contains(err.Error(), "not a regular file")) {
					t.Fatalf("got %v, want visa_certifications.csv refused", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the pull hung")
			}
			assertEmptyStore(t, store)
		})
	}
}

// endless answers every file with a body that never ends.
type endless struct{}

func (endless) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, "manifest.json") {
		http.NotFound(w, r)
		return
	}
	buf := make([]byte, 32<<10)
	for r.Context().Err() == nil {
		if _, err := w.Write(buf); err != nil {
			return
		}
	}
}

func TestPullStopsWhenCancelledAndLeavesTheStore(t *testing.T) {
	t.Parallel()
	ts := httptest.NewTLSServer(endless{})
	defer ts.Close()
	store := t.TempDir()
	opt := fastOptions(store)
	opt.Client = ts.Client()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	done := make(chan error, 1)
	go func() {
		_, err := Pull(ctx, ts.URL+"/d/", opt)
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the pull did not stop when cancelled")
	}
	assertEmptyStore(t, store)
}

func TestPullRefusesAFileOverTheSizeLimit(t *testing.T) {
	t.Parallel()
	ts := httptest.NewTLSServer(endless{})
	defer ts.Close()
	store := t.TempDir()
	opt := fastOptions(store)
	opt.Client = ts.Client()
	opt.MaxFileBytes = 1 << 20
	_, err := Pull(context.Background(), ts.URL+"/d/", opt)
	if err == nil || !strings.Contains(err.Error(), "larger than the limit of 1048576 bytes") {
		t.Fatalf("got %v", err)
	}
	assertEmptyStore(t, store)
}
