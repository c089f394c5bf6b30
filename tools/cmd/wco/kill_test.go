//go:build unix

package main

import (
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// relSnapshot is snapshot with paths relative to the outputs' parent.
func relSnapshot(t *testing.T, o outputs) map[string]string {
	t.Helper()
	parent := filepath.Dir(o.data)
	out := map[string]string{}
	for p, h := range snapshot(t, o.data, o.public) {
		rel, _ := filepath.Rel(parent, p)
		out[rel] = h
	}
	return out
}

func equalSnapshots(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestKillAtAnyMomentLeavesAWholeSet kills builds at random moments, with
// SIGKILL to the whole process group (wco and its Hugo), and checks that
// the outputs are always exactly one whole set: the previous or the new.
func TestKillAtAnyMomentLeavesAWholeSet(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command and runs a dozen builds")
	}
	bin := filepath.Join(t.TempDir(), "wco")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cfg := filepath.Join(repoRoot(t), "config.yaml")
	deliveries := []string{synthDelivery(t, 300, 1), synthDelivery(t, 300, 2)}

	// The two whole sets, built without interruption.
	var sets []map[string]string
	for _, d := range deliveries {
		o := newOutputs(t)
		if _, stderr, err := o.build(t, "--source", d); err != nil {
			t.Fatalf("build: %v\n%s", err, stderr)
		}
		sets = append(sets, relSnapshot(t, o))
	}
	if equalSnapshots(sets[0], sets[1]) {
		t.Fatal("the two deliveries must give different outputs")
	}

	o := newOutputs(t)
	if _, stderr, err := o.build(t, "--source", deliveries[0]); err != nil {
		t.Fatalf("build: %v\n%s", err, stderr)
	}
	current := 0
	rng := rand.New(rand.NewPCG(4, 2))
	outcomes := map[string]int{}
	for i := range 12 {
		next := 1 - current
		cmd := exec.Command(bin, "build", "--config", cfg, "--source", deliveries[next], "--data", o.data, "--public", o.public)
		cmd.Dir = repoRoot(t)
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("build %d ended with %v before it was killed", i, err)
			}
			outcomes["finished"]++
		case <-time.After(time.Duration(rng.IntN(2500)) * time.Millisecond):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		got := relSnapshot(t, o)
		switch {
		case equalSnapshots(got, sets[current]):
			outcomes["previous set"]++
		case equalSnapshots(got, sets[next]):
			outcomes["new set"]++
			current = next
		default:
			t.Fatalf("kill %d left outputs that are neither the previous nor the new set (%d files)", i, len(got))
		}
	}
	t.Logf("after 12 builds, killed at random moments: %v", outcomes)
	// A build after all that still works and cleans up.
	if _, stderr, err := o.build(t, "--source", deliveries[1-current]); err != nil {
		t.Fatalf("build after the kills: %v\n%s", err, stderr)
	}
	if gens, _ := filepath.Glob(filepath.Join(filepath.Dir(o.data), ".wco-out", "gen-*")); len(gens) != 1 {
		t.Errorf("generations left: %v", gens)
	}
	_ = os.Remove(bin)
}
