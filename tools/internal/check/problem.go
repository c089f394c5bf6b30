package check

import (
	"fmt"
	"strings"
)

// Kind classifies a problem; reports group by it.
type Kind string

// Problems with a whole file: the file cannot be trusted, so the check fails.
const (
	MissingFile      Kind = "missing-file"
	EmptyFile        Kind = "empty-file"
	BadHeader        Kind = "bad-header"
	BadEncoding      Kind = "bad-encoding"
	MissingColumn    Kind = "missing-column"
	DuplicateColumn  Kind = "duplicate-column"
	ManifestMismatch Kind = "manifest-mismatch"
	OverLimit        Kind = "over-limit"     // a field, row or column count over params.check's limits
	UnknownColumn    Kind = "unknown-column" // a warning: reported, never published
	// OrphanRows: rows of a child file whose key no record of the main
	// file has; a warning: they are counted, and count in no figure.
	OrphanRows Kind = "orphan-rows"
)

// Problems with one row: the row is invalid. The check fails, unless
// params.check.max_invalid_rows allows that many; then the rows are left out
// and the count is published in the notes.
const (
	MalformedRow   Kind = "malformed-row"
	BadValue       Kind = "bad-value"
	MissingValue   Kind = "missing-value"
	UnknownCode    Kind = "unknown-code"
	BadDistrict    Kind = "bad-district"
	DuplicateID    Kind = "duplicate-id"
	FutureDatetime Kind = "future-datetime"
	TooEarly       Kind = "too-early"
	RequiredWhen   Kind = "required-when"
	EmptyWhen      Kind = "empty-when"
	NotBefore      Kind = "not-before"
	AtMost         Kind = "at-most"
	// BadChild: a row of a child file joined to the record cannot be read.
	BadChild Kind = "bad-child"
)

// RowLevel reports whether problems of kind k concern one row only.
func (k Kind) RowLevel() bool {
	switch k {
	case MalformedRow, BadValue, MissingValue, UnknownCode, BadDistrict, DuplicateID,
		FutureDatetime, TooEarly, RequiredWhen, EmptyWhen, NotBefore, AtMost, BadChild:
		return true
	}
	return false
}

// Problem is one thing wrong with a delivery, precise enough to act on.
// Value is set only for columns that are not personal data; personal data
// is never read, so it cannot reach a problem.
type Problem struct {
	File   string // file name within the delivery
	Line   int    // physical line, 1-based, quoted newlines counted; 0 for the whole file
	Column string // canonical column name, if the problem is in one
	Kind   Kind
	Value  string // the offending value, echoed (never from a personal-data column)
	Detail string // what is wrong
	Hint   string // what to do
}

// Error formats the problem on one line:
// detainer_log.csv:12: column "received_at": bad-value: value "2026-13-01": … (what to do).
func (p Problem) Error() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	if p.Column != "" {
		fmt.Fprintf(&b, ": column %q", p.Column)
	}
	fmt.Fprintf(&b, ": %s: ", p.Kind)
	if p.Value != "" {
		fmt.Fprintf(&b, "value %q: ", p.Value)
	}
	b.WriteString(p.Detail)
	if p.Hint != "" {
		fmt.Fprintf(&b, " (%s)", p.Hint)
	}
	return b.String()
}

// Warning reports whether problems of kind k are only reported and fail nothing.
func (k Kind) Warning() bool { return k == UnknownColumn || k == OrphanRows }

// Warning reports whether the problem is only reported and fails nothing.
func (p Problem) Warning() bool { return p.Kind.Warning() }

// clip shortens an echoed value to what a person needs to find it.
func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}
