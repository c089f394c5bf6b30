package records

import (
	"encoding/csv"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Joined files. A records system may keep one record across several
// files: a main file with one row per record, and child files with any
// number of rows per record, joined on the record's key (a use-of-force
// report, its actions and its subjects). A contract column is then derived
// from a child: whether any of its rows matches (a flag), how many do (a
// count), or which codes they hold (a list). The same three derivations
// read the main row itself, so a yes/no column becomes a count of 0 or 1.
//
// Memory stays bounded by the main file, whose records the check already
// keeps one entry each of: the main file's keys are read first, then each
// child file streams by once, and only a small aggregate per main record
// is kept (a word per derived column). A child row whose key no main
// record has is counted, not kept.

// Derivations of a column from the rows of a child, or from the main row.
const (
	DeriveAny   = "any"   // a flag: Y if any row matches, else N
	DeriveCount = "count" // a count: how many rows match
	DeriveList  = "list"  // a list: the codes the matching rows hold
)

// RowItself names, as a derivation's source, the main row instead of a
// child file.
const RowItself = "row"

// Child is a file holding several rows per record of the main file.
type Child struct {
	// Name is how derivations name it.
	Name string
	// File is the child's file by the system's own name, or a pattern.
	File string
	// Key is the child's column holding the main record's key.
	Key string
}

// Derived is one contract column derived from a child's rows, or from
// the main row.
type Derived struct {
	Column string // the contract's column
	Kind   string // DeriveAny, DeriveCount or DeriveList
	From   string // the child's name, or RowItself
	// Of is, for a list, the column whose values the list holds, each
	// read through Values (compared as value maps are): a code, or ""
	// for a value that is not one of the list's.
	Of     string
	Values map[string]string
	// Where are conditions every counted row meets: a column's value is
	// one of a list (compared as value maps are). A column with a
	// separator is a list of items, and matches when one item does.
	Where []Where
}

// Where is one condition of a derivation.
type Where struct {
	Column string
	Values []string
	Split  string // the separator of a cell that holds several items, if any
}

// ChildJoin is the state of one export's joined files while they are read:
// the main file's keys, then, per key, the aggregate of each derived
// column.
type ChildJoin struct {
	// ParentKey is the main file's column the children are joined on.
	ParentKey string
	Derived   []Derived
	seed      maphash.Seed
	codes     [][]string       // per derived list, its codes in bit order (ListCodes)
	slots     map[uint64]int32 // a main key's hash → its slot
	aggs      []uint64         // slot*len(Derived)+d
	// bad is, per slot, the first child row that could not be read into
	// it: the record is then not known, and is invalid.
	bad map[int32]ChildRow
}

// ChildRow names one row of a child file.
type ChildRow struct {
	File string
	Line int
}

// NewChildJoin is the join of a main file on parentKey with derived columns.
func NewChildJoin(parentKey string, derived []Derived) *ChildJoin {
	j := &ChildJoin{ParentKey: parentKey, Derived: derived, seed: maphash.MakeSeed(), slots: map[uint64]int32{}, bad: map[int32]ChildRow{}}
	for _, d := range derived {
		j.codes = append(j.codes, ListCodes(d))
	}
	return j
}

// HasChildren reports whether a derivation reads a child file.
func (j *ChildJoin) HasChildren() bool {
	return slices.ContainsFunc(j.Derived, func(d Derived) bool { return d.From != RowItself })
}

// key is the hash a key is held by: 8 bytes a record, as the check's own
// duplicate detection holds ids (two keys share a hash with probability
// about 3e-8 in a million-row file).
func (j *ChildJoin) key(s string) uint64 { return maphash.String(j.seed, NormalizeID(s)) }

// ReadKeys reads the main file's keys (r: its text, UTF-8), giving each a
// slot. Two rows with one key share it, as a child's rows cannot tell them
// apart; the check finds the duplicate id.
func (j *ChildJoin) ReadKeys(r io.Reader, lim Limits) error {
	cr := csv.NewReader(NewLimitReader(skipBOM(r), lim))
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("read header row: %w", err)
	}
	at := headerIndex(header, j.ParentKey)
	if at < 0 {
		return fmt.Errorf("the children are joined on the column %q, which the main file's header does not have", j.ParentKey)
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			continue // the check reports it when it reads the rows
		}
		if err != nil {
			return err
		}
		if at < len(rec) && strings.TrimSpace(rec[at]) != "" {
			h := j.key(rec[at])
			if _, ok := j.slots[h]; !ok {
				j.slots[h] = int32(len(j.slots))
			}
		}
	}
	j.aggs = make([]uint64, len(j.slots)*len(j.Derived))
	return nil
}

// ChildProblem is a child row that cannot be read into its record.
type ChildProblem struct {
	Line   int
	Column string // the child's column
	Value  string // the value, as written
	Detail string
}

// ChildStats counts what reading one child file found.
type ChildStats struct {
	Rows    int // rows read
	Orphans int // rows whose key no main record has: counted, not used
	NoKey   int // rows with an empty key
}

// ReadChild streams the rows of child c (r: its text, UTF-8) into the
// aggregates of the main records they belong to. A value a list's map
// does not know is a problem of that row, and its record is not known.
func (j *ChildJoin) ReadChild(c Child, file string, r io.Reader, lim Limits, problem func(ChildProblem)) (ChildStats, error) {
	var st ChildStats
	cr := csv.NewReader(NewLimitReader(skipBOM(r), lim))
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return st, ErrEmptyFile
	}
	if err != nil {
		return st, fmt.Errorf("read header row: %w", err)
	}
	header = slices.Clone(header) // the reader reuses its slice
	col := func(name string) (int, error) {
		at := headerIndex(header, name)
		if at < 0 {
			return 0, fmt.Errorf("the header has no column %q", name)
		}
		return at, nil
	}
	keyAt, err := col(c.Key)
	if err != nil {
		return st, err
	}
	type bound struct {
		d     int
		of    int
		where []condition
		bits  memo[int8] // a list cell's bit, -1 for none, -2 for a value the map lacks
	}
	var ds []bound
	for i, d := range j.Derived {
		if d.From != c.Name {
			continue
		}
		b := bound{d: i, of: -1, bits: memo[int8]{}}
		if d.Kind == DeriveList {
			if b.of, err = col(d.Of); err != nil {
				return st, err
			}
		}
		var missing string
		if b.where, missing = bindWhere(header, d.Where); missing != "" {
			return st, fmt.Errorf("the header has no column %q", missing)
		}
		ds = append(ds, b)
	}
	n := len(j.Derived)
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return st, nil
		}
		line, _ := cr.FieldPos(0)
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return st, fmt.Errorf("line %d: %w", pe.StartLine, pe.Err)
		}
		if err != nil {
			return st, err
		}
		st.Rows++
		if keyAt >= len(rec) || strings.TrimSpace(rec[keyAt]) == "" {
			st.NoKey++
			continue
		}
		slot, ok := j.slots[j.key(rec[keyAt])]
		if !ok {
			st.Orphans++
			continue
		}
		for _, b := range ds {
			if !holdsAll(b.where, rec) {
				continue
			}
			agg := &j.aggs[int(slot)*n+b.d]
			switch j.Derived[b.d].Kind {
			case DeriveAny:
				*agg = 1
			case DeriveCount:
				*agg++
			case DeriveList:
				v := ""
				if b.of < len(rec) {
					v = rec[b.of]
				}
				bit, seen := b.bits[v]
				if !seen {
					code, known := j.Derived[b.d].Values[ValueKey(v)]
					bit = int8(slices.Index(j.codes[b.d], code))
					if !known {
						bit = -2
					}
					b.bits.keep(v, bit)
				}
				if bit == -2 {
					problem(ChildProblem{Line: line, Column: normalizeHeader(header[b.of]), Value: v, Detail: fmt.Sprintf("the value is not mapped to one of %s's codes (or to \"\", not one of them)", j.Derived[b.d].Column)})
					if _, seen := j.bad[slot]; !seen {
						j.bad[slot] = ChildRow{File: file, Line: line}
					}
					continue
				}
				if bit >= 0 {
					*agg |= 1 << bit
				}
			}
		}
	}
}

// memo keeps the answers for the cells of a column a system fills from
// its vocabulary, so each distinct cell is normalized once; it stops
// growing at memoSize, as a column of free values would never repeat.
type memo[V any] map[string]V

const memoSize = 4096

func (m memo[V]) keep(cell string, v V) {
	if len(m) < memoSize {
		m[strings.Clone(cell)] = v
	}
}

// condition is a Where bound to a file's header: its column's position,
// its values as value-map keys, and each distinct cell's answer.
type condition struct {
	at     int
	values []string
	split  string
	seen   memo[bool]
}

// bindWhere binds conditions to a header; missing names a column the
// header does not have.
func bindWhere(header []string, ws []Where) (cs []condition, missing string) {
	for _, w := range ws {
		at := headerIndex(header, w.Column)
		if at < 0 {
			return nil, w.Column
		}
		cs = append(cs, condition{at: at, values: keys(w.Values), split: w.Split, seen: memo[bool]{}})
	}
	return cs, ""
}

// holdsAll reports whether the row rec meets every condition.
func holdsAll(cs []condition, rec []string) bool {
	for _, c := range cs {
		if c.at >= len(rec) {
			return false
		}
		cell := rec[c.at]
		m, ok := c.seen[cell]
		if !ok {
			m = matches(cell, c.values, c.split)
			c.seen.keep(cell, m)
		}
		if !m {
			return false
		}
	}
	return true
}

// ListCodes are the codes a list's map gives, in a fixed order: bit i of
// the list's aggregate is the i-th.
func ListCodes(d Derived) []string {
	var out []string
	for _, code := range d.Values {
		if code != "" && !slices.Contains(out, code) {
			out = append(out, code)
		}
	}
	slices.Sort(out)
	return out
}

func keys(values []string) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = ValueKey(v)
	}
	return out
}

// matches reports whether a cell is one of values, or, split, holds an
// item that is.
func matches(cell string, values []string, split string) bool {
	if split == "" {
		return slices.Contains(values, ValueKey(cell))
	}
	for item := range strings.SplitSeq(cell, split) {
		if slices.Contains(values, ValueKey(item)) {
			return true
		}
	}
	return false
}

// deriver computes one derived column of a main row.
type deriver struct {
	join  *ChildJoin
	d     int
	key   int         // the main file's key column; -1 for a row derivation
	where []condition // a row derivation's conditions
}

// value is the derived column of the main row rec, as the contract writes
// it (Y or N, a whole number, codes separated by ;), and the child row
// that keeps it from being known, if any.
func (dv *deriver) value(rec []string) (string, *ChildRow) {
	d := dv.join.Derived[dv.d]
	if d.From == RowItself {
		holds := holdsAll(dv.where, rec)
		switch {
		case d.Kind == DeriveAny && holds:
			return "Y", nil
		case d.Kind == DeriveAny:
			return "N", nil
		case holds:
			return "1", nil
		}
		return "0", nil
	}
	var agg uint64
	if dv.key < len(rec) {
		slot, ok := dv.join.slots[dv.join.key(rec[dv.key])]
		if !ok {
			return "", nil // an empty key: the check reports the id
		}
		if bad, ok := dv.join.bad[slot]; ok {
			return "", &bad
		}
		agg = dv.join.aggs[int(slot)*len(dv.join.Derived)+dv.d]
	}
	switch d.Kind {
	case DeriveAny:
		if agg != 0 {
			return "Y", nil
		}
		return "N", nil
	case DeriveCount:
		return strconv.FormatUint(agg, 10), nil
	}
	var items []string
	for i, code := range dv.join.codes[dv.d] {
		if agg&(1<<i) != 0 {
			items = append(items, code)
		}
	}
	return strings.Join(items, ";"), nil
}

// Describe says in words how the column is derived: "the count of rows of
// subjects where "injured" is Yes", "1 if this row's "Arrest" is true,
// else 0".
func (d Derived) Describe() string {
	var b strings.Builder
	switch {
	case d.From == RowItself && d.Kind == DeriveAny:
		b.WriteString("Y if this row's")
	case d.From == RowItself:
		b.WriteString("1 if this row's")
	case d.Kind == DeriveAny:
		fmt.Fprintf(&b, "Y if any row of %s", d.From)
	case d.Kind == DeriveCount:
		fmt.Fprintf(&b, "the count of rows of %s", d.From)
	default:
		fmt.Fprintf(&b, "the codes of column %q (a value map of %d) in the rows of %s", d.Of, len(d.Values), d.From)
	}
	for i, w := range d.Where {
		switch {
		case i > 0:
			b.WriteString(" and")
		case d.From != RowItself:
			b.WriteString(" where")
		}
		fmt.Fprintf(&b, " %q is %s", w.Column, strings.Join(w.Values, " or "))
		if w.Split != "" {
			fmt.Fprintf(&b, " (one of its items split by %q)", w.Split)
		}
	}
	switch {
	case d.Kind == DeriveAny:
		b.WriteString(", else N")
	case d.From == RowItself:
		b.WriteString(", else 0")
	}
	return b.String()
}
