package check

import (
	"bytes"
	"compress/gzip"
	"strings"
	"testing"
	"testing/fstest"
	"time"
	"unicode/utf16"

	"archive/zip"

	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
	"github.com/chicago-welcoming-city/transparency/tools/internal/records"
)

// utf16Bytes encodes s as UTF-16, little- or big-endian, with or without
// a byte-order mark.
func utf16Bytes(s string, big, bom bool) []byte {
	var out []byte
	units := utf16.Encode([]rune(s))
	if bom {
		units = append([]uint16{0xfeff}, units...)
	}
	for _, u := range units {
		if big {
			out = append(out, byte(u>>8), byte(u))
		} else {
			out = append(out, byte(u), byte(u>>8))
		}
	}
	return out
}

// TestFilesThatAreNotCSVTextAreNamed: UTF-16, UTF-32, gzip and ZIP files
// are reported as what they are, with what to do, not as a missing header.
func TestFilesThatAreNotCSVTextAreNamed(t *testing.T) {
	t.Parallel()
	body := visaHeader + visaRow("V1")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(body))
	zw.Close()
	var zipped bytes.Buffer
	z := zip.NewWriter(&zipped)
	w, _ := z.Create("visa_certifications.csv")
	w.Write([]byte(body))
	z.Close()
	utf32 := []byte{0xff, 0xfe, 0, 0}
	for _, r := range body {
		utf32 = append(utf32, byte(r), byte(r>>8), 0, 0)
	}
	for name, tc := range map[string]struct {
		data []byte
		want string
	}{
		"UTF-16 LE with BOM":    {utf16Bytes(body, false, true), "the file is UTF-16 text, not a CSV text file (export it again as UTF-8"},
		"UTF-16 BE with BOM":    {utf16Bytes(body, true, true), "the file is UTF-16 text, not a CSV text file"},
		"UTF-16 LE without BOM": {utf16Bytes(body, false, false), "the file is UTF-16 text without a byte-order mark"},
		"UTF-32":                {utf32, "the file is UTF-32 text"},
		"gzip":                  {gz.Bytes(), "the file is a gzip archive, not a CSV text file (add .gz to its name"},
		"ZIP":                   {zipped.Bytes(), "the file is a ZIP archive, not a CSV text file (unpack it"},
	} {
		t.Run(name, func(t *testing.T) {
			d := &delivery.Delivery{FS: fstest.MapFS{"visa_certifications.csv": {Data: tc.data}}, Origin: "test"}
			e, _ := contract.Lookup("visa_certifications")
			rep := Export(d, e, Options{Now: time.Now()}, func(records.Visa) {})
			if len(rep.Problems) != 1 || rep.Problems[0].Kind != BadEncoding || !strings.Contains(rep.Problems[0].Error(), tc.want) {
				t.Errorf("got %v, want one bad-encoding problem saying %q", rep.Problems, tc.want)
			}
		})
	}
}

// TestAHeaderWithFewColumnsIsAHeader: a system that supplies only some of
// the contract's columns gets each missing column named, not a claim that
// its header row is missing; a first line of data is reported without
// echoing it.
func TestAHeaderWithFewColumnsIsAHeader(t *testing.T) {
	t.Parallel()
	e, _ := contract.Lookup("visa_certifications")
	check := func(body string) *FileReport {
		d := &delivery.Delivery{FS: fstest.MapFS{"visa_certifications.csv": {Data: []byte(body)}}, Origin: "test"}
		return Export(d, e, Options{Now: time.Now()}, func(records.Visa) {})
	}
	rep := check("request_id,received_at,DECISION_TXT\nV1,2026-03-02 10:00,Certified\n")
	if rep.ByKind[BadHeader] != 0 || rep.ByKind[MissingColumn] != 5 {
		t.Errorf("a header with 2 of 7 columns: %v", rep.Problems)
	}
	for _, p := range rep.Problems {
		if p.Kind == MissingColumn && p.Column == "decision" && !strings.Contains(p.Error(), "params.exports.visa_certifications.columns") {
			t.Errorf("the missing column does not say how to map it: %s", p.Error())
		}
	}
	rep = check("V1,2026-03-02 10:00,U,ATTORNEY,Fakey McCanary CANARYNAME\n")
	if rep.ByKind[BadHeader] != 1 || len(rep.Problems) != 1 || strings.Contains(rep.Problems[0].Error(), "CANARY") || !strings.Contains(rep.Problems[0].Error(), "no header row") {
		t.Errorf("a first line of data: %v", rep.Problems)
	}
	rep = check("request_id;received_at;visa_type\n")
	if rep.ByKind[BadHeader] != 1 || !strings.Contains(rep.Problems[0].Error(), "semicolons or tabs") {
		t.Errorf("a semicolon-separated header: %v", rep.Problems)
	}
}

// TestTheEffectiveMappingIsReported: check says where each contract column
// is read from, and never shows a first line of data as column names.
func TestTheEffectiveMappingIsReported(t *testing.T) {
	t.Parallel()
	e, _ := contract.Lookup("visa_certifications")
	file := "REQ,WHEN,visa_type,requester_type,qualifying_crime,OUTCOME\nV1,2026-03-02 10:00,U,ATTORNEY,OTHER,Certified\n"
	m := records.Mapping{
		Columns: map[string]string{"request_id": "REQ", "received_at": "WHEN", "decision": "OUTCOME"},
		Values:  map[string]map[string]string{"decision": {"Certified": "CERTIFIED"}},
	}
	d := &delivery.Delivery{FS: fstest.MapFS{"visa_certifications.csv": {Data: []byte(file)}}, Origin: "test"}
	rep := &Report{Files: []*FileReport{Export(d, e, Options{Now: time.Now(), Mappings: map[string]records.Mapping{e.Name: m}}, func(records.Visa) {})}}
	var out bytes.Buffer
	rep.WriteMapping(&out)
	for _, want := range []string{
		`request_id        ← column "REQ"`,
		`received_at       ← column "WHEN"`,
		`decision          ← column "OUTCOME", through a value map of 1`,
		`decided_at        ← nothing: not in the file`,
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the mapping should say %q:\n%s", want, out.String())
		}
	}
	d = &delivery.Delivery{FS: fstest.MapFS{"visa_certifications.csv": {Data: []byte("V1,2026-03-02 10:00,U,Fakey CANARYNAME\n")}}, Origin: "test"}
	rep = &Report{Files: []*FileReport{Export(d, e, Options{Now: time.Now()}, func(records.Visa) {})}}
	out.Reset()
	rep.WriteMapping(&out)
	if strings.Contains(out.String(), "CANARY") {
		t.Errorf("a first line of data is shown as the mapping:\n%s", out.String())
	}
}
