package config

import (
	"strings"
	"testing"

	"github.com/chicago-welcoming-city/transparency/tools/internal/check"
	"github.com/chicago-welcoming-city/transparency/tools/internal/records"
)

// TestADateAndATimeColumnMakeADatetime is the shape of a use-of-force
// report: the date and the time of the incident in two columns, the time
// on a 12-hour clock. config.yaml joins them into the contract's datetime;
// a row missing its time fails as a datetime would, naming the column.
func TestADateAndATimeColumnMakeADatetime(t *testing.T) {
	t.Parallel()
	c := mustLoad(t, `params:
  exports:
    visa_certifications:
      columns: {request_id: ID}
      join: {received_at: [Date Received, Time Received]}
      datetime_formats: ["MM/DD/YYYY h:mm A"]
`, nil)
	header := "ID,Date Received,Time Received,visa_type,requester_type,qualifying_crime,decision,decided_at,denial_reason\n"
	file := header +
		"V1,03/02/2026,2:05 PM,U,ATTORNEY,DOMESTIC_VIOLENCE,PENDING,,\n" +
		"V2,03/04/2026, 9:30 AM,T,SELF,TRAFFICKING,PENDING,,\n"
	read := func(body string) ([]records.Visa, *check.FileReport) {
		return checkWith[records.Visa](t, c, "visa_certifications", body)
	}
	rows, rep := read(file)
	if len(rep.Problems) != 0 || len(rows) != 2 {
		t.Fatalf("problems %v, %d rows", rep.Problems, len(rows))
	}
	if got := rows[0].ReceivedAt.Time; got.Hour() != 14 || got.Minute() != 5 || got.Day() != 2 {
		t.Errorf("row 1 received at %v", got)
	}
	if got := rows[1].ReceivedAt.Time; got.Hour() != 9 || got.Minute() != 30 {
		t.Errorf("row 2 received at %v", got)
	}
	var out strings.Builder
	(&check.Report{Files: []*check.FileReport{rep}}).WriteMapping(&out)
	if !strings.Contains(out.String(), `column "Date Received + Time Received"`) {
		t.Errorf("the mapping does not say the column is joined:\n%s", out.String())
	}
	// A row without its time is a datetime in no form it knows.
	_, rep = read(header + "V3,03/05/2026,,U,ATTORNEY,DOMESTIC_VIOLENCE,PENDING,,\n")
	if rep.ByKind[check.BadValue] != 1 {
		t.Errorf("a date without its time: %v", rep.Problems)
	}
	for body, want := range map[string]string{
		"join: {received_at: [Date Received]}":                         "join two or more",
		"join: {received_at: [A, B]}\n      columns: {received_at: C}": "give one or the other",
		"join: {victim_name: [A, B]}":                                  "no such column that may be read",
	} {
		if _, err := Load(writeConfig(t, "params:\n  exports:\n    visa_certifications:\n      "+body+"\n"), nil, nil); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", body, err, want)
		}
	}
}
