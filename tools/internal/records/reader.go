// Package records decodes the CSV exports of a delivery into typed rows.
//
// It reads one file as a stream: a UTF-8 byte-order mark is dropped, LF and
// CRLF line ends and RFC 4180 quoting (quoted newlines, doubled quotes) are
// handled by encoding/csv, header names are matched case- and
// space-insensitively and through a configurable rename map, and each row is
// decoded by gocsv into a struct that has no field for any personal data.
// Every row comes with the physical line it starts on, quoted newlines
// counted, so problems can name it.
package records

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"

	"github.com/gocarina/gocsv"
)

// ErrEmptyFile is returned for a file with no header row.
var ErrEmptyFile = errors.New("the file is empty: a header row is required")

// Mapping says how one file differs from the contract: its own column
// names and the extra value forms it uses.
type Mapping struct {
	// Rename maps the file's column names to the contract's.
	Rename map[string]string
	// Encoding of the file; EncodingAuto (or empty) detects it.
	Encoding Encoding
	Parser   Parser
}

// Reader streams typed rows of type T from one CSV file.
type Reader[T Record] struct {
	csv       *csv.Reader
	um        *gocsv.Unmarshaller
	headers   []string
	parser    *Parser
	resolvers []int // indices of T's fields to resolve
}

// NewHeaderNormalizer returns the function that turns a file's header names
// into canonical ones: trimmed, lower-cased, then renamed through rename
// (keys are the file's names, compared the same way).
func NewHeaderNormalizer(rename map[string]string) func(string) string {
	norm := make(map[string]string, len(rename))
	for from, to := range rename {
		norm[normalizeHeader(from)] = normalizeHeader(to)
	}
	return func(h string) string {
		h = normalizeHeader(h)
		if to, ok := norm[h]; ok {
			return to
		}
		return h
	}
}

func normalizeHeader(h string) string { return strings.ToLower(strings.TrimSpace(h)) }

// NewReader reads the header row of r, which must be UTF-8, and prepares to
// decode rows into T according to m.
func NewReader[T Record](r io.Reader, m Mapping) (*Reader[T], error) {
	cr := csv.NewReader(skipBOM(r))
	cr.ReuseRecord = true
	var zero T
	um, err := gocsv.NewUnmarshaller(cr, zero)
	if errors.Is(err, io.EOF) {
		return nil, ErrEmptyFile
	}
	if err != nil {
		return nil, fmt.Errorf("read header row: %w", err)
	}
	normalize := NewHeaderNormalizer(m.Rename)
	headers := make([]string, len(um.Headers))
	for i, h := range um.Headers {
		headers[i] = normalize(h)
	}
	if err := um.RenormalizeHeaders(func([]string) []string { return headers }); err != nil {
		return nil, fmt.Errorf("map header row: %w", err)
	}
	parser := m.Parser
	rd := &Reader[T]{csv: cr, um: um, headers: headers, parser: &parser}
	t := reflect.TypeFor[T]()
	for i := range t.NumField() {
		if reflect.PointerTo(t.Field(i).Type).Implements(reflect.TypeFor[resolver]()) {
			rd.resolvers = append(rd.resolvers, i)
		}
	}
	return rd, nil
}

// Headers are the file's column names after normalization, in file order.
func (r *Reader[T]) Headers() []string { return r.headers }

// Next decodes the next row and returns it with the physical line it starts
// on. At the end it returns io.EOF. A malformed row returns a *csv.ParseError
// that names its line; reading may go on after it.
func (r *Reader[T]) Next() (row T, line int, err error) {
	v, err := r.um.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return row, pe.StartLine, err
		}
		return row, 0, err
	}
	line, _ = r.csv.FieldPos(0)
	row = v.(T)
	rv := reflect.ValueOf(&row).Elem()
	for _, i := range r.resolvers {
		rv.Field(i).Addr().Interface().(resolver).resolve(r.parser)
	}
	return row, line, nil
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
	Raw     string    // the cell as written; never personal data
	Norm    string    // normalized value: codes upper-cased, flags Y or N, ids without ".0"
	Empty   bool      // the cell was empty (unknown)
	Err     error     // the value could not be read
	Time    time.Time // datetimes and dates, when HasTime
	HasTime bool
	N       int // counts, when HasN
	HasN    bool
}

type field interface {
	state() FieldState
}

// Fields lists the state of every column of a typed row, in struct order.
func Fields(row any) []FieldState {
	v := reflect.ValueOf(row)
	t := v.Type()
	out := make([]FieldState, 0, t.NumField())
	for i := range t.NumField() {
		f, ok := v.Field(i).Interface().(field)
		if !ok {
			continue
		}
		fs := f.state()
		fs.Column = t.Field(i).Tag.Get("csv")
		out = append(out, fs)
	}
	return out
}

// Columns lists the canonical column names a row type decodes.
func Columns[T Record]() []string {
	var zero T
	t := reflect.TypeOf(zero)
	out := make([]string, 0, t.NumField())
	for i := range t.NumField() {
		out = append(out, t.Field(i).Tag.Get("csv"))
	}
	return out
}
