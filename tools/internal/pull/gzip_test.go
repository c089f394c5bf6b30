package pull

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/chicago-welcoming-city/transparency/tools/internal/synth"
)

// TestPullCarriesACompressedExport: a manifest may name detainer_log.csv.gz
// with the sha256 of its compressed bytes and the rows it holds; pull
// checks both, from a folder and over HTTPS, and keeps the file as sent.
func TestPullCarriesACompressedExport(t *testing.T) {
	t.Parallel()
	src := synthDir(t, 10, synth.DefaultExportedAt)
	plain := filepath.Join(src, "detainer_log.csv")
	b, err := os.ReadFile(plain)
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	z := gzip.NewWriter(&gz)
	z.Write(b)
	z.Close()
	os.Remove(plain)
	if err := os.WriteFile(plain+".gz", gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	m := readManifest(t, src)
	for i := range m.Files {
		if m.Files[i].Name == "detainer_log.csv" {
			sum := sha256.Sum256(gz.Bytes())
			m.Files[i].Name, m.Files[i].SHA256 = "detainer_log.csv.gz", hex.EncodeToString(sum[:])
		}
	}
	writeManifest(t, src, m)

	res, err := Pull(context.Background(), src, fastOptions(filepath.Join(t.TempDir(), "store")))
	if err != nil || !slices.Contains(res.Files, "detainer_log.csv.gz") {
		t.Fatalf("folder source: %v %+v", err, res)
	}
	s := newServer(t, src)
	ts := httptest.NewTLSServer(s)
	defer ts.Close()
	opt := fastOptions(filepath.Join(t.TempDir(), "store"))
	opt.Client = ts.Client()
	if res, err := Pull(context.Background(), ts.URL+"/d/", opt); err != nil || !slices.Contains(res.Files, "detainer_log.csv.gz") {
		t.Fatalf("https source: %v %+v", err, res)
	}

	// Without a manifest, the compressed file is found by its name.
	bare := t.TempDir()
	for _, f := range []string{"detainer_log.csv.gz", "assistance_requests.csv", "federal_incidents.csv", "visa_certifications.csv"} {
		b, _ := os.ReadFile(filepath.Join(src, f))
		os.WriteFile(filepath.Join(bare, f), b, 0o644)
	}
	if res, err := Pull(context.Background(), bare, fastOptions(filepath.Join(t.TempDir(), "store"))); err != nil || !slices.Contains(res.Files, "detainer_log.csv.gz") {
		t.Fatalf("folder without a manifest: %v %+v", err, res)
	}

	// The same file, with a row count that is not the decompressed one.
	m.Files[0].Rows++
	for i := range m.Files {
		if m.Files[i].Name == "detainer_log.csv.gz" {
			m.Files[i].Rows += 5
		}
	}
	writeManifest(t, src, m)
	if _, err := Pull(context.Background(), src, fastOptions(filepath.Join(t.TempDir(), "store"))); err == nil {
		t.Fatal("a wrong row count for the compressed file was accepted")
	}
}
