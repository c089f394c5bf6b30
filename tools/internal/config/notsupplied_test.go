package config

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/check"
	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
	"github.com/chicago-welcoming-city/transparency/tools/internal/records"
)

// TestAColumnNotSuppliedIsUnknown: a records system without a charge
// class or bail column at all. Declared not_supplied, the file reads with
// both unknown on every row, the check's mapping says why, and a required
// column cannot be declared so.
func TestAColumnNotSuppliedIsUnknown(t *testing.T) {
	t.Parallel()
	c, err := Load(writeConfig(t, `params:
  exports:
    detainer_log:
      not_supplied: [charge_class, bail_posted_at]
`), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.Mappings()
	if err != nil {
		t.Fatal(err)
	}
	file := "log_id,received_at,request_type,issuing_agency,arrest_beat,disposition,disposition_at,receiving_agency\n" +
		"D1,2026-03-02 10:00,DETAINER,ICE,0111,RELEASED,2026-03-03 10:00,\n"
	d := &delivery.Delivery{FS: fstest.MapFS{"detainer_log.csv": {Data: []byte(file)}}, Origin: "test"}
	e, _ := contract.Lookup("detainer_log")
	var rows []records.Detainer
	rep := check.Export(d, e, check.Options{Now: time.Now(), Mappings: m}, func(r records.Detainer) { rows = append(rows, r) })
	if len(rep.Problems) != 0 || len(rows) != 1 {
		t.Fatalf("problems %v, %d rows", rep.Problems, len(rows))
	}
	if rows[0].ChargeClass != "" || rows[0].BailPostedAt.Valid {
		t.Errorf("not supplied columns read as %q, %+v; want unknown", rows[0].ChargeClass, rows[0].BailPostedAt)
	}
	var out bytes.Buffer
	(&check.Report{Files: []*check.FileReport{rep}}).WriteMapping(&out)
	if !strings.Contains(out.String(), "charge_class") || !strings.Contains(out.String(), "the system does not supply it") {
		t.Errorf("the mapping does not say the column is not supplied:\n%s", out.String())
	}
	if got := c.Reading(); len(got["detainer_log"].NotSupplied) != 2 {
		t.Errorf("Reading = %+v", got)
	}
	for _, bad := range []string{"[received_at]", "[subject_name]", "[no_such]", "[log_id]"} {
		if _, err := Load(writeConfig(t, "params:\n  exports:\n    detainer_log:\n      not_supplied: "+bad+"\n"), nil, nil); err == nil {
			t.Errorf("not_supplied %s accepted", bad)
		}
	}
}

// A system without the date a detainer was lifted, and without a
// receiving agency column: disposition_at is declared not supplied, so
// the rule that asks for it on a released or transferred detainer is not
// asked of each row (no row could meet it); the receiving agency comes
// from a condition, with no column in the file. Read from the shape of
// the Pennsylvania detainer file, every row is valid.
func TestARuleOnAColumnNotSuppliedIsNotAsked(t *testing.T) {
	t.Parallel()
	c := mustLoad(t, `params:
  exports:
    detainer_log:
      columns: {log_id: ID, received_at: date, disposition: lift_reason}
      values:
        disposition: [{from: Booked into Detention, to: TRANSFERRED_FEDERAL}, {from: Lifted, to: RELEASED}]
        receiving_agency: [{from: "", to: ICE, when: {disposition: TRANSFERRED_FEDERAL}}]
      defaults: {disposition: IN_CUSTODY}
      constants: {issuing_agency: ICE, request_type: DETAINER}
      not_supplied: [arrest_beat, charge_class, bail_posted_at, disposition_at]
`, nil)
	file := "ID,date,lift_reason\nD1,2014-03-02 00:00:00,Booked into Detention\nD2,2014-03-02 00:00:00,Lifted\nD3,2014-03-03 00:00:00,\n"
	rows, rep := checkWith[records.Detainer](t, c, "detainer_log", file)
	if len(rep.Problems) != 0 || len(rows) != 3 {
		t.Fatalf("problems %v, %d rows", rep.Problems, len(rows))
	}
	if rows[0].ReceivingAgency != "ICE" || rows[1].ReceivingAgency != "" || rows[2].Disposition != "IN_CUSTODY" {
		t.Errorf("rows: %+v", rows)
	}
	// Supplied, the rule is asked again.
	c = mustLoad(t, "params:\n  exports:\n    detainer_log:\n      columns: {log_id: ID, received_at: date, disposition: lift_reason}\n      values:\n        disposition: [{from: Lifted, to: RELEASED}]\n      constants: {issuing_agency: ICE, request_type: DETAINER}\n      not_supplied: [arrest_beat, charge_class, bail_posted_at]\n", nil)
	_, rep = checkWith[records.Detainer](t, c, "detainer_log", "ID,date,lift_reason,disposition_at,receiving_agency\nD2,2014-03-02 00:00:00,Lifted,,\n")
	if rep.ByKind[check.RequiredWhen] != 1 {
		t.Errorf("a supplied column's rule was not asked: %v", rep.Problems)
	}
}

// A column the contract requires, which the system does not have (the
// State's Attorney referral of a use-of-force file), may be declared not
// supplied; then no breakdown, statutory figure or measure may read it,
// for it would publish every record as unknown and each value as a false
// zero. The record id and the date that places a record stay required.
func TestARequiredColumnNotSuppliedIsPublishedNowhere(t *testing.T) {
	t.Parallel()
	project := projectConfig(t)
	with := func(notSupplied string) error {
		body := strings.Replace(project, "  exports: {}\n", "  exports:\n    federal_incidents:\n      not_supplied: ["+notSupplied+"]\n", 1)
		_, err := Load(writeConfig(t, body), nil, nil)
		return err
	}
	err := with("referred_to_sao")
	for _, want := range []string{
		"params.publication.federal_incidents: the breakdown referred_to_sao reads referred_to_sao, which the records system does not supply",
		"take referred_to_sao out of the policy",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("the policy publishes a column not supplied: %v, want %q", err, want)
		}
	}
	// Out of the policy, it loads, and a row without it is valid.
	body := strings.Replace(project, "  exports: {}\n", "  exports:\n    federal_incidents:\n      not_supplied: [referred_to_sao, referral_date, sao_status]\n", 1)
	for _, cut := range []string{
		`        - {figure: referred_to_sao, clause: "Executive order \"ICE On Notice\" (2026): referrals to the State's Attorney"}` + "\n",
		" referred_to_sao, sao_status, bwc_preserved]", "        sao_status: {period: year}\n",
	} {
		if !strings.Contains(body, cut) {
			t.Fatalf("config.yaml has no %q", cut)
		}
		body = strings.Replace(body, cut, map[bool]string{true: " bwc_preserved]", false: ""}[strings.HasPrefix(cut, " referred")], 1)
	}
	if _, err := Load(writeConfig(t, body), nil, nil); err != nil {
		t.Errorf("the policy without the column: %v", err)
	}
	for _, col := range []string{"incident_id", "occurred_at"} {
		if err := with(col); err == nil || !strings.Contains(err.Error(), "required by the contract") {
			t.Errorf("not_supplied %s: %v", col, err)
		}
	}
}

func projectConfig(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", FileName))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
