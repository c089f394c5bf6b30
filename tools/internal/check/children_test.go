package check

import (
	"bufio"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
	"github.com/chicago-welcoming-city/transparency/tools/internal/records"
)

// A use-of-force system keeps one report in three files: the report, its
// actions (several rows each) and its subjects. These are their shapes.
const (
	reportsHeader  = "row_id,trr_id,trr_date,beat,arrested\n"
	actionsHeader  = "row_id,trr_id,person,action,other_description\n"
	subjectsHeader = "row_id,trr_id,injured,med_treatment\n"
)

// joinedMapping reads the three files as federal_incidents: whether force
// was used, which, how many were injured, whether EMS was asked for, and a
// yes/no column of the report itself counted as persons detained.
func joinedMapping() records.Mapping {
	force := records.Where{Column: "other_description", Values: []string{"Response With Weapon", "Response Without Weapons", "Control Tactic"}}
	member := records.Where{Column: "person", Values: []string{"Member Action"}}
	return records.Mapping{
		File:    "TRR-main_*.csv",
		Columns: map[string]string{"incident_id": "trr_id", "occurred_at": "trr_date", "reported_at": "trr_date"},
		Constants: map[string]string{"federal_agency": "UNKNOWN", "referred_to_sao": "N",
			"agents_count": "", "agents_masked": "", "supervisor_identified": "", "us_citizens_detained": "", "alleged_violations": "", "referral_date": "", "sao_status": "", "bwc_preserved": ""},
		NotSupplied: []string{"agents_count", "agents_masked", "alleged_violations", "bwc_preserved", "referral_date", "sao_status", "supervisor_identified", "us_citizens_detained"},
		Children: []records.Child{
			{Name: "actions", File: "TRR-actions-responses_*.csv", Key: "trr_id"},
			{Name: "subjects", File: "TRR-subjects_*.csv", Key: "trr_id"},
		},
		ParentKey: "trr_id",
		Parser:    records.Parser{DatetimeLayouts: []string{"2006-01-02"}},
		Derived: []records.Derived{
			{Column: "use_of_force", Kind: records.DeriveAny, From: "actions", Where: []records.Where{member, force}},
			{Column: "force_types", Kind: records.DeriveList, From: "actions", Of: "action", Where: []records.Where{member, force},
				Values: map[string]string{"TASER": "TASER", "TAKE DOWN": "PHYSICAL", "ARMBAR": "PHYSICAL", "OC/CHEMICAL WEAPON": "CHEMICAL", "": ""}},
			{Column: "persons_injured", Kind: records.DeriveCount, From: "subjects", Where: []records.Where{{Column: "injured", Values: []string{"Yes"}}}},
			{Column: "ems_requested", Kind: records.DeriveAny, From: "subjects", Where: []records.Where{{Column: "med_treatment", Values: []string{"OFFERED / EMS REQUESTED"}, Split: ","}}},
			{Column: "persons_detained", Kind: records.DeriveCount, From: records.RowItself, Where: []records.Where{{Column: "arrested", Values: []string{"true"}}}},
		},
	}
}

func checkJoined(t *testing.T, fsys fstest.MapFS, m records.Mapping) (*FileReport, map[string]records.Incident) {
	t.Helper()
	e, _ := contract.Lookup("federal_incidents")
	d := &delivery.Delivery{FS: fsys, Origin: "test"}
	got := map[string]records.Incident{}
	rep := Export(d, e, Options{Now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), Mappings: map[string]records.Mapping{e.Name: m}}, func(r records.Incident) { got[r.RecordID()] = r })
	return rep, got
}

func joinedDelivery(reports, actions, subjects string) fstest.MapFS {
	return fstest.MapFS{
		"TRR-main_2021-2023.csv":              {Data: []byte(reportsHeader + reports)},
		"TRR-actions-responses_2021-2023.csv": {Data: []byte(actionsHeader + actions)},
		"TRR-subjects_2021-2023.csv":          {Data: []byte(subjectsHeader + subjects)},
	}
}

// Each record reads its columns from its rows of the child files: any,
// count and list, a cell holding several items, and a yes/no column of
// the record's own row as a count of 0 or 1. A record no child row names
// has no force, no injury and no list; a key written "7.0" is key 7.
func TestAnExportIsJoinedFromItsChildFiles(t *testing.T) {
	t.Parallel()
	rep, got := checkJoined(t, joinedDelivery(
		"1,2021-00001,2021-01-01,1233.0,true\n"+
			"2,2021-00002,2021-01-02,1513,false\n"+
			"3,7,2021-01-03,111,false\n",
		"1,2021-00001,Member Action,MEMBER PRESENCE,Force Mitigation\n"+
			"2,2021-00001,Member Action,TASER,Response With Weapon\n"+
			"3,2021-00001,Member Action,take  down,Response Without Weapons\n"+
			"4,2021-00001,Subject Action,FLED,\n"+
			"5,2021-00002,Member Action,MEMBER PRESENCE,Force Mitigation\n"+
			"6,2021-00002,Subject Action,TASER,Response With Weapon\n"+
			"7,7.0,Member Action,,Control Tactic\n",
		"1,2021-00001,Yes,\"OFFERED / EMS REQUESTED, TAKEN TO HOSPITAL\"\n"+
			"2,2021-00001,Yes,REFUSED MEDICAL AID\n"+
			"3,2021-00002,No,TAKEN TO HOSPITAL\n"),
		joinedMapping())
	if len(rep.Problems) != 1 || rep.Problems[0].Kind != UnknownColumn || rep.RowsValid != 3 { // row_id
		t.Fatalf("%d valid rows; problems %v", rep.RowsValid, rep.Problems)
	}
	type want struct {
		force, types, ems string
		injured, detained int
	}
	for id, w := range map[string]want{
		"2021-00001": {"Y", "PHYSICAL;TASER", "Y", 2, 1},
		"2021-00002": {"N", "", "N", 0, 0}, // a subject's taser is not the member's force
		"7":          {"Y", "", "N", 0, 0}, // force, of no type the map names
	} {
		r := got[id]
		force, ems := records.Fields(&r)[8].Norm, records.Fields(&r)[11].Norm
		if force != w.force || strings.Join(r.ForceTypes, ";") != w.types || ems != w.ems ||
			r.PersonsInjured.Value != w.injured || r.PersonsDetained.Value != w.detained {
			t.Errorf("%s: force %q types %q ems %q injured %d detained %d; want %+v", id, force, r.ForceTypes, ems, r.PersonsInjured.Value, r.PersonsDetained.Value, w)
		}
	}
	if len(rep.Children) != 2 || rep.Children[0].Rows != 7 || rep.Children[1].Rows != 3 || rep.Children[0].SHA256 == "" {
		t.Errorf("children read: %+v", rep.Children)
	}
}

// A child value the list's map does not name is a problem of that child's
// line, and the record it belongs to is not known: invalid, naming that
// line. Rows whose key no record has are counted as a warning and count
// in nothing. A child file that is missing fails the export.
func TestAChildFileCannotMisleadTheCount(t *testing.T) {
	t.Parallel()
	reports := "1,2021-00001,2021-01-01,1233,false\n2,2021-00002,2021-01-02,1513,false\n"
	rep, got := checkJoined(t, joinedDelivery(reports,
		"1,2021-00001,Member Action,CHOKEHOLD,Control Tactic\n"+
			"2,2021-00002,Member Action,TASER,Response With Weapon\n"+
			"3,2099-99999,Member Action,TASER,Response With Weapon\n"+
			"4,,Member Action,TASER,Response With Weapon\n",
		"1,2099-99999,Yes,\n"), joinedMapping())
	var msgs []string
	for _, p := range rep.Problems {
		msgs = append(msgs, p.Error())
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{
		`TRR-actions-responses_2021-2023.csv:2: column "action": unknown-code: the value is not mapped to one of force_types's codes`,
		"TRR-main_2021-2023.csv:2: bad-child: line 2 of TRR-actions-responses_2021-2023.csv, joined to this record, cannot be read",
		"TRR-actions-responses_2021-2023.csv: orphan-rows: 1 row(s) have a key no record of TRR-main_2021-2023.csv has, and 1 no key",
		"TRR-subjects_2021-2023.csv: orphan-rows: 1 row(s)",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("no problem %q in:\n%s", want, all)
		}
	}
	if rep.InvalidRows != 1 || rep.RowsValid != 1 || strings.Join(got["2021-00002"].ForceTypes, ";") != "TASER" || got["2021-00002"].PersonsInjured.Value != 0 {
		t.Errorf("invalid %d valid %d; 2021-00002 %+v", rep.InvalidRows, rep.RowsValid, got["2021-00002"])
	}
	if !rep.fileFailed() && rep.ByKind[OrphanRows] != 2 {
		t.Errorf("orphans by kind: %v", rep.ByKind)
	}

	fsys := joinedDelivery(reports, "", "")
	delete(fsys, "TRR-subjects_2021-2023.csv")
	rep, got = checkJoined(t, fsys, joinedMapping())
	if !rep.fileFailed() || len(got) != 0 || !strings.Contains(rep.Problems[0].Error(), "the child file subjects (TRR-subjects_*.csv)") {
		t.Errorf("a missing child: %d rows, %v", len(got), rep.Problems)
	}
}

// A manifest covers the child files too: one changed after export is
// refused as the main file would be.
func TestAManifestCoversTheChildFiles(t *testing.T) {
	t.Parallel()
	fsys := joinedDelivery("1,2021-00001,2021-01-01,1233,false\n", "1,2021-00001,Member Action,TASER,Response With Weapon\n", "")
	m := &delivery.Manifest{SchemaVersion: 1, ExportedAt: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	for name, f := range fsys {
		m.Files = append(m.Files, delivery.ManifestFile{Name: name, Rows: strings.Count(string(f.Data), "\n") - 1, SHA256: fmt.Sprintf("%x", sha256.Sum256(f.Data))})
	}
	fsys["TRR-actions-responses_2021-2023.csv"].Data = []byte(actionsHeader + "1,2021-00001,Member Action,ARMBAR,Control Tactic\n")
	e, _ := contract.Lookup("federal_incidents")
	rep := Export(&delivery.Delivery{FS: fsys, Origin: "test", Manifest: m}, e, Options{Mappings: map[string]records.Mapping{e.Name: joinedMapping()}}, func(records.Incident) {})
	if rep.ByKind[ManifestMismatch] != 1 || rep.Problems[0].File != "TRR-actions-responses_2021-2023.csv" {
		t.Errorf("a changed child file: %v", rep.Problems)
	}
}

// Memory is bounded by the main file, never by a child: 2,000 reports
// with 600,000 action rows (about 36 MB) leave the live heap a small
// fraction of that once the children are read.
func TestAChildFileIsNotHeldInMemory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, header string, rows int, row func(i int) string) {
		writeRows(t, filepath.Join(dir, name), header, rows, row)
	}
	const reports, actions = 2_000, 600_000
	write("TRR-main_x.csv", reportsHeader, reports, func(i int) string { return fmt.Sprintf("%d,R%05d,2021-01-01,1233,false\n", i, i) })
	write("TRR-actions-responses_x.csv", actionsHeader, actions, func(i int) string {
		return fmt.Sprintf("%d,R%05d,Member Action,TAKE DOWN,Response Without Weapons and a long padding description\n", i, i%reports)
	})
	write("TRR-subjects_x.csv", subjectsHeader, 1, func(int) string { return "1,R00001,Yes,\n" })
	d, err := delivery.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := joinedMapping()
	m.Derived[0].Where[1].Values = append(m.Derived[0].Where[1].Values, "Response Without Weapons and a long padding description")
	m.Derived[1].Where = m.Derived[0].Where
	e, _ := contract.Lookup("federal_incidents")
	var before, at runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	n := 0
	rep := Export(d, e, Options{Now: time.Now(), Mappings: map[string]records.Mapping{e.Name: m}}, func(r records.Incident) {
		if n++; n == reports/2 {
			runtime.GC()
			runtime.ReadMemStats(&at)
		}
		if strings.Join(r.ForceTypes, ";") != "PHYSICAL" {
			t.Fatalf("%s: force types %q", r.RecordID(), r.ForceTypes)
		}
	})
	if rep.RowsValid != reports || rep.Children[0].Rows != actions {
		t.Fatalf("%d valid, children %+v, problems %v", rep.RowsValid, rep.Children, rep.Problems)
	}
	grew := int64(at.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("live heap grew by %.2f MB with %d child rows read", float64(grew)/(1<<20), actions)
	if grew > 4<<20 {
		t.Errorf("live heap grew by %d MB: a child file is being held", grew>>20)
	}
}

// A hostile child file is refused as a main file would be, naming the
// child's file: a field over the limit, a compressed file that inflates
// past the bound, a file with no header, one that is not text.
func TestAHostileChildFileIsRefused(t *testing.T) {
	t.Parallel()
	reports := "1,2021-00001,2021-01-01,1233,false\n"
	e, _ := contract.Lookup("federal_incidents")
	for _, tc := range []struct {
		name string
		data []byte
		file string
		want Kind
	}{
		{"a huge field", []byte(actionsHeader + "1,2021-00001,Member Action,\"" + strings.Repeat("x", 5000) + "\",Control Tactic\n"), "TRR-actions-responses_1.csv", OverLimit},
		{"a bomb", gzipped(t, []byte(actionsHeader+strings.Repeat("1,2021-00001,Member Action,TASER,Response With Weapon\n", 20_000))), "TRR-actions-responses_1.csv.gz", BadEncoding},
		{"no header", nil, "TRR-actions-responses_1.csv", EmptyFile},
		{"a ZIP archive", []byte("PK\x03\x04rest"), "TRR-actions-responses_1.csv", BadEncoding},
	} {
		fsys := joinedDelivery(reports, "", "")
		delete(fsys, "TRR-actions-responses_2021-2023.csv")
		fsys[tc.file] = &fstest.MapFile{Data: tc.data}
		m := joinedMapping()
		m.Children[0].File = "TRR-actions-responses_*"
		n := 0
		rep := Export(&delivery.Delivery{FS: fsys, Origin: "test"}, e, Options{Now: time.Now(), MaxInflated: 100_000, Limits: records.Limits{FieldBytes: 1000, RowBytes: 4000, Columns: 50}, Mappings: map[string]records.Mapping{e.Name: m}}, func(records.Incident) { n++ })
		if rep.ByKind[tc.want] != 1 || n != 0 || !rep.fileFailed() || rep.Problems[0].File != tc.file {
			t.Errorf("%s: %d rows, problems %v", tc.name, n, rep.Problems)
		}
	}
}

// writeRows writes a file of a header and rows made by row, streamed.
func writeRows(tb testing.TB, path, header string, rows int, row func(i int) string) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	w.WriteString(header)
	for i := range rows {
		w.WriteString(row(i))
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkJoinedCheckVsBareCSV times, in turns within one run, a bare
// encoding/csv read of a main file and its two child files (100,000
// reports, 1,000,000 actions, 100,000 subjects) and the check of the
// export joined from them, which reads the main file twice (its keys,
// then its rows) and each child once:
//
//	go test ./tools/internal/check -run '^$' -bench JoinedCheckVsBareCSV -benchtime 3x
func BenchmarkJoinedCheckVsBareCSV(b *testing.B) {
	dir := filepath.Join(os.TempDir(), "wco-bench-joined")
	const reports, actions = 100_000, 1_000_000
	names := []string{"TRR-main_x.csv", "TRR-actions-responses_x.csv", "TRR-subjects_x.csv"}
	if _, err := os.Stat(filepath.Join(dir, names[2])); err != nil {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		write := func(name, header string, rows int, row func(i int) string) {
			writeRows(b, filepath.Join(dir, name), header, rows, row)
		}
		write(names[0], reportsHeader, reports, func(i int) string { return fmt.Sprintf("%d,R%06d,2021-%02d-%02d,1233,false\n", i, i, i%12+1, i%28+1) })
		write(names[1], actionsHeader, actions, func(i int) string {
			return fmt.Sprintf("%d,R%06d,Member Action,%s,Control Tactic\n", i, i%reports, []string{"ARMBAR", "TASER", "TAKE DOWN", ""}[i%4])
		})
		write(names[2], subjectsHeader, reports, func(i int) string {
			return fmt.Sprintf("%d,R%06d,%s,OFFERED / EMS REQUESTED\n", i, i, []string{"Yes", "No"}[i%2])
		})
	}
	d, err := delivery.Open(dir, nil)
	if err != nil {
		b.Fatal(err)
	}
	e, _ := contract.Lookup("federal_incidents")
	m := joinedMapping()
	m.Children[0].File, m.Children[1].File, m.File = names[1], names[2], names[0]
	var bare, check time.Duration
	for b.Loop() {
		t0 := time.Now()
		for _, n := range names {
			bareRead(b, filepath.Join(dir, n))
		}
		bare += time.Since(t0)
		t1 := time.Now()
		rep := Export(d, e, Options{Now: time.Now(), Mappings: map[string]records.Mapping{e.Name: m}}, func(records.Incident) {})
		check += time.Since(t1)
		if rep.RowsValid != reports {
			b.Fatalf("%d valid: %v", rep.RowsValid, rep.Problems)
		}
	}
	n := float64(b.N)
	b.ReportMetric(bare.Seconds()/n, "bare-csv-s")
	b.ReportMetric(check.Seconds()/n, "check-s")
	b.ReportMetric(float64(check)/float64(bare), "check/bare")
}
