package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestUsageErrorsExitTwo(t *testing.T) {
	for _, args := range [][]string{
		{"frobnicate"},
		{"build", "--no-such-flag"},
		{"check", "extra-argument"},
		{"synth"}, // --out is required
		{"synth", "--out", t.TempDir(), "--start", "January"},
	} {
		_, _, err := wco(t, args...)
		var u usageError
		if !errors.As(err, &u) {
			t.Errorf("wco %v: err = %v, want a usage error (exit 2)", args, err)
		}
	}
}

func TestFailuresAreNotUsageErrors(t *testing.T) {
	_, _, err := wco(t, "check", "--config", filepath.Join(repoRoot(t), "config.yaml"), "--source", filepath.Join(t.TempDir(), "missing"))
	var u usageError
	if err == nil || errors.As(err, &u) {
		t.Errorf("a missing delivery must fail with exit 1, got %v", err)
	}
}

func TestEverySubcommandHasUsageAndExample(t *testing.T) {
	for _, name := range []string{"synth", "pull", "check", "publish", "audit", "build", "preview", "release", "revise"} {
		out, _, err := wco(t, name, "--help")
		if err != nil {
			t.Fatalf("%s --help: %v", name, err)
		}
		if !strings.Contains(out, "Usage:") || !strings.Contains(out, "Examples:") {
			t.Errorf("%s --help lacks usage or examples:\n%s", name, out)
		}
	}
}

func TestCheckReportsSampleClean(t *testing.T) {
	out, _, err := wco(t, "check", "--config", filepath.Join(repoRoot(t), "config.yaml"))
	if err != nil {
		t.Fatalf("check of the sample: %v\n%s", err, out)
	}
	for _, want := range []string{"detainer_log.csv", "900", "passes the contract"} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}
}

func TestCheckReportsProblemsAndFails(t *testing.T) {
	dir := synthDelivery(t, 30, 3)
	if err := os.Remove(filepath.Join(dir, "federal_incidents.csv")); err != nil {
		t.Fatal(err)
	}
	out, _, err := wco(t, "check", "--config", filepath.Join(repoRoot(t), "config.yaml"), "--source", dir)
	if err == nil {
		t.Fatal("check passed a delivery with a missing export")
	}
	if !strings.Contains(out, "federal_incidents.csv: missing-file") {
		t.Errorf("check output does not name the missing file:\n%s", out)
	}
}

func TestPublishWritesOnlyData(t *testing.T) {
	o := newOutputs(t)
	_, stderr, err := wco(t, "publish", "--config", filepath.Join(repoRoot(t), "config.yaml"), "--data", o.data)
	if err != nil {
		t.Fatalf("publish: %v\n%s", err, stderr)
	}
	for _, f := range []string{"publication.json", "detainer-log.json", "assistance-requests.json", "federal-incidents.json", "visa-certifications.json"} {
		if _, err := os.Stat(filepath.Join(o.data, "current", f)); err != nil {
			t.Errorf("publish did not write %s: %v", f, err)
		}
	}
	if _, err := os.Stat(o.public); err == nil {
		t.Error("publish must not build the site")
	}
}

func TestSynthWritesDelivery(t *testing.T) {
	dir := t.TempDir()
	out, _, err := wco(t, "synth", "--rows", "25", "--seed", "4", "--out", dir)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "wrote 4 exports of 25 rows") {
		t.Errorf("synth output = %q", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "manifest.json")); err != nil {
		t.Error(err)
	}
}

func TestReportNewScaffoldsANarrative(t *testing.T) {
	site := copySite(t)
	cfg := filepath.Join(site, "config.yaml")
	out, _, err := wco(t, "report", "new", "2026-Q3", "--config", cfg)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(site, "content", "narratives", "2026-q3.md")
	b, err := os.ReadFile(path)
	if err != nil || !strings.Contains(out, "2026-q3.md") || !strings.Contains(string(b), "render: never") {
		t.Fatalf("scaffold: %v\n%s", err, b)
	}
	if _, _, err := wco(t, "report", "new", "2026-Q3", "--config", cfg); err == nil {
		t.Error("an existing narrative was overwritten")
	}
	// Every language gets one, marked as an unreviewed translation of the
	// English scaffold, and the content check holds them to it.
	es, err := os.ReadFile(filepath.Join(site, "content", "narratives", "2026-q3.es.md"))
	if err != nil || !strings.Contains(string(es), "translation:\n  source: ") || !strings.Contains(string(es), "{#in-brief}") {
		t.Fatalf("Spanish scaffold: %v\n%s", err, es)
	}
	if out, _, err := wco(t, "content", "check", "--config", cfg); err != nil {
		t.Errorf("content check of the scaffolds: %v\n%s", err, out)
	}
	// The report page shows it.
	os.WriteFile(path, []byte(strings.Replace(string(b), "## In brief {#in-brief}\n", "## In brief {#in-brief}\n\nFewer requests came in this quarter.\n", 1)), 0o644)
	o := newOutputs(t)
	if _, stderr, err := wco(t, "build", "--config", cfg, "--data", o.data, "--public", o.public); err != nil {
		t.Fatalf("build: %v\n%s", err, stderr)
	}
	page, _ := os.ReadFile(filepath.Join(o.public, "reports", "2026-q3", "index.html"))
	if !strings.Contains(string(page), "Fewer requests came in this quarter.") {
		t.Error("the report page does not show the narrative")
	}
	if _, err := os.Stat(filepath.Join(o.public, "narratives")); err == nil {
		t.Error("narratives must not be pages of their own")
	}
}
