package synth

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
	"github.com/chicago-welcoming-city/transparency/tools/internal/records"
)

// A records system delivers what it holds on the night it exports. AsOf
// and AddLate make a run of such nights from one synthetic delivery: each
// night's delivery is the rows entered by then, and a row entered late
// (a record of an earlier quarter, logged after it was released) appears
// only from the night it was entered.

// table is one export's file: its header and rows, read as CSV.
type table struct {
	bom    bool
	crlf   bool
	header []string
	rows   [][]string
}

func readTable(path string) (*table, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	t := &table{bom: bytes.HasPrefix(b, []byte("\ufeff")), crlf: bytes.Contains(b, []byte("\r\n"))}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff"))))
	all, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	t.header, t.rows = all[0], all[1:]
	return t, nil
}

func (t *table) bytes() ([]byte, error) {
	var b bytes.Buffer
	if t.bom {
		b.WriteString("\ufeff")
	}
	w := csv.NewWriter(&b)
	w.UseCRLF = t.crlf
	if err := w.WriteAll(append([][]string{t.header}, t.rows...)); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// column is the index of a column of the header.
func (t *table) column(name string) int { return slices.Index(t.header, name) }

// AsOf writes into dst the delivery in src as exported at time at: every
// row dated at or before it, in the same files, with a manifest that says
// when. Rows that AddLate marked as entered after at are left out.
func AsOf(src, dst string, at time.Time) error {
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	m := &delivery.Manifest{SchemaVersion: contract.SchemaVersion, ExportedAt: at.In(period.Chicago)}
	for _, e := range contract.Exports() {
		t, err := readTable(filepath.Join(src, e.File()))
		if err != nil {
			return err
		}
		when := t.column(e.DateColumn)
		// A record is in a night's delivery once every time it holds has
		// passed: one whose outcome came later is entered whole later.
		var times, dates []int
		for _, c := range e.Columns {
			switch i := t.column(c.Name); {
			case i >= 0 && c.Kind == contract.KindDatetime:
				times = append(times, i)
			case i >= 0 && c.Kind == contract.KindDate:
				dates = append(dates, i)
			}
		}
		entered := enteredAt(src, e.Name)
		var keep [][]string
	rows:
		for _, r := range t.rows {
			d, err := records.ParseDatetime(r[when])
			if err != nil {
				return fmt.Errorf("%s: %q: %w", e.File(), r[when], err)
			}
			if d.After(at) {
				continue
			}
			for _, i := range times {
				if x, err := records.ParseDatetime(r[i]); err == nil && x.After(at) {
					continue rows
				}
			}
			for _, i := range dates {
				if x, err := records.ParseDate(r[i]); err == nil && x.After(at) {
					continue rows
				}
			}
			if late, ok := entered[r[0]]; ok && late.After(at) {
				continue
			}
			keep = append(keep, r)
		}
		t.rows = keep
		b, err := t.bytes()
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dst, e.File()), b, 0o644); err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		m.Files = append(m.Files, delivery.ManifestFile{Name: e.File(), Rows: len(keep), SHA256: hex.EncodeToString(sum[:])})
	}
	b, err := m.Marshal()
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dst, delivery.ManifestName), b, 0o644)
}

// lateFile lists, per export, the rows AddLate added and when each was
// entered; it is not part of a delivery.
func lateFile(dir, export string) string { return filepath.Join(dir, "."+export+".entered") }

func enteredAt(dir, export string) map[string]time.Time {
	out := map[string]time.Time{}
	b, err := os.ReadFile(lateFile(dir, export))
	if err != nil {
		return out
	}
	rows, _ := csv.NewReader(bytes.NewReader(b)).ReadAll()
	for _, r := range rows {
		if t, err := time.Parse(time.RFC3339, r[1]); err == nil {
			out[r[0]] = t
		}
	}
	return out
}

// AddLate appends to export's file in dir n copies, under new ids, of rows
// dated in quarter q, entered at time entered: AsOf leaves them out of any
// delivery exported before. change, when not nil, alters each copy (a
// late record need not be like the one it copies). It returns how many it
// added: fewer than n when q has fewer rows.
func AddLate(dir, export string, q period.Quarter, n int, entered time.Time, tag string, change func(header, row []string)) (int, error) {
	e, err := contract.Lookup(export)
	if err != nil {
		return 0, err
	}
	path := filepath.Join(dir, e.File())
	t, err := readTable(path)
	if err != nil {
		return 0, err
	}
	when := t.column(e.DateColumn)
	var late [][]string
	var log bytes.Buffer
	if b, err := os.ReadFile(lateFile(dir, export)); err == nil {
		log.Write(b)
	}
	lw := csv.NewWriter(&log)
	for _, r := range t.rows {
		if len(late) == n {
			break
		}
		d, err := records.ParseDatetime(r[when])
		if err != nil || period.Of(d) != q {
			continue
		}
		c := slices.Clone(r)
		c[0] = lateID(export, tag, len(late))
		if change != nil {
			change(t.header, c)
		}
		late = append(late, c)
		lw.Write([]string{c[0], entered.Format(time.RFC3339)})
	}
	lw.Flush()
	t.rows = append(t.rows, late...)
	b, err := t.bytes()
	if err != nil {
		return 0, err
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return 0, err
	}
	return len(late), os.WriteFile(lateFile(dir, export), log.Bytes(), 0o644)
}

// lateID is a new record id in the form of the export's ids.
func lateID(export, tag string, i int) string {
	switch export {
	case "assistance_requests":
		h := sha256.Sum256([]byte(tag))
		return fmt.Sprintf("9%05d%03d.0", int(h[0])<<8|int(h[1]), i)
	default:
		return fmt.Sprintf("LATE-%s-%d", tag, i)
	}
}

// Rewrite changes every row of export's file in dir with change.
func Rewrite(dir, export string, change func(header, row []string)) error {
	e, err := contract.Lookup(export)
	if err != nil {
		return err
	}
	path := filepath.Join(dir, e.File())
	t, err := readTable(path)
	if err != nil {
		return err
	}
	for _, r := range t.rows {
		change(t.header, r)
	}
	b, err := t.bytes()
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}
