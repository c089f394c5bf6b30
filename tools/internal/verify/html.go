package verify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/gofrs/flock"
)

// nodePackages installs the Node packages of the checks (.ci/package.json,
// pinned by .ci/package-lock.json) unless the installed ones are of the
// lock file, with install scripts off, and returns the folder they are in.
// Like .ci/install, it records the lock file's digest in
// node_modules/.lock-sha256; a file lock keeps two processes from
// installing at once.
func nodePackages(ctx context.Context, repo string) (string, error) {
	nodeOnce.Do(func() { nodeDir, nodeErr = installNodePackages(ctx, repo) })
	return nodeDir, nodeErr
}

var (
	nodeOnce sync.Once
	nodeDir  string
	nodeErr  error
)

func installNodePackages(ctx context.Context, repo string) (string, error) {
	dir := filepath.Join(repo, ".ci")
	modules := filepath.Join(dir, "node_modules")
	stamp := filepath.Join(modules, ".lock-sha256")
	lock, err := os.ReadFile(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		return "", fmt.Errorf("read the Node packages' lock file: %w", err)
	}
	want := fmt.Sprintf("%x  -\n", sha256.Sum256(lock))
	installed := func() bool {
		got, err := os.ReadFile(stamp)
		return err == nil && string(got) == want
	}
	if installed() {
		return modules, nil
	}
	fl := flock.New(filepath.Join(dir, ".install.lock"))
	if err := fl.Lock(); err != nil {
		return "", fmt.Errorf("lock %s: %w", dir, err)
	}
	defer fl.Unlock()
	if installed() { // another process installed them meanwhile
		return modules, nil
	}
	if _, err := exec.LookPath("npm"); err != nil {
		return "", fmt.Errorf("npm is not installed (bash .ci/install installs it): the site checks need the Node packages of .ci/package-lock.json")
	}
	cmd := exec.CommandContext(ctx, "npm", "ci", "--prefix", dir, "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error")
	cmd.Env = append(os.Environ(), "PUPPETEER_SKIP_DOWNLOAD=1", "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("npm ci --prefix .ci: %v: %s", err, bytes.TrimSpace(out))
	}
	if err := os.WriteFile(stamp, []byte(want), 0o644); err != nil {
		return "", err
	}
	return modules, nil
}

// vnuMessage is one message of the Nu HTML Checker's JSON output.
type vnuMessage struct {
	Type     string `json:"type"`
	SubType  string `json:"subType"`
	URL      string `json:"url"`
	Line     int    `json:"lastLine"`
	Column   int    `json:"firstColumn"`
	Message  string `json:"message"`
	Extract  string `json:"extract"`
	Property string `json:"property"`
}

// htmlValidity runs the Nu HTML Checker on every page and stylesheet.
func htmlValidity(ctx context.Context, s *site) Result {
	modules, err := nodePackages(ctx, s.Repo)
	if err != nil {
		return Result{Err: err}
	}
	java, err := exec.LookPath("java")
	if err != nil {
		return Result{Err: fmt.Errorf("java is not installed (apt-get install default-jre-headless): the Nu HTML Checker runs on it")}
	}
	pages, err := s.opened()
	if err != nil {
		return Result{Err: err}
	}
	files := slices.Clone(pages)
	sheets, _ := filepath.Glob(filepath.Join(s.root, "css", "*.css"))
	for _, f := range sheets {
		rel, _ := filepath.Rel(s.root, f)
		files = append(files, filepath.ToSlash(rel))
	}
	// One short run of the checker: the quick compiler alone and the
	// serial collector halve its CPU time (16 s to 7.5 s over the sample
	// site's 290 pages); that compiler's deeper stack frames need a larger
	// thread stack than the checker's 512 KB minimum.
	args := []string{"-Xss2m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
		"-jar", filepath.Join(modules, "vnu-jar", "build", "dist", "vnu.jar"),
		"--errors-only", "--also-check-css", "--format", "json", "--exit-zero-always"}
	for _, f := range files {
		args = append(args, filepath.Join(s.root, filepath.FromSlash(f)))
	}
	cmd := exec.CommandContext(ctx, java, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return Result{Err: fmt.Errorf("the Nu HTML Checker: %v: %s", err, bytes.TrimSpace(stderr.Bytes()))}
	}
	// The JSON report goes to stderr; Java's own warnings may precede it.
	var report struct {
		Messages []vnuMessage `json:"messages"`
	}
	out := stderr.Bytes()
	if i := bytes.Index(out, []byte(`{"`)); i >= 0 {
		out = out[i:]
	}
	if err := json.Unmarshal(out, &report); err != nil {
		return Result{Err: fmt.Errorf("read the Nu HTML Checker's report: %v: %.300s", err, stderr.String())}
	}
	r := Result{Checked: fmt.Sprintf("%s, %s", count(len(pages), "page"), count(len(sheets), "stylesheet"))}
	for _, m := range report.Messages {
		if m.Type != "error" && m.SubType != "fatal" {
			continue
		}
		page := m.URL
		if u, err := url.Parse(m.URL); err == nil && u.Scheme == "file" {
			if rel, err := filepath.Rel(s.root, filepath.FromSlash(u.Path)); err == nil {
				page = filepath.ToSlash(rel)
			}
		}
		if m.Line == 0 {
			m.Line = 1 // vnu leaves out the first line's number
		}
		r.Findings = append(r.Findings, Finding{
			Page:   page,
			Rule:   "html-" + m.Type,
			Detail: fmt.Sprintf("line %d, column %d: %s", m.Line, m.Column, strings.TrimSpace(m.Message)),
		})
	}
	return r
}
