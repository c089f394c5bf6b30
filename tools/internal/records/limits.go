package records

import (
	"bytes"
	"fmt"
	"io"
)

// Limits bound what one row of a file may hold, so that memory stays small
// whatever a delivery holds: encoding/csv keeps a whole row in memory, and
// a single quoted field can otherwise be as large as the file. The bytes
// are counted as they stream in, before encoding/csv buffers them, by a
// small scanner that follows RFC 4180 quoting; a file over a limit is
// refused at the line where it goes over, naming the limit.
type Limits struct {
	FieldBytes int // the most one field may hold, in bytes
	RowBytes   int // the most one row may hold, quoted line breaks included
	Columns    int // the most fields one row may have
}

// DefaultLimits are generous for any records export (the contract's
// longest values are a few dozen bytes; free-text columns, never read,
// may run to pages) and keep a row well under 20 MB of memory.
var DefaultLimits = Limits{FieldBytes: 1 << 20, RowBytes: 4 << 20, Columns: 512}

// orDefault fills zero limits with the defaults.
func (l Limits) orDefault() Limits {
	if l.FieldBytes <= 0 {
		l.FieldBytes = DefaultLimits.FieldBytes
	}
	if l.RowBytes <= 0 {
		l.RowBytes = DefaultLimits.RowBytes
	}
	if l.Columns <= 0 {
		l.Columns = DefaultLimits.Columns
	}
	return l
}

// LimitError is a file that goes over one of its Limits.
type LimitError struct {
	Line  int    // physical line, 1-based, where the row over the limit starts
	At    int    // physical line where the limit was passed
	What  string // what went over: a field, a row, the columns of a row
	Limit int
	Key   string // the setting that raises it
}

func (e *LimitError) Error() string {
	where := fmt.Sprintf("line %d", e.Line)
	if e.At != e.Line {
		where = fmt.Sprintf("the row starting on line %d (passed on line %d)", e.Line, e.At)
	}
	return fmt.Sprintf("%s: %s is over the limit of %d (params.check.%s); the file is refused", where, e.What, e.Limit, e.Key)
}

// limitReader passes bytes through while scanning the CSV structure.
type limitReader struct {
	r     io.Reader
	lim   Limits
	line  int // physical line of the next byte
	start int // physical line the current row starts on
	field int // bytes in the current field
	row   int // bytes in the current row
	cols  int // fields seen in the current row, the current one included
	state byte
	err   error
}

// The scanner's states.
const (
	fieldStart   = iota // at the start of a field
	unquoted            // inside an unquoted field
	quoted              // inside a quoted field
	quoteInQuote        // just after a quote inside a quoted field
)

// NewLimitReader returns r checked against lim (zero fields: the defaults).
func NewLimitReader(r io.Reader, lim Limits) io.Reader {
	return &limitReader{r: r, lim: lim.orDefault(), line: 1, start: 1, cols: 1}
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.r.Read(p)
	for i := 0; i < n; {
		// Inside a field, a run of bytes that are neither a separator, a
		// quote nor a line end only lengthens the field and the row: it is
		// counted at once, unless it would pass a limit, whose byte the
		// steps below find.
		if run := l.ordinary(p[i:n]); run > 0 && run <= min(l.lim.FieldBytes-l.field, l.lim.RowBytes-l.row) {
			l.field += run
			l.row += run
			i += run
			continue
		}
		if e := l.step(p[i]); e != nil {
			l.err = e
			// Pass on the bytes before the one over the limit, then fail.
			if i == 0 {
				return 0, e
			}
			return i, nil
		}
		i++
	}
	return n, err
}

// ordinary is how many bytes at the start of p only lengthen the current
// field: none at a field's start or after a quote, where every byte
// changes the state.
func (l *limitReader) ordinary(p []byte) int {
	var end int
	switch l.state {
	case unquoted:
		end = bytes.IndexAny(p, ",\"\n\r")
	case quoted:
		end = bytes.IndexByte(p, '"')
		if nl := bytes.IndexByte(p, '\n'); nl >= 0 && (end < 0 || nl < end) {
			end = nl // a line end in a quoted field counts a line
		}
	default:
		return 0
	}
	if end < 0 {
		return len(p)
	}
	return end
}

func (l *limitReader) step(c byte) error {
	l.row++
	err := l.scan(c)
	if c == '\n' {
		l.line++
	}
	return err
}

// scan moves the scanner over one byte of the current line.
func (l *limitReader) scan(c byte) error {
	switch l.state {
	case fieldStart, unquoted, quoteInQuote:
		switch c {
		case ',':
			l.field, l.state = 0, fieldStart
			if l.cols++; l.cols > l.lim.Columns {
				return &LimitError{Line: l.start, At: l.line, What: "the number of columns in a row", Limit: l.lim.Columns, Key: "max_columns"}
			}
			return nil
		case '\n':
			l.field, l.row, l.cols, l.state = 0, 0, 1, fieldStart
			l.start = l.line + 1
			return nil
		case '"':
			if l.state == fieldStart {
				l.state = quoted
				return nil
			}
			if l.state == quoteInQuote { // a doubled quote
				l.state = quoted
			}
			l.field++
		case '\r':
			return nil
		default:
			l.state = unquoted
			l.field++
		}
	case quoted:
		if c == '"' {
			l.state = quoteInQuote
		} else {
			l.field++
		}
	}
	if l.field > l.lim.FieldBytes {
		return &LimitError{Line: l.start, At: l.line, What: "a field's length in bytes", Limit: l.lim.FieldBytes, Key: "max_field_bytes"}
	}
	if l.row > l.lim.RowBytes {
		return &LimitError{Line: l.start, At: l.line, What: "a row's length in bytes", Limit: l.lim.RowBytes, Key: "max_row_bytes"}
	}
	return nil
}
