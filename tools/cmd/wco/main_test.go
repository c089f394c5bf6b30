package main

import (
	"os"
	"path/filepath"
	"testing"
)

// asWCO, set in a child's environment, makes the test binary run as wco:
// tests that signal or kill a process run it so, without building wco.
const asWCO = "WCO_TEST_BINARY_RUNS_WCO"

func TestMain(m *testing.M) {
	if os.Getenv(asWCO) == "1" {
		os.Args = append([]string{"wco"}, os.Args[1:]...)
		main()
		os.Exit(0)
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
