package pipeline

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/chicago-welcoming-city/transparency/tools/internal/synth"

	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
	"github.com/chicago-welcoming-city/transparency/tools/internal/publish"
)

// lateRecords copies a delivery with n detainers logged late (see
// synth.WithLateRecords).
func lateRecords(t *testing.T, src string, n int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "late")
	if err := synth.WithLateRecords(src, dir, n); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestFreezes(t *testing.T) {
	t.Parallel()
	released := publish.Releases{}
	q4 := period.Quarter{Year: 2025, Q: 4}
	if got := Freezes(q4, released); !slices.Equal(got, []period.Period{q4.Period()}) {
		t.Errorf("Q4 alone: %v", got)
	}
	for n := 1; n <= 3; n++ {
		released[period.Quarter{Year: 2025, Q: n}.String()] = &publish.Release{}
	}
	if got := Freezes(q4, released); !slices.Equal(got, []period.Period{q4.Period(), period.Year(2025)}) {
		t.Errorf("Q4 with Q1 to Q3 released: %v", got)
	}
	q3 := period.Quarter{Year: 2025, Q: 3}
	if got := Freezes(q3, released); !slices.Equal(got, []period.Period{q3.Period()}) {
		t.Errorf("Q3: %v", got)
	}
}

// TestReleaseFlow: release a quarter; the publication carries exactly the
// release; late records leave it as released and are named as pending,
// while the rest publishes; a revision publishes them, tells nothing of
// them beside the first version, and says what changed; the fourth quarter
// freezes the year; the audit agrees at every step.
func TestReleaseFlow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := loadConfig(t, map[string]string{"WCO_DELIVERIES_STORE": t.TempDir()})
	a := synthDelivery(t, 500, 1)
	o := newOutputs(t)
	q3 := period.Quarter{Year: 2025, Q: 3}

	res, err := o.pipe(cfg, a, nil).Release(ctx, q3)
	if err != nil {
		t.Fatalf("release: %v", err)
	}
	if len(res.Files) != 1 || res.Files[0].Period != q3.Period() || res.Files[0].Version != 1 {
		t.Fatalf("release wrote %+v", res.Files)
	}
	releases, _ := publish.LoadReleases(filepath.Join(o.data, "releases"))
	r := releases["2025-Q3"]
	if r == nil || len(r.Current().Exports) != 3 {
		t.Fatalf("release file: %+v", r)
	}
	if _, err := o.pipe(cfg, a, nil).Release(ctx, q3); !errors.Is(err, ErrReleased) {
		t.Errorf("second release of a quarter: %v", err)
	}
	if _, err := o.pipe(cfg, a, nil).Release(ctx, period.Quarter{Year: 2026, Q: 4}); err == nil || !strings.Contains(err.Error(), "had not ended") {
		t.Errorf("release of the provisional quarter: %v", err)
	}
	if _, err := o.pipe(cfg, a, nil).Revise(ctx, []period.Period{period.Year(2024)}, "x"); !errors.Is(err, ErrNotReleased) {
		t.Errorf("revision of a period never released: %v", err)
	}

	// The publication carries exactly what was released, and the audit passes.
	audit := func(what string) []publish.AuditReport {
		t.Helper()
		reports, err := o.pipe(cfg, "", nil).Audit()
		if err != nil {
			t.Fatal(err)
		}
		for _, rep := range reports {
			if rep.Failed() {
				t.Errorf("%s: the audit finds %v %v", what, rep.Findings, rep.Problems)
			}
		}
		return reports
	}
	if _, err := o.pipe(cfg, a, &pages{}).Build(ctx); err != nil {
		t.Fatal(err)
	}
	tables, _ := publish.LoadTables(filepath.Join(o.data, "current"))
	for _, tab := range tables {
		for _, p := range tab.Periods {
			if p.Period != "2025-Q3" {
				continue
			}
			f, ok := r.Current().Frozen(tab.Export)
			got, _ := json.Marshal([]any{p.Total, p.Breakdowns, p.Figures})
			want, _ := json.Marshal([]any{f.Period.Total, f.Period.Breakdowns, f.Period.Figures})
			if !ok || !p.Released || string(got) != string(want) {
				t.Errorf("%s 2025-Q3 differs from its release", tab.Export)
			}
		}
	}
	audit("after the release")
	firstArchive := readFile(t, filepath.Join(o.data, "downloads", "2025-q3", "v1", "detainer-log.csv"))
	archived := &firstArchive
	firstZip := checkBundle(t, filepath.Join(o.data, "downloads"), "2025-q3/v1")

	// Late records: the build goes on, the quarter stays as released, and
	// the late records are named as pending.
	late := lateRecords(t, a, 3)
	out, err := o.pipe(cfg, late, &pages{}).Build(ctx)
	if err != nil {
		t.Fatalf("build with late records in a released quarter: %v", err)
	}
	if p := out.Publication.Index.Pending; len(p) != 1 || p[0].Period != "2025-Q3" || p[0].Export != "detainer_log" || p[0].Now != p[0].Released+3 {
		t.Errorf("pending revisions %+v; want 2025-Q3's detainers, 3 more", p)
	}
	tables, _ = publish.LoadTables(filepath.Join(o.data, "current"))
	for _, tab := range tables {
		for _, p := range tab.Periods {
			if f, ok := r.Current().Frozen(tab.Export); ok && p.Period == "2025-Q3" && (p.Version != 1 || *p.Total.Count != *f.Period.Total.Count) {
				t.Errorf("%s 2025-Q3 is not its version 1 while the revision is pending", tab.Export)
			}
		}
	}
	audit("with a revision pending")

	// A revision publishes the change with its reason, and says what changed.
	if _, err := o.pipe(cfg, late, nil).Revise(ctx, []period.Period{q3.Period()}, " "); err == nil {
		t.Error("a revision without a reason was accepted")
	}
	res, err = o.pipe(cfg, late, nil).Revise(ctx, []period.Period{q3.Period()}, "Three detainers were logged late.")
	if err != nil {
		t.Fatalf("revise: %v", err)
	}
	if len(res.Ledgers) != 1 || res.Ledgers[0] != (LedgerChange{Period: "2025-Q3", Added: 3}) {
		t.Errorf("revise did not count the change from the ledger: %+v", res.Ledgers)
	}
	releases, _ = publish.LoadReleases(filepath.Join(o.data, "releases"))
	r = releases["2025-Q3"]
	if len(r.Versions) != 2 || r.Current().Reason != "Three detainers were logged late." {
		t.Fatalf("versions: %+v", r.Versions)
	}
	v1, _ := r.Versions[0].Frozen("detainer_log")
	v2, _ := r.Versions[1].Frozen("detainer_log")
	// Three late records: no protected count shown in both versions moves
	// by 1 to 10, which would tell what the late records are.
	for bi, b := range v2.Period.Breakdowns {
		for ci, c := range b.Cells {
			old := v1.Period.Breakdowns[bi].Cells[ci]
			if b.Clause == "" && c.Count.Count != nil && old.Count.Count != nil {
				if d := *c.Count.Count - *old.Count.Count; d != 0 && d > -11 && d < 11 {
					t.Errorf("%s=%s moves by %d from version 1 to 2", b.Dimension, c.Value, d)
				}
			}
		}
	}
	if _, err := o.pipe(cfg, late, &pages{}).Build(ctx); err != nil {
		t.Fatalf("build after the revision: %v", err)
	}
	versions := 0
	for _, rep := range audit("after the revision") {
		if rep.Export == "detainer_log" && strings.Contains(rep.Release, "2025-Q3 v2") {
			versions++
		}
	}
	if versions == 0 {
		t.Error("the audit does not attack the revision with the version before it")
	}
	// Each version's tables stay at their own address, as released: the
	// first version's bytes do not change with the revision, and no count
	// from 1 to 10 is published there but one a rule requires exactly.
	for _, v := range []string{"v1", "v2"} {
		path := filepath.Join(o.data, "downloads", "2025-q3", v, "detainer-log.csv")
		f, err := os.Open(path)
		if err != nil {
			t.Fatalf("the archive of 2025-Q3 %s: %v", v, err)
		}
		rows, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil || len(rows) < 10 || strings.Join(rows[0], ",") != "period,version,figure,value_of,value,unit,status,reason,clause" {
			t.Fatalf("%s: %v %v", path, err, rows[:min(len(rows), 1)])
		}
		for _, r := range rows[1:] {
			if n, err := strconv.Atoi(r[4]); err == nil && n > 0 && n < 11 && r[6] == publish.Published && r[8] == "" && r[5] == "count" {
				t.Errorf("%s: a protected count %s=%s of %d is published", path, r[2], r[3], n)
			}
			// Every number not shown says why; a number shown says nothing.
			if (r[6] == publish.Published) != (r[7] == "") {
				t.Errorf("%s: %s=%s is %s with reason %q", path, r[2], r[3], r[6], r[7])
			}
			if r[1] != strings.TrimPrefix(v, "v") {
				t.Errorf("%s: a row of version %s", path, r[1])
			}
		}
	}
	if archived == nil {
		t.Fatal("no archive of version 1 before the revision")
	}
	if now := readFile(t, filepath.Join(o.data, "downloads", "2025-q3", "v1", "detainer-log.csv")); now != *archived {
		t.Error("the revision changed the archive of version 1")
	}
	if now := checkBundle(t, filepath.Join(o.data, "downloads"), "2025-q3/v1"); !bytes.Equal(now, firstZip) {
		t.Error("the revision changed the zip of version 1")
	}
	checkBundle(t, filepath.Join(o.data, "downloads"), "2025-q3/v2")
	changelog := readFile(t, filepath.Join(o.data, "downloads", "CHANGELOG.md"))
	if !regexp.MustCompile(`2025-Q3 revised \(version 2\) on \d{4}-\d\d-\d\d, from the delivery exported [^:]*: Three detainers were logged late\.`).MatchString(changelog) || !strings.Contains(changelog, "2025-Q3 released (version 1) on ") {
		t.Errorf("changelog:\n%s", changelog)
	}

	// Releasing the year's last quarter freezes the year too.
	for _, q := range []int{1, 2, 4} {
		res, err := o.pipe(cfg, late, nil).Release(ctx, period.Quarter{Year: 2025, Q: q})
		if err != nil {
			t.Fatalf("release 2025-Q%d: %v", q, err)
		}
		if want := map[bool]int{true: 2, false: 1}[q == 4]; len(res.Files) != want {
			t.Errorf("release 2025-Q%d wrote %d files, want %d", q, len(res.Files), want)
		}
	}
	releases, _ = publish.LoadReleases(filepath.Join(o.data, "releases"))
	if y := releases["2025"]; y == nil || y.Kind != "year" {
		t.Fatalf("releasing 2025-Q4 with Q1 to Q3 released did not freeze 2025: %+v", y)
	}
	if _, err := o.pipe(cfg, late, &pages{}).Build(ctx); err != nil {
		t.Fatalf("build with the whole year released: %v", err)
	}
	audit("with the whole year released")
}

// parquetRow is a row of a version's Parquet file, read back as a reader
// of the download would: by the column names alone.
type parquetRow struct {
	Export  string   `parquet:"export"`
	Period  string   `parquet:"period"`
	Version int32    `parquet:"version"`
	Figure  string   `parquet:"figure"`
	ValueOf string   `parquet:"value_of"`
	Value   *float64 `parquet:"value,optional"`
	Unit    string   `parquet:"unit"`
	Status  string   `parquet:"status"`
	Reason  string   `parquet:"reason"`
	Clause  string   `parquet:"clause"`
}

// checkBundle reads a version folder's zip and Parquet file back: the zip
// holds every other file of the folder, byte for byte, and the Parquet
// file holds exactly the rows of the folder's CSVs. It returns the zip.
func checkBundle(t *testing.T, downloads, sub string) []byte {
	t.Helper()
	name := strings.ReplaceAll(sub, "/", "-")
	folder := filepath.Join(downloads, filepath.FromSlash(sub))
	zb, err := os.ReadFile(filepath.Join(folder, name+".zip"))
	if err != nil {
		t.Fatalf("%s: %v", sub, err)
	}
	zr, err := zip.NewReader(bytes.NewReader(zb), int64(len(zb)))
	if err != nil {
		t.Fatalf("%s.zip: %v", name, err)
	}
	entries := map[string]bool{}
	for _, f := range zr.File {
		entries[f.Name] = true
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		if want := readFile(t, filepath.Join(folder, f.Name)); string(got) != want {
			t.Errorf("%s.zip: %s differs from the folder's file", name, f.Name)
		}
	}
	var csvRows []string
	files, _ := os.ReadDir(folder)
	for _, f := range files {
		if f.Name() == name+".zip" || f.Name() == name+".parquet" {
			continue
		}
		if !entries[f.Name()] {
			t.Errorf("%s.zip lacks %s", name, f.Name())
		}
		if !strings.HasSuffix(f.Name(), ".csv") {
			continue
		}
		rd := csv.NewReader(strings.NewReader(readFile(t, filepath.Join(folder, f.Name()))))
		rows, err := rd.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(rows[0], ",") != "period,version,figure,value_of,value,unit,status,reason,clause" {
			continue // a filing's list, which the Parquet file does not hold
		}
		for _, r := range rows[1:] {
			csvRows = append(csvRows, strings.TrimSuffix(f.Name(), ".csv")+"|"+strings.Join(r, "|"))
		}
	}
	pf, err := os.Open(filepath.Join(folder, name+".parquet"))
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	st, _ := pf.Stat()
	prows, err := parquet.Read[parquetRow](pf, st.Size())
	if err != nil {
		t.Fatalf("%s.parquet: %v", name, err)
	}
	var got []string
	for _, r := range prows {
		v := ""
		if r.Value != nil {
			v = strconv.FormatFloat(*r.Value, 'f', -1, 64)
		}
		got = append(got, strings.ReplaceAll(r.Export, "_", "-")+"|"+strings.Join([]string{r.Period, strconv.Itoa(int(r.Version)), r.Figure, r.ValueOf, v, r.Unit, r.Status, r.Reason, r.Clause}, "|"))
	}
	slices.Sort(got)
	slices.Sort(csvRows)
	if len(got) == 0 || !slices.Equal(got, csvRows) {
		t.Errorf("%s.parquet has %d rows, its CSVs %d, and they differ", name, len(got), len(csvRows))
	}
	return zb
}
