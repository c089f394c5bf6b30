package records

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
)

// FuzzParseDatetime holds the fast parser to time.ParseInLocation with the
// contract's layouts: whatever it accepts, the reference accepts with the
// same instant, and every contract form of a valid instant is accepted.
func FuzzParseDatetime(f *testing.F) {
	for _, s := range []string{
		"2026-07-03 14:05", "2026-07-03 14:05:09", "2026-07-03T14:05:09", "2026-07-03T14:05:09-05:00",
		"2026-07-03T19:05:09Z", "07/03/2026 2:05 PM", "7/3/2026 14:05", "2/29/2024 12:00 AM", "2/29/2025 12:00 AM",
		"2026-03-08 02:30", "2026-11-01 01:30", "13/01/2026 10:00", "2026-07-03 24:00", "", "2026-07-03T14:05:09+14:00",
		"7/3/2026 0:05 PM", "2026-7-3 14:05", "07/03/2026 14:05 PM",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseContractDatetime(s)
		if !ok {
			return
		}
		var ref time.Time
		var refOK bool
		for _, layout := range ContractDatetimeLayouts {
			if r, err := time.ParseInLocation(layout, s, period.Chicago); err == nil {
				ref, refOK = r, true
				break
			}
		}
		if !refOK {
			t.Fatalf("fast parser accepts %q, time.ParseInLocation does not", s)
		}
		if !got.Equal(ref) {
			t.Fatalf("%q: fast %v, reference %v", s, got, ref)
		}
		// Every contract form of the same local time reads back the same.
		// Before 1883 Chicago kept local mean time, an offset with seconds
		// that the offset form cannot write.
		local := got.In(period.Chicago)
		if local.Year() < 1900 {
			return
		}
		for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05Z07:00"} {
			back, ok := parseContractDatetime(local.Format(layout))
			if !ok || !back.Equal(got) {
				t.Fatalf("%q: %s form %q reads as %v", s, layout, local.Format(layout), back)
			}
		}
	})
}

// FuzzReader feeds arbitrary bytes after a valid header to the row
// decoder: it must never panic, lines must advance, and reading must end.
func FuzzReader(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join("..", "check", "testdata", "visa_certifications", "*", "*.csv"))
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("request_id,received_at,visa_type,decision\n1,\"a\nb\",U,PENDING\n"))
	f.Add([]byte("request_id,received_at\n\"unterminated\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := NewReader[Visa](bytes.NewReader(b), Mapping{Parser: Parser{BeatIsDistrict: true}})
		if err != nil {
			return
		}
		lines := bytes.Count(b, []byte("\n")) + 1
		last := 1
		for i := 0; ; i++ {
			if i > len(b)+1 {
				t.Fatal("more rows than bytes: the reader does not end")
			}
			row, line, err := r.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if line < last || line > lines {
				t.Fatalf("row at line %d after line %d (file has %d lines)", line, last, lines)
			}
			last = line
			if err != nil {
				continue
			}
			for _, fs := range Fields(&row) {
				// Codes come back upper-cased.
				if fs.Raw != "" && !strings.Contains(strings.ToUpper(string(b)), strings.ToUpper(strings.TrimSpace(fs.Raw))) {
					t.Fatalf("column %s holds %q, which is not in the input", fs.Column, fs.Raw)
				}
			}
		}
	})
}
