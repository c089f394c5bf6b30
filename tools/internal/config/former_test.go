package config

import (
	"strings"
	"testing"

	"github.com/chicago-welcoming-city/transparency/tools/internal/check"
	"github.com/chicago-welcoming-city/transparency/tools/internal/records"
)

// TestFormerDistrictsAreReadAsTodays: records from before the 2012
// consolidation carry beats of districts 13, 21 and 23, which no longer
// exist. A table in config.yaml, with its source, reads each former code
// (a whole beat first, else its district) as today's district, so the
// records keep their place instead of being read as unknown; a code the
// table does not name is still refused.
func TestFormerDistrictsAreReadAsTodays(t *testing.T) {
	t.Parallel()
	c := mustLoad(t, `params:
  exports:
    detainer_log:
      former_locations:
        source: "CPD district consolidation, 2012-2013 (test table)"
        codes:
          - {from: "13", to: 12}
          - {from: "23", to: 19}
          - {from: "2111", to: 1}
          - {from: "21", to: 2}
      earliest: 2005-01-01
`, nil)
	header := "log_id,received_at,request_type,issuing_agency,arrest_beat,charge_class,bail_posted_at,disposition,disposition_at,receiving_agency\n"
	row := func(id, beat string) string {
		return id + ",2010-03-02 10:00,DETAINER,ICE," + beat + ",FELONY,,RELEASED,2010-03-03 10:00,\n"
	}
	read := func(body string) ([]records.Detainer, *check.FileReport) {
		return checkWith[records.Detainer](t, c, "detainer_log", body)
	}
	rows, rep := read(header + row("D1", "1334") + row("D2", "2312") + row("D3", "2111") + row("D4", "2133") + row("D5", "0111"))
	if len(rep.Problems) != 0 || len(rows) != 5 {
		t.Fatalf("problems %v, %d rows", rep.Problems, len(rows))
	}
	for i, want := range []int{12, 19, 1, 2, 1} {
		if got := rows[i].ArrestBeat; !got.Valid || got.District != want {
			t.Errorf("row %d (beat %s): district %d (valid %v), want %d", i+1, got.Raw, got.District, got.Valid, want)
		}
	}
	// A former district the table does not name is still not a district.
	if _, rep = read(header + row("D6", "2611")); rep.ByKind[check.BadDistrict] != 1 {
		t.Errorf("a district in no table: %v", rep.Problems)
	}
	for body, want := range map[string]string{
		"former_locations: {codes: [{from: \"13\", to: 12}]}":                                    "former_locations.source: say where the table comes from",
		"former_locations: {source: x, codes: [{from: \"13\", to: 13}]}":                         "codes[0]: 13 is not a district today",
		"former_locations: {source: x, codes: [{from: \"12\", to: 1}]}":                          "codes[0]: \"12\" is a district today",
		"former_locations: {source: x, codes: [{from: \"1x\", to: 1}]}":                          "codes[0]: \"1x\" is not a former district (1 or 2 digits) or beat (3 or 4)",
		"former_locations: {source: x, codes: [{from: \"13\", to: 12}, {from: \"13\", to: 11}]}": "\"13\" is given twice",
	} {
		if _, err := Load(writeConfig(t, "params:\n  exports:\n    detainer_log:\n      "+body+"\n"), nil, nil); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", body, err, want)
		}
	}
}
