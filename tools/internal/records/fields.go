package records

import (
	"slices"
	"strings"
	"time"
)

// The field types below each read one CSV cell with the file's Parser (the
// contract's forms plus the mapping's). A bad value never fails the row: it
// is kept as an error on the field, so that every problem of a row is
// reported with its column. Raw is kept for messages: these types serve only
// columns that are not personal data.

// ID is a record identifier.
type ID struct {
	Raw   string
	Value string
}

func (v *ID) set(s string, _ *Parser) { v.Raw, v.Value = s, NormalizeID(s) }
func (v *ID) state() FieldState {
	return FieldState{Raw: v.Raw, Norm: v.Value, Empty: v.Value == ""}
}

// Datetime is a contract datetime; Valid is false when the cell is empty.
type Datetime struct{ timeField }

func (v *Datetime) set(s string, p *Parser) { v.timeField = readTime(s, p.Datetime) }

// Date is a contract date; Valid is false when the cell is empty.
type Date struct{ timeField }

func (v *Date) set(s string, p *Parser) { v.timeField = readTime(s, p.Date) }

// timeField is what Datetime and Date hold.
type timeField struct {
	Raw   string
	Time  time.Time
	Valid bool
	Err   error
}

func readTime(s string, parse func(string) (time.Time, error)) timeField {
	v := timeField{Raw: s}
	if strings.TrimSpace(s) == "" {
		return v
	}
	v.Time, v.Err = parse(s)
	v.Valid = v.Err == nil
	return v
}

func (v *timeField) state() FieldState {
	return FieldState{Raw: v.Raw, Empty: !v.Valid && v.Err == nil, Err: v.Err, Time: v.Time, HasTime: v.Valid}
}

// Code is a code value, trimmed and upper-cased; checked against the
// contract's list by the checker.
type Code string

func (v *Code) set(s string, _ *Parser) { *v = Code(NormalizeCode(s)) }
func (v *Code) state() FieldState {
	return FieldState{Raw: string(*v), Norm: string(*v), Empty: *v == ""}
}

// List is a ';'-separated list of values, each trimmed.
type List []string

func (v *List) set(s string, _ *Parser) {
	*v = nil
	for part := range strings.SplitSeq(s, ";") {
		if p := strings.TrimSpace(part); p != "" {
			*v = append(*v, p)
		}
	}
}

func (v *List) state() FieldState {
	j := strings.Join(*v, ";")
	return FieldState{Raw: j, Norm: strings.ToUpper(j), Empty: len(*v) == 0}
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

func (v *Flag) set(s string, _ *Parser) {
	v.Raw = s
	v.Value, v.Valid, v.Err = ParseFlag(s)
}

func (v *Flag) state() FieldState {
	fs := FieldState{Raw: v.Raw, Empty: !v.Valid && v.Err == nil, Err: v.Err}
	switch {
	case v.Valid && v.Value:
		fs.Norm = "Y"
	case v.Valid:
		fs.Norm = "N"
	}
	return fs
}

// Is reports whether the flag is known and set.
func (v Flag) Is() bool { return v.Valid && v.Value }

// Number is a whole number ≥ 0 (a count in a record); Valid is false when
// the cell is empty.
type Number struct {
	Raw   string
	Value int
	Valid bool
	Err   error
}

func (v *Number) set(s string, _ *Parser) {
	v.Raw = s
	v.Value, v.Valid, v.Err = ParseCount(s)
}

func (v *Number) state() FieldState {
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

func (v *Beat) set(s string, p *Parser) {
	v.Raw = s
	v.Beat, v.District, v.Valid, v.Err = p.Beat(s)
}

func (v *Beat) state() FieldState {
	return FieldState{Raw: v.Raw, Empty: !v.Valid && v.Err == nil, Err: v.Err}
}
