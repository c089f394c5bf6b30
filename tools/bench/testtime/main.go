//go:build unix

// Command testtime measures the test suite against its targets: go test
// ./... under 60 s with a warm build cache on 2 cores, and no package over
// 90 s. It runs the suite once (-count=1, so no result comes from the test
// cache) after compiling it, and prints each package's time, the slowest
// tests, the wall time and the CPU time of the whole run.
//
// Timings on a shared machine are noisy, so this is a measurement, not a
// test: nothing fails on a number. The CPU time says how much work the
// suite is whatever else the machine was doing; the load average before
// the run says how busy the machine was.
//
//	go run ./tools/bench/testtime            # the whole suite
//	go run ./tools/bench/testtime ./tools/internal/publish
package main

import (
	"bufio"
	"cmp"
	"encoding/json"
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
	suiteTarget   = 60 * time.Second
	packageTarget = 90 * time.Second
)

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
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "testtime:", err)
		os.Exit(1)
	}
}

func run(pkgs []string, out io.Writer) error {
	if len(pkgs) == 0 {
		pkgs = []string{"./..."}
	}
	// Compile first, so the run measures the tests with a warm cache.
	compile := exec.Command("go", append([]string{"test", "-count=1", "-run", "^$"}, pkgs...)...)
	compile.Stdout, compile.Stderr = io.Discard, os.Stderr
	if err := compile.Run(); err != nil {
		return fmt.Errorf("compile the tests: %w", err)
	}
	load, cpuBefore := loadAverage(), childCPU()
	cmd := exec.Command("go", append([]string{"test", "-count=1", "-json"}, pkgs...)...)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return err
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
	if wall > suiteTarget {
		verdict = "over"
	}
	fmt.Fprintf(out, "\ngo test ./...: %.1f s wall (%s the %v target), %.1f s of CPU, on %d cores; load average %s before the run\n",
		wall.Seconds(), verdict, suiteTarget, cpu.Seconds(), runtime.NumCPU(), load)
	if failed || werr != nil {
		return fmt.Errorf("the tests failed: %v", werr)
	}
	return nil
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
