package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCountsRecords(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "a.csv")
	os.WriteFile(p, []byte("h1,h2\n1,\"two\nlines\"\n3,4\n"), 0o644)
	var out strings.Builder
	if err := run([]string{p}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(out.String(), "\t3\n") {
		t.Errorf("out = %q, want 3 records (header and two rows)", out.String())
	}
}
