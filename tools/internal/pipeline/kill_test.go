//go:build unix

package pipeline

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/config"
)

// childBuild, set in a child's environment, makes the test binary run one
// build of the delivery it names into the outputs it names, rendering
// slowly, so that the parent can kill it at any moment.
const childBuild = "WCO_TEST_CHILD_BUILD"

func TestMain(m *testing.M) {
	if spec := os.Getenv(childBuild); spec != "" {
		os.Exit(runChildBuild(spec))
	}
	os.Exit(m.Run())
}

// runChildBuild runs the build spec names: delivery, data and public
// folders, separated by newlines.
func runChildBuild(spec string) int {
	var source, data, public string
	if _, err := fmt.Sscanf(spec, "%s\n%s\n%s", &source, &data, &public); err != nil {
		fmt.Fprintln(os.Stderr, "child build:", err)
		return 2
	}
	path, err := config.Find(".")
	if err != nil {
		fmt.Fprintln(os.Stderr, "child build:", err)
		return 2
	}
	cfg, err := config.Load(path, config.MapEnv(map[string]string{config.EnvPseudonymKey: testKey}), nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child build:", err)
		return 2
	}
	r := &pages{delay: 2 * time.Millisecond}
	if _, err := New(cfg, Options{Source: source, DataDir: data, PublicDir: public, Renderer: r}).Build(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "child build:", err)
		return 1
	}
	return 0
}

// TestKillAtAnyMomentLeavesAWholeSet kills builds at random moments, with
// SIGKILL, and checks that the outputs are always exactly one whole set:
// the previous or the new.
func TestKillAtAnyMomentLeavesAWholeSet(t *testing.T) {
	t.Parallel()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cfg := loadConfig(t, nil)
	deliveries := []string{synthDelivery(t, 300, 1), synthDelivery(t, 300, 2)}

	// The two whole sets, built without interruption, and how long one takes.
	var sets []map[string]string
	started := time.Now()
	for _, d := range deliveries {
		o := newOutputs(t)
		mustBuild(t, o.pipe(cfg, d, &pages{delay: 2 * time.Millisecond}))
		sets = append(sets, o.snapshot(t))
	}
	took := time.Since(started) / 2
	if maps.Equal(sets[0], sets[1]) {
		t.Fatal("the two deliveries must give different outputs")
	}

	o := newOutputs(t)
	mustBuild(t, o.pipe(cfg, deliveries[0], &pages{delay: 2 * time.Millisecond}))
	current := 0
	rng := rand.New(rand.NewPCG(4, 2))
	outcomes := map[string]int{}
	// At least 12 kills, and more (up to 40) until some landed before the
	// switch and some after it: on a loaded machine a build may take much
	// longer than the ones timed above.
	i := 0
	for ; i < 40 && (i < 12 || outcomes["previous set"] == 0 || outcomes["new set"] == 0); i++ {
		next := 1 - current
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), childBuild+"="+deliveries[next]+"\n"+o.data+"\n"+o.public)
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		// Kill anywhere from the start to well past a build's length
		// (the child also pays for starting up).
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("build %d ended with %v before it was killed", i, err)
			}
			outcomes["finished"]++
		case <-time.After(time.Duration(rng.Int64N(int64(3*took) + int64(200*time.Millisecond)))):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			if <-done == nil {
				outcomes["finished"]++
			}
		}
		got := o.snapshot(t)
		switch {
		case maps.Equal(got, sets[current]):
			outcomes["previous set"]++
		case maps.Equal(got, sets[next]):
			outcomes["new set"]++
			current = next
		default:
			t.Fatalf("kill %d left outputs that are neither the previous nor the new set (%d files)", i, len(got))
		}
	}
	t.Logf("after %d builds of about %v each, killed at random moments: %v", i, took.Round(time.Millisecond), outcomes)
	if outcomes["previous set"] == 0 || outcomes["new set"] == 0 {
		t.Errorf("the kills did not land both before and after the switch: %v", outcomes)
	}
	// A build after all that still works and cleans up.
	mustBuild(t, o.pipe(cfg, deliveries[1-current], &pages{}))
	if gens, _ := filepath.Glob(filepath.Join(filepath.Dir(o.data), ".wco-out", "gen-*")); len(gens) != 1 {
		t.Errorf("generations left: %v", gens)
	}
}
