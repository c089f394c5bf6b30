package main

import (
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chicago-welcoming-city/transparency/tools/internal/publish"
	"github.com/chicago-welcoming-city/transparency/tools/internal/site"
)

// An example is a records system read by configuration alone: its
// config.yaml and its delivery, the system's own files with synthetic rows.
type example struct {
	name       string
	exportedAt string
	release    string // the quarters to release, if any
	// method is what the methodology page says of how the files are read.
	method  string
	private []string // the columns no output may show a value of
	// figures are the published counts to check, each against the count
	// the delivery's files give when read with encoding/csv alone.
	figures func(t *testing.T, files map[string][][]string) []figure
}

// figure is one published count: the export's period, the dimension and
// value ("" for the total), and the count the files give.
type figure struct {
	export, period, dim, value string
	want                       int
}

var examples = []example{
	{
		name: "pa-detainer-foia", exportedAt: "2015-07-20T06:00:00-04:00",
		private: []string{"det_facility", "city"},
		figures: func(t *testing.T, files map[string][][]string) []figure {
			rows := rowsOf(t, files["pa_detainers.csv"])
			in2014 := func(r map[string]string) bool { return strings.HasPrefix(r["date"], "2014-") }
			return []figure{
				// Identical rows are each a record of a snapshot export.
				{"detainer_log", "2014", "", "", count(rows, in2014)},
				{"detainer_log", "2014", "disposition", "TRANSFERRED_FEDERAL", count(rows, func(r map[string]string) bool { return in2014(r) && r["lift_reason"] == "Booked into Detention" })},
				{"detainer_log", "2014", "disposition", "IN_CUSTODY", count(rows, func(r map[string]string) bool { return in2014(r) && r["lift_reason"] == "" })},
				{"detainer_log", "2014", "request_type", "NOTIFICATION", count(rows, func(r map[string]string) bool { return in2014(r) && strings.HasPrefix(r["detainer_type"], "I247N") })},
				{"detainer_log", "2014", "receiving_agency", "OTHER", count(rows, func(r map[string]string) bool { return in2014(r) && r["lift_reason"] == "Transferred" })},
			}
		},
	},
	{
		name: "cpd-trr", exportedAt: "2023-10-16T06:00:00-05:00", release: "2022-Q1..2022-Q4",
		method:  `<code>persons_injured</code>: <span lang="en" dir="ltr">the count of rows of subjects where "injured" is Yes</span>`,
		private: []string{"rd_no", "event_no", "street", "subject_cb_no"},
		figures: func(t *testing.T, files map[string][][]string) []figure {
			reports := map[string]bool{}
			for _, r := range rowsOf(t, files["TRR-main_2021-2023_2023-10_p877988.csv.gz"]) {
				if strings.HasPrefix(r["trr_date"], "2022-") {
					reports[r["trr_id"]] = true
				}
			}
			force, ems := map[string]bool{}, map[string]bool{}
			for _, r := range rowsOf(t, files["TRR-actions-responses_2021-2023_2023-10_p877988.csv.gz"]) {
				if reports[r["trr_id"]] && r["person"] == "Member Action" && r["action"] != "" && r["other_description"] != "Force Mitigation" {
					force[r["trr_id"]] = true
				}
			}
			for _, r := range rowsOf(t, files["TRR-subjects_2021-2023_2023-10_p877988.csv.gz"]) {
				for item := range strings.SplitSeq(r["med_treatment_new_trr"], ",") {
					if item = strings.TrimSpace(item); reports[r["trr_id"]] && (item == "OFFERED / EMS REQUESTED" || item == "PERFORMED BY CFD EMS") {
						ems[r["trr_id"]] = true
					}
				}
			}
			return []figure{
				{"federal_incidents", "2022", "", "", len(reports)},
				{"federal_incidents", "2022", "use_of_force", "Y", len(force)},
				{"federal_incidents", "2022", "ems_requested", "Y", len(ems)},
			}
		},
	},
	{
		name: "data-portal-crimes", exportedAt: "2025-03-01T06:00:00-06:00", release: "2023-Q1..2023-Q4",
		method:  `<code>persons_detained</code>: <span lang="en" dir="ltr">1 if this row's "arrest" is true, else 0</span>`,
		private: []string{"Case Number", "Block", "Latitude", "Longitude", "Location", "X Coordinate", "Y Coordinate"},
		figures: func(t *testing.T, files map[string][][]string) []figure {
			rows := rowsOf(t, files["Crimes_-_2001_to_Present.csv"])
			in2023 := func(r map[string]string) bool { return strings.HasPrefix(r["Date"][6:], "2023 ") }
			return []figure{
				{"federal_incidents", "2023", "", "", count(rows, in2023)},
				{"federal_incidents", "2023", "persons_detained", "Y", count(rows, func(r map[string]string) bool { return in2023(r) && r["Arrest"] == "true" })},
				{"federal_incidents", "2023", "persons_detained", "N", count(rows, func(r map[string]string) bool { return in2023(r) && r["Arrest"] == "false" })},
			}
		},
	},
}

// TestTheExamplesBuildFromTheSystemsOwnFiles: each example's delivery, as
// the records system's files come, with no script and no edit, passes the
// check, is released and built into a site by its configuration alone.
// Every count checked is the one the files give when read with encoding/csv
// alone, and no value of a column that is not the contract's (facilities,
// report numbers, blocks, coordinates) reaches any output.
func TestTheExamplesBuildFromTheSystemsOwnFiles(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	for _, ex := range examples {
		t.Run(ex.name, func(t *testing.T) {
			t.Parallel()
			cfg := filepath.Join(root, "examples", ex.name, "config.yaml")
			delivery := filepath.Join(root, "examples", ex.name, "delivery")
			o := newOutputs(t)
			flags := []string{"--config", cfg, "--source", delivery, "--exported-at", ex.exportedAt}
			// Undated, nothing is published: the time is never guessed.
			if _, _, err := wco(t, "publish", "--config", cfg, "--source", delivery, "--data", o.data); err == nil || !strings.Contains(err.Error(), "--exported-at") {
				t.Errorf("a delivery with no manifest and no export time: %v", err)
			}
			out, _, err := wco(t, append([]string{"check"}, flags...)...)
			if err != nil || !strings.Contains(out, "passes the contract") {
				t.Fatalf("check: %v\n%s", err, out)
			}
			if ex.release != "" {
				if out, _, err := wco(t, append([]string{"release", ex.release, "--data", o.data}, flags...)...); err != nil {
					t.Fatalf("release %s: %v\n%s", ex.release, err, out)
				}
			}
			if out, errOut, err := wco(t, append([]string{"build", "--data", o.data, "--public", o.public, "--pdf=off"}, flags...)...); err != nil {
				t.Fatalf("build: %v\n%s\n%s", err, out, errOut)
			}
			method, err := os.ReadFile(filepath.Join(o.public, "methodology", "index.html"))
			if err != nil {
				t.Fatal(err)
			}
			if ex.method != "" && !strings.Contains(string(method), ex.method) {
				t.Errorf("the methodology page does not say how a column is read: %s", ex.method)
			}
			files := readDelivery(t, delivery)
			// The rows are synthetic, and say so: a canary in every file's
			// private columns, which no output may hold.
			canary := false
			for _, recs := range files {
				for _, r := range recs {
					canary = canary || strings.Contains(strings.Join(r, ","), "CANARY-")
				}
			}
			if !canary {
				t.Error("the example's delivery holds no canary: is it synthetic?")
			}
			for _, f := range ex.figures(t, files) {
				got, status := publishedCount(t, o.data, f)
				if status != publish.Published || got != f.want {
					t.Errorf("%s %s %s=%s: published %d (%s), the files give %d", f.export, f.period, f.dim, f.value, got, status, f.want)
				}
			}
			assertNoValueOf(t, files, ex.private, o.data, o.public)
		})
	}
}

// readDelivery reads every CSV file of a delivery, compressed or not.
func readDelivery(t *testing.T, dir string) map[string][][]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][][]string{}
	for _, e := range entries {
		f, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		var r io.Reader = f
		if strings.HasSuffix(e.Name(), ".gz") {
			if r, err = gzip.NewReader(f); err != nil {
				t.Fatal(err)
			}
		}
		recs, err := csv.NewReader(r).ReadAll()
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		out[e.Name()] = recs
	}
	return out
}

// rowsOf is a file's rows (its records, header first) by column name.
func rowsOf(t *testing.T, recs [][]string) []map[string]string {
	t.Helper()
	if len(recs) < 2 {
		t.Fatal("a file has no rows")
	}
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

func count(rows []map[string]string, keep func(map[string]string) bool) int {
	n := 0
	for _, r := range rows {
		if keep(r) {
			n++
		}
	}
	return n
}

// publishedCount is one count of the published tables, and its status.
func publishedCount(t *testing.T, data string, f figure) (int, string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(data, "current", strings.ReplaceAll(f.export, "_", "-")+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var et publish.ExportTables
	if err := json.Unmarshal(b, &et); err != nil {
		t.Fatal(err)
	}
	for _, p := range et.Periods {
		if p.Period != f.period {
			continue
		}
		c := p.Total
		for _, b := range p.Breakdowns {
			for _, cell := range b.Cells {
				if b.Dimension == f.dim && cell.Value == f.value {
					c = cell.Count
				}
			}
		}
		if f.dim != "" && c == p.Total {
			t.Fatalf("%s %s publishes no %s=%s", f.export, f.period, f.dim, f.value)
		}
		if c.Count == nil {
			return -1, c.Status
		}
		return *c.Count, c.Status
	}
	t.Fatalf("%s publishes no period %s", f.export, f.period)
	return 0, ""
}

// assertNoValueOf fails the test if a value of one of the columns, of
// eight bytes or more, appears in any file under the folders.
func assertNoValueOf(t *testing.T, files map[string][][]string, columns []string, dirs ...string) {
	t.Helper()
	var hay strings.Builder
	for _, d := range dirs {
		if err := site.WalkFiles(d, func(p string) error {
			b, err := os.ReadFile(p)
			hay.WriteString(strings.ToLower(string(b)))
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	all := hay.String()
	if strings.Contains(all, "canary-") {
		t.Error("a canary of the delivery appears in the outputs")
	}
	searched := 0
	for name, recs := range files {
		for i, h := range recs[0] {
			if !slices.Contains(columns, h) {
				continue
			}
			seen := map[string]bool{}
			for _, r := range recs[1:] {
				v := strings.ToLower(strings.TrimSpace(r[i]))
				if len(v) < 8 || seen[v] {
					continue
				}
				seen[v] = true
				searched++
				if strings.Contains(all, v) {
					t.Errorf("%s: a value of %s appears in the outputs: %q", name, h, v)
				}
			}
		}
	}
	if searched == 0 {
		t.Fatal("no value to search for")
	}
	t.Logf("%d distinct values of %s searched for in every output: none found", searched, strings.Join(columns, ", "))
}
