package synth

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
)

func TestWrittenColumnsMatchContract(t *testing.T) {
	t.Parallel()
	written := map[string]any{
		"detainer_log":        detainerRow{},
		"assistance_requests": assistanceRow{},
		"federal_incidents":   incidentRow{},
		"visa_certifications": visaRow{},
	}
	for _, e := range contract.Exports() {
		typ := reflect.TypeOf(written[e.Name])
		var got, want []string
		for i := range typ.NumField() {
			got = append(got, typ.Field(i).Tag.Get("csv"))
		}
		for _, c := range e.Columns {
			want = append(want, c.Name)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s writes %v, contract has %v", e.Name, got, want)
		}
	}
}

func TestWriteIsDeterministic(t *testing.T) {
	t.Parallel()
	a, b := t.TempDir(), t.TempDir()
	opt := Options{Rows: 300, Seed: 7}
	if _, err := Write(a, opt); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(b, opt); err != nil {
		t.Fatal(err)
	}
	c := t.TempDir()
	if _, err := Write(c, Options{Rows: 300, Seed: 8}); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(a)
	if len(entries) != 5 {
		t.Fatalf("wrote %d files, want 4 exports and a manifest", len(entries))
	}
	for _, e := range entries {
		x, _ := os.ReadFile(filepath.Join(a, e.Name()))
		y, _ := os.ReadFile(filepath.Join(b, e.Name()))
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs with the same seed", e.Name())
		}
		if z, _ := os.ReadFile(filepath.Join(c, e.Name())); e.Name() != "manifest.json" && bytes.Equal(x, z) {
			t.Errorf("%s is the same for two seeds", e.Name())
		}
	}
}

func TestWriteEmptyExportsKeepHeaders(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, err := Write(dir, Options{Rows: 0, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "detainer_log.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(b)); !strings.HasPrefix(got, "log_id,received_at") || strings.Contains(got, "\n") {
		t.Errorf("empty export = %q, want only the header row", got)
	}
}

func TestCanariesAreUnique(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, err := Write(dir, Options{Rows: 500, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range contract.Exports() {
		b, _ := os.ReadFile(filepath.Join(dir, e.File()))
		for _, f := range strings.FieldsFunc(string(b), func(r rune) bool { return strings.ContainsRune(" ,\"\r\n;", r) }) {
			if i := strings.Index(f, Canary); i >= 0 {
				c := f[i:]
				if seen[c] {
					t.Fatalf("canary %s appears twice", c)
				}
				seen[c] = true
			}
		}
	}
	if len(seen) < 4*500 {
		t.Errorf("only %d canaries in 2000 rows", len(seen))
	}
}
