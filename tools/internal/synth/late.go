package synth

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
)

// WithLateRecords copies the delivery in src to dst and adds n detainers
// of August 2025, copies of rows already there under new ids, as a records
// system does when entries are logged late, in a delivery exported a day
// after src, whose manifest says so. It fails when src has fewer than n
// such rows.
func WithLateRecords(src, dst string, n int) error {
	return WithLateRecordsOf(src, dst, n, 8, 2025)
}

// WithLateRecordsOf is WithLateRecords with n detainers of the given month
// and year.
func WithLateRecordsOf(src, dst string, n, month, year int) error {
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		return err
	}
	path := filepath.Join(dst, mustLookup("detainer_log").File())
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		return err
	}
	out := [][]string{rows[0]}
	added := 0
	for _, r := range rows[1:] {
		out = append(out, r)
		if added < n && strings.HasPrefix(r[1], fmt.Sprintf("%02d/", month)) && strings.Contains(r[1], fmt.Sprintf("/%d ", year)) {
			late := slices.Clone(r)
			late[0] = fmt.Sprintf("DL-LATE-%d", added)
			out = append(out, late)
			added++
		}
	}
	if added != n {
		return fmt.Errorf("found %d detainers of %02d/%d to copy, want %d", added, month, year, n)
	}
	w, err := os.Create(path)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.WriteAll(out); err != nil {
		w.Close()
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return redate(dst, 24*time.Hour)
}

// redate rewrites the manifest of the delivery in dir, if it has one, for
// its files as they now are, exported after later than it says.
func redate(dir string, after time.Duration) error {
	b, err := os.ReadFile(filepath.Join(dir, delivery.ManifestName))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	m, err := delivery.ParseManifest(b)
	if err != nil {
		return err
	}
	m.ExportedAt = m.ExportedAt.Add(after)
	for i, f := range m.Files {
		data, err := os.ReadFile(filepath.Join(dir, f.Name))
		if err != nil {
			return err
		}
		rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		m.Files[i].SHA256, m.Files[i].Rows = hex.EncodeToString(sum[:]), len(rows)-1
	}
	out, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, delivery.ManifestName), append(out, '\n'), 0o644)
}
