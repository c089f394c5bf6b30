package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/chicago-welcoming-city/transparency/tools/internal/site"
)

// asWCO, set in a child's environment, makes the test binary run as wco:
// tests that signal or kill a process run it so, without building wco.
const asWCO = "WCO_TEST_BINARY_RUNS_WCO"

// readyFile, set in such a child's environment, names a file the child
// writes once it handles signals itself.
const readyFile = "WCO_TEST_READY_FILE"

func TestMain(m *testing.M) {
	if os.Getenv(asWCO) == "1" {
		if ready := os.Getenv(readyFile); ready != "" {
			handling = func() { os.WriteFile(ready, nil, 0o644) }
		}
		os.Args = append([]string{"wco"}, os.Args[1:]...)
		main()
		os.Exit(0)
	}
	// The test binary has Hugo linked in, as wco does: builds run it as a
	// child, this binary run as wco hugo.
	site.Linked, site.LinkedEnv = []string{"hugo"}, []string{asWCO + "=1"}
	if _, err := site.PrepareHugo(context.Background(), ".", os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "prepare Hugo:", err)
		os.Exit(1)
	}
	code := m.Run()
	if browserStop != nil {
		browserStop()
	}
	if writtenDir != "" {
		os.RemoveAll(writtenDir)
	}
	if sampleDir != "" {
		os.RemoveAll(sampleDir)
	}
	os.Exit(code)
}

// wcoProgram is the program and environment that run wco as a child
// process, with the tests' pseudonym key.
func wcoProgram(t *testing.T) (path string, env []string) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	exe, _ = filepath.Abs(exe)
	return exe, append(os.Environ(), asWCO+"=1", "WCO_PSEUDONYM_KEY="+testKey)
}
