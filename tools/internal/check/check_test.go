package check

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
	"github.com/chicago-welcoming-city/transparency/tools/internal/records"
)

const visaHeader = "request_id,received_at,visa_type,requester_type,victim_name,victim_dob,rd_number,qualifying_crime,decision,decided_at,denial_reason\n"

// visaRow writes a valid row with the given id; victim fields carry a canary.
func visaRow(id string) string {
	return id + ",2026-03-02 10:00,U,ATTORNEY,Fakey Notreal CANARYNAME,01/02/1980,CANARYRD,DOMESTIC_VIOLENCE,CERTIFIED,2026-04-01 09:00,\n"
}

func checkVisa(t *testing.T, body string, m *delivery.Manifest) *FileReport {
	t.Helper()
	d := &delivery.Delivery{FS: fstest.MapFS{"visa_certifications.csv": {Data: []byte(body)}}, Origin: "test", Manifest: m}
	e, _ := contract.Lookup("visa_certifications")
	return Export(d, e, Options{Now: time.Date(2026, 11, 1, 0, 0, 0, 0, period.Chicago)}, func(records.Visa) {})
}

func TestExportFindsDefects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		body   string
		line   int
		column string
		kind   Kind
	}{
		{"missing column", strings.Replace(visaHeader, "visa_type,", "", 1), 1, "visa_type", MissingColumn},
		{"duplicate column", strings.Replace(visaHeader, "decision,", "decision,Decision ,", 1), 1, "decision", DuplicateColumn},
		{"bad datetime after quoted newline", visaHeader + visaRow("1") + strings.Replace(visaRow("2"), "Fakey", "\"Fakey\nMore\"", 1) + strings.Replace(visaRow("3"), "2026-03-02 10:00", "2026-02-30 10:00", 1), 5, "received_at", BadValue},
		{"missing required value", visaHeader + strings.Replace(visaRow("1"), ",U,", ",,", 1), 2, "visa_type", MissingValue},
		{"unknown code", visaHeader + strings.Replace(visaRow("1"), ",U,", ",X,", 1), 2, "visa_type", UnknownCode},
		{"duplicate id", visaHeader + visaRow("7") + visaRow("7.0"), 3, "request_id", DuplicateID},
		{"future datetime", visaHeader + strings.Replace(visaRow("1"), "2026-03-02 10:00", "2026-12-02 10:00", 1), 2, "received_at", FutureDatetime},
		{"before 2012", visaHeader + strings.Replace(visaRow("1"), "2026-03-02 10:00", "2011-12-31 23:00", 1), 2, "received_at", TooEarly},
		{"wrong field count", visaHeader + "1,2026-03-02 10:00,U\n", 2, "", MalformedRow},
		{"bare quote", visaHeader + strings.Replace(visaRow("1"), "Fakey", "Fa\"key", 1), 2, "", MalformedRow},
		{"empty file", "", 0, "", EmptyFile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := checkVisa(t, tt.body, nil)
			if !(&Report{Files: []*FileReport{rep}}).Failed() {
				t.Fatalf("passed; problems: %v", rep.Problems)
			}
			var found bool
			for _, p := range rep.Problems {
				if p.Kind == tt.kind && p.Line == tt.line && p.Column == tt.column {
					found = true
				}
				if p.File != "visa_certifications.csv" || p.Hint == "" && p.Kind != MalformedRow {
					t.Errorf("problem lacks file or hint: %+v", p)
				}
				if strings.Contains(p.Error(), "CANARY") {
					t.Errorf("message echoes personal data: %s", p.Error())
				}
			}
			if !found {
				t.Errorf("want %s at line %d column %q; got %v", tt.kind, tt.line, tt.column, rep.Problems)
			}
		})
	}
}

func TestExportAcceptsVariants(t *testing.T) {
	t.Parallel()
	// BOM, CRLF, header case and spaces, free column order, no PII columns
	// at all, an extra column, ".0" ids, every datetime form, code case.
	body := "\ufeff REQUEST_ID ,Received_At,visa_type,decision,decided_at,extra_col,QUALIFYING_CRIME,requester_type\r\n" +
		"1.0,07/03/2026 2:05 PM,u,pending,,x,,\r\n" +
		"2,7/3/2026 14:05, T ,Denied,2026-08-01T10:00:00-05:00,y,trafficking,SELF\r\n" +
		"3,2026-07-03 14:05,U,CERTIFIED,2026-08-01 10:00:09,,OTHER,\r\n" +
		"4,2026-07-03T14:05:09,U,WITHDRAWN,2026-08-01 10:00,,OTHER,\r\n"
	rep := checkVisa(t, body, nil)
	if (&Report{Files: []*FileReport{rep}}).Failed() {
		t.Fatalf("problems: %v", rep.Problems)
	}
	if rep.RowsRead != 4 || rep.RowsValid != 4 {
		t.Errorf("rows read %d valid %d", rep.RowsRead, rep.RowsValid)
	}
	if rep.ByKind[UnknownColumn] != 1 {
		t.Errorf("the extra column must be reported as a warning: %v", rep.Problems)
	}
}

func TestManifestMismatch(t *testing.T) {
	t.Parallel()
	body := visaHeader + visaRow("1") + visaRow("2")
	sum := sha256.Sum256([]byte(body))
	good := hex.EncodeToString(sum[:])
	for _, tt := range []struct {
		rows int
		sha  string
		want string
	}{
		{3, good, "says 3 rows, the file has 2"},
		{2, strings.Repeat("0", 64), "sha256 does not match"},
	} {
		m := &delivery.Manifest{ExportedAt: time.Date(2026, 11, 1, 0, 0, 0, 0, period.Chicago), Files: []delivery.ManifestFile{{Name: "visa_certifications.csv", Rows: tt.rows, SHA256: tt.sha}}}
		rep := checkVisa(t, body, m)
		if rep.ByKind[ManifestMismatch] != 1 || !strings.Contains(fmt.Sprint(rep.Problems), tt.want) {
			t.Errorf("manifest %d/%s: %v", tt.rows, tt.sha[:4], rep.Problems)
		}
	}
	m := &delivery.Manifest{ExportedAt: time.Date(2026, 11, 1, 0, 0, 0, 0, period.Chicago), Files: []delivery.ManifestFile{{Name: "visa_certifications.csv", Rows: 2, SHA256: good}}}
	if rep := checkVisa(t, body, m); (&Report{Files: []*FileReport{rep}}).Failed() {
		t.Errorf("matching manifest: %v", rep.Problems)
	}
}

func TestProblemsAreCapped(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString(visaHeader)
	for i := range 80 {
		b.WriteString(strings.Replace(visaRow(fmt.Sprint(i)), ",U,", ",X,", 1))
	}
	rep := checkVisa(t, b.String(), nil)
	if len(rep.Problems) != 50 || rep.Dropped != 30 || rep.ByKind[UnknownCode] != 80 {
		t.Errorf("kept %d, dropped %d, counted %d", len(rep.Problems), rep.Dropped, rep.ByKind[UnknownCode])
	}
	var out strings.Builder
	if err := (&Report{Files: []*FileReport{rep}}).Write(&out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "30 more problem(s) not shown") || !strings.Contains(out.String(), "unknown-code: 80 problem(s)") || !strings.Contains(out.String(), "unknown-code 80") {
		t.Errorf("report:\n%s", out.String())
	}
}

func TestMissingFile(t *testing.T) {
	t.Parallel()
	d := &delivery.Delivery{FS: fstest.MapFS{}, Origin: "test"}
	rep := Delivery(d, Options{}, func(contract.Export, records.Record) {})
	if len(rep.Files) != 4 || !rep.Failed() {
		t.Fatalf("report = %+v", rep)
	}
	for _, f := range rep.Files {
		if f.ByKind[MissingFile] != 1 {
			t.Errorf("%s: %v", f.File, f.Problems)
		}
	}
	if err := rep.Err(); err == nil || !strings.Contains(err.Error(), "nothing was published") {
		t.Errorf("Err = %v", err)
	}
}

// TestRepeatedHourIsNotAnError: when daylight saving time ends, a response
// at 1:10 (the second 1:10) to a request at 1:50 (the first) is in order.
func TestRepeatedHourIsNotAnError(t *testing.T) {
	t.Parallel()
	body := visaHeader +
		"1,2025-11-02 01:50,U,ATTORNEY,,,,DOMESTIC_VIOLENCE,CERTIFIED,2025-11-02 01:10,\n" +
		"2,2025-11-02 03:50,U,ATTORNEY,,,,DOMESTIC_VIOLENCE,CERTIFIED,2025-11-02 03:10,\n"
	rep := checkVisa(t, body, nil)
	if rep.ByKind[NotBefore] != 1 || rep.InvalidRows != 1 || rep.Problems[0].Line != 3 {
		t.Errorf("want only line 3 (an hour that happens once) reported: %v", rep.Problems)
	}
}
