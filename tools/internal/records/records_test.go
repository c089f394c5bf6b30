package records

import (
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
)

// TestRowsMatchContract holds each typed row to the contract: it decodes
// every column that is not personal data, and no column that is.
func TestRowsMatchContract(t *testing.T) {
	t.Parallel()
	rows := map[string][]string{
		"detainer_log":        Columns[Detainer](),
		"assistance_requests": Columns[Assistance](),
		"federal_incidents":   Columns[Incident](),
		"visa_certifications": Columns[Visa](),
	}
	for _, e := range contract.Exports() {
		got, ok := rows[e.Name]
		if !ok {
			t.Errorf("%s: no typed row", e.Name)
			continue
		}
		var want []string
		for _, c := range e.Columns {
			if !c.PII {
				want = append(want, c.Name)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: row decodes %v, contract's non-PII columns are %v", e.Name, got, want)
		}
		for _, p := range e.PIIColumns() {
			if slices.Contains(got, p) {
				t.Errorf("%s: row decodes PII column %s", e.Name, p)
			}
		}
	}
}

func TestParseDatetimeForms(t *testing.T) {
	t.Parallel()
	want := time.Date(2026, 7, 3, 14, 5, 0, 0, period.Chicago)
	wantSec := want.Add(9 * time.Second)
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2026-07-03 14:05", want},
		{"2026-07-03 14:05:09", wantSec},
		{"2026-07-03T14:05:09", wantSec},
		{"2026-07-03T14:05:09-05:00", wantSec},
		{"2026-07-03T19:05:09Z", wantSec},
		{"07/03/2026 2:05 PM", want},
		{"7/3/2026 14:05", want},
		{" 7/3/2026 14:05 ", want},
	}
	for _, tt := range tests {
		got, err := ParseDatetime(tt.in)
		if err != nil {
			t.Errorf("ParseDatetime(%q): %v", tt.in, err)
			continue
		}
		if !got.Equal(tt.want) {
			t.Errorf("ParseDatetime(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
	for _, bad := range []string{"2026-07-03", "2026-13-03 10:00", "03/07/26 2:05 PM", "yesterday", "2026-07-03 25:00"} {
		if _, err := ParseDatetime(bad); !errors.Is(err, ErrDatetime) {
			t.Errorf("ParseDatetime(%q) = %v, want ErrDatetime", bad, err)
		}
	}
}

func TestParseScalars(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{"Y": true, "yes": true, "True": true, "1": true, "n": false, "NO": false, "false": false, "0": false} {
		v, ok, err := ParseFlag(in)
		if err != nil || !ok || v != want {
			t.Errorf("ParseFlag(%q) = %v, %v, %v", in, v, ok, err)
		}
	}
	if _, ok, err := ParseFlag(""); ok || err != nil {
		t.Error("empty flag must be unknown, not an error")
	}
	if _, _, err := ParseFlag("maybe"); !errors.Is(err, ErrFlag) {
		t.Error("ParseFlag accepted maybe")
	}
	for in, want := range map[string]int{"0": 0, "3": 3, "12.0": 12, " 7 ": 7} {
		n, ok, err := ParseCount(in)
		if err != nil || !ok || n != want {
			t.Errorf("ParseCount(%q) = %d, %v, %v", in, n, ok, err)
		}
	}
	for _, bad := range []string{"-1", "1.5", "+2", "two", ".0"} {
		if _, _, err := ParseCount(bad); err == nil {
			t.Errorf("ParseCount(%q) accepted", bad)
		}
	}
	beats := map[string]int{"1234": 12, "111": 1, "2533.0": 25, "0421": 4}
	for in, want := range beats {
		_, d, ok, err := ParseBeat(in)
		if err != nil || !ok || d != want {
			t.Errorf("ParseBeat(%q) = district %d, %v, %v", in, d, ok, err)
		}
	}
	for _, unknown := range []string{"", "0", " 0.0 "} {
		if _, _, ok, err := ParseBeat(unknown); ok || err != nil {
			t.Errorf("ParseBeat(%q) should be unknown location", unknown)
		}
	}
	if _, _, _, err := ParseBeat("1311"); !errors.Is(err, ErrDistrict) {
		t.Errorf("beat 1311 (district 13) = %v, want ErrDistrict", err)
	}
	if _, _, _, err := ParseBeat("12"); !errors.Is(err, ErrBeat) {
		t.Errorf("beat 12 = %v, want ErrBeat", err)
	}
	if NormalizeID("9505.0") != "9505" || NormalizeID("A-9505.0") != "A-9505.0" {
		t.Error("NormalizeID must drop .0 from numeric ids only")
	}
}

func TestReaderStreamsTypedRows(t *testing.T) {
	t.Parallel()
	const file = "\xef\xbb\xbf Request_ID ,RECEIVED_AT,visa_type,Victim_Name,decision,decided_at,extra\r\n" +
		"101.0,2026-01-05 09:00,u,\"Fakey \"\"Q\"\" Notreal\nsecond line\",certified,2026-02-01 10:00,x\r\n" +
		"102,01/06/2026 3:30 PM,T,Dummy Person,PENDING,,y\r\n" +
		"103,not a date,T,Dummy Person,PENDING,,y\r\n"
	r, err := NewReader[Visa](strings.NewReader(file), Mapping{})
	if err != nil {
		t.Fatal(err)
	}
	wantHeaders := []string{"request_id", "received_at", "visa_type", "victim_name", "decision", "decided_at", "extra"}
	if !slices.Equal(r.Headers(), wantHeaders) {
		t.Errorf("headers = %q", r.Headers())
	}
	type got struct {
		id, visa, decision string
		line               int
		when               bool
	}
	var rows []got
	for {
		row, line, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, got{row.RecordID(), string(row.VisaType), string(row.Decision), line, row.When().Valid})
	}
	want := []got{
		{"101", "U", "CERTIFIED", 2, true},
		{"102", "T", "PENDING", 4, true}, // line 3 is the quoted newline
		{"103", "T", "PENDING", 5, false},
	}
	if !slices.Equal(rows, want) {
		t.Errorf("rows = %+v\nwant %+v", rows, want)
	}
}

func TestReaderRenamesColumns(t *testing.T) {
	t.Parallel()
	const file = "ID,Date Received,Type,Outcome\nA1,2026-01-05 09:00,U,DENIED\n"
	r, err := NewReader[Visa](strings.NewReader(file), Mapping{Rename: map[string]string{
		"id": "request_id", "Date Received": "received_at", "TYPE": "visa_type", "outcome": "decision",
	}})
	if err != nil {
		t.Fatal(err)
	}
	row, _, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	if row.RecordID() != "A1" || row.Decision != "DENIED" || row.VisaType != "U" || !row.ReceivedAt.Valid {
		t.Errorf("renamed row = %+v", row)
	}
}

func TestReaderReportsFieldStates(t *testing.T) {
	t.Parallel()
	const file = "request_id,received_at,visa_type,decision,decided_at\n7,2026-99-01 10:00,U,,\n"
	r, err := NewReader[Visa](strings.NewReader(file), Mapping{})
	if err != nil {
		t.Fatal(err)
	}
	row, _, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]FieldState{}
	for _, f := range Fields(&row) {
		states[f.Column] = f
	}
	if !errors.Is(states["received_at"].Err, ErrDatetime) {
		t.Errorf("received_at state = %+v", states["received_at"])
	}
	if !states["decision"].Empty || !states["decided_at"].Empty || states["visa_type"].Raw != "U" || states["received_at"].Raw != "2026-99-01 10:00" {
		t.Errorf("states = %+v", states)
	}
}

func TestReaderEmptyFile(t *testing.T) {
	t.Parallel()
	if _, err := NewReader[Visa](strings.NewReader(""), Mapping{}); !errors.Is(err, ErrEmptyFile) {
		t.Errorf("empty file: %v", err)
	}
}

func TestLayoutFromPattern(t *testing.T) {
	t.Parallel()
	tests := []struct{ pattern, value, want string }{
		{"DD.MM.YYYY HH:mm", "03.07.2026 14:05", "2026-07-03 14:05:00"},
		{"YYYY/MM/DD hh:mm:ss A", "2026/07/03 02:05:09 PM", "2026-07-03 14:05:09"},
		{"D-M-YYYY", "3-7-2026", "2026-07-03 00:00:00"},
	}
	for _, tt := range tests {
		layout, err := LayoutFromPattern(tt.pattern)
		if err != nil {
			t.Fatalf("%s: %v", tt.pattern, err)
		}
		got, err := time.ParseInLocation(layout, tt.value, period.Chicago)
		if err != nil || got.Format(time.DateTime) != tt.want {
			t.Errorf("%s on %q = %v, %v; want %s", tt.pattern, tt.value, got, err, tt.want)
		}
	}
	for bad, why := range map[string]string{
		"DD.MM.YY": "not one of", "YYYY-MM-DD Q": "not one of", "HH:mm": "needs a year", "": "needs a year",
		// Typos that once read minutes as months, or hours wrong.
		"DD/MM/YYYY hh:MM":       "the month appears 2 times",
		"YYYY-MM-DD HH:MM":       "the month appears 2 times",
		"YYYY-MM-DD HH":          "an hour without minutes",
		"YYYY-MM-DD mm":          "minutes (mm) without an hour",
		"YYYY-MM-DD HH:ss":       "seconds (ss) without minutes",
		"YYYY-MM-DD hh:mm":       "needs AM or PM",
		"YYYY-MM-DD HH:mm A":     "goes with a 12-hour clock",
		"YYYY-MM-DD DD":          "the day appears 2 times",
		"YYYY-MM-DD HH:mm:ss ss": "the second appears 2 times",
	} {
		if _, err := LayoutFromPattern(bad); err == nil || !strings.Contains(err.Error(), why) {
			t.Errorf("pattern %q: got %v, want it refused saying %q", bad, err, why)
		}
	}
}

func TestParserMapping(t *testing.T) {
	t.Parallel()
	layout, _ := LayoutFromPattern("DD.MM.YYYY HH:mm")
	p := &Parser{DatetimeLayouts: []string{layout}, BeatIsDistrict: true}
	if got, err := p.Datetime("03.07.2026 14:05"); err != nil || got.Hour() != 14 {
		t.Errorf("extra layout: %v %v", got, err)
	}
	if _, err := ParseDatetime("03.07.2026 14:05"); err == nil {
		t.Error("the contract alone must not read the mapped form")
	}
	if _, d, ok, err := p.Beat("12.0"); err != nil || !ok || d != 12 {
		t.Errorf("district given directly: %d %v %v", d, ok, err)
	}
	if _, _, _, err := p.Beat("13"); !errors.Is(err, ErrDistrict) {
		t.Errorf("district 13: %v", err)
	}
	if _, _, ok, err := p.Beat("0"); ok || err != nil {
		t.Error("district 0 is an unknown location")
	}
}

func TestUTF8Scanner(t *testing.T) {
	t.Parallel()
	var s UTF8Scanner
	s.Write([]byte("a,b\nc,\xc3")) // é split across writes
	s.Write([]byte("\xa9\nline3\n"))
	if !s.Valid() {
		t.Fatalf("split rune reported invalid at line %d", s.BadLine())
	}
	var w UTF8Scanner
	w.Write([]byte("a\nb\nCaf\xe9\n")) // Windows-1252 é on line 3
	if w.Valid() || w.BadLine() != 3 {
		t.Errorf("invalid byte: valid=%v line=%d", w.Valid(), w.BadLine())
	}
	dec, _ := io.ReadAll(Decode(strings.NewReader("Caf\xe9 \x93q\x94"), Windows1252))
	if string(dec) != "Café “q”" {
		t.Errorf("Windows-1252 decoded to %q", dec)
	}
}

// TestEveryRowFieldHasAnAccessor: bindings panics on a field type without
// an accessor; every typed row must bind.
func TestEveryRowFieldHasAnAccessor(t *testing.T) {
	t.Parallel()
	bindings[Detainer](nil)
	bindings[Assistance](nil)
	bindings[Incident](nil)
	bindings[Visa](nil)
}

// TestOneFileColumnFeedsSeveralContractColumns: a mapping may read one
// file column into two contract columns, both every time (it once kept
// one of them, a different one on each run, in map order).
func TestOneFileColumnFeedsSeveralContractColumns(t *testing.T) {
	t.Parallel()
	file := "REQ,WHEN,KIND,FROM,CRIME,OUTCOME\nV1,2026-03-02 10:00,U,ATTORNEY,OTHER,CERTIFIED\n"
	m := Mapping{Columns: map[string]string{
		"request_id": "REQ", "received_at": "WHEN", "decided_at": "when", "visa_type": "KIND",
		"requester_type": "FROM", "qualifying_crime": "CRIME", "decision": "OUTCOME",
	}}
	for range 50 {
		r, err := NewReader[Visa](strings.NewReader(file), m)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"request_id", "decided_at", "visa_type", "requester_type", "qualifying_crime", "decision", "received_at"} // the first by name holds the column
		if !slices.Equal(r.Headers(), want) {
			t.Fatalf("headers %q, want %q", r.Headers(), want)
		}
		row, _, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		if !row.ReceivedAt.Valid || !row.DecidedAt.Valid || !row.ReceivedAt.Time.Equal(row.DecidedAt.Time) || row.Decision != "CERTIFIED" {
			t.Fatalf("row %+v", row)
		}
	}
}
