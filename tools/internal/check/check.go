// Package check validates a delivery against the records-exports contract
// and streams its valid rows to whatever consumes them.
//
// A file is read once. Each problem names the file, the physical line, the
// column, what is wrong and what to do; a value from a personal-data column
// is never read, so it can never appear in a message. All problems of a file
// are collected (up to a cap, with a count of the rest) and a failed check
// lets nothing downstream write anything.
package check

import (
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
	"github.com/chicago-welcoming-city/transparency/tools/internal/records"
)

// Earliest is the first datetime a record may carry: the ordinance's 2012
// version began the reporting this toolkit publishes.
var Earliest = time.Date(2012, 1, 1, 0, 0, 0, 0, period.Chicago)

// Options tune a check.
type Options struct {
	// Rename maps a records system's column names to the contract's, per export.
	Rename map[string]map[string]string
	// Now bounds datetimes when the delivery has no manifest.
	Now time.Time
	// MaxProblems caps the problems kept per file; the rest are counted.
	MaxProblems int
}

// FileReport is the outcome of checking one export.
type FileReport struct {
	File      string
	RowsRead  int
	RowsValid int
	Problems  []Problem    // kept problems and warnings, in file order
	Dropped   int          // problems past the cap, counted only
	ByKind    map[Kind]int // every problem and warning, by kind
	Latest    time.Time    // latest datetime of the export's date column
}

// Failed reports whether the file has any problem that is not a warning.
func (r *FileReport) Failed() bool {
	for k, n := range r.ByKind {
		if n > 0 && k != UnknownColumn {
			return true
		}
	}
	return false
}

func (r *FileReport) add(p Problem, max int) {
	if r.ByKind == nil {
		r.ByKind = map[Kind]int{}
	}
	r.ByKind[p.Kind]++
	if len(r.Problems) < max {
		r.Problems = append(r.Problems, p)
	} else {
		r.Dropped++
	}
}

// Export checks one export of d and calls visit for every valid row. visit
// sees rows as they stream by; it must not assume the check will pass.
func Export[T records.Record](d *delivery.Delivery, e contract.Export, opt Options, visit func(T)) *FileReport {
	if opt.MaxProblems <= 0 {
		opt.MaxProblems = 50
	}
	rep := &FileReport{File: e.File(), ByKind: map[Kind]int{}}
	fail := func(p Problem) { p.File = e.File(); rep.add(p, opt.MaxProblems) }

	f, err := d.FS.Open(e.File())
	if errors.Is(err, fs.ErrNotExist) {
		fail(Problem{Kind: MissingFile, Detail: "the delivery has no " + e.File(), Hint: "ask the records system for a full delivery of all four exports"})
		return rep
	}
	if err != nil {
		fail(Problem{Kind: MissingFile, Detail: err.Error()})
		return rep
	}
	defer f.Close()
	sum := sha256.New()
	rd, err := records.NewReader[T](io.TeeReader(f, sum), opt.Rename[e.Name])
	if errors.Is(err, records.ErrEmptyFile) {
		fail(Problem{Kind: EmptyFile, Detail: "the file is empty", Hint: "a file needs at least its header row; ask for the export again"})
		return rep
	}
	if err != nil {
		fail(Problem{Line: 1, Kind: MalformedRow, Detail: err.Error(), Hint: "check that the file is comma-separated CSV"})
		return rep
	}
	if !checkHeader(e, rd.Headers(), fail) {
		return rep
	}

	limit := opt.Now
	if d.Manifest != nil {
		limit = d.Manifest.ExportedAt
	}
	seen := make(map[string]int)
	for {
		row, line, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		rep.RowsRead++
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				fail(Problem{Line: line, Kind: MalformedRow, Detail: pe.Err.Error(), Hint: "quote fields that hold commas, quotes or line breaks, and give every row as many fields as the header"})
				continue
			}
			fail(Problem{Line: line, Kind: MalformedRow, Detail: err.Error()})
			break
		}
		if checkRow(e, row, line, limit, seen, fail) {
			rep.RowsValid++
			if t := row.When(); t.Valid && t.Time.After(rep.Latest) {
				rep.Latest = t.Time
			}
			visit(row)
		}
	}
	if _, err := io.Copy(io.Discard, io.TeeReader(f, sum)); err != nil {
		fail(Problem{Kind: MalformedRow, Detail: err.Error()})
	}
	if d.Manifest != nil {
		checkManifest(d.Manifest, e.File(), rep.RowsRead, hex.EncodeToString(sum.Sum(nil)), fail)
	}
	return rep
}

// checkHeader reports missing, duplicate and unknown columns; false means
// the rows cannot be read.
func checkHeader(e contract.Export, headers []string, fail func(Problem)) bool {
	ok := true
	for i, h := range headers {
		if slices.Index(headers, h) != i {
			fail(Problem{Line: 1, Column: h, Kind: DuplicateColumn, Detail: fmt.Sprintf("the header names column %q more than once", h), Hint: "remove or rename the extra column"})
			ok = false
		}
	}
	for _, c := range e.Columns {
		if !slices.Contains(headers, c.Name) && (c.Required || !c.PII) {
			fail(Problem{Line: 1, Column: c.Name, Kind: MissingColumn, Detail: "the header has no column " + c.Name, Hint: "if the records system calls it something else, map it under params.exports." + e.Name + ".columns in config.yaml"})
			ok = false
		}
	}
	for _, h := range headers {
		if _, known := e.Column(h); !known {
			fail(Problem{Line: 1, Column: h, Kind: UnknownColumn, Detail: "the contract has no such column; it is ignored and never published", Hint: "map it in config.yaml if it is a renamed contract column"})
		}
	}
	return ok
}

// checkRow validates one decoded row; it reports whether the row is valid.
func checkRow[T records.Record](e contract.Export, row T, line int, limit time.Time, seen map[string]int, fail func(Problem)) bool {
	valid := true
	bad := func(p Problem) { p.Line = line; fail(p); valid = false }
	for _, fs := range records.Fields(row) {
		col, _ := e.Column(fs.Column)
		switch {
		case fs.Err != nil:
			bad(Problem{Column: col.Name, Kind: BadValue, Detail: fs.Err.Error(), Hint: hintFor(col.Kind)})
		case fs.Empty && col.Required:
			bad(Problem{Column: col.Name, Kind: MissingValue, Detail: "a value is required", Hint: "fill it in at the source and export again"})
		case col.Kind == contract.KindCode && !fs.Empty && !slices.Contains(col.Codes, fs.Value):
			bad(Problem{Column: col.Name, Kind: UnknownCode, Detail: fmt.Sprintf("code %q is not one of %v", clip(fs.Value), col.Codes), Hint: "correct the code at the source"})
		}
	}
	if id := row.RecordID(); id != "" {
		if first, dup := seen[id]; dup {
			bad(Problem{Column: e.IDColumn, Kind: DuplicateID, Detail: fmt.Sprintf("the record id is already used on line %d", first), Hint: "each record must appear once in a full snapshot"})
		} else {
			seen[id] = line
		}
	}
	if t := row.When(); t.Valid {
		if !limit.IsZero() && t.Time.After(limit) {
			bad(Problem{Column: e.DateColumn, Kind: FutureDatetime, Detail: "the datetime is after the delivery's export time", Hint: "check the clock and time zone of the records system"})
		}
		if t.Time.Before(Earliest) {
			bad(Problem{Column: e.DateColumn, Kind: TooEarly, Detail: "the datetime is before 2012", Hint: "check the date's form; a two-digit year reads as the first century"})
		}
	}
	return valid
}

func checkManifest(m *delivery.Manifest, file string, rows int, sum string, fail func(Problem)) {
	mf, ok := m.File(file)
	if !ok {
		fail(Problem{Kind: ManifestMismatch, Detail: "manifest.json does not list this file", Hint: "the delivery is incomplete or mixed; ask for it again"})
		return
	}
	if mf.Rows != rows {
		fail(Problem{Kind: ManifestMismatch, Detail: fmt.Sprintf("the manifest says %d rows, the file has %d", mf.Rows, rows), Hint: "the file was cut short or changed after export; ask for the delivery again"})
	}
	if mf.SHA256 != sum {
		fail(Problem{Kind: ManifestMismatch, Detail: "the file's sha256 does not match the manifest", Hint: "the file was changed or damaged after export; ask for the delivery again"})
	}
}

func hintFor(k contract.Kind) string {
	switch k {
	case contract.KindDatetime:
		return "use 2026-07-03 14:05, 2026-07-03T14:05:09, 07/03/2026 2:05 PM or 7/3/2026 14:05, or map another form in config.yaml"
	case contract.KindDate:
		return "use 2026-07-03 or 07/03/2026"
	case contract.KindFlag:
		return "use Y or N, or leave it empty when unknown"
	case contract.KindCount:
		return "use a whole number of zero or more"
	case contract.KindBeat:
		return "use the CPD beat (3 or 4 digits), or 0 or empty when the location is unknown"
	}
	return "correct the value at the source"
}

// clip shortens an echoed value: a code is short, and anything longer is
// not a code and need not be repeated whole.
func clip(s string) string {
	if r := []rune(s); len(r) > 32 {
		return string(r[:32]) + "…"
	}
	return s
}
