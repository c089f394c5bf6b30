//go:build integration

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuildsWithoutGo: wco has Hugo linked in, so it builds the site with
// no Go toolchain on PATH, as a released binary does on a staff laptop.
func TestBuildsWithoutGo(t *testing.T) {
	t.Parallel()
	bin, env := wcoProgram(t)
	var path []string
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		if _, err := os.Stat(filepath.Join(dir, "go")); err != nil {
			path = append(path, dir)
		}
	}
	for i, kv := range env {
		if strings.HasPrefix(kv, "PATH=") {
			env[i] = "PATH=" + strings.Join(path, string(filepath.ListSeparator))
		}
	}
	o := newOutputs(t)
	cmd := exec.Command(bin, "build", "--config", filepath.Join(repoRoot(t), "config.yaml"), "--data", o.data, "--public", o.public)
	cmd.Env = append(env, "GOROOT=/nonexistent", "GOTOOLCHAIN=local")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("build without Go on PATH: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(o.public, "reports", "2026-q3", "index.html")); err != nil {
		t.Errorf("no report page: %v", err)
	}
}

// TestBuildIsDeterministic: building the sample again, into other folders,
// gives the same data files, downloads and site, byte for byte (Hugo
// and the PDFs, printed as the sample site's are, included; the pipeline's
// own determinism is tested in its package).
func TestBuildIsDeterministic(t *testing.T) {
	t.Parallel()
	a, b := sampleSite(t), newOutputs(t)
	if _, stderr, err := b.build(t, samplePrint()); err != nil {
		t.Fatalf("build: %v\n%s", err, stderr)
	}
	rel := func(o outputs) map[string]string {
		out := map[string]string{}
		for p, h := range snapshot(t, o.data, o.public) {
			r, _ := filepath.Rel(filepath.Dir(o.data), p)
			out[r] = h
		}
		return out
	}
	sameSnapshot(t, "second build", rel(a), rel(b))
	if dir := os.Getenv("WCO_KEEP_DIFF"); dir != "" && t.Failed() {
		os.CopyFS(filepath.Join(dir, "a"), os.DirFS(a.public))
		os.CopyFS(filepath.Join(dir, "b"), os.DirFS(b.public))
	}
}
