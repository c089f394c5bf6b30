package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/config"
	"github.com/chicago-welcoming-city/transparency/tools/internal/site"
	"github.com/chicago-welcoming-city/transparency/tools/internal/synth"
)

// testKey is the pseudonym key of the tests' runs. A test key, not a secret.
const testKey = "wcok1_amfbcga7eywtio2cjfifoxtfnrzxvamir6lj3jflwk44br6o2xoa_uiehaxy"

// projectConfig is the project's config.yaml.
func projectConfig(t testing.TB) string {
	t.Helper()
	p, err := config.Find(".")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// loadConfig loads the project's configuration in an environment holding
// the test key and vars (an empty value unsets a variable).
func loadConfig(t testing.TB, vars map[string]string) *config.Config {
	t.Helper()
	env := map[string]string{config.EnvPseudonymKey: testKey}
	maps.Copy(env, vars)
	cfg, err := config.Load(projectConfig(t), config.MapEnv(env), nil)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// outputs are the folders a test run writes.
type outputs struct{ data, public string }

func newOutputs(t testing.TB) outputs {
	dir := t.TempDir()
	return outputs{data: filepath.Join(dir, "data"), public: filepath.Join(dir, "public")}
}

// pipe is the project's pipeline over source into o, rendering with r.
func (o outputs) pipe(cfg *config.Config, source string, r site.Renderer) *Pipeline {
	return New(cfg, Options{Source: source, DataDir: o.data, PublicDir: o.public, Renderer: r})
}

// synthDelivery writes a synthetic delivery and returns its folder.
func synthDelivery(t testing.TB, rows int, seed uint64) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "delivery")
	if _, err := synth.Write(dir, synth.Options{Rows: rows, Seed: seed}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// snapshot maps every file under the folders, by path relative to the
// outputs' parent, to its sha256.
func (o outputs) snapshot(t testing.TB) map[string]string {
	t.Helper()
	parent := filepath.Dir(o.data)
	out := map[string]string{}
	for _, d := range []string{o.data, o.public} {
		err := site.WalkFiles(d, func(p string) error {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			rel, _ := filepath.Rel(parent, p)
			out[rel] = hex.EncodeToString(sum[:])
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// pages is a renderer without Hugo: for every staged data file and
// download it writes a page holding that file's bytes, and an index of
// them, so the site it builds is a function of the data it is given. It
// can sleep between pages, to be killed mid-render, or fail.
type pages struct {
	delay time.Duration
	fail  error
	mu    sync.Mutex
	jobs  []site.Job
}

func (r *pages) Render(ctx context.Context, job site.Job, _ io.Writer) error {
	r.mu.Lock()
	r.jobs = append(r.jobs, job)
	r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	var index []string
	for _, src := range []string{job.Data, job.Downloads} {
		err := site.WalkFiles(src, func(p string) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			rel, _ := filepath.Rel(src, p)
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out := filepath.Join(job.Public, filepath.Base(src), rel+".html")
			if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
				return err
			}
			time.Sleep(r.delay)
			index = append(index, rel)
			return os.WriteFile(out, b, 0o644)
		})
		if err != nil {
			return err
		}
	}
	slices.Sort(index)
	return os.WriteFile(filepath.Join(job.Public, "index.html"), []byte(strings.Join(index, "\n")), 0o644)
}

// lastJob is the job the renderer was last given.
func (r *pages) lastJob(t testing.TB) site.Job {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.jobs) == 0 {
		t.Fatal("the renderer was never called")
	}
	return r.jobs[len(r.jobs)-1]
}

var errInjected = errors.New("injected render failure")

// sameSnapshot fails the test unless a and b hold the same files and bytes.
func sameSnapshot(t testing.TB, what string, a, b map[string]string) {
	t.Helper()
	if !maps.Equal(a, b) {
		var diff []string
		for p, h := range a {
			if b[p] != h {
				diff = append(diff, p)
			}
		}
		for p := range b {
			if _, ok := a[p]; !ok {
				diff = append(diff, p+" (new)")
			}
		}
		slices.Sort(diff)
		t.Errorf("%s: %d files before, %d after; changed: %s", what, len(a), len(b), strings.Join(diff[:min(len(diff), 10)], ", "))
	}
}

func mustBuild(t testing.TB, p *Pipeline) *Outcome {
	t.Helper()
	out, err := p.Build(context.Background())
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	return out
}

func readFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
