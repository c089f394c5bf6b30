package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
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
			if slices.Contains(r, "BOGUS") {
				continue // an invalid row, left out
			}
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

var exportNames = []string{"detainer_log", "assistance_requests", "federal_incidents", "visa_certifications"}

// reportCells reads, from a quarter's report page, the count cell of each export.
func reportCells(t *testing.T, public, quarterSlug string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(public, "reports", quarterSlug, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	cells := map[string]string{}
	labels := englishLabels(t)
	for _, name := range exportNames {
		title := labels["export_"+name]
		re := regexp.MustCompile(`<th scope="row">(?:<a [^>]*>)?` + regexp.QuoteMeta(title) + `(?:</a>)?</th>\s*<td[^>]*>([\s\S]*?)</td>`)
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
	t.Parallel()
	delivery := synthDelivery(t, 500, 42)
	addExtraColumn(t, delivery, "federal_incidents", "officer_notes")
	// Two rows with an unknown request type, which configuration allows
	// to be left out: the site must say so (the rule itself is tested in
	// the pipeline package).
	dl, _ := contract.Lookup("detainer_log")
	header, rows := readExport(t, delivery, dl)
	var csvText strings.Builder
	csvText.WriteString(csvLine(header))
	for i, r := range rows {
		if i < 2 {
			r[slices.Index(header, "request_type")] = "BOGUS"
		}
		csvText.WriteString(csvLine(r))
	}
	if err := os.WriteFile(filepath.Join(delivery, dl.File()), []byte(csvText.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	o := newOutputs(t)
	if _, stderr, err := o.buildEnv(t, map[string]string{"WCO_CHECK_MAX_INVALID_ROWS": "2"}, "--source", delivery, "--exported-at", "2026-11-16T06:00:00-06:00"); err != nil {
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
	if !strings.Contains(string(home), "2 records of “"+englishLabels(t)["export_detainer_log"]+"” were left out") {
		t.Error("the home page does not say that 2 records were left out")
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
	t.Parallel()
	o := sampleSite(t)
	if !strings.Contains(sampleStdout, "published 8 quarters") {
		t.Errorf("stdout = %q", sampleStdout)
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
	return copySiteTo(t, filepath.Join(t.TempDir(), "site"))
}

// copySiteTo copies the Hugo site (not its outputs) into dst.
func copySiteTo(t *testing.T, dst string) string {
	t.Helper()
	root := repoRoot(t)
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
