package config

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/check"
	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
	"github.com/chicago-welcoming-city/transparency/tools/internal/records"
)

// TestValueMapsAndConstants is the shape of a FOIA file of detainers:
// codes in the system's own words, and no issuing agency column, since
// every row's is ICE. config.yaml alone reads it.
func TestValueMapsAndConstants(t *testing.T) {
	t.Parallel()
	c, err := Load(writeConfig(t, `params:
  exports:
    detainer_log:
      columns:
        log_id: Detainer ID
        received_at: Prepare Date
        request_type: Detainer Type
        arrest_beat: Beat
        charge_class: Charge Class
        bail_posted_at: Bail Posted
        disposition: Outcome
        disposition_at: Outcome Date
        receiving_agency: Received By
      values:
        request_type:
          - {from: "I247 - Immigration Detainer", to: DETAINER}
          - {from: "I-200 Warrant. Admin.", to: ADMIN_WARRANT}
        disposition:
          - {from: "Booked into Detention", to: TRANSFERRED_FEDERAL}
          - {from: "Released", to: RELEASED}
      constants:
        issuing_agency: ICE
`), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.Mappings()
	if err != nil {
		t.Fatal(err)
	}
	file := "Detainer ID,Prepare Date,Detainer Type,Beat,Charge Class,Bail Posted,Outcome,Outcome Date,Received By\n" +
		"D1,2026-03-02 10:00,I247 - Immigration Detainer,0111,FELONY,,booked into  detention,2026-03-03 10:00,ICE\n" +
		"D2,2026-03-04 10:00,I-200 Warrant. Admin.,0111,MISDEMEANOR,,Released,2026-03-05 10:00,\n"
	d := &delivery.Delivery{FS: fstest.MapFS{"detainer_log.csv": {Data: []byte(file)}}, Origin: "test"}
	e, _ := contract.Lookup("detainer_log")
	var rows []records.Detainer
	rep := check.Export(d, e, check.Options{Now: time.Now(), Mappings: m}, func(r records.Detainer) { rows = append(rows, r) })
	if len(rep.Problems) != 0 || len(rows) != 2 {
		t.Fatalf("problems %v, %d rows", rep.Problems, len(rows))
	}
	if rows[0].RequestType != "DETAINER" || rows[1].RequestType != "ADMIN_WARRANT" || rows[0].Disposition != "TRANSFERRED_FEDERAL" || rows[1].Disposition != "RELEASED" {
		t.Errorf("value maps: %+v", rows)
	}
	if rows[0].IssuingAgency != "ICE" || rows[1].IssuingAgency != "ICE" {
		t.Errorf("constant: %q %q", rows[0].IssuingAgency, rows[1].IssuingAgency)
	}
}

func TestValueMapsAndConstantsRejectMistakes(t *testing.T) {
	t.Parallel()
	for body, want := range map[string]string{
		"values:\n        disposition:\n          - {from: Booked, to: JAILED}\n":                   `the code (to) "JAILED" is not one of`,
		"values:\n        subject_name:\n          - {from: A, to: B}\n":                            "no such column that may be read",
		"values:\n        received_at:\n          - {from: A, to: B}\n":                             "for code and yes/no columns",
		"constants:\n        issuing_agency: FBI\n":                                                 `"FBI" is not one of`,
		"constants:\n        remarks: x\n":                                                          "no such column that may be read",
		"constants:\n        issuing_agency: ICE\n      columns:\n        issuing_agency: AGENCY\n": "give one or the other",
	} {
		_, err := Load(writeConfig(t, "params:\n  exports:\n    detainer_log:\n      "+body), nil, nil)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want %q", body, err, want)
		}
	}
}

// TestDataPortalShapes: a Data Portal-style export gives districts
// zero-padded (010) beside a beat column, and a police export uses beat
// codes outside the districts (3100, 5100) for units with no district,
// with records older than 2012. config.yaml alone reads them.
func TestDataPortalShapes(t *testing.T) {
	t.Parallel()
	c, err := Load(writeConfig(t, `params:
  exports:
    assistance_requests:
      columns:
        beat: DISTRICT
      location: district
    visa_certifications:
      earliest: 2005-01-01
    detainer_log:
      unknown_locations: ["3100", "5100"]
      earliest: "2008-07-01"
`), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.Mappings()
	if err != nil {
		t.Fatal(err)
	}
	if got := m["visa_certifications"].Earliest.Format(time.DateOnly); got != "2005-01-01" {
		t.Errorf("earliest (unquoted in YAML) = %s", got)
	}
	file := "request_id,received_at,channel,requesting_agency,assistance_type,BEAT,DISTRICT,response,responded_at\n" +
		"A1,2026-03-02 10:00,PHONE,ICE,OTHER,9999,010,DECLINED,2026-03-02 11:00\n" +
		"A2,2026-03-02 10:00,PHONE,ICE,OTHER,0111,001,DECLINED,2026-03-02 11:00\n"
	d := &delivery.Delivery{FS: fstest.MapFS{"assistance_requests.csv": {Data: []byte(file)}}, Origin: "test"}
	e, _ := contract.Lookup("assistance_requests")
	var rows []records.Assistance
	rep := check.Export(d, e, check.Options{Now: time.Now(), Mappings: m}, func(r records.Assistance) { rows = append(rows, r) })
	if rep.InvalidRows != 0 || len(rows) != 2 || rows[0].Beat.District != 10 || rows[1].Beat.District != 1 {
		t.Fatalf("districts: %+v %v", rows, rep.Problems)
	}
	if rep.ByKind[check.UnknownColumn] != 1 || !strings.Contains(rep.Problems[0].Error(), "not read: the mapping reads beat from another column") {
		t.Errorf("the beat column beside the district should be reported as not read: %v", rep.Problems)
	}

	file = "log_id,received_at,request_type,issuing_agency,arrest_beat,charge_class,bail_posted_at,disposition,disposition_at,receiving_agency\n" +
		"D1,2009-03-02 10:00,DETAINER,ICE,3100,FELONY,,RELEASED,2009-03-03 10:00,\n" +
		"D2,2026-03-02 10:00,DETAINER,ICE,5100,FELONY,,RELEASED,2026-03-03 10:00,\n" +
		"D3,2026-03-02 10:00,DETAINER,ICE,0111,FELONY,,RELEASED,2026-03-03 10:00,\n"
	d = &delivery.Delivery{FS: fstest.MapFS{"detainer_log.csv": {Data: []byte(file)}}, Origin: "test"}
	e, _ = contract.Lookup("detainer_log")
	var dets []records.Detainer
	rep = check.Export(d, e, check.Options{Now: time.Now(), Mappings: m}, func(r records.Detainer) { dets = append(dets, r) })
	if len(rep.Problems) != 0 || len(dets) != 3 || dets[0].ArrestBeat.Valid || dets[1].ArrestBeat.Valid || !dets[2].ArrestBeat.Valid {
		t.Errorf("unknown locations and the earliest date: %+v %v", dets, rep.Problems)
	}
	// Without the mapping, the same file is refused, saying what to set.
	rep = check.Export(d, e, check.Options{Now: time.Now()}, func(records.Detainer) {})
	if rep.ByKind[check.TooEarly] != 2 || rep.ByKind[check.BadDistrict] != 2 || !strings.Contains(rep.Problems[0].Error()+rep.Problems[1].Error()+rep.Problems[2].Error(), "params.exports.detainer_log.earliest") {
		t.Errorf("without the mapping: %v", rep.Problems)
	}
}
