//go:build unix

package delivery

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// hostileFolder is a delivery folder whose entries try to read outside it
// or hang the reader.
func hostileFolder(t *testing.T) (dir, outside string) {
	t.Helper()
	base := t.TempDir()
	dir = filepath.Join(base, "delivery")
	os.Mkdir(dir, 0o755)
	outside = filepath.Join(base, "secret.csv")
	os.WriteFile(outside, []byte("CANARY-OUTSIDE-THE-DELIVERY\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "ok.csv"), []byte("a\n1\n"), 0o644)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Symlink(outside, filepath.Join(dir, "abs-link.csv")))
	must(os.Symlink("../secret.csv", filepath.Join(dir, "rel-link.csv")))
	must(os.Symlink("/etc/passwd", filepath.Join(dir, "passwd.csv")))
	must(os.Symlink("/dev/zero", filepath.Join(dir, "zero.csv")))
	must(os.Symlink("ok.csv", filepath.Join(dir, "inside-link.csv")))
	must(syscall.Mkfifo(filepath.Join(dir, "fifo.csv"), 0o644))
	must(os.Mkdir(filepath.Join(dir, "folder.csv"), 0o755))
	return dir, outside
}

func TestFolderFSRefusesWhatIsNotAPlainFileInside(t *testing.T) {
	t.Parallel()
	dir, _ := hostileFolder(t)
	fsys, err := FolderFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"abs-link.csv":           "escapes",
		"rel-link.csv":           "escapes",
		"passwd.csv":             "escapes",
		"zero.csv":               "escapes",
		"fifo.csv":               "not a regular file",
		"folder.csv":             "not a regular file",
		"../secret.csv":          "is refused",
		"/etc/passwd":            "is refused",
		"sub/ok.csv":             "is refused",
		".hidden":                "is refused",
		"..":                     "is refused",
		"a\x00b":                 "is refused",
		"ok.csv\n":               "is refused",
		"con\\..\\x.csv":         "is refused",
		strings.Repeat("a", 129): "is refused",
	} {
		done := make(chan error, 1)
		go func() {
			f, err := fsys.Open(name)
			if err == nil {
				f.Close()
			}
			done <- err
		}()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%q: got %v, want an error saying %q", name, err, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%q: opening hung", name)
		}
	}
	for _, name := range []string{"ok.csv", "inside-link.csv"} {
		b, err := fs.ReadFile(fsys, name)
		if err != nil || string(b) != "a\n1\n" {
			t.Errorf("%s: %q %v", name, b, err)
		}
	}
	if _, err := fsys.Open("missing.csv"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing file must be fs.ErrNotExist: %v", err)
	}
}

func TestReadContextStopsAnEndlessRead(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	zero, err := os.Open("/dev/zero")
	if err != nil {
		t.Skip("no /dev/zero")
	}
	defer zero.Close()
	done := make(chan error, 1)
	go func() {
		_, err := io.Copy(io.Discard, ReadContext(ctx, zero))
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the read did not stop when the context ended")
	}
}
