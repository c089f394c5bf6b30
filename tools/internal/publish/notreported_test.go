package publish

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
)

// TestAHeaderOnlyExportIsNotReported: an export delivered with a header
// and no rows was published as true zeros ("0 detainers"). Unless the
// records system certifies that there were none, it is not reported: no
// period, a public note, and downloads that say not_reported.
func TestAHeaderOnlyExportIsNotReported(t *testing.T) {
	t.Parallel()
	d := tiny(map[string]int{"2025-Q1": 12, "2026-Q1": 30})
	pub := run(t, d)
	byName := map[string]ExportInfo{}
	for _, e := range pub.Index.Exports {
		byName[e.Name] = e
	}
	if !byName["detainer_log"].NotReported || byName["visa_certifications"].NotReported {
		t.Fatalf("exports: %+v", pub.Index.Exports)
	}
	for _, e := range pub.Exports {
		if e.Export == "detainer_log" && len(e.Periods) != 0 {
			t.Errorf("a not-reported export publishes %d periods", len(e.Periods))
		}
	}
	notes := 0
	for _, n := range pub.Index.Notes {
		if n.Kind == "not_reported" {
			notes++
		}
	}
	if notes != 3 {
		t.Errorf("%d not_reported notes, want 3: %+v", notes, pub.Index.Notes)
	}
	found := false
	for _, tab := range pub.Tables() {
		if tab.Name == "detainer-log-quarterly-totals" {
			found = true
			for _, r := range tab.Rows {
				if r[1] != "" || r[3] != NotReported {
					t.Errorf("download row %v", r)
				}
			}
		}
	}
	if !found {
		t.Error("no totals download for the not-reported export")
	}

	// Certified empty: its zeros are true zeros, and the note says so.
	fsys := d.FS.(fstest.MapFS)
	m := &delivery.Manifest{SchemaVersion: 1, ExportedAt: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)}
	for _, name := range []string{"detainer_log.csv", "assistance_requests.csv", "federal_incidents.csv", "visa_certifications.csv"} {
		sum := sha256.Sum256(fsys[name].Data)
		rows := 0
		if name == "visa_certifications.csv" {
			rows = 42
		}
		m.Files = append(m.Files, delivery.ManifestFile{Name: name, Rows: rows, SHA256: hex.EncodeToString(sum[:]), CertifiedEmpty: name == "detainer_log.csv"})
	}
	d.Manifest = m
	pub = run(t, d)
	for _, e := range pub.Index.Exports {
		if e.Name == "detainer_log" && e.NotReported {
			t.Error("a certified-empty export is not reported")
		}
	}
	certified := false
	for _, n := range pub.Index.Notes {
		certified = certified || (n.Kind == "certified_none" && n.Export == "detainer_log")
	}
	if !certified {
		t.Errorf("notes %+v", pub.Index.Notes)
	}
}
