// Package attacker runs an attacker of the published tables that shares no
// code with wco's protector: attack.py, embedded here, which models what a
// reader knows from the published files' meaning on its own and bounds
// counts by integer programming, with scipy's HiGHS where its answers can
// be proved optimal and COIN-OR's CBC otherwise (Debian's python3-scipy
// and coinor-cbc, which .ci/install installs).
package attacker

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/chicago-welcoming-city/transparency/tools/internal/needs"
)

//go:embed attack.py
var script []byte

// Finding is a target the attacker narrowed too far at a release.
type Finding struct {
	Release string    `json:"release"`
	Export  string    `json:"export"`
	Target  string    `json:"target"`
	Kind    string    `json:"kind"`
	Min     float64   `json:"min"`
	Max     float64   `json:"max"`
	Without []float64 `json:"without_the_release"`
}

func (f Finding) String() string {
	return fmt.Sprintf("%s: %s (%s) in [%g, %g], without the release [%g, %g]", f.Release, f.Target, f.Kind, f.Min, f.Max, f.Without[0], f.Without[1])
}

// Report is what the attacker found.
type Report struct {
	Events    int       `json:"events"`
	Targets   int       `json:"targets"`
	Narrowest []any     `json:"narrowest"`
	Findings  []Finding `json:"findings"`
	AddedOnly []string  `json:"added_only"`
	Nightly   []string  `json:"nightly"`
}

// python is the interpreter with scipy, or an error saying how to get one.
func python() (string, error) {
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		path, err := exec.LookPath(p)
		if err != nil {
			continue
		}
		if exec.Command(path, "-c", "from scipy.optimize import milp").Run() == nil {
			return path, nil
		}
	}
	return "", errors.New("no python3 with scipy 1.9 or later (scipy.optimize.milp): apt-get install python3-scipy coinor-cbc, or bash .ci/install")
}

// Available reports whether the attacker can run here.
func Available() error {
	if _, err := python(); err != nil {
		return err
	}
	if _, err := exec.LookPath("cbc"); err != nil {
		return errors.New("no cbc (COIN-OR's solver) on PATH: apt-get install coinor-cbc, or bash .ci/install")
	}
	return nil
}

// Tool is the attacker, as a test needs it: it skips, saying why, when
// the attacker cannot run, unless WCO_REQUIRE_ATTACKER is set (CI sets
// it): then the test fails.
var Tool = needs.Tool{Name: "the independent attacker", Install: "apt-get install python3-scipy coinor-cbc", Require: needs.RequireAttacker, Find: Available}

// Require skips or fails t unless the attacker can run (see Tool).
func Require(t testing.TB) {
	t.Helper()
	needs.Have(t, Tool)
}

// Run attacks the history in historyFile (history.json) and, when current
// is not empty, the tables in place there, with threshold k.
func Run(historyFile, current string, k int) (*Report, error) {
	if err := Available(); err != nil {
		return nil, err
	}
	py, err := python()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "wco-attacker-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "attack.py")
	if err := os.WriteFile(path, script, 0o600); err != nil {
		return nil, err
	}
	args := []string{path, "--history", historyFile, "--k", strconv.Itoa(k)}
	if current != "" {
		args = append(args, "--current", current)
	}
	cmd := exec.Command(py, args...)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
		return nil, fmt.Errorf("attack.py: %v: %s", err, stderr.String())
	}
	var r Report
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		return nil, fmt.Errorf("attack.py: %v: %s", err, out.String())
	}
	return &r, nil
}
