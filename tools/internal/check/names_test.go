package check

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
	"github.com/chicago-welcoming-city/transparency/tools/internal/records"
)

// An export is read from the records system's own file name, or the one
// file a pattern matches; a pattern matching none or several, or a
// matching file that is not a plain file of the folder, is refused,
// naming the pattern and what it matched.
func TestAnExportIsReadFromItsOwnFileName(t *testing.T) {
	t.Parallel()
	e, _ := contract.Lookup("visa_certifications")
	body := visaHeader + visaRow("V1") + visaRow("V2")
	read := func(fsys fstest.MapFS, pattern string) (*FileReport, int) {
		t.Helper()
		d := &delivery.Delivery{FS: fsys, Origin: "test"}
		n := 0
		rep := Export(d, e, Options{Now: time.Now(), Mappings: map[string]records.Mapping{e.Name: {File: pattern}}}, func(records.Visa) { n++ })
		return rep, n
	}
	// A name, and a pattern that matches one file, plain or compressed.
	for _, tc := range []struct{ file, pattern string }{
		{"VISA_CERTS.csv", "VISA_CERTS.csv"},
		{"U-T-visa_2026-12-01.csv", "U-T-visa_*.csv"},
		{"U-T-visa_2026-12-01.csv.gz", "U-T-visa_*.csv.gz"},
	} {
		data := []byte(body)
		if strings.HasSuffix(tc.file, ".gz") {
			data = gzipped(t, data)
		}
		rep, n := read(fstest.MapFS{tc.file: {Data: data}, "visa_certifications.csv": {Data: []byte("not,this,one\n")}}, tc.pattern)
		if len(rep.Problems) != 0 || n != 2 || rep.File != tc.file {
			t.Errorf("%s as %s: file %q, %d rows, problems %v", tc.file, tc.pattern, rep.File, n, rep.Problems)
		}
	}
	// None, several, or not a plain file.
	for _, tc := range []struct {
		name    string
		fsys    fstest.MapFS
		pattern string
		want    string
	}{
		{"none", fstest.MapFS{"other.csv": {Data: []byte(body)}}, "U-T-visa_*.csv", `no file of the delivery matches "U-T-visa_*.csv"`},
		{"several", fstest.MapFS{"U-T-visa_1.csv": {Data: []byte(body)}, "U-T-visa_2.csv": {Data: []byte(body)}}, "U-T-visa_*.csv", `2 files match "U-T-visa_*.csv" (U-T-visa_1.csv, U-T-visa_2.csv)`},
		{"a folder", fstest.MapFS{"U-T-visa_1.csv/x": {Data: []byte(body)}}, "U-T-visa_*.csv", `no file of the delivery matches`},
	} {
		rep, n := read(tc.fsys, tc.pattern)
		var msgs []string
		for _, p := range rep.Problems {
			msgs = append(msgs, p.Error())
		}
		if n != 0 || rep.ByKind[MissingFile] != 1 || !strings.Contains(strings.Join(msgs, "\n"), tc.want) {
			t.Errorf("%s: %d rows, problems %v; want %q", tc.name, n, msgs, tc.want)
		}
	}
}

// An export the records system does not deliver is not asked for: no
// file, no problem, no rows, and the report says it is not delivered.
func TestAnExportNotDeliveredIsNotAskedFor(t *testing.T) {
	t.Parallel()
	e, _ := contract.Lookup("visa_certifications")
	d := &delivery.Delivery{FS: fstest.MapFS{}, Origin: "test"}
	rep := Export(d, e, Options{Now: time.Now(), Mappings: map[string]records.Mapping{e.Name: {NotDelivered: true}}}, func(records.Visa) {})
	if len(rep.Problems) != 0 || !rep.NotDelivered || rep.RowsRead != 0 {
		t.Errorf("not delivered: %+v", rep)
	}
	// Delivered anyway, it is still not read: the configuration says what
	// the system delivers.
	d = &delivery.Delivery{FS: fstest.MapFS{"visa_certifications.csv": {Data: []byte(visaHeader + visaRow("V1"))}}, Origin: "test"}
	n := 0
	rep = Export(d, e, Options{Now: time.Now(), Mappings: map[string]records.Mapping{e.Name: {NotDelivered: true}}}, func(records.Visa) { n++ })
	if n != 0 || !rep.NotDelivered {
		t.Errorf("a file of an export not delivered was read: %d rows", n)
	}
}
