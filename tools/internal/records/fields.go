package records

import (
	"slices"
	"strings"
	"time"
)

// The field types below take one CSV cell each from gocsv, which only stores
// the raw text; the Reader then resolves every field with the file's Parser
// (the contract's forms plus the mapping's). A bad value never fails the
// row: it is kept as an error on the field, so that every problem of a row
// is reported with its column. Raw is kept for messages: these types serve
// only columns that are not personal data.

// resolver is implemented by the pointer of every field type.
type resolver interface{ resolve(p *Parser) }

// ID is a record identifier.
type ID struct {
	Raw   string
	Value string
}

// UnmarshalCSV implements gocsv.TypeUnmarshaller.
func (v *ID) UnmarshalCSV(s string) error { v.Raw = s; return nil }
func (v *ID) resolve(*Parser)             { v.Value = NormalizeID(v.Raw) }
func (v ID) state() FieldState            { return FieldState{Raw: v.Raw, Norm: v.Value, Empty: v.Value == ""} }

// Datetime is a contract datetime; Valid is false when the cell is empty.
type Datetime struct {
	Raw   string
	Time  time.Time
	Valid bool
	Err   error
}

// UnmarshalCSV implements gocsv.TypeUnmarshaller.
func (v *Datetime) UnmarshalCSV(s string) error { v.Raw = s; return nil }
func (v *Datetime) resolve(p *Parser) {
	if strings.TrimSpace(v.Raw) == "" {
		return
	}
	v.Time, v.Err = p.Datetime(v.Raw)
	v.Valid = v.Err == nil
}
func (v Datetime) state() FieldState {
	return FieldState{Raw: v.Raw, Empty: !v.Valid && v.Err == nil, Err: v.Err, Time: v.Time, HasTime: v.Valid}
}

// Date is a contract date; Valid is false when the cell is empty.
type Date struct {
	Raw   string
	Time  time.Time
	Valid bool
	Err   error
}

// UnmarshalCSV implements gocsv.TypeUnmarshaller.
func (v *Date) UnmarshalCSV(s string) error { v.Raw = s; return nil }
func (v *Date) resolve(p *Parser) {
	if strings.TrimSpace(v.Raw) == "" {
		return
	}
	v.Time, v.Err = p.Date(v.Raw)
	v.Valid = v.Err == nil
}
func (v Date) state() FieldState {
	return FieldState{Raw: v.Raw, Empty: !v.Valid && v.Err == nil, Err: v.Err, Time: v.Time, HasTime: v.Valid}
}

// Code is a code value, trimmed and upper-cased; checked against the
// contract's list by the checker.
type Code string

// UnmarshalCSV implements gocsv.TypeUnmarshaller.
func (v *Code) UnmarshalCSV(s string) error { *v = Code(s); return nil }
func (v *Code) resolve(*Parser)             { *v = Code(NormalizeCode(string(*v))) }
func (v Code) state() FieldState            { return FieldState{Raw: string(v), Norm: string(v), Empty: v == ""} }

// List is a ';'-separated list of values, each trimmed.
type List []string

// UnmarshalCSV implements gocsv.TypeUnmarshaller.
func (v *List) UnmarshalCSV(s string) error {
	*v = nil
	for part := range strings.SplitSeq(s, ";") {
		if p := strings.TrimSpace(part); p != "" {
			*v = append(*v, p)
		}
	}
	return nil
}
func (v *List) resolve(*Parser) {}
func (v List) state() FieldState {
	j := strings.Join(v, ";")
	return FieldState{Raw: j, Norm: strings.ToUpper(j), Empty: len(v) == 0}
}

// Contains reports whether the list holds code c (case-insensitively).
func (v List) Contains(c string) bool {
	return slices.ContainsFunc(v, func(s string) bool { return strings.EqualFold(s, c) })
}

// Flag is a Y/N flag; Valid is false when the cell is empty (unknown).
type Flag struct {
	Raw   string
	Value bool
	Valid bool
	Err   error
}

// UnmarshalCSV implements gocsv.TypeUnmarshaller.
func (v *Flag) UnmarshalCSV(s string) error { v.Raw = s; return nil }
func (v *Flag) resolve(*Parser)             { v.Value, v.Valid, v.Err = ParseFlag(v.Raw) }
func (v Flag) state() FieldState {
	fs := FieldState{Raw: v.Raw, Empty: !v.Valid && v.Err == nil, Err: v.Err}
	if v.Valid {
		fs.Norm = map[bool]string{true: "Y", false: "N"}[v.Value]
	}
	return fs
}

// Is reports whether the flag is known and set.
func (v Flag) Is() bool { return v.Valid && v.Value }

// Count is a whole number ≥ 0; Valid is false when the cell is empty.
type Count struct {
	Raw   string
	Value int
	Valid bool
	Err   error
}

// UnmarshalCSV implements gocsv.TypeUnmarshaller.
func (v *Count) UnmarshalCSV(s string) error { v.Raw = s; return nil }
func (v *Count) resolve(*Parser)             { v.Value, v.Valid, v.Err = ParseCount(v.Raw) }
func (v Count) state() FieldState {
	return FieldState{Raw: v.Raw, Empty: !v.Valid && v.Err == nil, Err: v.Err, N: v.Value, HasN: v.Valid}
}

// Beat is a CPD beat and its district; Valid is false when the location is
// unknown (empty or 0). Beat is 0 when the file gives districts directly.
type Beat struct {
	Raw      string
	Beat     int
	District int
	Valid    bool
	Err      error
}

// UnmarshalCSV implements gocsv.TypeUnmarshaller.
func (v *Beat) UnmarshalCSV(s string) error { v.Raw = s; return nil }
func (v *Beat) resolve(p *Parser)           { v.Beat, v.District, v.Valid, v.Err = p.Beat(v.Raw) }
func (v Beat) state() FieldState {
	return FieldState{Raw: v.Raw, Empty: !v.Valid && v.Err == nil, Err: v.Err}
}
