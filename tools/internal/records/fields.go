package records

import (
	"slices"
	"strings"
	"time"
)

// The field types below decode one CSV cell each through gocsv. They never
// fail the row: a bad value is kept as an error on the field, so that every
// problem of a row is reported, each with its column.

// ID is a record identifier.
type ID struct {
	Value string
	Err   error
}

// UnmarshalCSV implements gocsv.TypeUnmarshaller.
func (v *ID) UnmarshalCSV(s string) error { v.Value = NormalizeID(s); return nil }

func (v ID) problem() error { return v.Err }
func (v ID) empty() bool    { return v.Value == "" }

// Datetime is a contract datetime; Valid is false when the cell is empty.
type Datetime struct {
	Time  time.Time
	Valid bool
	Err   error
}

// UnmarshalCSV implements gocsv.TypeUnmarshaller.
func (v *Datetime) UnmarshalCSV(s string) error {
	*v = Datetime{}
	if strings.TrimSpace(s) == "" {
		return nil
	}
	v.Time, v.Err = ParseDatetime(s)
	v.Valid = v.Err == nil
	return nil
}

func (v Datetime) problem() error { return v.Err }
func (v Datetime) empty() bool    { return !v.Valid && v.Err == nil }

// Date is a contract date; Valid is false when the cell is empty.
type Date struct {
	Time  time.Time
	Valid bool
	Err   error
}

// UnmarshalCSV implements gocsv.TypeUnmarshaller.
func (v *Date) UnmarshalCSV(s string) error {
	*v = Date{}
	if strings.TrimSpace(s) == "" {
		return nil
	}
	v.Time, v.Err = ParseDate(s)
	v.Valid = v.Err == nil
	return nil
}

func (v Date) problem() error { return v.Err }
func (v Date) empty() bool    { return !v.Valid && v.Err == nil }

// Code is a code value, trimmed and upper-cased; checked against the
// contract's list by the checker.
type Code string

// UnmarshalCSV implements gocsv.TypeUnmarshaller.
func (v *Code) UnmarshalCSV(s string) error { *v = Code(NormalizeCode(s)); return nil }

func (v Code) problem() error { return nil }
func (v Code) empty() bool    { return v == "" }

// List is a ';'-separated list of values, each trimmed; codes upper-cased
// by the checker where the contract gives a closed list.
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

func (v List) problem() error { return nil }
func (v List) empty() bool    { return len(v) == 0 }

// Contains reports whether the list holds code c (case-insensitively).
func (v List) Contains(c string) bool {
	return slices.ContainsFunc(v, func(s string) bool { return strings.EqualFold(s, c) })
}

// Flag is a Y/N flag; Valid is false when the cell is empty (unknown).
type Flag struct {
	Value bool
	Valid bool
	Err   error
}

// UnmarshalCSV implements gocsv.TypeUnmarshaller.
func (v *Flag) UnmarshalCSV(s string) error {
	v.Value, v.Valid, v.Err = ParseFlag(s)
	return nil
}

func (v Flag) problem() error { return v.Err }
func (v Flag) empty() bool    { return !v.Valid && v.Err == nil }

// Count is a whole number ≥ 0; Valid is false when the cell is empty.
type Count struct {
	Value int
	Valid bool
	Err   error
}

// UnmarshalCSV implements gocsv.TypeUnmarshaller.
func (v *Count) UnmarshalCSV(s string) error {
	v.Value, v.Valid, v.Err = ParseCount(s)
	return nil
}

func (v Count) problem() error { return v.Err }
func (v Count) empty() bool    { return !v.Valid && v.Err == nil }

// Beat is a CPD beat and its district; Valid is false when the location is
// unknown (empty or 0).
type Beat struct {
	Beat     int
	District int
	Valid    bool
	Err      error
}

// UnmarshalCSV implements gocsv.TypeUnmarshaller.
func (v *Beat) UnmarshalCSV(s string) error {
	v.Beat, v.District, v.Valid, v.Err = ParseBeat(s)
	return nil
}

func (v Beat) problem() error { return v.Err }
func (v Beat) empty() bool    { return !v.Valid && v.Err == nil }
