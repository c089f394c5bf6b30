package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

func TestUsageErrorsExitTwo(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
	_, _, err := wco(t, "check", "--config", filepath.Join(repoRoot(t), "config.yaml"), "--source", filepath.Join(t.TempDir(), "missing"))
	var u usageError
	if err == nil || errors.As(err, &u) {
		t.Errorf("a missing delivery must fail with exit 1, got %v", err)
	}
}

// TestEverySubcommandHasUsageAndExample walks every command wco has: each
// runnable one has help with its usage and an example; a group of commands
// (wco report, wco content) lists its own.
func TestEverySubcommandHasUsageAndExample(t *testing.T) {
	t.Parallel()
	var walk func(path []string, cmds []*cobra.Command)
	runnable := 0
	walk = func(path []string, cmds []*cobra.Command) {
		for _, c := range cmds {
			if c.Hidden || c.Name() == "help" || c.Name() == "completion" {
				continue
			}
			args := append(slices.Clone(path), c.Name())
			out, _, err := wco(t, append(args, "--help")...)
			if err != nil {
				t.Fatalf("%v --help: %v", args, err)
			}
			switch {
			case c.Runnable():
				runnable++
				if !strings.Contains(out, "Usage:") || !strings.Contains(out, "Examples:") || c.Long == "" {
					t.Errorf("wco %s --help lacks a description, usage or examples:\n%s", strings.Join(args, " "), out)
				}
			case !c.HasSubCommands():
				t.Errorf("wco %s neither runs nor has commands", strings.Join(args, " "))
			case !strings.Contains(out, "Available Commands:"):
				t.Errorf("wco %s --help does not list its commands:\n%s", strings.Join(args, " "), out)
			}
			walk(args, c.Commands())
		}
	}
	walk(nil, newRoot(&app{env: testEnv(nil)}).Commands())
	if runnable < 12 {
		t.Errorf("walked %d runnable commands, want every one of wco's (at least 12)", runnable)
	}
}

func TestCheckReportsSampleClean(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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

// TestThresholdFromEnvironmentAndFlag: the threshold comes from config,
// then WCO_DISCLOSURE_THRESHOLD, then --threshold, and the data files
// record the one used (the pages state what the data files record).
func TestThresholdFromEnvironmentAndFlag(t *testing.T) {
	t.Parallel()
	delivery := synthDelivery(t, 120, 42)
	env := map[string]string{"WCO_DISCLOSURE_THRESHOLD": "15"}
	for _, tt := range []struct {
		env   map[string]string
		flags []string
		want  int
	}{
		{nil, nil, 11},
		{env, nil, 15},
		{env, []string{"--threshold", "20"}, 20},
	} {
		o := newOutputs(t)
		args := append([]string{"publish", "--config", filepath.Join(repoRoot(t), "config.yaml"), "--source", delivery, "--data", o.data}, tt.flags...)
		if _, stderr, err := wcoEnv(t, tt.env, args...); err != nil {
			t.Fatalf("publish %v: %v\n%s", tt.flags, err, stderr)
		}
		data, _ := os.ReadFile(filepath.Join(o.data, "current", "publication.json"))
		if !strings.Contains(string(data), fmt.Sprintf(`"threshold": %d`, tt.want)) {
			t.Errorf("publish with %v %v: publication.json does not record threshold %d", tt.env, tt.flags, tt.want)
		}
	}
}

// TestDiffCommand: wco diff prints, for a pull request, the figures three
// late detainers change, against what is in place.
func TestDiffCommand(t *testing.T) {
	t.Parallel()
	cfg := filepath.Join(repoRoot(t), "config.yaml")
	a := synthDelivery(t, 500, 1)
	o := newOutputs(t)
	if _, stderr, err := wco(t, "publish", "--config", cfg, "--source", a, "--data", o.data); err != nil {
		t.Fatalf("publish: %v\n%s", err, stderr)
	}
	out, stderr, err := wco(t, "diff", "--config", cfg, "--source", lateRecords(t, a, 3), "--data", o.data)
	if err != nil {
		t.Fatalf("diff: %v\n%s", err, stderr)
	}
	// In the pages' words: no code of a breakdown or its values, and a
	// number not shown says why.
	for _, want := range []string{"Compared with data/current.", "| records | period | figure | was | now |", "| Immigration detainers, warrants and notification requests | 2025-Q3 | All records | "} {
		if !strings.Contains(out, want) {
			t.Errorf("wco diff lacks %q:\n%s", want, out)
		}
	}
	for _, code := range []string{"detainer_log", "receiving_agency=", "disposition=", "TRANSFERRED_FEDERAL"} {
		if strings.Contains(out, code) {
			t.Errorf("wco diff prints the code %q:\n%s", code, out)
		}
	}
	if strings.Contains(out, "withheld |") || strings.Contains(out, "(1 or more) |") {
		t.Errorf("wco diff hides a number without saying why:\n%s", out)
	}
	if out, _, _ := wco(t, "diff", "--config", cfg, "--source", a, "--data", o.data); !strings.Contains(out, "No published figure changes.") {
		t.Errorf("the delivery in place against itself:\n%s", out)
	}
}

// A misspelled setting stops every command, in the file or the
// environment, and nothing is written: a disclosure setting quietly
// dropped would publish under the default.
func TestAMisspelledSettingStopsEveryCommand(t *testing.T) {
	t.Parallel()
	project, err := os.ReadFile(filepath.Join(repoRoot(t), "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	misspelled := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(misspelled, []byte(strings.Replace(string(project), "    threshold: 11\n", "    treshold: 3\n", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	o := newOutputs(t)
	for _, args := range [][]string{
		{"check", "--config", misspelled},
		{"publish", "--config", misspelled, "--data", o.data},
		{"build", "--config", misspelled, "--data", o.data, "--public", o.public},
		{"filing", "2026-Q3", "--config", misspelled, "--out", t.TempDir()},
	} {
		_, _, err := wco(t, args...)
		if err == nil || !strings.Contains(err.Error(), "params.disclosure.treshold: unknown setting; did you mean threshold?") {
			t.Errorf("wco %v: %v", args[0], err)
		}
	}
	// A variable is refused by every command, those that read no
	// configuration too.
	for _, args := range [][]string{{"key", "new"}, {"check"}, {"synth", "--out", t.TempDir()}} {
		_, _, err := wcoEnv(t, map[string]string{"WCO_DISCLOSURE_TRESHOLD": "3"}, args...)
		if err == nil || !strings.Contains(err.Error(), "WCO_DISCLOSURE_TRESHOLD: unknown variable; did you mean WCO_DISCLOSURE_THRESHOLD?") {
			t.Errorf("wco %v with WCO_DISCLOSURE_TRESHOLD: %v", args, err)
		}
	}
	for _, dir := range []string{o.data, o.public} {
		if entries, _ := os.ReadDir(dir); len(entries) > 0 {
			t.Errorf("%s was written by a command that stopped", dir)
		}
	}
}
