package sample_test

import (
	"bytes"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/chicago-welcoming-city/transparency/tools/internal/synth"
	"github.com/chicago-welcoming-city/transparency/tools/sample"
)

var update = flag.Bool("update", false, "rewrite the sample delivery from the generator")

// TestSampleIsReproducible holds the committed sample to the generator:
// run `go test ./tools/sample -update` after changing synth.
func TestSampleIsReproducible(t *testing.T) {
	t.Parallel()
	if *update {
		if err := os.RemoveAll("delivery"); err != nil {
			t.Fatal(err)
		}
		if _, err := synth.Write("delivery", synth.Options{Rows: sample.Rows, Seed: sample.Seed}); err != nil {
			t.Fatal(err)
		}
		return
	}
	dir := t.TempDir()
	if _, err := synth.Write(dir, synth.Options{Rows: sample.Rows, Seed: sample.Seed}); err != nil {
		t.Fatal(err)
	}
	fresh, _ := os.ReadDir(dir)
	embedded, _ := fs.ReadDir(sample.FS(), ".")
	if len(fresh) != len(embedded) {
		t.Fatalf("sample has %d files, generator writes %d", len(embedded), len(fresh))
	}
	total := 0
	for _, e := range fresh {
		want, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		got, err := fs.ReadFile(sample.FS(), e.Name())
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the generator's output: run go test ./tools/sample -update", e.Name())
		}
		total += len(got)
	}
	if total >= 1<<20 {
		t.Errorf("sample delivery is %d bytes; keep it under 1 MB", total)
	}
}
