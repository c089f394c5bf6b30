// Package synth writes synthetic deliveries: the four exports of contract v1
// and their manifest, deterministic for a seed and shaped like the real
// thing — uneven volumes across the 22 districts, seasons and the autumn 2025
// enforcement surge, plausible mixes of codes, thin districts with many small
// cells, free text with quoted newlines and doubled quotes, and each export
// in the date form, line ending and encoding quirks of its own system.
//
// No value is real. Names are obviously fake, and every personal-data text
// field carries a unique canary string starting with Canary, so tests can
// prove that none of it reaches any output.
package synth

import (
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/gocarina/gocsv"

	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
)

// Canary starts every canary string; no output may ever contain it.
const Canary = "WCOCANARY"

// Options shape a synthetic delivery.
type Options struct {
	Rows       int       // rows in each export
	Seed       uint64    // same seed, same bytes
	Start      time.Time // first day of records
	ExportedAt time.Time // the delivery's export time; no record is later
	Exports    []string  // only these exports (default: all four)
	// History gives federal_incidents records from Start, as a system
	// that kept them before the order would have (default: from the
	// order's signing).
	History bool
}

// Defaults: two years of records up to a mid-November 2026 export.
var (
	DefaultStart      = time.Date(2025, 1, 1, 0, 0, 0, 0, period.Chicago)
	DefaultExportedAt = time.Date(2026, 11, 16, 6, 0, 0, 0, period.Chicago)
)

// OrderSigned is when the "ICE On Notice" order began the documentation of
// federal enforcement activity; federal_incidents has no earlier record.
var OrderSigned = mustLookup("federal_incidents").Since

func mustLookup(name string) contract.Export {
	e, err := contract.Lookup(name)
	if err != nil {
		panic(err)
	}
	return e
}

// chunk is how many rows are held in memory at once.
const chunk = 4096

// Write writes a delivery into dir (created if needed) and returns its manifest.
func Write(dir string, opt Options) (*delivery.Manifest, error) {
	if opt.Rows < 0 {
		return nil, errors.New("rows must be zero or more")
	}
	if opt.Start.IsZero() {
		opt.Start = DefaultStart
	}
	if opt.ExportedAt.IsZero() {
		opt.ExportedAt = DefaultExportedAt
	}
	if !opt.Start.Before(opt.ExportedAt) {
		return nil, fmt.Errorf("start %s is not before the export time %s", opt.Start.Format(time.DateOnly), opt.ExportedAt.Format(time.RFC3339))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	m := &delivery.Manifest{SchemaVersion: contract.SchemaVersion, ExportedAt: opt.ExportedAt.In(period.Chicago)}
	for i, e := range contract.Exports() {
		if len(opt.Exports) > 0 && !slices.Contains(opt.Exports, e.Name) {
			continue
		}
		g := newGen(e.Name, opt, rand.New(rand.NewPCG(opt.Seed, uint64(i)+1)))
		sum, err := writeExport(filepath.Join(dir, e.File()), g, opt.Rows)
		if err != nil {
			return nil, fmt.Errorf("write %s: %w", e.File(), err)
		}
		m.Files = append(m.Files, delivery.ManifestFile{Name: e.File(), Rows: opt.Rows, SHA256: sum})
	}
	b, err := m.Marshal()
	if err != nil {
		return nil, err
	}
	return m, os.WriteFile(filepath.Join(dir, delivery.ManifestName), b, 0o644)
}

func writeExport(path string, g generator, rows int) (string, error) {
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	w := io.MultiWriter(f, h)
	style := g.style()
	if style.bom {
		if _, err := io.WriteString(w, "\ufeff"); err != nil {
			return "", err
		}
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = style.crlf
	out := gocsv.NewSafeCSVWriter(cw)
	for done := 0; ; {
		n := min(chunk, rows-done)
		batch := g.rows(done, n)
		if done == 0 {
			err = gocsv.MarshalCSV(batch, out) // the header row, even with no rows
		} else {
			err = gocsv.MarshalCSVWithoutHeaders(batch, out)
		}
		if err != nil {
			return "", err
		}
		if done += n; done >= rows {
			break
		}
	}
	out.Flush()
	if err := out.Error(); err != nil {
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
