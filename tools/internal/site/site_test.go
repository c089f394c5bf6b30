package site

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func testSite(t *testing.T) Site {
	root := t.TempDir()
	return Site{Dir: root, ConfigFile: filepath.Join(root, "config.yaml"), DataDir: filepath.Join(root, "data"), PublicDir: filepath.Join(root, "public")}
}

func write(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCommitSwapsInPlace(t *testing.T) {
	t.Parallel()
	s := testSite(t)
	write(t, filepath.Join(s.DataDir, "current", "old.json"), "old")
	write(t, filepath.Join(s.DataDir, "releases", "r.json"), "kept")
	write(t, filepath.Join(s.PublicDir, "index.html"), "old")

	st, err := s.NewStage()
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(st.DataDir(), "new.json"), "new")
	write(t, filepath.Join(st.PublicDir(), "index.html"), "new")
	if err := st.Commit(true); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if read(t, filepath.Join(s.DataDir, "current", "new.json")) != "new" || read(t, filepath.Join(s.PublicDir, "index.html")) != "new" {
		t.Error("new outputs are not in place")
	}
	if _, err := os.Stat(filepath.Join(s.DataDir, "current", "old.json")); err == nil {
		t.Error("old data survived the swap")
	}
	if read(t, filepath.Join(s.DataDir, "releases", "r.json")) != "kept" {
		t.Error("data outside current/ was touched")
	}
	if m, _ := filepath.Glob(filepath.Join(s.Dir, ".wco-out", "gen-*")); len(m) != 1 {
		t.Errorf("want the active generation only: %v", m)
	}
}

func TestSwapByRenameRestoresOnFailure(t *testing.T) {
	t.Parallel()
	s := testSite(t)
	write(t, filepath.Join(s.DataDir, "current", "a.json"), "old")
	write(t, filepath.Join(s.PublicDir, "index.html"), "old")
	st, err := s.NewStage()
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	write(t, filepath.Join(st.DataDir(), "a.json"), "new")
	// No rendered site in the stage: the last swap fails, the others are undone.
	if err := st.swapByRename(true); err == nil {
		t.Fatal("swap without a rendered site succeeded")
	}
	if read(t, filepath.Join(s.DataDir, "current", "a.json")) != "old" || read(t, filepath.Join(s.PublicDir, "index.html")) != "old" {
		t.Error("a failed swap did not restore the previous outputs")
	}
}

func TestPublishKeepsTheSite(t *testing.T) {
	t.Parallel()
	s := testSite(t)
	first, _ := s.NewStage()
	write(t, filepath.Join(first.PublicDir(), "index.html"), "site")
	write(t, filepath.Join(first.DataDir(), "a.json"), "1")
	if err := first.Commit(true); err != nil {
		t.Fatal(err)
	}
	first.Close()
	second, _ := s.NewStage()
	write(t, filepath.Join(second.DataDir(), "a.json"), "2")
	if err := second.Commit(false); err != nil {
		t.Fatal(err)
	}
	second.Close()
	if read(t, filepath.Join(s.DataDir, "current", "a.json")) != "2" || read(t, filepath.Join(s.PublicDir, "index.html")) != "site" {
		t.Error("publishing data alone must keep the site in place")
	}
}

func TestOneBuildAtATime(t *testing.T) {
	t.Parallel()
	s := testSite(t)
	first, err := s.NewStage()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.NewStage(); err == nil || !strings.Contains(err.Error(), "another wco build") {
		t.Errorf("second concurrent stage: %v", err)
	}
	first.Close()
	second, err := s.NewStage()
	if err != nil {
		t.Fatalf("stage after the first closed: %v", err)
	}
	second.Close()
}

func TestHugoMessagesDropStackTraces(t *testing.T) {
	t.Parallel()
	out := "Start building\ngoroutine 1 [running]:\n  runtime/debug.Stack()\n ERROR failed: template x\nTotal in 5 ms\n"
	if got := hugoMessages(out); got != "ERROR failed: template x" {
		t.Errorf("hugoMessages = %q", got)
	}
}
