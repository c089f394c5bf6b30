package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
	"github.com/chicago-welcoming-city/transparency/tools/internal/publish"
	"github.com/chicago-welcoming-city/transparency/tools/internal/records"
	"github.com/chicago-welcoming-city/transparency/tools/internal/synth"
)

// expectedCounts counts a delivery's records per export and quarter
// straight from the CSV, as the oracle for what the pages must show.
func expectedCounts(t *testing.T, dir string) map[string]map[string]int {
	t.Helper()
	out := map[string]map[string]int{}
	for _, e := range contract.Exports() {
		header, rows := readExport(t, dir, e)
		col := slices.Index(header, e.DateColumn)
		out[e.Name] = map[string]int{}
		for _, r := range rows {
			when, err := records.ParseDatetime(r[col])
			if err != nil {
				t.Fatalf("%s: %v", e.File(), err)
			}
			// The open quarter counts only the months that have ended
			// when the delivery was exported.
			if q := period.Of(when); q != period.Of(synth.DefaultExportedAt) || when.Before(monthStart(synth.DefaultExportedAt)) {
				out[e.Name][q.String()]++
			}
		}
	}
	return out
}

func monthStart(t time.Time) time.Time {
	t = t.In(period.Chicago)
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, period.Chicago)
}

var exportTitles = map[string]string{
	"detainer_log":        "Immigration detainers and administrative warrants",
	"assistance_requests": "Requests for help with civil immigration enforcement",
	"federal_incidents":   "Documented federal immigration enforcement activity",
	"visa_certifications": "U and T visa certification requests",
}

// reportCells reads, from a quarter's report page, the count cell of each export.
func reportCells(t *testing.T, public, quarterSlug string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(public, "reports", quarterSlug, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	cells := map[string]string{}
	for name, title := range exportTitles {
		re := regexp.MustCompile(`<th scope="row">(?:<a [^>]*>)?` + regexp.QuoteMeta(title) + `(?:</a>)?</th>\s*<td>([\s\S]*?)</td>`)
		m := re.FindSubmatch(b)
		if m == nil {
			t.Fatalf("report %s has no row for %s", quarterSlug, name)
		}
		cells[name] = strings.TrimSpace(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(string(m[1]), " "))
	}
	return cells
}

// TestBuildEndToEnd: synth → build → each quarter's page shows the counts
// of the delivery, small counts are suppressed, nothing personal leaks.
func TestBuildEndToEnd(t *testing.T) {
	delivery := synthDelivery(t, 500, 42)
	addExtraColumn(t, delivery, "federal_incidents", "officer_notes")
	o := newOutputs(t)
	if _, stderr, err := o.build(t, "--source", delivery); err != nil {
		t.Fatalf("build: %v\n%s", err, stderr)
	}
	want := expectedCounts(t, delivery)
	suppressed, shown := 0, 0
	for _, q := range period.Range(period.Quarter{Year: 2025, Q: 1}, period.Quarter{Year: 2026, Q: 4}) {
		cells := reportCells(t, o.public, q.Slug())
		for name, cell := range cells {
			n := want[name][q.String()]
			e, _ := contract.Lookup(name)
			switch {
			case q.Before(period.Of(e.Since)):
				if !strings.HasPrefix(cell, "—") {
					t.Errorf("%s %s: shows %q before the export was kept", q, name, cell)
				}
			case strings.HasPrefix(cell, "not shown"):
				// Only the open quarter's total is protected: closed
				// quarters' totals are statutory, exact at any size.
				if q != period.Of(synth.DefaultExportedAt) {
					t.Errorf("%s %s: the statutory total %d is hidden", q, name, n)
				}
				if n > 10 {
					t.Errorf("%s %s: the open quarter's total %d is hidden", q, name, n)
				}
				suppressed++
			case n > 0 && n < 11 && q == period.Of(synth.DefaultExportedAt):
				t.Errorf("%s %s: the open quarter's count %d shown as %q, want it suppressed", q, name, n, cell)
			default:
				shown++
				if cell != fmt.Sprint(n) {
					t.Errorf("%s %s: page shows %q, delivery has %d", q, name, cell, n)
				}
			}
		}
	}
	if shown == 0 {
		t.Fatalf("the test delivery published no count: %d suppressed, %d shown", suppressed, shown)
	}

	// The home page carries the same numbers.
	home, err := os.ReadFile(filepath.Join(o.public, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(home), `href="/reports/2025-q3/"`) || !strings.Contains(string(home), "counts from 1 to 10") {
		t.Error("home page lacks the quarter table")
	}
	if strings.Contains(string(home), "synthetic sample delivery") {
		t.Error("a build from a given delivery must not call itself the sample")
	}

	// No data file publishes a small count, even as a number, except a
	// figure a rule requires exactly, which names its clause.
	tables, err := publish.LoadTables(filepath.Join(o.data, "current"))
	if err != nil {
		t.Fatal(err)
	}
	small := func(c publish.Count) bool { return c.Count != nil && *c.Count > 0 && *c.Count < 11 }
	exactSmall := 0
	for _, tab := range tables {
		published := 0
		for _, p := range tab.Periods {
			if p.Total.Count != nil {
				published++
			}
			if small(p.Total) {
				if p.TotalClause == "" {
					t.Errorf("%s %s: protected total %d published", tab.Export, p.Period, *p.Total.Count)
				}
				exactSmall++
			}
			for _, b := range p.Breakdowns {
				for _, c := range b.Cells {
					if c.Count.Count != nil {
						published++
					}
					if small(c.Count) {
						if b.Clause == "" {
							t.Errorf("%s %s %s=%s: protected count %d published", tab.Export, p.Period, b.Dimension, c.Value, *c.Count.Count)
						}
						exactSmall++
					}
				}
			}
		}
		if published < 10 {
			t.Errorf("%s publishes only %d counts", tab.Export, published)
		}
	}
	if exactSmall == 0 {
		t.Error("no small exact figure: the test delivery does not exercise the statutory figures")
	}
	// Nor does any download, in any table, but a table of exact figures.
	var idx publish.DownloadsIndex
	if b, err := os.ReadFile(filepath.Join(o.data, "current", publish.DownloadsIndexFile)); err != nil {
		t.Fatal(err)
	} else if err := json.Unmarshal(b, &idx); err != nil {
		t.Fatal(err)
	}
	exact := map[string]bool{}
	for _, dt := range idx.Tables {
		exact[dt.CSV.Path] = dt.Exact
	}
	csvs, _ := filepath.Glob(filepath.Join(o.data, "downloads", "*.csv"))
	if len(csvs) < 30 {
		t.Fatalf("%d CSV downloads", len(csvs))
	}
	for _, p := range csvs {
		f, _ := os.Open(p)
		recs, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		h := recs[0]
		value, unit, status := slices.Index(h, "value"), slices.Index(h, "unit"), slices.Index(h, "status")
		for _, r := range recs[1:] {
			n, err := strconv.Atoi(r[value])
			switch {
			case r[status] != "published" && r[value] != "":
				t.Errorf("%s: a %s number carries a value", filepath.Base(p), r[status])
			case r[unit] == "count" && r[status] == "published" && (err != nil || (n > 0 && n < 11 && !exact[filepath.Base(p)])):
				t.Errorf("%s publishes count %q", filepath.Base(p), r[value])
			}
		}
	}
	assertNoLeak(t, delivery, o.data, o.public)
}

func TestBuildFromEmbeddedSample(t *testing.T) {
	o := newOutputs(t)
	stdout, stderr, err := o.build(t)
	if err != nil {
		t.Fatalf("build: %v\n%s", err, stderr)
	}
	if !strings.Contains(stdout, "published 8 quarters") {
		t.Errorf("stdout = %q", stdout)
	}
	home, err := os.ReadFile(filepath.Join(o.public, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"synthetic sample delivery", `<a href="/reports/2026-q3/">2026-Q3</a>`, "provisional", `lang="en-US"`} {
		if !strings.Contains(string(home), want) {
			t.Errorf("home page lacks %q", want)
		}
	}
	assertNoLeak(t, filepath.Join(repoRoot(t), "tools", "sample", "delivery"), o.data, o.public)
}

// TestBuildIsDeterministic: the same delivery and settings give the same bytes.
func TestBuildIsDeterministic(t *testing.T) {
	delivery := synthDelivery(t, 200, 5)
	a, b := newOutputs(t), newOutputs(t)
	for _, o := range []outputs{a, b} {
		if _, stderr, err := o.build(t, "--source", delivery); err != nil {
			t.Fatalf("build: %v\n%s", err, stderr)
		}
	}
	rel := func(root string, snap map[string]string) map[string]string {
		out := map[string]string{}
		for p, h := range snap {
			r, _ := filepath.Rel(root, p)
			out[r] = h
		}
		return out
	}
	sa := rel(filepath.Dir(a.data), snapshot(t, a.data, a.public))
	sb := rel(filepath.Dir(b.data), snapshot(t, b.data, b.public))
	sameSnapshot(t, "second build", sa, sb)
}

// TestThresholdReachesTheSite: the threshold the tools used is the one the
// pages state, whether it comes from config, environment or flag.
func TestThresholdReachesTheSite(t *testing.T) {
	delivery := synthDelivery(t, 120, 42)
	env := map[string]string{"WCO_DISCLOSURE_THRESHOLD": "15"}
	for _, tt := range []struct {
		flags []string
		want  string
	}{
		{nil, "counts from 1 to 14"},
		{[]string{"--threshold", "20"}, "counts from 1 to 19"},
	} {
		o := newOutputs(t)
		if _, stderr, err := o.buildEnv(t, env, append([]string{"--source", delivery}, tt.flags...)...); err != nil {
			t.Fatalf("build %v: %v\n%s", tt.flags, err, stderr)
		}
		home, _ := os.ReadFile(filepath.Join(o.public, "index.html"))
		if !strings.Contains(string(home), tt.want) {
			t.Errorf("build %v: home page does not say %q", tt.flags, tt.want)
		}
		data, _ := os.ReadFile(filepath.Join(o.data, "current", "publication.json"))
		k, _ := strconv.Atoi(strings.TrimPrefix(tt.want, "counts from 1 to "))
		if !strings.Contains(string(data), `"threshold": `+strconv.Itoa(k+1)) {
			t.Errorf("build %v: publication.json does not record the threshold", tt.flags)
		}
	}
}

// TestFailedBuildKeepsPreviousOutput: after a good build, a bad delivery or
// a failing render changes nothing in data/current or public/.
func TestFailedBuildKeepsPreviousOutput(t *testing.T) {
	good := synthDelivery(t, 150, 9)
	o := newOutputs(t)
	if _, stderr, err := o.build(t, "--source", good); err != nil {
		t.Fatalf("good build: %v\n%s", err, stderr)
	}
	before := snapshot(t, o.data, o.public)

	t.Run("bad delivery", func(t *testing.T) {
		bad := synthDelivery(t, 150, 10)
		path := filepath.Join(bad, "visa_certifications.csv")
		b, _ := os.ReadFile(path)
		lines := strings.SplitN(string(b), "\r\n", 4)
		lines[2] = strings.Replace(lines[2], ",U,", ",Q,", 1) // an unknown visa type on line 3
		if err := os.WriteFile(path, []byte(strings.Join(lines, "\r\n")), 0o644); err != nil {
			t.Fatal(err)
		}
		_, stderr, err := o.build(t, "--source", bad)
		if err == nil {
			t.Fatal("build of a bad delivery succeeded")
		}
		if !strings.Contains(stderr, `visa_certifications.csv:3: column "visa_type": unknown-code`) {
			t.Errorf("stderr does not name file, line and column:\n%s", stderr)
		}
		if !strings.Contains(stderr, "manifest-mismatch") {
			t.Errorf("a file changed after export must not match its manifest:\n%s", stderr)
		}
		sameSnapshot(t, "after a bad delivery", before, snapshot(t, o.data, o.public))
	})

	t.Run("failing render", func(t *testing.T) {
		site := copySite(t)
		if err := os.WriteFile(filepath.Join(site, "layouts", "home.html"), []byte(`{{ define "main" }}{{ errorf "injected failure" }}{{ end }}`), 0o644); err != nil {
			t.Fatal(err)
		}
		_, _, err := wco(t, "build", "--config", filepath.Join(site, "config.yaml"), "--source", good, "--data", o.data, "--public", o.public)
		if err == nil || !strings.Contains(err.Error(), "injected failure") {
			t.Fatalf("build with a failing template: %v", err)
		}
		sameSnapshot(t, "after a failing render", before, snapshot(t, o.data, o.public))
	})

	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(o.public), ".wco-out", "gen-*"))
	if len(leftovers) != 1 {
		t.Errorf("want the active generation only, found %v", leftovers)
	}
}

// addExtraColumn appends to an export a column the contract does not
// know, holding a canary in every row, and drops the manifest the change
// would break. The column must never be published.
func addExtraColumn(t *testing.T, dir, export, column string) {
	t.Helper()
	e, _ := contract.Lookup(export)
	header, rows := readExport(t, dir, e)
	var b strings.Builder
	b.WriteString(csvLine(append(header, column)))
	for i, r := range rows {
		b.WriteString(csvLine(append(r, fmt.Sprintf("Extra %sEXTRA%05d", synth.Canary, i))))
	}
	if err := os.WriteFile(filepath.Join(dir, e.File()), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, "manifest.json"))
}

// copySite copies the Hugo site (not its outputs) into a temporary folder.
func copySite(t *testing.T) string {
	t.Helper()
	root := repoRoot(t)
	dst := filepath.Join(t.TempDir(), "site")
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"config.yaml", "content", "layouts", "i18n", "assets"} {
		if err := os.CopyFS(filepath.Join(dst, name), os.DirFS(filepath.Join(root, name))); err != nil {
			// config.yaml is a file, not a tree.
			b, rerr := os.ReadFile(filepath.Join(root, name))
			if rerr != nil {
				t.Fatal(errors.Join(err, rerr))
			}
			if err := os.WriteFile(filepath.Join(dst, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dst
}

// TestRebuildReplacesData: a second build from another delivery shows only
// the new numbers, while data outside current/ stays the site's own.
func TestRebuildReplacesData(t *testing.T) {
	first, second := synthDelivery(t, 150, 21), synthDelivery(t, 400, 22)
	o := newOutputs(t)
	if err := os.MkdirAll(filepath.Join(o.data, "notes"), 0o755); err != nil {
		t.Fatal(err)
	}
	kept := filepath.Join(o.data, "notes", "keep.json")
	if err := os.WriteFile(kept, []byte(`{"kept": true}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{first, second} {
		if _, stderr, err := o.build(t, "--source", d); err != nil {
			t.Fatalf("build: %v\n%s", err, stderr)
		}
	}
	want := expectedCounts(t, second)
	cells := reportCells(t, o.public, "2026-q3")
	for name, cell := range cells {
		if n := want[name]["2026-Q3"]; cell != fmt.Sprint(n) && !strings.HasPrefix(cell, "not shown") {
			t.Errorf("%s 2026-Q3: page shows %q after rebuild, second delivery has %d", name, cell, n)
		}
	}
	if _, err := os.Stat(kept); err != nil {
		t.Errorf("data outside current/ was touched: %v", err)
	}
}

// TestMaxInvalidRows: invalid rows fail the build unless configuration
// allows that many; then they are left out and the site says so.
func TestMaxInvalidRows(t *testing.T) {
	dir := synthDelivery(t, 150, 31)
	os.Remove(filepath.Join(dir, "manifest.json")) // the edit below would break its checksums
	path := filepath.Join(dir, "detainer_log.csv")
	b, _ := os.ReadFile(path)
	lines := strings.Split(string(b), "\n")
	for _, i := range []int{1, 2} { // two data rows with an unknown request type
		lines[i] = strings.Replace(lines[i], "DETAINER", "BOGUS", 1)
		lines[i] = strings.Replace(lines[i], "ADMIN_WARRANT", "BOGUS", 1)
		lines[i] = strings.Replace(lines[i], "NOTIFICATION", "BOGUS", 1)
		lines[i] = strings.Replace(lines[i], "JUDICIAL_WARRANT", "BOGUS", 1)
	}
	os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644)

	o := newOutputs(t)
	if _, stderr, err := o.build(t, "--source", dir); err == nil {
		t.Fatal("invalid rows passed without max_invalid_rows")
	} else if strings.Contains(stderr, `BOGUS`) || !strings.Contains(stderr, "value not shown: it occurs fewer than 5 times") {
		// Seen twice, the value could be a person's data: it is withheld.
		t.Errorf("a value seen twice is echoed, or its absence is not explained:\n%s", stderr)
	}
	// A value the file repeats is the system's vocabulary: it is shown.
	if _, stderr, _ := o.buildEnv(t, map[string]string{"WCO_CHECK_ECHO_MIN_COUNT": "2"}, "--source", dir); !strings.Contains(stderr, `value "BOGUS"`) || !strings.Contains(stderr, `offending values of request_type: "BOGUS" ×2`) {
		t.Errorf("a value seen as often as echo_min_count is not echoed:\n%s", stderr)
	}
	if _, stderr, err := o.buildEnv(t, map[string]string{"WCO_CHECK_MAX_INVALID_ROWS": "2"}, "--source", dir); err != nil {
		t.Fatalf("build with 2 invalid rows allowed: %v\n%s", err, stderr)
	}
	home, _ := os.ReadFile(filepath.Join(o.public, "index.html"))
	if !strings.Contains(string(home), "2 records of “Immigration detainers and administrative warrants” were left out") {
		t.Error("the home page does not say that 2 records were left out")
	}
	if _, _, err := o.buildEnv(t, map[string]string{"WCO_CHECK_MAX_INVALID_ROWS": "1"}, "--source", dir); err == nil {
		t.Error("2 invalid rows passed with max_invalid_rows 1")
	}
}

// TestBuildFromURL: a URL source is pulled into the store, then built.
func TestBuildFromURL(t *testing.T) {
	src := synthDelivery(t, 120, 42)
	ts := httptest.NewServer(http.StripPrefix("/exports/", http.FileServer(http.Dir(src))))
	defer ts.Close()
	store := t.TempDir()
	env := map[string]string{"WCO_DELIVERIES_STORE": store}
	o := newOutputs(t)
	if _, stderr, err := o.buildEnv(t, env, "--source", ts.URL+"/exports/"); err != nil {
		t.Fatalf("build from URL: %v\n%s", err, stderr)
	}
	if _, err := os.Stat(filepath.Join(store, "2026-11-16T120000Z", "manifest.json")); err != nil {
		t.Errorf("the delivery is not in the store: %v", err)
	}
	want := expectedCounts(t, src)
	if cells := reportCells(t, o.public, "2026-q2"); cells["detainer_log"] != fmt.Sprint(want["detainer_log"]["2026-Q2"]) && !strings.HasPrefix(cells["detainer_log"], "not shown") {
		t.Errorf("2026-Q2 detainers: page %q, delivery %d", cells["detainer_log"], want["detainer_log"]["2026-Q2"])
	}
	out, _, err := wcoEnv(t, env, "pull", "--config", filepath.Join(repoRoot(t), "config.yaml"), "--source", ts.URL+"/exports/")
	if err != nil || !strings.Contains(out, "already in the store") {
		t.Errorf("second pull: %q %v", out, err)
	}
}
