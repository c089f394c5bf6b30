package main

import (
	"cmp"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// workflow is the part of a GitHub Actions workflow these tests read.
type workflow struct {
	On          map[string]yaml.Node `yaml:"on"`
	Permissions yaml.Node            `yaml:"permissions"`
	Concurrency map[string]any       `yaml:"concurrency"`
	Defaults    struct {
		Run struct {
			Shell string `yaml:"shell"`
		} `yaml:"run"`
	} `yaml:"defaults"`
	Jobs map[string]*job `yaml:"jobs"`
}

type job struct {
	Needs           any               `yaml:"needs"`
	If              string            `yaml:"if"`
	Permissions     map[string]string `yaml:"permissions"`
	Env             map[string]string `yaml:"env"`
	ContinueOnError any               `yaml:"continue-on-error"`
	Steps           []step            `yaml:"steps"`
}

type step struct {
	ID              string            `yaml:"id"`
	Name            string            `yaml:"name"`
	Uses            string            `yaml:"uses"`
	Run             string            `yaml:"run"`
	If              string            `yaml:"if"`
	Env             map[string]string `yaml:"env"`
	With            map[string]string `yaml:"with"`
	ContinueOnError any               `yaml:"continue-on-error"`
}

func readWorkflow(t *testing.T, name string) (*workflow, string) {
	t.Helper()
	path := filepath.Join(repoRoot(t), ".github", "workflows", name)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var w workflow
	if err := yaml.Unmarshal(b, &w); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return &w, string(b)
}

var pinned = regexp.MustCompile(`(?m)uses:\s*([^@\s]+)@(\S+)(.*)$`)

// TestWorkflowsArePinnedAndLeastPrivilege: every action pinned by commit
// with its version in a comment, no permission at the top, the least for
// each job, credentials not kept, secrets only where they are used.
func TestWorkflowsArePinnedAndLeastPrivilege(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob(filepath.Join(repoRoot(t), ".github", "workflows", "*.yml"))
	if len(files) < 2 {
		t.Fatalf("workflows: %v", files)
	}
	for _, f := range files {
		name := filepath.Base(f)
		w, raw := readWorkflow(t, name)
		if w.Permissions.Kind != yaml.MappingNode || len(w.Permissions.Content) != 0 {
			t.Errorf("%s: top-level permissions must be {} and granted per job", name)
		}
		if w.Concurrency["group"] == nil {
			t.Errorf("%s: no concurrency group", name)
		}
		for _, m := range pinned.FindAllStringSubmatch(raw, -1) {
			if !regexp.MustCompile(`^[0-9a-f]{40}$`).MatchString(m[2]) || !regexp.MustCompile(`#\s*v\d+(\.\d+)*\s*$`).MatchString(m[3]) {
				t.Errorf("%s: %s@%s%s is not pinned to a commit with a version comment", name, m[1], m[2], m[3])
			}
		}
		for id, j := range w.Jobs {
			if j.Permissions == nil {
				t.Errorf("%s: job %s has no permissions of its own", name, id)
			}
			for perm, level := range j.Permissions {
				if level == "write" && !(id == "deploy" && (perm == "pages" || perm == "id-token")) && !(name == "release.yml" && id == "release" && perm == "contents") {
					t.Errorf("%s: job %s may write %s", name, id, perm)
				}
			}
			for k, v := range j.Env {
				if strings.Contains(v, "secrets.") {
					t.Errorf("%s: job %s gives secret %s to every step", name, id, k)
				}
			}
			for _, s := range j.Steps {
				if strings.HasPrefix(s.Uses, "actions/checkout@") && s.With["persist-credentials"] != "false" {
					t.Errorf("%s: job %s checks out with persisted credentials", name, id)
				}
				if strings.Contains(s.Run, "secrets.") {
					t.Errorf("%s: step %q puts a secret in its script; pass it in env", name, s.Name)
				}
			}
		}
		if name == "test.yml" && strings.Contains(raw, "secrets.") {
			t.Errorf("%s: the pull-request workflow must run without secrets", name)
		}
	}
}

// TestPublishWorkflowFailsClosed runs the publish workflow's own steps,
// in order, as GitHub runs them (bash -eo pipefail; a job runs only when
// the jobs it needs succeeded), on a machine where every command is a
// stand-in that records its call: go, apt-get, npm and the browser. Each
// run injects a failure into one step that runs wco, and the upload and
// the deployment must then never happen. Without a failure, everything
// runs in order, ending with the upload and the deployment.
func TestPublishWorkflowFailsClosed(t *testing.T) {
	t.Parallel()
	w, _ := readWorkflow(t, "publish.yml")
	for _, trigger := range []string{"schedule", "push", "workflow_dispatch"} {
		if _, ok := w.On[trigger]; !ok {
			t.Errorf("publish.yml does not run on %s", trigger)
		}
	}
	if w.Defaults.Run.Shell != "bash" {
		t.Fatalf("publish.yml: defaults.run.shell is %q; bash runs steps with -eo pipefail", w.Defaults.Run.Shell)
	}
	// Nothing may run after a failure, or carry on past one.
	for id, j := range w.Jobs {
		if j.ContinueOnError != nil || strings.Contains(j.If, "always") || strings.Contains(j.If, "failure") || strings.Contains(j.If, "cancelled") {
			t.Errorf("job %s can run after a failure", id)
		}
		for _, s := range j.Steps {
			if s.ContinueOnError != nil || s.If != "" {
				t.Errorf("job %s, step %q: a condition or continue-on-error lets the job carry on past a failure", id, cmp.Or(s.Name, s.Uses))
			}
		}
	}
	order := []string{"build", "deploy"}
	if fmt.Sprint(w.Jobs["deploy"].Needs) != "build" {
		t.Fatalf("the deploy job must need the build job, needs %v", w.Jobs["deploy"].Needs)
	}

	// The stand-ins: `go` records its arguments and fails when they hold
	// $INJECT; the rest succeed as on a machine with everything installed.
	bin := t.TempDir()
	stub := `#!/bin/sh
echo "$(basename "$0") $*" >> "$WCO_STEPLOG"
case "$(basename "$0") $*" in *"$INJECT"*) [ -n "$INJECT" ] && exit 1;; esac
case "$(basename "$0")" in fc-list) echo NotoNastaliqUrdu NotoSansCJK;; npm) mkdir -p .ci/node_modules;; esac
exit 0
`
	for _, c := range []string{"go", "apt-get", "sudo", "npm", "java", "chromium", "fc-list"} {
		if err := os.WriteFile(filepath.Join(bin, c), []byte(stub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	expr := regexp.MustCompile(`\$\{\{\s*([^}]+?)\s*\}\}`)
	values := map[string]string{
		"secrets.WCO_SOURCE": "https://records.example.gov/exports/latest/", "secrets.WCO_SOURCE_TOKEN": "token-for-tests",
		"secrets.WCO_PSEUDONYM_KEY": "wcok1_amfbcga7eywtio2cjfifoxtfnrzxvamir6lj3jflwk44br6o2xoa_uiehaxy", "steps.pages.outputs.base_url": "https://example.github.io/transparency",
	}
	// run plays the workflow in a checkout of the scripts it runs, and
	// returns the log of what ran.
	run := func(t *testing.T, inject string) []string {
		dir := t.TempDir()
		checkout := filepath.Join(dir, "checkout")
		if err := os.CopyFS(filepath.Join(checkout, ".ci"), os.DirFS(filepath.Join(repoRoot(t), ".ci"))); err != nil {
			t.Fatal(err)
		}
		os.RemoveAll(filepath.Join(checkout, ".ci", "node_modules"))
		steplog := filepath.Join(dir, "steps.log")
		log := func(line string) {
			f, _ := os.OpenFile(steplog, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
			fmt.Fprintln(f, line)
			f.Close()
		}
		failed := map[string]bool{}
		for _, id := range order {
			j := w.Jobs[id]
			if needs := fmt.Sprint(j.Needs); j.Needs != nil && failed[needs] {
				failed[id] = true
				continue
			}
			for _, s := range j.Steps {
				if s.Uses != "" {
					log("uses " + strings.Split(s.Uses, "@")[0])
					continue
				}
				cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", s.Run)
				cmd.Dir = checkout
				cmd.Env = []string{"PATH=" + bin + ":/usr/bin:/bin", "HOME=" + dir, "WCO_STEPLOG=" + steplog, "INJECT=" + inject}
				for k, v := range s.Env {
					v = expr.ReplaceAllStringFunc(v, func(m string) string {
						key := expr.FindStringSubmatch(m)[1]
						val, ok := values[key]
						if !ok {
							t.Fatalf("step %q: the test does not know ${{ %s }}", s.Name, key)
						}
						return val
					})
					cmd.Env = append(cmd.Env, k+"="+v)
				}
				if out, err := cmd.CombinedOutput(); err != nil {
					log(fmt.Sprintf("FAILED %q: %s", s.Name, strings.TrimSpace(string(out))))
					failed[id] = true
					break
				}
			}
		}
		b, _ := os.ReadFile(steplog)
		return strings.Split(strings.TrimSpace(string(b)), "\n")
	}

	all := run(t, "")
	var wcoSteps []string
	for _, l := range all {
		if strings.HasPrefix(l, "FAILED") {
			t.Fatalf("without a failure, a step failed: %s\n%s", l, strings.Join(all, "\n"))
		}
		if m := regexp.MustCompile(`^go run \./tools/cmd/wco (\w+)`).FindStringSubmatch(l); m != nil {
			wcoSteps = append(wcoSteps, m[1])
		}
	}
	if want := []string{"pull", "check", "publish", "audit", "build", "verify"}; !slices.Equal(wcoSteps, want) {
		t.Errorf("the workflow runs wco %v, want %v in that order", wcoSteps, want)
	}
	if n := len(all); n < 2 || all[n-2] != "uses actions/upload-pages-artifact" || all[n-1] != "uses actions/deploy-pages" {
		t.Errorf("without a failure the run must end with the upload and the deployment:\n%s", strings.Join(all, "\n"))
	}
	for _, inject := range append([]string{"go test"}, wcoSteps...) {
		if inject != "go test" {
			inject = "wco " + inject
		}
		t.Run("failing "+inject, func(t *testing.T) {
			got := run(t, inject)
			joined := strings.Join(got, "\n")
			if !strings.Contains(joined, "FAILED") {
				t.Fatalf("the injected failure of %s did not stop the job:\n%s", inject, joined)
			}
			for _, l := range got[slices.IndexFunc(got, func(l string) bool { return strings.HasPrefix(l, "FAILED") }):] {
				if strings.Contains(l, "upload-pages-artifact") || strings.Contains(l, "deploy-pages") || strings.HasPrefix(l, "go ") {
					t.Errorf("after %s failed, the run went on to %q", inject, l)
				}
			}
		})
	}

	// Without the WCO_SOURCE secret there is nothing to publish.
	values["secrets.WCO_SOURCE"] = ""
	got := strings.Join(run(t, ""), "\n")
	if !strings.Contains(got, "WCO_SOURCE secret is not set") || strings.Contains(got, "upload-pages-artifact") {
		t.Errorf("without WCO_SOURCE the run must stop before the upload:\n%s", got)
	}
}

// TestReleaseWorkflowBuildsEveryPlatform: on a version tag, the checks run,
// wco is built for Linux, macOS and Windows with checksums, and only the
// job that attaches them may write, after checking them.
func TestReleaseWorkflowBuildsEveryPlatform(t *testing.T) {
	t.Parallel()
	w, raw := readWorkflow(t, "release.yml")
	build, release := w.Jobs["build"], w.Jobs["release"]
	if build == nil || release == nil || fmt.Sprint(release.Needs) != "build" {
		t.Fatalf("jobs: want build, then release after it")
	}
	if build.Permissions["contents"] != "read" || len(build.Permissions) != 1 {
		t.Errorf("the build job's permissions: %v", build.Permissions)
	}
	var script string
	for _, s := range build.Steps {
		script += s.Run + "\n"
	}
	for _, want := range []string{"bash .ci/run", "linux/amd64", "darwin/arm64", "windows/amd64", "CGO_ENABLED=0", "-trimpath", "sha256sum wco-* > SHA256SUMS"} {
		if !strings.Contains(script, want) {
			t.Errorf("the build job does not %q", want)
		}
	}
	checked := false
	for _, s := range release.Steps {
		checked = checked || strings.Contains(s.Run, "sha256sum --check SHA256SUMS")
		if strings.Contains(s.Run, "gh release create") && !checked {
			t.Error("the binaries are attached before their checksums are checked")
		}
	}
	if !strings.Contains(raw, "tags: [\"v*\"]") {
		t.Error("the workflow does not run on version tags")
	}
}
