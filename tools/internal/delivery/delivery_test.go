package delivery

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func TestOpen(t *testing.T) {
	t.Parallel()
	sample := fstest.MapFS{"detainer_log.csv": {Data: []byte("log_id\n")}}
	d, err := Open("", sample)
	if err != nil || !d.Sample || d.Origin != SampleOrigin || d.Manifest != nil {
		t.Fatalf("sample: %+v %v", d, err)
	}
	dir := t.TempDir()
	if _, err := Open(filepath.Join(dir, "missing"), sample); err == nil {
		t.Error("a missing folder opened")
	}
	file := filepath.Join(dir, "f.csv")
	os.WriteFile(file, nil, 0o644)
	if _, err := Open(file, sample); err == nil || !strings.Contains(err.Error(), "not a folder") {
		t.Errorf("a file as delivery: %v", err)
	}
	if _, err := Open("https://records.example/delivery", sample); err == nil {
		t.Error("a URL source must be refused until it can be fetched and verified")
	}
	os.WriteFile(filepath.Join(dir, ManifestName), []byte(`{"schema_version":1,"exported_at":"2026-11-16T06:00:00-06:00","files":[]}`), 0o644)
	d, err = Open(dir, sample)
	if err != nil || d.Manifest == nil || d.Manifest.ExportedAt.IsZero() || d.Sample {
		t.Errorf("folder with manifest: %+v %v", d, err)
	}
}

func TestParseManifestRejects(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{
		`not json`,
		`{"schema_version":1,"files":[]}`,
		`{"exported_at":"2026-11-16T06:00:00Z","files":[{"name":"a.csv","rows":1,"sha256":"abc"}]}`,
		`{"exported_at":"2026-11-16T06:00:00Z","files":[{"name":"","rows":1,"sha256":"` + strings.Repeat("a", 64) + `"}]}`,
	} {
		if _, err := ParseManifest([]byte(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

func TestDigestIdentifiesContent(t *testing.T) {
	t.Parallel()
	a := &Delivery{FS: fstest.MapFS{"x.csv": {Data: []byte("1")}}}
	b := &Delivery{FS: fstest.MapFS{"x.csv": {Data: []byte("2")}}}
	da, err := a.Digest([]string{"x.csv"})
	if err != nil {
		t.Fatal(err)
	}
	db, _ := b.Digest([]string{"x.csv"})
	if da == db || !strings.HasPrefix(da, "sha256:") {
		t.Errorf("digests %s %s", da, db)
	}
	again, _ := a.Digest([]string{"x.csv"})
	if again != da {
		t.Error("digest is not stable")
	}
}

func TestFilesDigestMatchesDigest(t *testing.T) {
	t.Parallel()
	d := &Delivery{FS: fstest.MapFS{"a.csv": {Data: []byte("1")}, "b.csv": {Data: []byte("2")}}}
	got, _ := d.Digest([]string{"a.csv", "b.csv"})
	sum := func(s string) string { b := sha256.Sum256([]byte(s)); return hex.EncodeToString(b[:]) }
	want := FilesDigest([]string{"a.csv", "b.csv"}, []string{sum("1"), sum("2")})
	if got != want {
		t.Errorf("Digest %s, FilesDigest %s", got, want)
	}
}
