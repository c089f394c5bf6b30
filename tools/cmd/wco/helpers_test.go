package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chicago-welcoming-city/transparency/tools/internal/config"
	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/pipeline"
	"github.com/chicago-welcoming-city/transparency/tools/internal/site"
	"github.com/chicago-welcoming-city/transparency/tools/internal/synth"
)

// repoRoot is the project root: the folder holding go.mod and config.yaml.
func repoRoot(t *testing.T) string {
	t.Helper()
	path, err := config.Find(".")
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(path)
}

// testKey is the pseudonym key the tests' runs have: publishing a
// delivery other than the embedded sample needs one. A test key, not a secret.
const testKey = "wcok1_amfbcga7eywtio2cjfifoxtfnrzxvamir6lj3jflwk44br6o2xoa_uiehaxy"

// testEnv is the environment of a test's run: the test key, with vars on
// top (an empty value unsets a variable).
func testEnv(vars map[string]string) config.Env {
	m := map[string]string{config.EnvPseudonymKey: testKey}
	maps.Copy(m, vars)
	return config.MapEnv(m)
}

// wco runs the command as main would, in the tests' environment, and
// returns its output.
func wco(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	return wcoEnv(t, nil, args...)
}

// wcoEnv is wco with vars added to the environment.
func wcoEnv(t *testing.T, vars map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	err = runIn(context.Background(), testEnv(vars), args, &out, &errb)
	return out.String(), errb.String(), err
}

// testConfig is the project's configuration, with no environment.
func testConfig(t *testing.T) *config.Config {
	t.Helper()
	cfg, err := config.Load(filepath.Join(repoRoot(t), config.FileName), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// testSite is the project's site with outputs in a temporary folder, as
// the pipeline describes it.
func testSite(t *testing.T) site.Site {
	t.Helper()
	cfg := testConfig(t)
	dir := t.TempDir()
	return pipeline.New(cfg, pipeline.Options{DataDir: filepath.Join(dir, "data"), PublicDir: filepath.Join(dir, "public")}).Site()
}

// outputs are the folders a test build writes.
type outputs struct{ data, public string }

func newOutputs(t *testing.T) outputs {
	dir := t.TempDir()
	return outputs{data: filepath.Join(dir, "data"), public: filepath.Join(dir, "public")}
}

// build runs wco build with the project's config into o.
func (o outputs) build(t *testing.T, extra ...string) (string, string, error) {
	t.Helper()
	return o.buildEnv(t, nil, extra...)
}

// buildEnv is build with vars added to the environment.
func (o outputs) buildEnv(t *testing.T, vars map[string]string, extra ...string) (string, string, error) {
	t.Helper()
	args := append([]string{"build", "--config", filepath.Join(repoRoot(t), "config.yaml"), "--data", o.data, "--public", o.public}, extra...)
	// Printing takes most of a minute: only the sample site (sampleSite)
	// and the tests of printing print.
	if !slices.ContainsFunc(extra, func(a string) bool { return strings.HasPrefix(a, "--pdf") }) {
		args = append(args, "--pdf=off")
	}
	return wcoEnv(t, vars, args...)
}

// synthDelivery writes a synthetic delivery and returns its folder.
func synthDelivery(t *testing.T, rows int, seed uint64) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "delivery")
	if _, err := synth.Write(dir, synth.Options{Rows: rows, Seed: seed}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// snapshot maps every file under the folders to its sha256.
func snapshot(t *testing.T, dirs ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, d := range dirs {
		err := site.WalkFiles(d, func(p string) error {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			out[p] = hex.EncodeToString(sum[:])
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// sameSnapshot fails the test unless a and b hold the same files and bytes.
func sameSnapshot(t *testing.T, what string, a, b map[string]string) {
	t.Helper()
	if len(a) != len(b) {
		t.Errorf("%s: %d files before, %d after", what, len(a), len(b))
	}
	for p, h := range a {
		if b[p] != h {
			t.Errorf("%s: %s changed", what, p)
		}
	}
}

// readExport reads one export of a delivery with plain encoding/csv, as an
// oracle independent of the toolkit's reader: its header (BOM dropped) and rows.
func readExport(t testing.TB, dir string, e contract.Export) (header []string, rows [][]string) {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, e.File()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", e.File(), err)
	}
	recs[0][0] = strings.TrimPrefix(recs[0][0], "\ufeff")
	return recs[0], recs[1:]
}

// piiValues lists every non-empty value of every personal-data column of
// the delivery's exports, as written in the files.
func piiValues(t testing.TB, dir string) []string {
	t.Helper()
	var vals []string
	for _, e := range contract.Exports() {
		header, rows := readExport(t, dir, e)
		pii := map[int]bool{}
		for i, h := range header {
			if c, ok := e.Column(h); ok && c.PII {
				pii[i] = true
			}
		}
		for _, r := range rows {
			for i, v := range r {
				if pii[i] && v != "" {
					vals = append(vals, v)
				}
			}
		}
	}
	return vals
}

// assertNoLeak fails the test if any canary, or any personal-data value of
// the delivery, appears in any file under the folders, in any letter case.
func assertNoLeak(t testing.TB, delivery string, dirs ...string) {
	t.Helper()
	var all strings.Builder
	files := 0
	for _, d := range dirs {
		err := site.WalkFiles(d, func(p string) error {
			b, err := os.ReadFile(p)
			files++
			all.Write(bytes.ToLower(b))
			all.WriteByte(0)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if files == 0 {
		t.Fatal("no output files to scan")
	}
	hay := all.String()
	if strings.Contains(hay, strings.ToLower(synth.Canary)) {
		t.Errorf("a canary string %s… appears in the outputs", synth.Canary)
	}
	vals := piiValues(t, delivery)
	if len(vals) == 0 {
		t.Fatal("the delivery has no personal-data values to look for")
	}
	// Multi-line free text may be reflowed: look for each line of at
	// least 8 bytes. The lines are indexed by their first 8 bytes, so one
	// pass over the outputs finds every one of them.
	const gram = 8
	byPrefix := map[string][]string{}
	for _, v := range vals {
		for line := range strings.SplitSeq(v, "\n") {
			if line = strings.ToLower(strings.TrimSpace(line)); len(line) >= gram {
				byPrefix[line[:gram]] = append(byPrefix[line[:gram]], line)
			}
		}
	}
	found := map[string]bool{}
	for i := 0; i+gram <= len(hay); i++ {
		for _, line := range byPrefix[hay[i:i+gram]] {
			if !found[line] && strings.HasPrefix(hay[i:], line) {
				found[line] = true
				t.Errorf("personal-data value %q appears in the outputs", line)
			}
		}
	}
}

func equalSnapshots(a, b map[string]string) bool { return maps.Equal(a, b) }

// recorder keeps the errors a check reports instead of failing the test.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, a ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, a...))
}

// Fatalf records the error and stops the check, as Fatalf stops a test.
func (r *recorder) Fatalf(format string, a ...any) {
	r.Errorf(format, a...)
	panic("fatal")
}

// TestAssertNoLeakFindsPlantedValues: the leak scan finds a personal-data
// line of the delivery in any letter case, and the canary, wherever they are.
func TestAssertNoLeakFindsPlantedValues(t *testing.T) {
	t.Parallel()
	delivery := synthDelivery(t, 20, 3)
	vals := piiValues(t, delivery)
	out := t.TempDir()
	os.WriteFile(filepath.Join(out, "clean.html"), []byte("<p>nothing personal</p>"), 0o644)
	r := &recorder{TB: t}
	assertNoLeak(r, delivery, out)
	if len(r.errs) != 0 {
		t.Fatalf("a clean folder: %v", r.errs)
	}
	planted := strings.ToUpper(strings.TrimSpace(strings.Split(vals[len(vals)/2], "\n")[0]))
	os.WriteFile(filepath.Join(out, "leak.json"), []byte(`{"x": "`+planted+`"}`), 0o644)
	assertNoLeak(r, delivery, out)
	if !slices.ContainsFunc(r.errs, func(e string) bool { return strings.Contains(e, strings.ToLower(planted)) }) {
		t.Errorf("a planted value %q: %v", planted, r.errs)
	}
}
