package commit

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// state is every file under dir, by path, as the next command finds it.
func state(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "journal" {
			return filepath.SkipDir
		}
		if !d.IsDir() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(dir, p)
			out[rel] = string(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

type crash struct{ at string }

// writeAll writes the new set: two release files (a quarter and its
// year), a ledger elsewhere, and a pulled folder.
func writeAll(root, journal string) error {
	s, err := New(journal)
	if err != nil {
		return err
	}
	defer s.Abandon()
	for name, body := range map[string]string{"releases/2026-q4.json": "q4 v1", "releases/2026.json": "2026 v1", "store/ledger/2026-q4.json": "ledger"} {
		if err := s.Write(filepath.Join(root, name), []byte(body), 0o644); err != nil {
			return err
		}
	}
	dir, err := s.TempDir(filepath.Join(root, "store"), ".pull-")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), []byte("{}"), 0o644); err != nil {
		return err
	}
	if err := s.Move(dir, filepath.Join(root, "store", "2026-12-01")); err != nil {
		return err
	}
	return s.Commit()
}

// A command that dies between any two steps of its writes leaves, as the
// next command finds it, everything it wrote or nothing of it: never a
// quarter without its year.
func TestAKillAtAnyStepLeavesAllOrNothing(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "releases"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "store"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "releases", "2026-q3.json"), []byte("q3 v1"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := state(t, root)

	// The steps, in order, from a run that is not stopped.
	var steps []string
	Between = func(step string) { steps = append(steps, step) }
	whole := t.TempDir()
	if err := os.MkdirAll(filepath.Join(whole, "releases"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(whole, "store"), 0o755)
	os.WriteFile(filepath.Join(whole, "releases", "2026-q3.json"), []byte("q3 v1"), 0o644)
	if err := writeAll(whole, filepath.Join(whole, "journal")); err != nil {
		t.Fatal(err)
	}
	after := state(t, whole)
	t.Cleanup(func() { Between = nil })
	if len(steps) < 6 || len(after) != 5 {
		t.Fatalf("steps %v, files %v", steps, after)
	}

	outcomes := map[string]int{}
	for i, step := range steps {
		dir := filepath.Join(t.TempDir(), "run")
		if err := os.CopyFS(dir, os.DirFS(root)); err != nil {
			t.Fatal(err)
		}
		// Die at the step: nothing after it runs, no deferred clean-up
		// either (a killed process runs none).
		Between = func(s string) {
			if s == step {
				panic(crash{s})
			}
		}
		func() {
			defer func() {
				if r := recover(); r == nil {
					t.Fatalf("step %d (%s) was not reached", i, step)
				} else if _, ok := r.(crash); !ok {
					panic(r)
				}
			}()
			writeAllNoCleanup(dir, filepath.Join(dir, "journal"))
		}()
		Between = nil
		// A lock held by the dead command is gone with it.
		releaseLocks(t, filepath.Join(dir, "journal"))
		if err := Recover(filepath.Join(dir, "journal")); err != nil {
			t.Fatalf("step %s: recover: %v", step, err)
		}
		got := state(t, dir)
		switch {
		case maps.Equal(got, before):
			outcomes["nothing"]++
		case maps.Equal(got, after):
			outcomes["everything"]++
		default:
			t.Fatalf("killed at %q, the next command finds neither the previous files nor the new ones: %v", step, got)
		}
		if entries, _ := os.ReadDir(filepath.Join(dir, "journal")); len(entries) != 0 {
			t.Errorf("killed at %q: the journal still holds %d files", step, len(entries))
		}
		for p := range got {
			if strings.Contains(p, ".set-") || strings.Contains(p, ".pull-") {
				t.Errorf("killed at %q: a staged file is left: %s", step, p)
			}
		}
		// Before the commit nothing takes effect; from it on, everything.
		want := before
		if i >= slices.Index(steps, "committed") {
			want = after
		}
		if !maps.Equal(got, want) {
			t.Errorf("killed at %q: the next command finds %v, want %v", step, got, want)
		}
	}
	t.Logf("killed at each of %d steps: %v", len(steps), outcomes)
	if outcomes["nothing"] == 0 || outcomes["everything"] == 0 {
		t.Errorf("the kills did not land both before and after the commit: %v", outcomes)
	}
}

// writeAllNoCleanup is writeAll as a killed process runs it: the crash
// stops it where it is, Abandon included.
func writeAllNoCleanup(root, journal string) {
	s, err := New(journal)
	if err != nil {
		panic(err)
	}
	crashed = s
	for _, name := range []string{"releases/2026-q4.json", "releases/2026.json", "store/ledger/2026-q4.json"} {
		body := map[string]string{"releases/2026-q4.json": "q4 v1", "releases/2026.json": "2026 v1", "store/ledger/2026-q4.json": "ledger"}[name]
		if err := s.Write(filepath.Join(root, name), []byte(body), 0o644); err != nil {
			panic(err)
		}
	}
	dir, err := s.TempDir(filepath.Join(root, "store"), ".pull-")
	if err != nil {
		panic(err)
	}
	os.WriteFile(filepath.Join(dir, "manifest.json"), []byte("{}"), 0o644)
	if err := s.Move(dir, filepath.Join(root, "store", "2026-12-01")); err != nil {
		panic(err)
	}
	if err := s.Commit(); err != nil {
		panic(err)
	}
	panic(crash{"none"})
}

// crashed is the set of the run that died.
var crashed *Set

// releaseLocks drops the lock of the set whose command died in this
// process, as a dead process's locks go with it.
func releaseLocks(t *testing.T, journal string) {
	t.Helper()
	if crashed != nil && crashed.dir == journal {
		_ = crashed.lock.Unlock()
		crashed = nil
	}
}

// A set whose command is still running is not touched by another
// command's recovery.
func TestRecoverLeavesARunningSetAlone(t *testing.T) {
	root := t.TempDir()
	journal := filepath.Join(root, "journal")
	s, err := New(journal)
	if err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(root, "a.json")
	if err := s.Write(dest, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Recover(journal); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(); err != nil {
		t.Fatalf("the running set was disturbed: %v", err)
	}
	if b, _ := os.ReadFile(dest); string(b) != "new" {
		t.Errorf("a.json = %q", b)
	}
	// Abandoned, a set leaves nothing.
	s, _ = New(journal)
	if err := s.Write(filepath.Join(root, "b.json"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	s.Abandon()
	entries, _ := os.ReadDir(root)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if fmt.Sprint(names) != "[a.json journal]" {
		t.Errorf("after an abandoned set: %v", names)
	}
}
