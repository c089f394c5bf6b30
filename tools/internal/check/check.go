// Package check validates a delivery against the records-exports contract
// and streams its valid rows to whatever consumes them.
//
// Each export is read twice, both times as a stream: first its bytes, for
// the manifest's sha256 and to tell UTF-8 from Windows-1252; then its rows.
// Each problem names the file, the physical line, the column, what is wrong
// and what to do, echoing the value only for columns that are not personal
// data (personal data is never even decoded). All problems of a file are
// collected, up to a cap, with a count of the rest.
//
// A problem with a whole file fails the check. A problem with a row makes
// the row invalid; the check fails too, unless params.check.max_invalid_rows
// allows that many invalid rows, which are then left out and counted in the
// publication's notes. Nothing downstream writes anything after a failure.
package check

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
	"github.com/chicago-welcoming-city/transparency/tools/internal/records"
)

// Earliest is the first datetime a record may carry: reporting under the
// ordinance's 2012 version is where the published history can begin.
var Earliest = time.Date(2012, 1, 1, 0, 0, 0, 0, period.Chicago)

// The check's defaults (params.check).
const (
	// DefaultEchoMin is how often a value must occur before a report
	// shows it.
	DefaultEchoMin = 5
	// DefaultMaxProblems is how many problems are listed per file and
	// kind before the rest are only counted.
	DefaultMaxProblems = 50
	// DefaultMaxInvalidRows is how many invalid rows a delivery may have:
	// none, so any invalid row stops the publication.
	DefaultMaxInvalidRows = 0
)

// Options tune a check.
type Options struct {
	// Mappings say how each export's file differs from the contract, by export name.
	Mappings map[string]records.Mapping
	// Now bounds datetimes when the delivery has no manifest.
	Now time.Time
	// MaxInflated bounds what a compressed export (name.csv.gz) may
	// decompress to; 0 means delivery.DefaultMaxFileBytes.
	MaxInflated int64
	// MaxProblems caps the problems kept per file and kind; the rest are
	// counted.
	MaxProblems int
	// EchoMin is how often a value must occur in a file's problems before
	// a report may show it (default 5): a code the system repeats is a
	// vocabulary term, a value seen once or twice may be a person's name,
	// whatever column a mapping put it in.
	EchoMin int
	// MaxInvalidRows is how many invalid rows the whole delivery may have;
	// they are left out. Zero: any invalid row fails the check.
	MaxInvalidRows int
	// Context ends the check early (a signal, a deadline): every read of
	// the delivery stops within one buffer and the check fails. Nil: never.
	Context context.Context
	// Limits bound what one row of a file may hold; zero fields take
	// records.DefaultLimits.
	Limits records.Limits
}

func (o Options) ctx() context.Context {
	if o.Context == nil {
		return context.Background()
	}
	return o.Context
}

// FileReport is the outcome of checking one export.
type FileReport struct {
	File        string
	SHA256      string // of the file's bytes, hex; empty when it could not be read
	Encoding    records.Encoding
	RowsRead    int
	RowsValid   int
	InvalidRows int
	Problems    []Problem    // kept problems and warnings, in file order
	Dropped     int          // problems past the cap, counted only
	ByKind      map[Kind]int // every problem and warning, by kind
	Latest      time.Time    // latest datetime of the export's date column
	// BeforeReporting counts valid records dated in a quarter before the
	// export's reporting began (contract Since): they are read and
	// counted, and published in no table.
	BeforeReporting int
	Since           time.Time // when the export's reporting began; zero if always
	// Values summarizes, per column, the distinct offending values.
	Values map[string]ColumnValues
	// Mapping is where each contract column was read from.
	Mapping []records.Source
	// NotDelivered: the records system does not produce the export
	// (params.exports.<export>.delivered: false); nothing was read.
	NotDelivered bool
	// Children are the child files joined to the export's records.
	Children []ChildReport

	keptByKind map[Kind]int
	counts     map[string]map[string]int // per column, offending value -> occurrences
	tracked    int                       // distinct values in counts
}

// ColumnValues are a column's distinct offending values.
type ColumnValues struct {
	// Shown are those that occur at least EchoMin times (20 at most),
	// most frequent first.
	Shown []ValueCount
	// Withheld counts the other distinct values, too rare to show.
	Withheld int
}

// ValueCount is one distinct offending value of a column.
type ValueCount struct {
	Value string
	Count int
}

// maxTracked bounds the distinct offending values counted per file; values
// past it are never shown.
const maxTracked = 10_000

// fileFailed reports whether the file has a problem with the whole file.
func (r *FileReport) fileFailed() bool {
	for k, n := range r.ByKind {
		if n > 0 && !k.Warning() && !k.RowLevel() {
			return true
		}
	}
	return false
}

func (r *FileReport) add(p Problem, max int) {
	r.ByKind[p.Kind]++
	if p.Value != "" {
		// A copy: the value is a slice of the whole row's text.
		p.Value = strings.Clone(p.Value)
		if r.counts == nil {
			r.counts = map[string]map[string]int{}
		}
		col := r.counts[p.Column]
		if col == nil {
			col = map[string]int{}
			r.counts[p.Column] = col
		}
		if _, seen := col[p.Value]; seen || r.tracked < maxTracked {
			if !seen {
				r.tracked++
			}
			col[p.Value]++
		}
	}
	if r.keptByKind == nil {
		r.keptByKind = map[Kind]int{}
	}
	if r.keptByKind[p.Kind] < max {
		r.keptByKind[p.Kind]++
		r.Problems = append(r.Problems, p)
	} else {
		r.Dropped++
	}
}

// withhold runs when the file has been read: a value that occurs fewer
// than min times is taken out of every kept problem, and each column's
// values are summarized.
func (r *FileReport) withhold(min int) {
	for i, p := range r.Problems {
		if p.Value != "" && r.counts[p.Column][p.Value] < min {
			r.Problems[i].Value = ""
			r.Problems[i].Detail += fmt.Sprintf(" (value not shown: it occurs fewer than %d times, so it could be a person's data)", min)
		}
	}
	for col, values := range r.counts {
		var shown []ValueCount
		withheld := 0
		for v, n := range values {
			if n >= min {
				shown = append(shown, ValueCount{Value: v, Count: n})
			} else {
				withheld++
			}
		}
		slices.SortFunc(shown, func(a, b ValueCount) int {
			if a.Count != b.Count {
				return b.Count - a.Count
			}
			return strings.Compare(a.Value, b.Value)
		})
		if len(shown) > 20 {
			withheld += len(shown) - 20
			shown = shown[:20]
		}
		if r.Values == nil {
			r.Values = map[string]ColumnValues{}
		}
		r.Values[col] = ColumnValues{Shown: shown, Withheld: withheld}
	}
	r.counts = nil
}

// Export checks one export of d and calls visit for every valid row, as the
// rows stream by: visit must not assume the check will pass.
func Export[T records.Record](d *delivery.Delivery, e contract.Export, opt Options, visit func(T)) *FileReport {
	if opt.MaxProblems <= 0 {
		opt.MaxProblems = DefaultMaxProblems
	}
	if opt.EchoMin <= 0 {
		opt.EchoMin = DefaultEchoMin
	}
	mapping := opt.Mappings[e.Name]
	e.Since = mapping.Since(e.Since) // a system's history may begin earlier
	if mapping.NotDelivered || !d.Manifest.Delivers(e.Name) {
		// The configuration says the records system does not produce it:
		// it is not asked for, and its counts are not reported.
		return &FileReport{File: e.File(), ByKind: map[Kind]int{}, Since: e.Since, NotDelivered: true}
	}
	// The export's file: the contract's name or its gzip-compressed form
	// (name.csv.gz), or the system's own name or pattern.
	file, findErr := delivery.FindExport(d.FS, mapping.File, e.File())
	if findErr != nil {
		file = mapping.File
	}
	rep := &FileReport{File: file, ByKind: map[Kind]int{}, Since: e.Since}
	defer rep.withhold(opt.EchoMin)
	fail := func(p Problem) { p.File = file; rep.add(p, opt.MaxProblems) }
	if findErr != nil {
		hint := "name the file params.exports." + e.Name + ".file gives, or correct that setting"
		if !errors.Is(findErr, fs.ErrNotExist) {
			hint = "give params.exports." + e.Name + ".file a pattern that matches one file"
		}
		fail(Problem{Kind: MissingFile, Detail: findErr.Error(), Hint: hint})
		return rep
	}

	// First pass: the bytes.
	sum, size, utf8ok, badLine, head, err := scanBytes(opt.ctx(), d.FS, file, opt.MaxInflated)
	switch {
	case opt.ctx().Err() != nil:
		return rep // the report says it was interrupted
	case errors.Is(err, fs.ErrNotExist):
		fail(Problem{Kind: MissingFile, Detail: "the delivery has no " + file, Hint: "ask the records system for a full delivery, or, if it does not produce this export, set params.exports." + e.Name + ".delivered: false"})
		return rep
	case delivery.IsRefused(err):
		fail(Problem{Kind: MissingFile, Detail: "the file is refused: " + err.Error(), Hint: "a delivery holds only plain files inside its folder: copy the real file in, not a link"})
		return rep
	case strings.HasSuffix(file, delivery.Compressed) && err != nil:
		// Not gzip, cut short, or decompressing past the bound.
		fail(Problem{Kind: BadEncoding, Detail: err.Error(), Hint: "send the export uncompressed, or compressed whole with gzip"})
		return rep
	case err != nil:
		fail(Problem{Kind: MissingFile, Detail: "cannot read the file: " + err.Error()})
		return rep
	}
	rep.SHA256 = sum
	if what, hint := sniff(head); what != "" {
		fail(Problem{Line: 1, Kind: BadEncoding, Detail: "the file is " + what + ", not a CSV text file", Hint: hint})
		return rep
	}
	if size == 0 {
		fail(Problem{Kind: EmptyFile, Detail: "the file is empty", Hint: "a file needs at least its header row; ask for the export again"})
		return rep
	}
	var encOK bool
	if rep.Encoding, encOK = fileEncoding(mapping.Encoding, utf8ok); !encOK {
		fail(Problem{Line: badLine, Kind: BadEncoding, Detail: "the file is not valid UTF-8", Hint: "export it as UTF-8, or set params.exports." + e.Name + ".encoding to windows-1252 or auto"})
		return rep
	}

	// Second pass: the rows.
	raw, err := d.FS.Open(file)
	if err != nil {
		fail(Problem{Kind: MissingFile, Detail: "cannot read the file: " + err.Error()})
		return rep
	}
	defer raw.Close()
	f, err := delivery.Inflate(raw, file, opt.MaxInflated)
	if err != nil {
		fail(Problem{Kind: BadEncoding, Detail: err.Error()})
		return rep
	}
	mapping.Limits = opt.Limits
	// stop reports whether err ends the reading of the file: the check was
	// interrupted (the report says so), or a row is over a limit.
	stop := func(err error) bool {
		var le *records.LimitError
		switch {
		case opt.ctx().Err() != nil:
			return true
		case errors.As(err, &le):
			fail(Problem{Line: le.Line, Kind: OverLimit, Detail: le.Error(), Hint: "ask for the export again; if its rows really are this large, raise params.check." + le.Key})
			return true
		}
		return false
	}
	if len(mapping.Derived) > 0 {
		mapping.Joined = records.NewChildJoin(mapping.ParentKey, mapping.Derived)
		if mapping.Joined.HasChildren() && !readChildren(d, e, mapping, rep, opt, file, fail) {
			return rep
		}
	}
	rd, err := records.NewReader[T](records.Decode(delivery.ReadContext(opt.ctx(), f), rep.Encoding), mapping)
	switch {
	case err != nil && stop(err):
		return rep
	case errors.Is(err, records.ErrNoIDKey):
		fail(Problem{Kind: MissingFile, Detail: err.Error(), Hint: "params.exports." + e.Name + ".generated_id makes the record ids from the rows, keyed"})
		return rep
	case err != nil:
		fail(Problem{Line: 1, Kind: MalformedRow, Detail: err.Error(), Hint: "check that the file is comma-separated CSV with a header row, and that params.exports." + e.Name + " names its columns"})
		return rep
	}
	headerOK := checkHeader(e, rd.Headers(), fail)
	if rep.ByKind[BadHeader] == 0 {
		// A header that names contract columns: its names are no one's
		// data. (A first line of data is never shown.)
		rep.Mapping = rd.Sources()
	}
	if !headerOK {
		return rep
	}
	limit := opt.Now
	if d.Manifest != nil {
		limit = d.Manifest.ExportedAt
	}
	rc := newRowChecker[T](e, limit, mapping.NotSupplied)
	if !mapping.Earliest.IsZero() {
		rc.earliest = mapping.Earliest
	}
	for {
		row, line, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil && stop(err) {
			return rep
		}
		rep.RowsRead++
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				fail(Problem{Line: line, Kind: MalformedRow, Detail: err.Error()})
				rep.InvalidRows++
				break
			}
			fail(Problem{Line: line, Kind: MalformedRow, Detail: pe.Err.Error(), Hint: "quote fields that hold commas, quotes or line breaks, and give every row as many fields as the header"})
			rep.InvalidRows++
			continue
		}
		problems := rc.check(rd, &row, line)
		if fault := rd.ChildFault(); fault != nil {
			problems = append(problems, Problem{Line: line, Kind: BadChild, Detail: fmt.Sprintf("line %d of %s, joined to this record, cannot be read, so the record is not known", fault.Line, fault.File), Hint: "see that line's problem"})
		}
		if len(problems) > 0 {
			for _, p := range problems {
				fail(p)
			}
			rep.InvalidRows++
			continue
		}
		rep.RowsValid++
		if t := row.When(); t.Valid && t.Time.After(rep.Latest) {
			rep.Latest = t.Time
		}
		if t := row.When(); t.Valid && !e.Since.IsZero() && period.Of(t.Time).Before(period.Of(e.Since)) {
			rep.BeforeReporting++
		}
		visit(row)
	}
	if d.Manifest != nil {
		checkManifest(d.Manifest, file, rep.RowsRead, sum, fail)
	}
	return rep
}

// fileEncoding is the encoding a file is read in: the one configured, or,
// for auto, UTF-8 when its bytes are valid UTF-8, else Windows-1252. False:
// the file is configured UTF-8 and is not.
func fileEncoding(configured records.Encoding, utf8ok bool) (records.Encoding, bool) {
	switch {
	case configured == records.UTF8 && !utf8ok:
		return configured, false
	case configured == records.Windows1252 || configured == records.UTF8:
		return configured, true
	case utf8ok:
		return records.UTF8, true
	}
	return records.Windows1252, true
}

// scanBytes reads a file once for its sha256, size, UTF-8 validity and
// first bytes.
// For a compressed file (name.gz) the sum is of the bytes as delivered,
// and the rest of what they decompress to, at most maxInflated bytes.
func scanBytes(ctx context.Context, fsys fs.FS, name string, maxInflated int64) (sum string, size int64, utf8ok bool, badLine int, head []byte, err error) {
	f, err := fsys.Open(name)
	if err != nil {
		return "", 0, false, 0, nil, err
	}
	defer f.Close()
	h := sha256.New()
	raw := io.TeeReader(delivery.ReadContext(ctx, f), h)
	text, err := delivery.Inflate(raw, name, maxInflated)
	if err != nil {
		return "", 0, false, 0, nil, err
	}
	var u records.UTF8Scanner
	first := &headWriter{n: 8}
	size, err = io.Copy(io.MultiWriter(&u, first), text)
	if err == nil {
		_, err = io.Copy(io.Discard, raw) // anything after the compressed stream
	}
	if err != nil {
		return "", 0, false, 0, nil, err
	}
	return hex.EncodeToString(h.Sum(nil)), size, u.Valid(), u.BadLine(), first.b, nil
}

// headWriter keeps the first n bytes written to it.
type headWriter struct {
	b []byte
	n int
}

func (w *headWriter) Write(p []byte) (int, error) {
	if len(w.b) < w.n {
		w.b = append(w.b, p[:min(len(p), w.n-len(w.b))]...)
	}
	return len(p), nil
}

// sniff names what a file is when its first bytes say it is not text the
// check can read: UTF-16 or UTF-32 (by byte-order mark, or by the zero
// bytes of ASCII text in them), or a gzip or ZIP archive.
func sniff(b []byte) (what, hint string) {
	has := func(p string) bool { return bytes.HasPrefix(b, []byte(p)) }
	utf := "export it again as UTF-8 (\"CSV UTF-8\" in most programs), or convert it: iconv -f %s -t UTF-8 FILE > FILE.utf8"
	switch {
	case has("\x00\x00\xfe\xff"), has("\xff\xfe\x00\x00"):
		return "UTF-32 text", fmt.Sprintf(utf, "UTF-32")
	case has("\xfe\xff"), has("\xff\xfe"):
		return "UTF-16 text", fmt.Sprintf(utf, "UTF-16")
	case len(b) >= 4 && b[0] != 0 && b[1] == 0 && b[2] != 0 && b[3] == 0,
		len(b) >= 4 && b[0] == 0 && b[1] != 0 && b[2] == 0 && b[3] != 0:
		return "UTF-16 text without a byte-order mark", fmt.Sprintf(utf, "UTF-16")
	case has("\x1f\x8b"):
		return "a gzip archive", "add .gz to its name (detainer_log.csv.gz), and the check decompresses it; or decompress it (gunzip)"
	case has("PK\x03\x04"), has("PK\x05\x06"):
		return "a ZIP archive", "unpack it (unzip) and deliver the CSV files it holds"
	}
	return "", ""
}

// checkHeader reports missing, duplicate and unknown columns; false means
// the rows cannot be read. A first line that names none of the contract's
// columns may be a data row, not a header: it is reported without echoing
// any of it, as it may hold personal data. A header that names some of
// them is a header: each column it lacks is reported by name.
func checkHeader(e contract.Export, headers []string, fail func(Problem)) bool {
	known, wanted := 0, 0
	for _, c := range e.Columns {
		if !c.PII {
			wanted++
			if slices.Contains(headers, c.Name) {
				known++
			}
		}
	}
	if known == 0 {
		sep := ""
		if len(headers) == 1 {
			sep = " It holds a single field: if the file is separated by semicolons or tabs, export it comma-separated."
		}
		fail(Problem{Line: 1, Kind: BadHeader, Detail: fmt.Sprintf("the first line names none of the contract's %d columns: either the file has no header row, or the system names every column its own way.%s", wanted, sep), Hint: "export the file with its header row, and map the system's column names under params.exports." + e.Name + ".columns in config.yaml"})
		return false
	}
	ok := true
	for i, h := range headers {
		if slices.Index(headers, h) != i {
			fail(Problem{Line: 1, Column: h, Kind: DuplicateColumn, Detail: fmt.Sprintf("the header names column %q more than once", h), Hint: "remove or rename the extra column"})
			ok = false
		}
	}
	for _, c := range e.Columns {
		if !c.PII && !slices.Contains(headers, c.Name) {
			fail(Problem{Line: 1, Column: c.Name, Kind: MissingColumn, Detail: "the header has no column " + c.Name, Hint: "if the records system calls it something else, map it under params.exports." + e.Name + ".columns in config.yaml"})
			ok = false
		}
	}
	for _, h := range headers {
		if strings.HasSuffix(h, records.GeneratedIDOnly) || strings.Contains(h, records.JoinedInto) || strings.Contains(h, records.DerivedFrom) {
			continue // read to make the record id, then dropped
		}
		if _, known := e.Column(h); !known {
			fail(Problem{Line: 1, Column: h, Kind: UnknownColumn, Detail: "the contract has no such column; it is ignored and never published", Hint: "map it in config.yaml if it is a renamed contract column"})
		}
	}
	return ok
}

// rowChecker validates rows of one export, decoded as T.
type rowChecker[T records.Record] struct {
	export   contract.Export
	limit    time.Time         // no datetime may be later
	earliest time.Time         // nor earlier
	cols     []contract.Column // the contract's column for each field of T
	rules    []compiledRule
	states   []records.FieldState // reused for every row
	// seen maps a 64-bit hash of each record id to its first line. Keeping
	// the ids themselves would pin every row's text in memory (encoding/csv
	// makes one string per record; fields are slices of it). Two distinct
	// ids share a hash with probability about 3e-8 in a million-row file;
	// that would fail the check, never publish a wrong number.
	seen map[uint64]int
	seed maphash.Seed
}

// compiledRule is a contract rule with its columns as field positions.
type compiledRule struct {
	contract.Rule
	col, other, cond int
}

func newRowChecker[T records.Record](e contract.Export, limit time.Time, notSupplied []string) *rowChecker[T] {
	names := records.Columns[T]()
	rc := &rowChecker[T]{export: e, limit: limit, earliest: Earliest, seen: map[uint64]int{}, seed: maphash.MakeSeed()}
	for _, n := range names {
		c, _ := e.Column(n)
		if slices.Contains(notSupplied, n) {
			// The system does not have the column: no row can give it.
			c.Required = false
		}
		rc.cols = append(rc.cols, c)
	}
	for _, r := range e.Checks {
		if r.Kind == contract.RequiredWhen && slices.Contains(notSupplied, r.Column) {
			// The system does not have the column at all (the compliance
			// page says so): a rule that asks for it cannot be met by any
			// row, and is not asked of each.
			continue
		}
		rc.rules = append(rc.rules, compiledRule{Rule: r, col: slices.Index(names, r.Column), other: slices.Index(names, r.Other), cond: slices.Index(names, r.If.Column)})
	}
	return rc
}

var citation = regexp.MustCompile(`^\d{1,3} ILCS \d{1,4}/[0-9A-Za-z.\-()]+$`)

// check returns the problems of one decoded row; none means it is valid.
func (rc *rowChecker[T]) check(rd *records.Reader[T], row *T, line int) []Problem {
	var out []Problem
	bad := func(p Problem) { p.Line = line; out = append(out, p) }
	rc.states = rd.States(row, rc.states)
	for i, fs := range rc.states {
		col := rc.cols[i]
		switch {
		case fs.Err != nil && errors.Is(fs.Err, records.ErrDistrict):
			bad(Problem{Column: col.Name, Kind: BadDistrict, Value: clip(fs.Raw), Detail: fs.Err.Error(), Hint: "a beat's first digits are its district; use 0 or leave it empty when the location is unknown, or, if the system uses this code for units outside the districts, list it under params.exports." + rc.export.Name + ".unknown_locations"})
		case fs.Err != nil:
			bad(Problem{Column: col.Name, Kind: BadValue, Value: clip(fs.Raw), Detail: fs.Err.Error(), Hint: hintFor(col.Kind)})
		case fs.Empty:
			if col.Required {
				bad(Problem{Column: col.Name, Kind: MissingValue, Detail: "a value is required", Hint: "fill it in at the source and export again"})
			}
		case col.Kind == contract.KindCode:
			if !slices.Contains(col.Codes, fs.Norm) {
				bad(Problem{Column: col.Name, Kind: UnknownCode, Value: clip(fs.Raw), Detail: "not one of " + strings.Join(col.Codes, ", "), Hint: "correct the code at the source"})
			}
		case col.Kind == contract.KindList:
			for item := range strings.SplitSeq(fs.Raw, ";") {
				switch {
				case len(col.Codes) > 0 && !slices.Contains(col.Codes, strings.ToUpper(item)):
					bad(Problem{Column: col.Name, Kind: UnknownCode, Value: clip(item), Detail: "not one of " + strings.Join(col.Codes, ", "), Hint: "separate codes with ;"})
				case len(col.Codes) == 0 && !citation.MatchString(item):
					bad(Problem{Column: col.Name, Kind: BadValue, Value: clip(item), Detail: "not an Illinois statute citation", Hint: "write citations like 720 ILCS 5/12-3, separated by ;"})
				}
			}
		}
		if fs.HasTime {
			switch {
			case !rc.limit.IsZero() && fs.Time.After(rc.limit):
				bad(Problem{Column: col.Name, Kind: FutureDatetime, Value: clip(fs.Raw), Detail: "later than the delivery's export time", Hint: "check the clock and time zone of the records system"})
			case fs.Time.Before(rc.earliest):
				bad(Problem{Column: col.Name, Kind: TooEarly, Value: clip(fs.Raw), Detail: "before " + rc.earliest.Format(time.DateOnly), Hint: "check the year; if the system really holds older records, set params.exports." + rc.export.Name + ".earliest"})
			}
		}
	}
	if id := (*row).RecordID(); id != "" {
		h := maphash.String(rc.seed, id)
		if first, dup := rc.seen[h]; dup {
			bad(Problem{Column: rc.export.IDColumn, Kind: DuplicateID, Value: clip(id), Detail: fmt.Sprintf("the record id is already used on line %d", first), Hint: "each record appears once in a full snapshot"})
		} else {
			rc.seen[h] = line
		}
	}
	for _, r := range rc.rules {
		if p, broken := checkRule(r, rc.states); broken {
			bad(p)
		}
	}
	return out
}

// checkRule applies a cross-field rule to a row's fields. Fields that could
// not be read are already reported and are not judged again.
func checkRule(r compiledRule, states []records.FieldState) (Problem, bool) {
	f := states[r.col]
	if f.Err != nil {
		return Problem{}, false
	}
	switch r.Kind {
	case contract.RequiredWhen, contract.EmptyWhen:
		cond := states[r.cond]
		if cond.Err != nil || !r.If.Holds(cond.Norm) {
			return Problem{}, false
		}
		if r.Kind == contract.RequiredWhen && f.Empty {
			return Problem{Column: r.Column, Kind: RequiredWhen, Detail: fmt.Sprintf("a value is required when %s is %s", r.If.Column, cond.Norm), Hint: "fill it in at the source, or correct " + r.If.Column}, true
		}
		if r.Kind == contract.EmptyWhen && !f.Empty {
			return Problem{Column: r.Column, Kind: EmptyWhen, Value: clip(f.Raw), Detail: fmt.Sprintf("must be empty when %s is %s", r.If.Column, cond.Norm), Hint: "clear it at the source, or correct " + r.If.Column}, true
		}
	case contract.NotBefore:
		o := states[r.other]
		if f.HasTime && o.HasTime && f.Time.Before(o.Time) && !sameWallClock(f.Time, o.Time) {
			return Problem{Column: r.Column, Kind: NotBefore, Value: clip(f.Raw), Detail: fmt.Sprintf("earlier than %s (%s)", r.Other, clip(o.Raw)), Hint: "correct whichever of the two is wrong at the source"}, true
		}
	case contract.AtMost:
		o := states[r.other]
		if f.HasN && o.HasN && f.N > o.N {
			return Problem{Column: r.Column, Kind: AtMost, Value: clip(f.Raw), Detail: fmt.Sprintf("more than %s (%s)", r.Other, clip(o.Raw)), Hint: "correct whichever of the two is wrong at the source"}, true
		}
	}
	return Problem{}, false
}

// sameWallClock reports whether two times less than an hour apart may be
// the same local reading: when daylight saving time ends, 1:00 to 1:59 in
// Chicago happens twice, and a datetime without an offset cannot say which.
func sameWallClock(a, b time.Time) bool {
	if a.After(b) {
		a, b = b, a
	}
	if b.Sub(a) > time.Hour {
		return false
	}
	return ambiguous(a) || ambiguous(b)
}

// ambiguous reports whether t's Chicago wall-clock time occurs twice.
func ambiguous(t time.Time) bool {
	t = t.In(period.Chicago)
	for _, d := range []time.Duration{-time.Hour, time.Hour} {
		u := t.Add(d).In(period.Chicago)
		if u.Hour() == t.Hour() && u.Minute() == t.Minute() {
			return true
		}
	}
	return false
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
	if !strings.EqualFold(mf.SHA256, sum) {
		fail(Problem{Kind: ManifestMismatch, Detail: "the file's sha256 does not match the manifest", Hint: "the file was changed or damaged after export; ask for the delivery again"})
	}
}

func hintFor(k contract.Kind) string {
	switch k {
	case contract.KindDatetime:
		return "use 2026-07-03 14:05, 2026-07-03T14:05:09, 07/03/2026 2:05 PM or 7/3/2026 14:05, or add the system's form under params.exports.<export>.datetime_formats"
	case contract.KindDate:
		return "use 2026-07-03 or 07/03/2026, or add the system's form under params.exports.<export>.date_formats"
	case contract.KindFlag:
		return "use Y or N (also YES/NO, TRUE/FALSE, 1/0), or leave it empty when unknown"
	case contract.KindCount:
		return "use a whole number of zero or more"
	case contract.KindBeat:
		return "use the CPD beat (3 or 4 digits), or 0 or empty when the location is unknown"
	}
	return "correct the value at the source"
}
