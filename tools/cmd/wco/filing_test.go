package main

import (
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/needs"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
)

// sampleRows reads an export of the embedded sample delivery as it is
// written, a map per row by header, without the toolkit's readers.
func sampleRows(t *testing.T, file string) []map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(repoRoot(t), "tools", "sample", "delivery", file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	recs[0][0] = strings.TrimPrefix(recs[0][0], "\ufeff")
	return rowsOf(t, recs)
}

// sampleTime reads the sample's datetimes, in the several forms its
// exports write them, as Chicago time.
func sampleTime(t *testing.T, s string) (time.Time, bool) {
	t.Helper()
	if s == "" {
		return time.Time{}, false
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05", "01/02/2006 3:04 PM", "1/2/2006 15:04", "2006-01-02 15:04"} {
		if v, err := time.ParseInLocation(layout, s, period.Chicago); err == nil {
			return v, true
		}
	}
	t.Fatalf("the test cannot read the sample's datetime %q", s)
	return time.Time{}, false
}

// expectedFiling is each list of the filing for per, computed from the
// sample's files as the clauses word them: the rows, as a sorted multiset.
func expectedFiling(t *testing.T, per period.Period) map[string][][]string {
	day := func(s string) string {
		v, ok := sampleTime(t, s)
		if !ok {
			return ""
		}
		return v.Format(time.DateOnly)
	}
	minute := func(s string) string {
		v, ok := sampleTime(t, s)
		if !ok {
			return ""
		}
		return v.Format("2006-01-02 15:04")
	}
	in := func(s string) bool {
		v, ok := sampleTime(t, s)
		return ok && !v.Before(per.Start()) && v.Before(per.End())
	}
	out := map[string][][]string{}
	add := func(list string, row ...string) { out[list] = append(out[list], row) }
	assist, detainers, visas := sampleRows(t, "assistance_requests.csv"), sampleRows(t, "detainer_log.csv"), sampleRows(t, "visa_certifications.csv")
	if per.IsYear() {
		handled := map[string]string{"DECLINED": "Declined", "REFERRED_SUPERVISOR": "Referred to a supervisor",
			"PROVIDED_CRIMINAL_WARRANT": "Assistance given under a criminal warrant", "PROVIDED": "Assistance given without a criminal warrant"}
		for _, r := range assist {
			if in(r["received_at"]) && slices.Contains([]string{"ICE", "CBP", "HSI"}, r["requesting_agency"]) {
				add("dhs-requests", day(r["received_at"]), handled[r["response"]])
			}
		}
		fate := map[string]string{"RELEASED": "Released", "TRANSFERRED_FEDERAL": "Transferred", "TRANSFERRED_OTHER": "Transferred", "IN_CUSTODY": "Neither: still in custody"}
		custodian := map[string]string{"ICE": "ICE", "CBP": "CBP", "USMS": "U.S. Marshals Service", "COOK_COUNTY": "Cook County Sheriff", "OTHER": "Other agency", "": ""}
		for _, r := range detainers {
			if in(r["received_at"]) && slices.Contains([]string{"DETAINER", "ADMIN_WARRANT", "NOTIFICATION"}, r["request_type"]) {
				when := minute(r["disposition_at"])
				if r["disposition"] == "IN_CUSTODY" {
					when = ""
				}
				add("detainers", day(r["received_at"]), minute(r["bail_posted_at"]), fate[r["disposition"]], when, custodian[r["receiving_agency"]])
			}
		}
		for _, r := range visas {
			if in(r["received_at"]) {
				certified, denied := "", ""
				switch r["decision"] {
				case "CERTIFIED":
					certified = day(r["decided_at"])
				case "DENIED":
					denied = day(r["decided_at"])
				}
				add("visa-certifications", day(r["received_at"]), certified, denied)
			}
		}
	} else {
		for _, r := range assist {
			if in(r["received_at"]) {
				add("oemc-notifications", day(r["received_at"]))
			}
		}
		for _, r := range detainers {
			if in(r["received_at"]) && slices.Contains([]string{"DETAINER", "ADMIN_WARRANT"}, r["request_type"]) {
				transferred, agency := "No", ""
				if r["disposition"] == "TRANSFERRED_FEDERAL" {
					transferred, agency = "Yes", r["receiving_agency"]
				}
				add("detainers", day(r["received_at"]), transferred, agency)
			}
		}
	}
	for _, rows := range out {
		slices.SortFunc(rows, slices.Compare)
	}
	return out
}

// poppler runs a poppler-utils program, which the test needs.
func poppler(t *testing.T, program string, args ...string) string {
	t.Helper()
	needs.Have(t, needs.Program(program, "apt-get install poppler-utils"))
	out, err := exec.Command(program, args...).Output()
	if err != nil {
		t.Fatalf("%s %v: %v", program, args, err)
	}
	return string(out)
}

var isoDate = regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}\b`)

// TestFilingsOfTheSampleMatchItsRecords: wco filing writes, for the
// sample's 2026-Q3 and 2025, each list as CSV with exactly the rows the
// clauses name, computed here from the delivery's files on their own, and
// the filing as a Letter, tagged PDF whose text holds every one of them;
// no name, identifier or free text of the delivery is in any of it.
func TestFilingsOfTheSampleMatchItsRecords(t *testing.T) {
	t.Parallel()
	// The PDF, printed by Chromium, in the second tier.
	print := "--pdf=off"
	if secondTier {
		needs.Have(t, needs.Chromium, needs.PDFInfo, needs.PDFToText)
		print = "--pdf=required"
	}
	for _, tc := range []struct {
		period string
		id     string
		lists  []string
	}{
		{"2026-Q3", "mcc-2-173-069", []string{"oemc-notifications", "detainers"}},
		{"2025", "ilcs-805-25", []string{"dhs-requests", "detainers", "visa-certifications"}},
	} {
		t.Run(tc.period, func(t *testing.T) {
			t.Parallel()
			per, _ := period.ParsePeriod(tc.period)
			want := expectedFiling(t, per)
			out := t.TempDir()
			stdout, stderr, err := wco(t, "filing", tc.period, "--out", out, print)
			if err != nil {
				t.Fatalf("wco filing %s: %v\n%s", tc.period, err, stderr)
			}
			var all []string // every cell of every list, for the PDF
			for _, list := range tc.lists {
				name := filepath.Join(out, per.Slug()+"-"+tc.id+"-"+list+".csv")
				f, err := os.Open(name)
				if err != nil {
					t.Fatalf("%v\n%s", err, stdout)
				}
				recs, err := csv.NewReader(f).ReadAll()
				f.Close()
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if recs[0][0] != "No." {
					t.Errorf("%s: header %v", name, recs[0])
				}
				var got [][]string
				for i, r := range recs[1:] {
					if r[0] != strconvItoa(i+1) {
						t.Errorf("%s: row %d is numbered %s", name, i+1, r[0])
					}
					got = append(got, r[1:])
					all = append(all, r[1:]...)
				}
				if len(got) == 0 {
					t.Fatalf("%s: the sample's list is empty", name)
				}
				slices.SortFunc(got, slices.Compare)
				if !slices.EqualFunc(got, want[list], slices.Equal) {
					t.Errorf("%s: %d rows; the delivery's records give %d (first rows %v, want %v)", name, len(got), len(want[list]), head2(got), head2(want[list]))
				}
				if !strings.Contains(stdout, ": "+strconvItoa(len(want[list]))+" records") {
					t.Errorf("the command does not report %d records for %s:\n%s", len(want[list]), list, stdout)
				}
			}

			if !secondTier {
				return
			}
			pdf := filepath.Join(out, per.Slug()+"-"+tc.id+".pdf")
			info := poppler(t, "pdfinfo", pdf)
			for _, re := range []string{`(?m)^Page size:\s+612 x 792 pts \(letter\)`, `(?m)^Tagged:\s+yes`, `(?m)^Title:\s+(Quarterly Welcoming City compliance report, 2026-Q3|Annual report to the Illinois Attorney General, 2025) ·`, `(?m)^Pages:\s+[1-9]`} {
				if !regexp.MustCompile(re).MatchString(info) {
					t.Errorf("pdfinfo %s: no %s in\n%s", filepath.Base(pdf), re, info)
				}
			}
			raw, _ := os.ReadFile(pdf)
			if !strings.Contains(string(raw), "/Outlines") {
				t.Errorf("%s has no outline", filepath.Base(pdf))
			}
			text := poppler(t, "pdftotext", "-raw", pdf, "-")
			pages := strings.Count(text, "\f")
			if !strings.Contains(text, "Page 1 of "+strconvItoa(pages)) || !strings.Contains(text, "Page "+strconvItoa(pages)+" of "+strconvItoa(pages)) {
				t.Errorf("%s: the pages are not numbered 1 to %d of %d", filepath.Base(pdf), pages, pages)
			}
			for _, w := range []string{"Certification", "Signature", "I certify that this report"} {
				if !strings.Contains(text, w) {
					t.Errorf("%s: no %q", filepath.Base(pdf), w)
				}
			}
			for _, list := range tc.lists {
				if n := len(want[list]); !strings.Contains(text, ". "+formatEnglish(n)+" records.") {
					t.Errorf("%s: does not say %d records for %s", filepath.Base(pdf), n, list)
				}
			}
			// Every date of every row, as often as the rows hold it.
			wantDates, gotDates := map[string]int{}, map[string]int{}
			for _, c := range all {
				for _, d := range isoDate.FindAllString(c, -1) {
					wantDates[d]++
				}
			}
			for _, d := range isoDate.FindAllString(text, -1) {
				gotDates[d]++
			}
			if len(wantDates) == 0 || !mapsEqual(wantDates, gotDates) {
				t.Errorf("%s: the dates in its text differ from the rows' (%d dates, %d in the text)", filepath.Base(pdf), len(wantDates), len(gotDates))
			}

			// Nothing personal: no canary, no name, phone or free text, no
			// record id.
			textDir := t.TempDir()
			os.WriteFile(filepath.Join(textDir, "pdf.txt"), []byte(text), 0o644)
			dir := filepath.Join(repoRoot(t), "tools", "sample", "delivery")
			assertNoLeak(t, dir, out, textDir)
			hay := text
			for _, list := range tc.lists {
				b, _ := os.ReadFile(filepath.Join(out, per.Slug()+"-"+tc.id+"-"+list+".csv"))
				hay += string(b)
			}
			ids := 0
			for _, e := range contract.Exports() {
				for _, r := range sampleRows(t, e.File()) {
					for _, key := range []string{"request_id", "log_id", "incident_id", "oemc_event_no", "cb_number", "rd_number"} {
						if v := r[key]; len(v) >= 5 {
							ids++
							if strings.Contains(hay, v) {
								t.Errorf("the filing holds the identifier %s of %s", v, e.File())
							}
						}
					}
				}
			}
			if ids < 1000 {
				t.Errorf("only %d identifiers looked for", ids)
			}
		})
	}
}

func head2(rows [][]string) [][]string { return rows[:min(2, len(rows))] }

func strconvItoa(n int) string { return formatInt(n, false) }

func formatEnglish(n int) string { return formatInt(n, true) }

func formatInt(n int, commas bool) string {
	s := []byte{}
	for i := 0; n > 0 || i == 0; i++ {
		if commas && i > 0 && i%3 == 0 {
			s = append([]byte{','}, s...)
		}
		s = append([]byte{byte('0' + n%10)}, s...)
		n /= 10
	}
	return string(s)
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
