//go:build unix

// Command testtime measures the test suite's two tiers against their
// targets, one after the other in one run: the first (go test ./..., the
// README's command) under 60 s with a warm build cache on 2 cores, and no
// package over 90 s; the second (go test -tags integration ./..., real
// browsers, Java, PDFs and whole sites, which .ci/run runs) under 10
// minutes. Each tier runs once (-count=1, so no result comes from the test
// cache) after compiling it; for each it prints each package's time, the
// slowest tests, the wall time and the CPU time, and at the end a table of
// both.
//
// Timings on a shared machine are noisy, so this is a measurement, not a
// test: nothing fails on a number. The CPU time says how much work a tier
// is whatever else the machine was doing; the load average before the run
// says how busy the machine was.
//
//	go run ./tools/bench/testtime                  # both tiers
//	go run ./tools/bench/testtime -tier first      # the README's command only
//	go run ./tools/bench/testtime ./tools/internal/publish
package main

import (
	"bufio"
	"cmp"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
)

// Targets of the suite, on the project's 2-core machines.
const (
	packageTarget = 90 * time.Second
)

// tier is one tier of the suite.
type tier struct {
	name   string
	flags  []string // go test's flags for it
	target time.Duration
}

var tiers = []tier{
	{"first", nil, 60 * time.Second},
	{"second", []string{"-tags", "integration", "-timeout", "20m"}, 10 * time.Minute},
}

// measured is what one tier took.
type measured struct {
	tier      tier
	wall, cpu time.Duration
	load      string
	failed    bool
}

// event is one line of go test -json.
type event struct {
	Action  string
	Package string
	Test    string
	Elapsed float64
	Output  string
}

type timing struct {
	name    string
	elapsed time.Duration
	failed  bool
}

func main() {
	which := flag.String("tier", "both", "the tier to measure: first, second or both")
	flag.Parse()
	var runs []measured
	failed := false
	for _, t := range tiers {
		if *which != "both" && *which != t.name {
			continue
		}
		fmt.Printf("== the %s tier: go test %s\n", t.name, strings.Join(append(slices.Clone(t.flags), "./..."), " "))
		m, err := run(t, flag.Args(), os.Stdout)
		if err != nil {
			fmt.Fprintln(os.Stderr, "testtime:", err)
			failed = true
		}
		runs = append(runs, m)
		fmt.Println()
	}
	if len(runs) == 0 {
		fmt.Fprintln(os.Stderr, "testtime: -tier is first, second or both")
		os.Exit(2)
	}
	fmt.Println("| tier | command | wall | CPU | target | load before |")
	fmt.Println("|---|---|---|---|---|---|")
	for _, m := range runs {
		verdict := "within"
		if m.wall > m.tier.target || m.failed {
			verdict = "over"
		}
		if m.failed {
			verdict = "FAILED"
		}
		fmt.Printf("| %s | `go test %s` | %.0f s | %.0f s | %s %v | %s |\n", m.tier.name, strings.Join(append(slices.Clone(m.tier.flags), "./..."), " "),
			m.wall.Seconds(), m.cpu.Seconds(), verdict, m.tier.target, m.load)
	}
	if failed {
		os.Exit(1)
	}
}

func run(t tier, pkgs []string, out io.Writer) (measured, error) {
	m := measured{tier: t}
	if len(pkgs) == 0 {
		pkgs = []string{"./..."}
	}
	// Compile first, so the run measures the tests with a warm cache.
	compile := exec.Command("go", slices.Concat([]string{"test", "-count=1", "-run", "^$"}, t.flags, pkgs)...)
	compile.Stdout, compile.Stderr = io.Discard, os.Stderr
	if err := compile.Run(); err != nil {
		m.failed = true
		return m, fmt.Errorf("compile the tests: %w", err)
	}
	load, cpuBefore := loadAverage(), childCPU()
	m.load = load
	cmd := exec.Command("go", slices.Concat([]string{"test", "-count=1", "-json"}, t.flags, pkgs)...)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return m, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return m, err
	}
	var packages, tests []timing
	failed := false
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var e event
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			continue
		}
		if e.Action != "pass" && e.Action != "fail" {
			continue
		}
		t := timing{elapsed: time.Duration(e.Elapsed * float64(time.Second)), failed: e.Action == "fail"}
		switch {
		case e.Test == "":
			t.name = strings.TrimPrefix(e.Package, "github.com/chicago-welcoming-city/transparency/")
			packages = append(packages, t)
		case !strings.Contains(e.Test, "/"):
			t.name = strings.TrimPrefix(e.Package, "github.com/chicago-welcoming-city/transparency/") + " " + e.Test
			tests = append(tests, t)
		}
		failed = failed || t.failed
	}
	werr := cmd.Wait()
	wall := time.Since(start)
	cpu := childCPU() - cpuBefore

	byTime := func(a, b timing) int { return cmp.Compare(b.elapsed, a.elapsed) }
	slices.SortFunc(packages, byTime)
	slices.SortFunc(tests, byTime)
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "package\tseconds\t\n")
	for _, p := range packages {
		mark := ""
		if p.elapsed > packageTarget {
			mark = "  over the 90 s target"
		}
		if p.failed {
			mark += "  FAILED"
		}
		fmt.Fprintf(w, "%s\t%.1f\t%s\n", p.name, p.elapsed.Seconds(), mark)
	}
	w.Flush()
	fmt.Fprintln(out, "\nslowest tests (wall time, while the others ran beside them):")
	for _, t := range tests[:min(8, len(tests))] {
		fmt.Fprintf(out, "  %5.1f s  %s\n", t.elapsed.Seconds(), t.name)
	}
	verdict := "within"
	if wall > t.target {
		verdict = "over"
	}
	fmt.Fprintf(out, "\nthe %s tier: %.1f s wall (%s the %v target), %.1f s of CPU, on %d cores; load average %s before the run\n",
		t.name, wall.Seconds(), verdict, t.target, cpu.Seconds(), runtime.NumCPU(), load)
	m.wall, m.cpu = wall, cpu
	if failed || werr != nil {
		m.failed = true
		return m, fmt.Errorf("the %s tier failed: %v", t.name, werr)
	}
	return m, nil
}

// childCPU is the user and system time of the child processes waited for.
func childCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loadAverage is the first line of /proc/loadavg, where there is one.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
