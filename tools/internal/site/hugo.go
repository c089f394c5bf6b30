package site

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// Hugo renders with the Hugo pinned in go.mod: the one linked into this
// program when there is one (Linked), else `go tool hugo`.
type Hugo struct{}

// Render runs Hugo on the job's site into job.Public. Hugo's warnings
// stop the build: a template that meets data it cannot show fails it.
func (Hugo) Render(ctx context.Context, job Job, log io.Writer) error {
	args := append(hugoArgs(job), "--destination", job.Public, "--logLevel", "warn")
	var out bytes.Buffer
	if err := hugo(ctx, job.Site.Dir, log, &out, args...); err != nil {
		return fmt.Errorf("render site with hugo: %w\n%s", err, indent(hugoMessages(out.String())))
	}
	_, err := io.Copy(log, &out)
	return err
}

// hugoArgs are the arguments every Hugo run of a job shares.
func hugoArgs(job Job) []string {
	return []string{
		"--source", job.Site.Dir,
		"--config", strings.Join(job.ConfigFiles, ","),
		"--noBuildLock",
		"--printI18nWarnings", "--printPathWarnings", "--panicOnWarning",
	}
}

// Linked, when set, says that this program has Hugo linked into it and
// runs it when re-executed with these leading arguments (wco hugo …), in
// an environment with LinkedEnv added. Builds then need no Go toolchain.
var (
	Linked    []string
	LinkedEnv []string
)

var hugoBinary struct {
	sync.Mutex
	paths map[string]string // module root → the built Hugo
}

// PrepareHugo makes sure the pinned Hugo is compiled, in Go's build
// cache, and returns the path of its program. The first time on a machine
// this compiles Hugo, which takes minutes: it says so on log before it
// starts, if the compiling takes more than a moment. Later calls in the
// same process return at once.
func PrepareHugo(ctx context.Context, dir string, log io.Writer) (string, error) {
	if Linked != nil {
		return os.Executable()
	}
	root, err := moduleRoot(dir)
	if err != nil {
		if root, err = moduleRoot("."); err != nil {
			return "", err
		}
	}
	hugoBinary.Lock()
	defer hugoBinary.Unlock()
	if p := hugoBinary.paths[root]; p != "" {
		return p, nil
	}
	cmd := exec.CommandContext(ctx, "go", "tool", "-n", "hugo")
	cmd.Dir = root
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("find Hugo (go tool -n hugo): %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(2 * time.Second):
		if log != nil {
			fmt.Fprintln(log, "compiling Hugo, the version pinned in go.mod, into Go's build cache: the first time on a machine this takes a few minutes")
		}
		err = <-done
	}
	if err != nil {
		return "", fmt.Errorf("compile Hugo (go tool -n hugo in %s): %w\n%s", root, err, indent(errb.String()))
	}
	path := strings.TrimSpace(out.String())
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("compile Hugo: go tool -n hugo named %q: %w", path, err)
	}
	if hugoBinary.paths == nil {
		hugoBinary.paths = map[string]string{}
	}
	hugoBinary.paths[root] = path
	return path, nil
}

// hugo runs the pinned Hugo from the Go module that holds the site dir or,
// for a site kept outside it, the working directory; progress goes to log
// and Hugo's output to out.
func hugo(ctx context.Context, dir string, log, out io.Writer, args ...string) error {
	bin, err := PrepareHugo(ctx, dir, log)
	if err != nil {
		return err
	}
	if Linked != nil {
		args = append(slices.Clone(Linked), args...)
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	if Linked != nil && LinkedEnv != nil {
		cmd.Env = append(os.Environ(), LinkedEnv...)
	}
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	return cmd.Run()
}

// moduleRoot finds the folder holding go.mod at or above dir.
func moduleRoot(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := abs; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod at or above %s: Hugo runs as a Go tool of this module", abs)
		}
	}
}

// hugoMessages keeps Hugo's ERROR and WARN lines, dropping the stack
// traces --panicOnWarning prints; without any, the last lines.
func hugoMessages(out string) string {
	var keep []string
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	for _, l := range lines {
		if t := strings.TrimSpace(l); strings.HasPrefix(t, "ERROR") || strings.HasPrefix(t, "WARN") || strings.HasPrefix(t, "Error:") {
			keep = append(keep, t)
		}
	}
	if len(keep) == 0 {
		keep = lines[max(0, len(lines)-20):]
	}
	return strings.Join(keep, "\n")
}

func indent(s string) string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return ""
	}
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}
