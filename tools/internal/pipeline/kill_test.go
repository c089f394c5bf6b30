//go:build unix

package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/commit"
	"github.com/chicago-welcoming-city/transparency/tools/internal/config"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
	"github.com/chicago-welcoming-city/transparency/tools/internal/site"
)

// childBuild, set in a child's environment, makes the test binary run one
// build of the delivery it names into the outputs it names, rendering
// slowly, so that the parent can kill it at any moment; or, when it starts
// with "release" or "revise", one release or revision, pausing between
// the steps of its writes.
const childBuild = "WCO_TEST_CHILD_BUILD"

func TestMain(m *testing.M) {
	if spec := os.Getenv(childBuild); spec != "" {
		if cmd, rest, _ := strings.Cut(spec, "\n"); cmd == "release" || cmd == "revise" {
			os.Exit(runChildRelease(cmd, rest))
		}
		os.Exit(runChildBuild(spec))
	}
	os.Exit(m.Run())
}

// releaseSpec is what a child release or revision runs: the delivery, the
// data folder, the store of ledgers, the periods and the time of the run.
type releaseSpec struct {
	Source, Data, Store string
	Periods             []string
	Now                 time.Time
}

func (s releaseSpec) pipe(t testing.TB) (*Pipeline, []period.Period) {
	cfg, err := childConfig(s.Store)
	if err != nil {
		t.Fatal(err)
	}
	var ps []period.Period
	for _, p := range s.Periods {
		per, err := period.ParsePeriod(p)
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, per)
	}
	return New(cfg, Options{Source: s.Source, DataDir: s.Data, Now: s.Now}), ps
}

func childConfig(store string) (*config.Config, error) {
	path, err := config.Find(".")
	if err != nil {
		return nil, err
	}
	return config.Load(path, config.MapEnv(map[string]string{config.EnvPseudonymKey: testKey, "WCO_DELIVERIES_STORE": store}), nil)
}

// run releases (one quarter) or revises the spec's periods.
func (s releaseSpec) run(cmd string, p *Pipeline, ps []period.Period) error {
	ctx := context.Background()
	if cmd == "release" {
		q, _ := ps[0].Quarter()
		_, err := p.Release(ctx, q)
		return err
	}
	_, err := p.Revise(ctx, ps, "Records were entered late.")
	return err
}

func runChildRelease(cmd, spec string) int {
	var s releaseSpec
	if err := json.Unmarshal([]byte(spec), &s); err != nil {
		fmt.Fprintln(os.Stderr, "child release:", err)
		return 2
	}
	// Slow between the steps of the writes, so that a kill lands between
	// any two of them.
	commit.Between = func(string) { time.Sleep(15 * time.Millisecond) }
	p, ps := s.pipe(&testing.T{})
	if err := s.run(cmd, p, ps); err != nil {
		fmt.Fprintln(os.Stderr, "child release:", err)
		return 1
	}
	return 0
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
	// At least 8 kills, and more (up to 40) until some landed before the
	// switch and some after it: on a loaded machine a build may take much
	// longer than the ones timed above.
	i := 0
	for ; i < 40 && (i < 8 || outcomes["previous set"] == 0 || outcomes["new set"] == 0); i++ {
		next := 1 - current
		// Kill anywhere from the start to well past a build's length
		// (the child also pays for starting up).
		if killChild(t, exe, deliveries[next]+"\n"+o.data+"\n"+o.public, time.Duration(rng.Int64N(int64(3*took)+int64(200*time.Millisecond)))) {
			outcomes["finished"]++
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

// TestKillingAReleaseOrRevisionLeavesAWholeSet kills releases of a fourth
// quarter, which freeze the quarter, its year and the ledger, and
// revisions of them, at random moments: the next command always finds
// either every file the killed one wrote or none of them, never a quarter
// released without its year.
func TestKillingAReleaseOrRevisionLeavesAWholeSet(t *testing.T) {
	t.Parallel()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	a := synthDelivery(t, 300, 1)
	late := lateRecords(t, a, 3)
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

	// The state before: 2025-Q1 to Q3 released.
	base := t.TempDir()
	spec := releaseSpec{Source: a, Data: filepath.Join(base, "data"), Store: filepath.Join(base, "store"), Now: now}
	for _, q := range []string{"2025-Q1", "2025-Q2", "2025-Q3"} {
		s := spec
		s.Periods = []string{q}
		p, ps := s.pipe(t)
		if err := s.run("release", p, ps); err != nil {
			t.Fatalf("release %s: %v", q, err)
		}
	}
	state := func(dir string) map[string]string {
		out := map[string]string{}
		for _, sub := range []string{"data/releases", "store/ledger"} {
			site.WalkFiles(filepath.Join(dir, sub), func(p string) error {
				b, err := os.ReadFile(p)
				rel, _ := filepath.Rel(dir, p)
				out[rel] = string(b)
				return err
			})
		}
		return out
	}
	copyState := func(from string) string {
		dir := t.TempDir()
		if err := os.CopyFS(dir, os.DirFS(from)); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	steps := []struct {
		cmd, source string
		periods     []string
	}{
		{"release", a, []string{"2025-Q4"}},
		{"revise", late, []string{"2025-Q3"}},
	}
	from := base
	for _, step := range steps {
		before := state(from)
		// The state after, from a run that is not killed.
		whole := copyState(from)
		s := releaseSpec{Source: step.source, Data: filepath.Join(whole, "data"), Store: filepath.Join(whole, "store"), Periods: step.periods, Now: now.Add(time.Hour)}
		started := time.Now()
		p, ps := s.pipe(t)
		if err := s.run(step.cmd, p, ps); err != nil {
			t.Fatalf("%s %v: %v", step.cmd, step.periods, err)
		}
		took := time.Since(started)
		after := state(whole)
		if len(after) < len(before)+1 || maps.Equal(before, after) {
			t.Fatalf("%s %v wrote nothing new: %d files before, %d after", step.cmd, step.periods, len(before), len(after))
		}

		rng := rand.New(rand.NewPCG(7, uint64(len(step.cmd))))
		outcomes := map[string]int{}
		i := 0
		for ; i < 40 && (i < 6 || outcomes["nothing"] == 0 || outcomes["everything"] == 0); i++ {
			dir := copyState(from)
			s.Data, s.Store = filepath.Join(dir, "data"), filepath.Join(dir, "store")
			js, _ := json.Marshal(s)
			killChild(t, exe, step.cmd+"\n"+string(js), time.Duration(rng.Int64N(int64(3*took)+int64(600*time.Millisecond))))
			// The next command finishes what the killed one left.
			p, _ := s.pipe(t)
			if err := p.Recover(); err != nil {
				t.Fatalf("recover after kill %d: %v", i, err)
			}
			switch got := state(dir); {
			case maps.Equal(got, before):
				outcomes["nothing"]++
			case maps.Equal(got, after):
				outcomes["everything"]++
			default:
				for k, v := range got {
					if after[k] != v {
						t.Logf("%s differs:\n%.600s\nwant\n%.600s", k, v, after[k])
					}
				}
				t.Fatalf("%s killed (%d): the next command finds neither the files before (%d) nor after (%d), but %d files", step.cmd, i, len(before), len(after), len(got))
			}
		}
		t.Logf("%s %v, about %v each, killed at random moments %d times: %v", step.cmd, step.periods, took.Round(time.Millisecond), i, outcomes)
		if outcomes["nothing"] == 0 || outcomes["everything"] == 0 {
			t.Errorf("%s: the kills did not land both before and after the commit: %v", step.cmd, outcomes)
		}
		from = whole
	}
}

// killChild runs the test binary as a child doing spec (see childBuild)
// and kills it, with its process group, after the given time, unless it
// ended before; it reports whether the child finished. A child that fails
// on its own fails the test.
func killChild(t *testing.T, exe, spec string, after time.Duration) (finished bool) {
	t.Helper()
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), childBuild+"="+spec)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("the child ended with %v before it was killed", err)
		}
		return true
	case <-time.After(after):
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		return <-done == nil
	}
}
