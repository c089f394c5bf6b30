package config

import (
	"strings"
	"testing"

	"github.com/chicago-welcoming-city/transparency/tools/internal/check"
	"github.com/chicago-welcoming-city/transparency/tools/internal/records"
)

// TestEmptyCellsDefaultsAndConditions is the shape of the Pennsylvania
// detainer file: most detainer types are empty and mean a detainer; an
// empty outcome means still held; the receiving agency is a column only
// when the person was transferred, and then it is ICE. config.yaml alone
// reads it: an empty value mapped to a code, a default, and a mapping that
// holds only when another column has a code.
func TestEmptyCellsDefaultsAndConditions(t *testing.T) {
	t.Parallel()
	c := mustLoad(t, `params:
  exports:
    detainer_log:
      columns: {log_id: ID, received_at: Prepare Date, request_type: Detainer Type, arrest_beat: Beat, disposition: Lift Reason, disposition_at: Lift Date, receiving_agency: Agency}
      values:
        request_type:
          - {from: "", to: DETAINER}
          - {from: "I-247A", to: DETAINER}
        disposition:
          - {from: "Removed", to: TRANSFERRED_FEDERAL}
          - {from: "Released", to: RELEASED}
        receiving_agency:
          - {from: "", to: ICE, when: {disposition: TRANSFERRED_FEDERAL}}
      defaults:
        disposition: IN_CUSTODY
      constants: {issuing_agency: ICE}
      not_supplied: [charge_class, bail_posted_at]
`, nil)
	file := "ID,Prepare Date,Detainer Type,Beat,Lift Reason,Lift Date,Agency\n" +
		"D1,2026-03-02 10:00,,0111,Removed,2026-03-03 10:00,\n" +
		"D2,2026-03-02 11:00,I-247A,0111,Released,2026-03-03 10:00,\n" +
		"D3,2026-03-02 12:00,,0111,,,\n"
	rows, rep := checkWith[records.Detainer](t, c, "detainer_log", file)
	if len(rep.Problems) != 0 || len(rows) != 3 {
		t.Fatalf("problems %v, %d rows", rep.Problems, len(rows))
	}
	for i, want := range []struct{ typ, disp, agency string }{
		{"DETAINER", "TRANSFERRED_FEDERAL", "ICE"},
		{"DETAINER", "RELEASED", ""},
		{"DETAINER", "IN_CUSTODY", ""},
	} {
		r := rows[i]
		if string(r.RequestType) != want.typ || string(r.Disposition) != want.disp || string(r.ReceivingAgency) != want.agency {
			t.Errorf("row %d: %s, %s, %q; want %s, %s, %q", i+1, r.RequestType, r.Disposition, r.ReceivingAgency, want.typ, want.disp, want.agency)
		}
	}
	var out strings.Builder
	(&check.Report{Files: []*check.FileReport{rep}}).WriteMapping(&out)
	if !strings.Contains(out.String(), "default IN_CUSTODY") || !strings.Contains(out.String(), "1 when another column has a code") {
		t.Errorf("the mapping does not say what the defaults and conditions are:\n%s", out.String())
	}

	// Each mistake names the side that is wrong.
	for body, want := range map[string]string{
		"values:\n        request_type:\n          - {from: \"\", to: JAILED}\n":                                            "request_type[0]: the code (to) \"JAILED\" is not one of",
		"values:\n        receiving_agency:\n          - {from: \"\", to: ICE, when: {dispo: TRANSFERRED_FEDERAL}}\n":       "receiving_agency[0]: the condition (when) names dispo, which is not a code column of the export",
		"values:\n        receiving_agency:\n          - {from: \"\", to: ICE, when: {disposition: DEPORTED}}\n":            "receiving_agency[0]: the condition (when) disposition=DEPORTED: \"DEPORTED\" is not one of",
		"values:\n        receiving_agency:\n          - {from: \"\", to: ICE, when: {receiving_agency: ICE}}\n":            "a condition on the column itself",
		"values:\n        request_type:\n          - {from: \"\", to: DETAINER}\n          - {from: \" \", to: DETAINER}\n": "\" \" is mapped twice",
		"defaults:\n        disposition: GONE\n":                                                                            "params.exports.detainer_log.defaults.disposition: \"GONE\" is not one of",
		"defaults:\n        received_at: \"2026-01-01\"\n":                                                                  "defaults are for code and yes/no columns",
		"defaults:\n        log_id: X\n":                                                                                    "defaults are for code and yes/no columns",
		"defaults:\n        disposition: RELEASED\n      constants:\n        disposition: RELEASED\n":                       "give one or the other",
	} {
		_, err := Load(writeConfig(t, "params:\n  exports:\n    detainer_log:\n      "+body), nil, nil)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want %q", body, err, want)
		}
	}
}
