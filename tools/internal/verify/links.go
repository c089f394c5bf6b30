package verify

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

var (
	// htmltestIssue is a line of htmltest's log: "message --- page --> target".
	htmltestIssue = regexp.MustCompile(`^\s*(.+?) --- (\S+) --> (.*)$`)
	htmltestCount = regexp.MustCompile(`(?:tested|in) (\d+) documents`)
	terminalColor = regexp.MustCompile(`\x1b\[[0-9;]*m`)
)

// links runs htmltest on the site: every internal link, image and anchor
// must resolve. Nothing is fetched from the network.
func links(ctx context.Context, s *site) Result {
	tmp, err := os.MkdirTemp("", "wco-htmltest-")
	if err != nil {
		return Result{Err: err}
	}
	defer os.RemoveAll(tmp)
	// htmltest resolves root-relative links against its directory, so a
	// site served under a path is checked from a copy placed at that path.
	dir := s.root
	if s.basePath != "/" {
		dir = filepath.Join(tmp, "site")
		if err := os.CopyFS(filepath.Join(dir, filepath.FromSlash(s.basePath)), os.DirFS(s.root)); err != nil {
			return Result{Err: fmt.Errorf("copy the site under %s: %w", s.basePath, err)}
		}
	}
	conf := filepath.Join(tmp, "htmltest.yml")
	out := filepath.Join(tmp, "out")
	yaml := fmt.Sprintf(`DirectoryPath: %q
CheckExternal: false
CheckInternal: true
CheckInternalHash: true
CheckMailto: false
CheckTel: false
EnableCache: false
EnableLog: true
LogLevel: 3
OutputDir: %q
`, dir, out)
	if err := os.MkdirAll(out, 0o755); err != nil {
		return Result{Err: err}
	}
	if err := os.WriteFile(conf, []byte(yaml), 0o644); err != nil {
		return Result{Err: err}
	}
	cmd := exec.CommandContext(ctx, "go", "tool", "htmltest", "--conf", conf)
	cmd.Dir = s.Repo
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stdout
	runErr := cmd.Run()
	documents := 0
	if m := htmltestCount.FindSubmatch(stdout.Bytes()); m != nil {
		fmt.Sscan(string(m[1]), &documents)
	}
	log, _ := os.ReadFile(filepath.Join(out, "htmltest.log"))
	var r Result
	sc := bufio.NewScanner(bytes.NewReader(log))
	for sc.Scan() {
		line := terminalColor.ReplaceAllString(sc.Text(), "")
		if m := htmltestIssue.FindStringSubmatch(line); m != nil {
			// Pages are named within the site, as every check names them.
			page := strings.TrimPrefix(m[2], strings.TrimPrefix(s.basePath, "/"))
			r.Findings = append(r.Findings, Finding{Page: page, Rule: m[1], Detail: m[3]})
		}
	}
	if runErr != nil && len(r.Findings) == 0 {
		r.Err = fmt.Errorf("go tool htmltest: %v: %s", runErr, strings.TrimSpace(stdout.String()))
	}
	if documents != len(s.pages) && r.Err == nil {
		r.Err = fmt.Errorf("htmltest tested %d documents of the site's %d pages", documents, len(s.pages))
	}
	r.Checked = count(documents, "page")
	return r
}
