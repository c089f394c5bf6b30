package check

import (
	"fmt"
	"strings"
)

// Kind classifies a problem; reports group by it.
type Kind string

// Problem kinds.
const (
	MissingFile      Kind = "missing-file"
	EmptyFile        Kind = "empty-file"
	MissingColumn    Kind = "missing-column"
	DuplicateColumn  Kind = "duplicate-column"
	UnknownColumn    Kind = "unknown-column" // a warning: reported, never published
	MalformedRow     Kind = "malformed-row"
	BadValue         Kind = "bad-value"
	MissingValue     Kind = "missing-value"
	UnknownCode      Kind = "unknown-code"
	DuplicateID      Kind = "duplicate-id"
	FutureDatetime   Kind = "future-datetime"
	TooEarly         Kind = "too-early"
	ManifestMismatch Kind = "manifest-mismatch"
)

// Problem is one thing wrong with a delivery, precise enough to act on. It
// never holds a value from a personal-data column.
type Problem struct {
	File   string // file name within the delivery
	Line   int    // physical line, 1-based, quoted newlines counted; 0 for the whole file
	Column string // canonical column name, if the problem is in one
	Kind   Kind
	Detail string // what is wrong
	Hint   string // what to do
}

// Error formats the problem on one line:
// detainer_log.csv:12: column "received_at": bad-value: … (what to do).
func (p Problem) Error() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	if p.Column != "" {
		fmt.Fprintf(&b, ": column %q", p.Column)
	}
	fmt.Fprintf(&b, ": %s: %s", p.Kind, p.Detail)
	if p.Hint != "" {
		fmt.Fprintf(&b, " (%s)", p.Hint)
	}
	return b.String()
}

// Warning reports whether the problem is only reported and does not fail the check.
func (p Problem) Warning() bool { return p.Kind == UnknownColumn }
