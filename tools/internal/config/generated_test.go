package config

import (
	"strings"
	"testing"

	"github.com/chicago-welcoming-city/transparency/tools/internal/check"
	"github.com/chicago-welcoming-city/transparency/tools/internal/publish"
	"github.com/chicago-welcoming-city/transparency/tools/internal/records"
)

const (
	genKey1 = "wcok1_amfbcga7eywtio2cjfifoxtfnrzxvamir6lj3jflwk44br6o2xoa_uiehaxy"
)

// TestARecordIDIsGeneratedForASystemWithoutOne: a FOIA file of detainers
// has no record id. Configured to make one from the columns that identify
// a record, every row gets an id that is the same in every delivery, says
// nothing of the values it was made from, changes with the key, and two
// rows alike in those columns are still found as duplicates; a snapshot
// export is identified by its whole row. Without the key nothing is read.
func TestARecordIDIsGeneratedForASystemWithoutOne(t *testing.T) {
	t.Parallel()
	header := "Prepare Date,Facility,Detainer Type,Beat,Outcome,Outcome Date\n"
	rows := "2026-03-02 10:00,CANARYFACILITY A,DETAINER,0111,RELEASED,2026-03-03 10:00\n" +
		"2026-03-02 11:00,CANARYFACILITY B,DETAINER,0111,RELEASED,2026-03-03 10:00\n"
	mapping := `      columns: {received_at: Prepare Date, request_type: Detainer Type, arrest_beat: Beat, disposition: Outcome, disposition_at: Outcome Date}
      constants: {issuing_agency: ICE}
      not_supplied: [charge_class, bail_posted_at, receiving_agency]
`
	read := func(t *testing.T, key, generated, body string) ([]records.Detainer, *check.FileReport) {
		t.Helper()
		env := map[string]string{}
		if key != "" {
			env[EnvPseudonymKey] = key
		}
		c := mustLoad(t, "params:\n  exports:\n    detainer_log:\n"+mapping+"      generated_id: "+generated+"\n", MapEnv(env))
		return checkWith[records.Detainer](t, c, "detainer_log", body)
	}
	byCols := "[Prepare Date, Facility]"
	a, rep := read(t, genKey1, byCols, header+rows)
	if len(rep.Problems) != 0 || len(a) != 2 {
		t.Fatalf("problems %v, %d rows", rep.Problems, len(a))
	}
	if a[0].RecordID() == "" || a[0].RecordID() == a[1].RecordID() {
		t.Errorf("ids %q and %q", a[0].RecordID(), a[1].RecordID())
	}
	for _, r := range a {
		if strings.Contains(strings.ToUpper(r.RecordID()), "CANARY") || strings.Contains(r.RecordID(), "2026") {
			t.Errorf("the id %q shows the values it was made from", r.RecordID())
		}
	}
	// Stable across deliveries: the same rows in another order, beside
	// another row.
	b, _ := read(t, genKey1, byCols, header+"2026-04-01 09:00,CANARYFACILITY C,DETAINER,0111,RELEASED,2026-04-02 10:00\n"+strings.Join(strings.SplitAfter(rows, "\n")[1:], "")+strings.SplitAfter(rows, "\n")[0])
	ids := map[string]bool{}
	for _, r := range b {
		ids[r.RecordID()] = true
	}
	if !ids[a[0].RecordID()] || !ids[a[1].RecordID()] {
		t.Error("the same records got other ids in another delivery")
	}
	// Another key, other ids.
	other, err := publish.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	if c, rep := read(t, other, byCols, header+rows); len(c) != 2 || c[0].RecordID() == a[0].RecordID() {
		t.Errorf("another key: %d rows (%v), ids %q and %q", len(c), rep.Problems, c[0].RecordID(), a[0].RecordID())
	}
	// Two rows alike in the identifying columns are duplicates.
	dup := header + rows + strings.Replace(strings.SplitAfter(rows, "\n")[0], "RELEASED", "TRANSFERRED_FEDERAL", 1)
	_, rep = read(t, genKey1, byCols, dup)
	if rep.ByKind[check.DuplicateID] != 1 {
		t.Errorf("a duplicate record was not found: %v", rep.ByKind)
	}
	// A snapshot: the whole row. Two rows that differ anywhere are two
	// records; so are two identical rows, which nothing else tells apart:
	// the first and the second, with the same ids in every delivery.
	if _, rep = read(t, genKey1, "row", dup); rep.ByKind[check.DuplicateID] != 0 {
		t.Errorf("rows that differ were taken as duplicates: %v", rep.ByKind)
	}
	twice := header + rows + strings.SplitAfter(rows, "\n")[0]
	s1, rep := read(t, genKey1, "row", twice)
	if rep.ByKind[check.DuplicateID] != 0 || len(s1) != 3 || s1[0].RecordID() == s1[2].RecordID() {
		t.Errorf("identical rows of a snapshot: %v, %d rows", rep.ByKind, len(s1))
	}
	s2, _ := read(t, genKey1, "row", twice)
	for i := range s1 {
		if s1[i].RecordID() != s2[i].RecordID() {
			t.Errorf("row %d of a snapshot got another id in another delivery", i+1)
		}
	}
	// No key, nothing read; a column the header lacks, refused.
	if _, rep = read(t, "", byCols, header+rows); len(rep.Problems) == 0 || !strings.Contains(rep.Problems[0].Error(), "WCO_PSEUDONYM_KEY") {
		t.Errorf("without the key: %v", rep.Problems)
	}
	if _, rep = read(t, genKey1, "[Prepare Date, Booking Number]", header+rows); len(rep.Problems) == 0 || !strings.Contains(rep.Problems[0].Error(), `"Booking Number"`) {
		t.Errorf("a column the file lacks: %v", rep.Problems)
	}
	for _, bad := range []string{"[]", "everything", "[Facility, Facility]"} {
		if _, err := Load(writeConfig(t, "params:\n  exports:\n    detainer_log:\n      generated_id: "+bad+"\n"), nil, nil); err == nil {
			t.Errorf("generated_id %s accepted", bad)
		}
	}
	// One constant id for every record: the message says which setting to use.
	if _, err := Load(writeConfig(t, "params:\n  exports:\n    detainer_log:\n      constants: {log_id: X}\n"), nil, nil); err == nil || !strings.Contains(err.Error(), "generated_id") {
		t.Errorf("a constant record id: %v", err)
	}
}
