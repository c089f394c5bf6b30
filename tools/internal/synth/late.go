package synth

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// WithLateRecords copies the delivery in src to dst and adds n detainers
// of August 2025, copies of rows already there under new ids, as a records
// system does when entries are logged late. The manifest, which the change
// breaks, is left out. It fails when src has fewer than n such rows.
func WithLateRecords(src, dst string, n int) error {
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		return err
	}
	if err := os.Remove(filepath.Join(dst, "manifest.json")); err != nil && !os.IsNotExist(err) {
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
		if added < n && strings.HasPrefix(r[1], "08/") && strings.Contains(r[1], "/2025 ") {
			late := slices.Clone(r)
			late[0] = fmt.Sprintf("DL-LATE-%d", added)
			out = append(out, late)
			added++
		}
	}
	if added != n {
		return fmt.Errorf("found %d August 2025 detainers to copy, want %d", added, n)
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
	return w.Close()
}
