package site

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func testSite(t *testing.T) Site {
	root := t.TempDir()
	return Site{Dir: root, ConfigFile: filepath.Join(root, "config.yaml"), DataDir: filepath.Join(root, "data"), DataSub: "current", DownloadsSub: "downloads", PublicDir: filepath.Join(root, "public")}
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
	if m, _ := filepath.Glob(filepath.Join(s.Dir, ".wco-build-*")); len(m) != 0 {
		t.Errorf("scratch left: %v", m)
	}
}

func TestCommitFailureRestores(t *testing.T) {
	s := testSite(t)
	write(t, filepath.Join(s.DataDir, "current", "a.json"), "old")
	write(t, filepath.Join(s.PublicDir, "index.html"), "old")
	st, err := s.NewStage()
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	write(t, filepath.Join(st.DataDir(), "a.json"), "new")
	// No rendered site in the stage: the second swap fails, the first is undone.
	if err := st.Commit(true); err == nil {
		t.Fatal("commit without a rendered site succeeded")
	}
	if read(t, filepath.Join(s.DataDir, "current", "a.json")) != "old" || read(t, filepath.Join(s.PublicDir, "index.html")) != "old" {
		t.Error("a failed commit did not restore the previous outputs")
	}
}

func TestOneBuildAtATime(t *testing.T) {
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
	out := "Start building\ngoroutine 1 [running]:\n  runtime/debug.Stack()\n ERROR failed: template x\nTotal in 5 ms\n"
	if got := hugoMessages(out); got != "ERROR failed: template x" {
		t.Errorf("hugoMessages = %q", got)
	}
}
