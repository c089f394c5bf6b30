// Package records decodes the CSV exports of a delivery into typed rows.
//
// It reads one file as a stream: a UTF-8 byte-order mark is dropped, LF and
// CRLF line ends and RFC 4180 quoting (quoted newlines, doubled quotes) are
// handled by encoding/csv, header names are matched case- and
// space-insensitively and through a configurable rename map, and each row
// is decoded into a struct that has no field for any personal data, so
// personal data is never decoded, kept or passed on. Every row comes with
// the physical line it starts on, quoted newlines counted, so problems can
// name it.
//
// The header is bound to the struct's fields once, each field to a setter
// chosen by its type; each row then costs one encoding/csv read and one
// parse per field, with no reflection. (gocsv, used for writing,
// boxed every field of every row through reflection and took five times as
// long as encoding/csv alone; see the README's performance section.)
package records

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
)

// ErrEmptyFile is returned for a file with no header row.
var ErrEmptyFile = errors.New("the file is empty: a header row is required")

// Mapping says how one file differs from the contract: its own column
// names, its encoding and the extra value forms it uses.
type Mapping struct {
	// File is the export's file in the delivery, by the records system's
	// own name or a pattern (path.Match) that one file must match; empty:
	// the contract's name (detainer_log.csv, or .csv.gz).
	File string
	// NotDelivered says the records system does not produce the export:
	// it is not asked for, and published as not reported.
	NotDelivered bool
	// Rename maps the file's column names to the contract's.
	Rename map[string]string
	// Columns maps contract column names to the file's: several contract
	// columns may read one file column (a date that is both when a
	// request was received and when it was answered).
	Columns map[string]string
	// Encoding of the file; EncodingAuto (or empty) detects it.
	Encoding Encoding
	Parser   Parser
	// Limits bound a row; zero fields take DefaultLimits.
	Limits Limits
	// Values map, per contract column, the system's own words to the
	// contract's codes ("Booked into Detention" → IN_CUSTODY), compared
	// trimmed and case-insensitively; a value the map lacks is read as
	// written.
	Values map[string]map[string]string
	// Constants give a contract column the system does not have one value
	// for every row (every detainer's issuing agency is ICE).
	Constants map[string]string
	// Defaults give a column the code an empty cell means, after its value
	// map.
	Defaults map[string]string
	// Conditions map, per contract column, a value to a code only when
	// other columns have given codes (after their own value maps and
	// defaults): the receiving agency of an empty cell is ICE when the
	// person was transferred. They are tried before the value map.
	Conditions map[string][]Condition
	// NotSupplied are the columns the system does not have (each a
	// constant of ""): unknown on every row.
	NotSupplied []string
	// Earliest is the first datetime a record may carry; zero: the
	// contract's (2012).
	Earliest time.Time
	// FirstQuarter is the first quarter the export reports, for a system
	// whose history is published from before its rule began; zero: the
	// contract's (the rule's first quarter, or the first with records).
	FirstQuarter period.Quarter
	// GeneratedID, for a system whose export has no record id, makes one.
	GeneratedID *GeneratedID
	// Join reads a contract column from several of the file's columns,
	// their values joined by a space: a date column and a time column
	// into one datetime.
	Join map[string][]string
	// Children are files with several rows per record, joined on the
	// main file's column ParentKey; Derived are the contract columns
	// read from their rows (or from the main row's own columns).
	Children  []Child
	ParentKey string
	Derived   []Derived
	// Joined holds the children's aggregates once they are read
	// (ChildJoin); the reader derives the columns from it.
	Joined *ChildJoin
}

// Since is when the export's tables begin: the first quarter configured,
// else contractSince (when its rule began; zero: from its first record).
func (m Mapping) Since(contractSince time.Time) time.Time {
	if m.FirstQuarter != (period.Quarter{}) {
		return m.FirstQuarter.Start()
	}
	return contractSince
}

// Condition is a conditional entry of a value map.
type Condition struct {
	From, To string // compared as value maps are (ValueKey)
	When     []When // every one must hold
}

// When is one column's code a Condition needs.
type When struct{ Column, Code string }

// GeneratedID makes the record id of a system that has none: the keyed
// hash (HMAC-SHA256 with the pseudonym key) of the named columns' values
// as written, or, for a snapshot export, of the whole row and how many
// identical rows came before it. The same record gets the same id in
// every delivery. Two rows with the same values in named columns get the
// same id, so duplicates are still found; identical rows of a snapshot,
// which has nothing else to tell them apart, are each a record (the first,
// the second…). The id is never published, and cannot be reversed without
// the key.
type GeneratedID struct {
	// Column is the contract's id column the id is written to.
	Column string
	// From are the file's columns that together identify a record; empty:
	// every column of the row.
	From []string
	// Key is the pseudonym key.
	Key []byte
}

// GeneratedIDOnly marks, in Headers, a file column read only to make the
// generated id; JoinedInto one read into a joined contract column.
const (
	GeneratedIDOnly = " (read only for the generated id)"
	JoinedInto      = " (joined into "
	// DerivedFrom marks a column read to derive another (a yes/no
	// column counted), or the key children are joined on.
	DerivedFrom = " (read to derive "
)

// ErrNoIDKey is returned when a generated id is asked for without a key.
var ErrNoIDKey = errors.New("a generated record id is a keyed hash: set WCO_PSEUDONYM_KEY (wco key new makes one)")

// ValueKey is how a value is looked up in a value map: trimmed, its
// spaces collapsed, in capitals.
func ValueKey(s string) string { return strings.ToUpper(strings.Join(strings.Fields(s), " ")) }

// Reader streams typed rows of type T from one CSV file.
type Reader[T Record] struct {
	csv     *csv.Reader
	fault   *ChildRow // the child row that keeps the last row's record from being known
	raws    []string  // one row's values, mapped, for the conditions
	join    []string  // scratch for joined columns
	conds   bool      // some column has conditional entries
	headers []string
	raw     []string // the header row as written
	parser  *Parser
	binds   []binding // T's fields, in struct order
}

// binding ties a field of T, at offset in the struct, to column col of
// the file (-1 when the file lacks it).
type binding struct {
	col       int
	offset    uintptr
	access    access
	values    map[string]string // the column's value map, keys by ValueKey
	constant  *string           // the column's constant, if it has one
	generated *idMaker          // the column's generated id, if it has one
	def       *string           // the code of an empty cell, if it has one
	join      []int             // the file columns it joins, if any
	conds     []boundCondition  // its conditional entries
	derive    *deriver          // how it is derived from a child or the row, if it is
}

// boundCondition is a Condition with its columns as indexes of binds.
type boundCondition struct {
	from, to string
	when     []boundWhen
}

type boundWhen struct {
	bind int
	code string
}

// idMaker computes a generated record id from a row's fields.
type idMaker struct {
	mac  hash.Hash
	cols []int // the fields it reads; none: all of them
	// seen counts, for a whole-row id, the rows of each content so far
	// (by a hash of it: 16 bytes a distinct row, as the check's own
	// duplicate detection keeps).
	seen map[[16]byte]uint32
}

// id is the keyed hash of the fields, each written with its length so
// that no two different rows give the same input.
func (g *idMaker) id(rec []string) string {
	g.mac.Reset()
	write := func(s string) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		g.mac.Write(n[:])
		g.mac.Write([]byte(s))
	}
	if len(g.cols) == 0 {
		for _, f := range rec {
			write(f)
		}
		// The how-manieth identical row this is.
		var content [16]byte
		copy(content[:], g.mac.Sum(nil))
		n := g.seen[content]
		g.seen[content] = n + 1
		write(strconv.FormatUint(uint64(n), 10))
	} else {
		for _, c := range g.cols {
			if c < len(rec) {
				write(rec[c])
			} else {
				write("")
			}
		}
	}
	return "G" + hex.EncodeToString(g.mac.Sum(nil)[:16])
}

// access sets and reads one field type at an address, without reflection
// on every row: the reader decodes millions of rows.
type access struct {
	set   func(p unsafe.Pointer, raw string, parser *Parser)
	state func(p unsafe.Pointer) FieldState
}

// accessOf returns the accessor of a field type of a typed row.
func accessOf(t reflect.Type) access {
	switch t {
	case reflect.TypeFor[ID]():
		return access{func(p unsafe.Pointer, s string, pr *Parser) { (*ID)(p).set(s, pr) }, func(p unsafe.Pointer) FieldState { return (*ID)(p).state() }}
	case reflect.TypeFor[Datetime]():
		return access{func(p unsafe.Pointer, s string, pr *Parser) { (*Datetime)(p).set(s, pr) }, func(p unsafe.Pointer) FieldState { return (*Datetime)(p).state() }}
	case reflect.TypeFor[Date]():
		return access{func(p unsafe.Pointer, s string, pr *Parser) { (*Date)(p).set(s, pr) }, func(p unsafe.Pointer) FieldState { return (*Date)(p).state() }}
	case reflect.TypeFor[Code]():
		return access{func(p unsafe.Pointer, s string, pr *Parser) { (*Code)(p).set(s, pr) }, func(p unsafe.Pointer) FieldState { return (*Code)(p).state() }}
	case reflect.TypeFor[List]():
		return access{func(p unsafe.Pointer, s string, pr *Parser) { (*List)(p).set(s, pr) }, func(p unsafe.Pointer) FieldState { return (*List)(p).state() }}
	case reflect.TypeFor[Flag]():
		return access{func(p unsafe.Pointer, s string, pr *Parser) { (*Flag)(p).set(s, pr) }, func(p unsafe.Pointer) FieldState { return (*Flag)(p).state() }}
	case reflect.TypeFor[Number]():
		return access{func(p unsafe.Pointer, s string, pr *Parser) { (*Number)(p).set(s, pr) }, func(p unsafe.Pointer) FieldState { return (*Number)(p).state() }}
	case reflect.TypeFor[Beat]():
		return access{func(p unsafe.Pointer, s string, pr *Parser) { (*Beat)(p).set(s, pr) }, func(p unsafe.Pointer) FieldState { return (*Beat)(p).state() }}
	}
	panic("records: no accessor for field type " + t.String())
}

// bindings returns, in struct order, each field of T bound to its column
// of the file (cols: contract name → file column index).
func bindings[T Record](cols map[string]int) []binding {
	t := reflect.TypeFor[T]()
	out := make([]binding, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		col, ok := cols[f.Tag.Get("csv")]
		if !ok {
			col = -1
		}
		out[i] = binding{col: col, offset: f.Offset, access: accessOf(f.Type)}
	}
	return out
}

func normalizeHeader(h string) string { return strings.ToLower(strings.TrimSpace(h)) }

// NewReader reads the header row of r, which must be UTF-8, and binds its
// columns to T's fields according to m.
func NewReader[T Record](r io.Reader, m Mapping) (*Reader[T], error) {
	cr := csv.NewReader(NewLimitReader(skipBOM(r), m.Limits))
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, ErrEmptyFile
	}
	if err != nil {
		return nil, fmt.Errorf("read header row: %w", err)
	}
	headers, cols := bindHeader(header, m)
	parser := m.Parser
	binds := bindings[T](cols)
	names := Columns[T]()
	for _, col := range slices.Sorted(maps.Keys(m.Join)) {
		i := slices.Index(names, col)
		if i < 0 {
			return nil, fmt.Errorf("the joined column %s is not one of the export's", col)
		}
		for n, from := range m.Join[col] {
			at := headerIndex(header, from)
			if at < 0 {
				return nil, fmt.Errorf("%s is joined from the column %q, which the file's header does not have", col, from)
			}
			binds[i].join = append(binds[i].join, at)
			if n == 0 && !slices.Contains(headers, col) {
				headers[at] = col
			} else {
				headers[at] = normalizeHeader(header[at]) + JoinedInto + col + ")"
			}
		}
	}
	if g := m.GeneratedID; g != nil {
		if len(g.Key) == 0 {
			return nil, ErrNoIDKey
		}
		i := slices.Index(names, g.Column)
		if i < 0 {
			return nil, fmt.Errorf("the generated id's column %s is not one of the export's", g.Column)
		}
		gen := &idMaker{mac: hmac.New(sha256.New, g.Key)}
		if len(g.From) == 0 {
			gen.seen = map[[16]byte]uint32{}
		}
		for _, from := range g.From {
			at := headerIndex(header, from)
			if at < 0 {
				return nil, fmt.Errorf("the generated id reads the column %q, which the file's header does not have", from)
			}
			gen.cols = append(gen.cols, at)
			if !slices.Contains(names, headers[at]) {
				headers[at] = normalizeHeader(header[at]) + GeneratedIDOnly
			}
		}
		binds[i].generated = gen
		if _, ok := cols[g.Column]; !ok {
			headers = append(headers, g.Column)
		}
	}
	for i := range binds {
		if v, ok := m.Constants[names[i]]; ok {
			binds[i].constant = &v
		}
		if vm := m.Values[names[i]]; len(vm) > 0 {
			binds[i].values = map[string]string{}
			for from, to := range vm {
				binds[i].values[ValueKey(from)] = to
			}
		}
		if d, ok := m.Defaults[names[i]]; ok {
			binds[i].def = &d
		}
		for _, c := range m.Conditions[names[i]] {
			bc := boundCondition{from: ValueKey(c.From), to: c.To}
			for _, w := range c.When {
				j := slices.Index(names, w.Column)
				if j < 0 {
					return nil, fmt.Errorf("a condition of %s names %s, which is not a column of the export", names[i], w.Column)
				}
				bc.when = append(bc.when, boundWhen{bind: j, code: ValueKey(w.Code)})
			}
			binds[i].conds = append(binds[i].conds, bc)
		}
	}
	// A column the file lacks that a condition or a default gives values
	// is the configuration's, as a constant is: the file need not have it.
	for i, b := range binds {
		if b.col < 0 && (len(b.conds) > 0 || b.def != nil) && !slices.Contains(headers, names[i]) {
			headers = append(headers, names[i])
		}
	}
	for n, d := range m.Derived {
		i := slices.Index(names, d.Column)
		if i < 0 {
			return nil, fmt.Errorf("the derived column %s is not one of the export's", d.Column)
		}
		if m.Joined == nil {
			return nil, fmt.Errorf("the derived column %s needs its join", d.Column)
		}
		dv := &deriver{join: m.Joined, d: n, key: -1}
		mark := func(at int) {
			if !slices.Contains(names, headers[at]) && !strings.Contains(headers[at], DerivedFrom) {
				headers[at] = normalizeHeader(header[at]) + DerivedFrom + d.Column + ")"
			}
		}
		if d.From == RowItself {
			var missing string
			if dv.where, missing = bindWhere(header, d.Where); missing != "" {
				return nil, fmt.Errorf("%s is derived from the column %q, which the file's header does not have", d.Column, missing)
			}
			for _, c := range dv.where {
				mark(c.at)
			}
		} else {
			dv.key = headerIndex(header, m.Joined.ParentKey)
			if dv.key < 0 {
				return nil, fmt.Errorf("the children are joined on the column %q, which the file's header does not have", m.Joined.ParentKey)
			}
			mark(dv.key)
		}
		binds[i].derive = dv
		if !slices.Contains(headers, d.Column) {
			headers = append(headers, d.Column)
		}
	}
	conds := slices.ContainsFunc(binds, func(b binding) bool { return len(b.conds) > 0 })
	return &Reader[T]{csv: cr, headers: headers, raw: slices.Clone(header), parser: &parser, binds: binds, conds: conds, raws: make([]string, len(binds))}, nil
}

// headerIndex is the position of the file column name in the header,
// matched as headers are (case and surrounding spaces aside); -1 if none.
func headerIndex(header []string, name string) int {
	want := normalizeHeader(name)
	return slices.IndexFunc(header, func(h string) bool { return normalizeHeader(h) == want })
}

// bindHeader names each column of a file's header row by the contract
// column it holds, through the mapping, and returns those names (in file
// order, then the further contract columns that read a column already
// named, sorted) and, per contract name, the file column it reads. The
// first column of a name wins; a name given twice is the check's to
// report.
func bindHeader(header []string, m Mapping) ([]string, map[string]int) {
	byFile := map[string][]string{}
	for from, to := range m.Rename {
		byFile[normalizeHeader(from)] = append(byFile[normalizeHeader(from)], normalizeHeader(to))
	}
	for contractName, fileName := range m.Columns {
		f := normalizeHeader(fileName)
		if c := normalizeHeader(contractName); !slices.Contains(byFile[f], c) {
			byFile[f] = append(byFile[f], c)
		}
	}
	for _, cs := range byFile {
		slices.Sort(cs)
	}
	// A contract column the mapping reads from another file column is not
	// read from a file column of its own name (a file with both a beat
	// and a district column, read by its district).
	replaced := map[string]bool{}
	for contractName, fileName := range m.Columns {
		if c := normalizeHeader(contractName); c != normalizeHeader(fileName) {
			replaced[c] = true
		}
	}
	headers := make([]string, len(header))
	cols := map[string]int{}
	var extra []string
	bind := func(name string, i int) {
		if _, seen := cols[name]; !seen {
			cols[name] = i
		}
	}
	for i, h := range header {
		h = normalizeHeader(h)
		cs, mapped := byFile[h]
		if !mapped && replaced[h] {
			headers[i] = h + " (not read: the mapping reads " + h + " from another column)"
			continue
		}
		if !mapped {
			headers[i] = h
			bind(h, i)
			continue
		}
		headers[i] = cs[0]
		for _, c := range cs {
			bind(c, i)
		}
		extra = append(extra, cs[1:]...)
	}
	// A constant is a column the file does not need.
	for c := range m.Constants {
		if _, ok := cols[normalizeHeader(c)]; !ok {
			extra = append(extra, normalizeHeader(c))
		}
	}
	slices.Sort(extra)
	return append(headers, extra...), cols
}

// Source says where one contract column of a file comes from.
type Source struct {
	Column   string // the contract's column
	From     string // the file's header, as written; empty when not in the file
	Constant string // the constant it is given, if any
	// NotSupplied: the system does not have the column; it is unknown.
	NotSupplied bool
	// Generated: the record id is made from the row (GeneratedID).
	Generated bool
	// Default is the code an empty cell means, if any.
	Default string
	// Derived says how it is derived from a child file's rows or the
	// row's own columns, in words, if it is.
	Derived string
	// Conditions counts its conditional entries.
	Conditions int
	Values     int // entries in its value map
}

// Sources lists, in struct order, where each column T decodes is read
// from: the effective mapping of the file.
func (r *Reader[T]) Sources() []Source {
	names := Columns[T]()
	out := make([]Source, len(r.binds))
	for i, b := range r.binds {
		out[i] = Source{Column: names[i], Values: len(b.values), Conditions: len(b.conds)}
		if b.def != nil {
			out[i].Default = *b.def
		}
		switch {
		case b.derive != nil:
			out[i].Derived = b.derive.join.Derived[b.derive.d].Describe()
		case b.generated != nil:
			out[i].Generated = true
		case b.join != nil:
			var from []string
			for _, c := range b.join {
				from = append(from, r.raw[c])
			}
			out[i].From = strings.Join(from, " + ")
		case b.constant != nil:
			out[i].Constant = *b.constant
			out[i].NotSupplied = *b.constant == ""
		case b.col >= 0:
			out[i].From = r.raw[b.col]
		}
	}
	return out
}

// ChildFault is, for the row Next returned last, the child row that kept
// one of its derived columns from being known; nil when none did.
func (r *Reader[T]) ChildFault() *ChildRow { return r.fault }

// Headers are the file's column names after normalization, in file order.
func (r *Reader[T]) Headers() []string { return r.headers }

// Next decodes the next row and returns it with the physical line it starts
// on. At the end it returns io.EOF. A malformed row returns a
// *csv.ParseError that names its line; reading may go on after it.
func (r *Reader[T]) Next() (row T, line int, err error) {
	rec, err := r.csv.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return row, pe.StartLine, err
		}
		return row, 0, err
	}
	line, _ = r.csv.FieldPos(0)
	r.fault = nil
	base := unsafe.Pointer(&row)
	for i, b := range r.binds {
		raw := ""
		switch {
		case b.derive != nil:
			var fault *ChildRow
			if raw, fault = b.derive.value(rec); fault != nil {
				r.fault = fault
			}
		case b.generated != nil:
			raw = b.generated.id(rec)
		case b.join != nil:
			raw = r.joined(rec, b.join)
		case b.constant != nil:
			raw = *b.constant
		case b.col >= 0:
			raw = rec[b.col]
		}
		if len(b.conds) > 0 {
			// Kept as written: its conditions are tried first, below.
			r.raws[i] = raw
			continue
		}
		raw = b.mapped(raw)
		r.raws[i] = raw
		if !r.conds {
			b.access.set(unsafe.Add(base, b.offset), raw, r.parser)
		}
	}
	if r.conds {
		for i, b := range r.binds {
			raw := r.raws[i]
			if len(b.conds) > 0 {
				raw = r.conditional(b, raw)
			}
			b.access.set(unsafe.Add(base, b.offset), raw, r.parser)
		}
	}
	return row, line, nil
}

// joined is the values of cols, trimmed, joined by a space; empty when
// every one is empty.
func (r *Reader[T]) joined(rec []string, cols []int) string {
	r.join = r.join[:0]
	for _, c := range cols {
		if c < len(rec) {
			if v := strings.TrimSpace(rec[c]); v != "" {
				r.join = append(r.join, v)
			}
		}
	}
	return strings.Join(r.join, " ")
}

// conditional is the value of a column with conditional entries: the first
// whose value and conditions hold, else its value map, else its default.
func (r *Reader[T]) conditional(b binding, raw string) string {
	key := ValueKey(raw)
	for _, c := range b.conds {
		if c.from != key {
			continue
		}
		holds := true
		for _, w := range c.when {
			holds = holds && ValueKey(r.raws[w.bind]) == w.code
		}
		if holds {
			return c.to
		}
	}
	return b.mapped(raw)
}

// mapped is a value through the column's value map, then its default.
func (b *binding) mapped(raw string) string {
	if b.values != nil {
		if to, ok := b.values[ValueKey(raw)]; ok {
			raw = to
		}
	}
	if b.def != nil && strings.TrimSpace(raw) == "" {
		raw = *b.def
	}
	return raw
}

// States appends to dst[:0] the state of each of row's fields, in struct
// order (the order of Columns), and returns it. Column is left empty: the
// position names it.
func (r *Reader[T]) States(row *T, dst []FieldState) []FieldState {
	dst = dst[:0]
	base := unsafe.Pointer(row)
	for _, b := range r.binds {
		dst = append(dst, b.access.state(unsafe.Add(base, b.offset)))
	}
	return dst
}

// skipBOM drops a UTF-8 byte-order mark at the start of r.
func skipBOM(r io.Reader) io.Reader {
	br := bufio.NewReaderSize(r, 64*1024)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
	}
	return br
}

// FieldState is the decoded state of one column of a row.
type FieldState struct {
	Column  string    // canonical column name
	Raw     string    // the cell as written (codes normalized); never personal data
	Norm    string    // normalized value: codes upper-cased, flags Y or N, ids without ".0"
	Empty   bool      // the cell was empty (unknown)
	Err     error     // the value could not be read
	Time    time.Time // datetimes and dates, when HasTime
	HasTime bool
	N       int // counts, when HasN
	HasN    bool
}

// Fields lists the state of every column of a typed row, in struct order,
// with its column name.
func Fields[T Record](row *T) []FieldState {
	var out []FieldState
	base := unsafe.Pointer(row)
	cols := Columns[T]()
	for i, b := range bindings[T](nil) { // no columns: only the field types
		fs := b.access.state(unsafe.Add(base, b.offset))
		fs.Column = cols[i]
		out = append(out, fs)
	}
	return out
}

// Columns lists the canonical column names a row type decodes, in struct order.
func Columns[T Record]() []string {
	t := reflect.TypeFor[T]()
	out := make([]string, 0, t.NumField())
	for i := range t.NumField() {
		out = append(out, t.Field(i).Tag.Get("csv"))
	}
	return out
}
