package publish

import (
	"archive/zip"
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
)

// DownloadsIndexFile is the data file that lists the downloads for the site.
const DownloadsIndexFile = "downloads.json"

// Table is one downloadable table in long form: its dimension columns, then
// value, unit and status, one row per number.
type Table struct {
	Name    string `json:"name"` // file name without extension
	Export  string `json:"export"`
	Kind    string `json:"kind"` // quarterly or yearly
	Subject string `json:"subject"`
	Rule    string `json:"rule"`
	// Exact: Rule requires the table's counts exactly, so they are never
	// suppressed (an open quarter's total, counted so far, still may be).
	Exact   bool     `json:"exact"`
	Columns []string `json:"columns"`
	Rows    [][]string
}

// DownloadFile describes one written file.
type DownloadFile struct {
	Path   string `json:"path"` // relative to the downloads folder
	Bytes  int    `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// DownloadsIndex is downloads.json: every table, its files and checksums.
type DownloadsIndex struct {
	Meta   Meta            `json:"meta"`
	Tables []DownloadTable `json:"tables"`
	Files  []DownloadFile  `json:"files"` // also the data package and checksums
	// Changes is the changelog, newest first.
	Changes []Change `json:"changes"`
	// Filings are the statutory filings the site publishes, with their
	// files (written to filings.json, not to downloads.json).
	Filings Filings `json:"-"`
}

// DownloadTable lists one table in the index.
type DownloadTable struct {
	Name    string `json:"name"`
	Export  string `json:"export"`
	Kind    string `json:"kind"`
	Subject string `json:"subject"` // total, figures, or a dimension
	Rule    string `json:"rule"`
	Exact   bool   `json:"exact"` // its counts are exact by Rule
	Rows    int    `json:"rows"`
	// LastChanged is the day the table's figures were last settled: the
	// newest release or revision of its periods when every one is
	// released, else the export day of the delivery it was computed from,
	// since an unreleased period may change with the next delivery. Empty
	// when the day is not known (a delivery without a manifest).
	LastChanged string       `json:"last_changed,omitempty"`
	CSV         DownloadFile `json:"csv"`
	JSON        DownloadFile `json:"json"`
}

// Tables lays out every published number as downloadable tables.
func (p *Publication) Tables() []Table {
	var out []Table
	notReported := map[string]ExportInfo{}
	for _, info := range p.Index.Exports {
		if info.NotReported {
			notReported[info.Name] = info
		}
	}
	for _, e := range p.Exports {
		ex, _ := contract.Lookup(e.Export)
		if info, ok := notReported[e.Export]; ok {
			// Unknown, not zero: every period's total says so.
			out = append(out, p.notReportedTables(ex, info)...)
			continue
		}
		for _, kind := range []string{"quarter", "year"} {
			var periods []Period
			for _, per := range e.Periods {
				if per.Kind == kind {
					periods = append(periods, per)
				}
			}
			if len(periods) == 0 {
				continue
			}
			label := map[string]string{"quarter": "quarterly", "year": "yearly"}[kind]
			name := func(subject string) string {
				return fmt.Sprintf("%s-%s-%s", ex.Slug(), label, strings.ReplaceAll(subject, "_", "-"))
			}
			rule := periods[0].Rule
			clause := ""
			for _, per := range periods {
				clause = cmp.Or(per.TotalClause, clause)
			}
			totals := Table{Name: name("totals"), Export: e.Export, Kind: label, Subject: "total", Rule: cmp.Or(clause, rule), Exact: clause != "", Columns: []string{"period", "value", "unit", "status", "reason"}}
			for _, per := range periods {
				totals.Rows = append(totals.Rows, []string{per.Period, countText(per.Total), "count", per.Total.Status, per.Total.Reason})
			}
			out = append(out, totals)
			// A breakdown's table holds every period that publishes it (a
			// released period keeps the breakdowns it was released with).
			var order []Breakdown
			for _, per := range periods {
				for _, b := range per.Breakdowns {
					if !slices.ContainsFunc(order, func(o Breakdown) bool { return o.Dimension == b.Dimension }) {
						order = append(order, b)
					}
				}
			}
			for _, b := range order {
				t := Table{Name: name(b.Dimension), Export: e.Export, Kind: label, Subject: b.Dimension, Rule: b.Clause, Exact: b.Clause != "", Columns: []string{"period", b.Dimension, "value", "unit", "status", "reason"}}
				if t.Rule == "" && !b.Context {
					t.Rule = rule
				}
				for _, per := range periods {
					i := slices.IndexFunc(per.Breakdowns, func(o Breakdown) bool { return o.Dimension == b.Dimension })
					if i < 0 {
						continue
					}
					for _, c := range per.Breakdowns[i].Cells {
						t.Rows = append(t.Rows, []string{per.Period, c.Value, countText(c.Count), "count", c.Status, c.Reason})
					}
				}
				out = append(out, t)
			}
			if len(periods[0].Figures) > 0 {
				t := Table{Name: name("figures"), Export: e.Export, Kind: label, Subject: "figures", Rule: rule, Columns: []string{"period", "measure", "value", "unit", "status", "reason"}}
				for _, per := range periods {
					for _, f := range per.Figures {
						v := ""
						if f.Value != nil {
							v = strconv.FormatFloat(*f.Value, 'f', -1, 64)
						}
						t.Rows = append(t.Rows, []string{per.Period, f.Measure, v, f.Unit, f.Status, f.Reason})
					}
				}
				out = append(out, t)
			}
		}
	}
	return out
}

// NotReported is the status of a figure whose export was delivered with
// no records and no certification that there were none.
const NotReported = "not_reported"

// notReportedTables are the totals tables of an export that was not
// reported: one row per period it covers, with no value.
func (p *Publication) notReportedTables(ex contract.Export, info ExportInfo) []Table {
	from, _ := period.Parse(info.From)
	var out []Table
	for _, kind := range []string{"quarterly", "yearly"} {
		t := Table{Name: fmt.Sprintf("%s-%s-totals", ex.Slug(), kind), Export: ex.Name, Kind: kind, Subject: "total", Columns: []string{"period", "value", "unit", "status", "reason"}}
		if kind == "quarterly" {
			t.Rule = ex.Rules[0]
			for _, q := range p.Index.Quarters {
				if qq, err := period.Parse(q.Quarter); err == nil && !qq.Before(from) {
					t.Rows = append(t.Rows, []string{q.Quarter, "", "count", NotReported, ReasonNotReported})
				}
			}
		} else {
			t.Rule = ex.Rules[len(ex.Rules)-1]
			for _, y := range p.Index.Years {
				// As specs: a year the export covers from its first quarter.
				if !(period.Quarter{Year: y.Year, Q: 1}).Before(from) {
					t.Rows = append(t.Rows, []string{period.Year(y.Year).String(), "", "count", NotReported, ReasonNotReported})
				}
			}
		}
		if len(t.Rows) > 0 {
			out = append(out, t)
		}
	}
	return out
}

func countText(c Count) string {
	if c.Count == nil {
		return ""
	}
	return strconv.Itoa(*c.Count)
}

// WriteDownloads writes every table as CSV and JSON into dir, then the
// data package and SHA256SUMS, and returns the index for the site.
func (p *Publication) WriteDownloads(dir string, license License) (*DownloadsIndex, error) {
	idx := &DownloadsIndex{Meta: p.Index.Meta, Tables: []DownloadTable{}}
	var resources []map[string]any
	write := func(name string, b []byte) (DownloadFile, error) {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return DownloadFile{}, err
		}
		sum := sha256.Sum256(b)
		f := DownloadFile{Path: name, Bytes: len(b), SHA256: hex.EncodeToString(sum[:])}
		idx.Files = append(idx.Files, f)
		return f, nil
	}
	for _, t := range p.Tables() {
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.Write(t.Columns)
		w.WriteAll(t.Rows)
		if err := w.Error(); err != nil {
			return nil, err
		}
		csvFile, err := write(t.Name+".csv", buf.Bytes())
		if err != nil {
			return nil, err
		}
		rows := make([]map[string]any, 0, len(t.Rows))
		for _, r := range t.Rows {
			row := map[string]any{}
			for i, col := range t.Columns {
				row[col] = jsonValue(col, r[i])
			}
			rows = append(rows, row)
		}
		jb, err := marshalJSON(map[string]any{"meta": p.Index.Meta, "table": t.Name, "rule": t.Rule, "rows": rows})
		if err != nil {
			return nil, err
		}
		jsonFile, err := write(t.Name+".json", jb)
		if err != nil {
			return nil, err
		}
		changed := p.lastChanged(t)
		idx.Tables = append(idx.Tables, DownloadTable{Name: t.Name, Export: t.Export, Kind: t.Kind, Subject: t.Subject, Rule: t.Rule, Exact: t.Exact, Rows: len(t.Rows), LastChanged: changed, CSV: csvFile, JSON: jsonFile})
		res := resource(t, csvFile)
		if changed != "" {
			res["last_changed"] = changed
		}
		resources = append(resources, res)
	}
	archive, rows, err := p.writeArchive(dir, write)
	if err != nil {
		return nil, err
	}
	if idx.Filings, err = p.writeFilings(dir, write); err != nil {
		return nil, err
	}
	for _, f := range idx.Filings.Filings {
		key := archiveDir(f.Period, f.Version)
		archive[key] = append(archive[key], f.Files...)
	}
	zips, parquets := map[string]DownloadFile{}, map[string]DownloadFile{}
	for _, sub := range sortedKeys(archive) {
		if zips[sub], parquets[sub], err = p.bundle(dir, sub, archive[sub], rows[sub], write); err != nil {
			return nil, fmt.Errorf("bundle %s: %w", sub, err)
		}
	}
	pkg := map[string]any{
		"profile":     "tabular-data-package",
		"name":        "welcoming-city-transparency",
		"title":       "Welcoming City Ordinance transparency tables",
		"description": "Counts and figures the Chicago Police Department reports under the Welcoming City Ordinance (MCC 2-173-069), the Illinois TRUST Act (5 ILCS 805/25), the VOICES Act (5 ILCS 825) and the 2026 order on federal immigration enforcement. " + p.Index.Meta.Disclosure.Method + ".",
		"version":     p.Index.Meta.ToolVersion,
		"sources":     []map[string]string{{"title": "Chicago Police Department records exports, delivery " + p.Index.Meta.Delivery.Digest}},
		"resources":   resources,
	}
	if p.Index.Meta.Delivery.ExportedAt != "" {
		pkg["created"] = p.Index.Meta.Delivery.ExportedAt
	}
	if license.Name != "" {
		pkg["licenses"] = []License{license}
	}
	pb, err := marshalJSON(pkg)
	if err != nil {
		return nil, err
	}
	if _, err := write("datapackage.json", pb); err != nil {
		return nil, err
	}
	idx.Changes = p.Changelog()
	for i, c := range idx.Changes {
		key := archiveDir(c.Period, c.Version)
		idx.Changes[i].Archive = archive[key]
		if z, ok := zips[key]; ok {
			idx.Changes[i].Zip, idx.Changes[i].Parquet = &z, new(parquets[key])
		}
	}
	if _, err := write("CHANGELOG.md", []byte(ChangelogMarkdown(idx.Changes))); err != nil {
		return nil, err
	}
	var sums bytes.Buffer
	files := slices.Clone(idx.Files)
	slices.SortFunc(files, func(a, b DownloadFile) int { return strings.Compare(a.Path, b.Path) })
	for _, f := range files {
		fmt.Fprintf(&sums, "%s  %s\n", f.SHA256, f.Path)
	}
	if _, err := write("SHA256SUMS", sums.Bytes()); err != nil {
		return nil, err
	}
	return idx, nil
}

// DefaultLicense is the dedication the downloads are published under unless
// the configuration names another (params.downloads.license): public domain,
// so anyone may reuse the figures without asking.
var DefaultLicense = License{
	Name:  "ODC-PDDL-1.0",
	Title: "Open Data Commons Public Domain Dedication and License",
	Path:  "https://opendatacommons.org/licenses/pddl/1-0/",
}

// License names the terms the downloads are published under.
type License struct {
	Name  string `json:"name" mapstructure:"name"`
	Path  string `json:"path,omitempty" mapstructure:"path"`
	Title string `json:"title,omitempty" mapstructure:"title"`
}

// jsonValue types a long-form cell for JSON: numbers as numbers, empty as null.
func jsonValue(col, v string) any {
	if col != "value" {
		return v
	}
	if v == "" {
		return nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return v
	}
	return f
}

// resource describes a CSV table for the Frictionless data package.
func resource(t Table, f DownloadFile) map[string]any {
	var fields []map[string]any
	for _, c := range t.Columns {
		field := map[string]any{"name": c, "type": "string"}
		switch c {
		case "period":
			field["description"] = "a quarter such as 2026-Q3, or a calendar year"
		case "value":
			field["type"] = "number"
			field["description"] = "empty when the status is not published"
		case "unit":
			field["constraints"] = map[string]any{"enum": []string{"count", UnitPercent, UnitDays}}
		case "status":
			field["constraints"] = map[string]any{"enum": Statuses}
			field["description"] = "published (a number; 0 is a true zero), suppressed (hidden, at least 1), withheld (hidden with its whole table, may be 0), not_applicable, or not_reported (the export was not delivered)"
		case "reason":
			field["constraints"] = map[string]any{"enum": append([]string{""}, Reasons...)}
			field["description"] = "why a number is not shown, empty when it is: privacy (suppressed to protect the people in the records), small_group, linked, revision (withheld with its table), unreleased, provisional (the period is not released, or still open), not_counted, years_only, not_reported"
		}
		fields = append(fields, field)
	}
	desc := fmt.Sprintf("%s of %s, %s.", t.Subject, t.Export, t.Kind)
	switch {
	case t.Exact:
		desc += " Every count of a closed period is exact, zeros and small counts included: " + t.Rule + " requires it."
	case t.Rule != "":
		desc += " Answers " + t.Rule + "."
	default:
		desc += " Published for context; no rule requires it."
	}
	return map[string]any{
		"name":        t.Name,
		"path":        f.Path,
		"profile":     "tabular-data-resource",
		"format":      "csv",
		"mediatype":   "text/csv",
		"encoding":    "utf-8",
		"bytes":       f.Bytes,
		"hash":        "sha256:" + f.SHA256,
		"description": desc,
		"schema":      map[string]any{"fields": fields, "missingValues": []string{""}},
	}
}

// WriteIndex writes the downloads index as a data file for the site.
func WriteIndex(path string, idx *DownloadsIndex) error { return writeJSON(path, idx) }

// archiveDir is the folder, under the downloads, of one version of a
// released period: 2026-q3/v1.
func archiveDir(p string, version int) string {
	return fmt.Sprintf("%s/v%d", strings.ToLower(p), version)
}

// archiveRow is one number of one version of a released period, as its
// archive lists it: in the CSVs, one file per export; in the Parquet file,
// every export of the version in one.
type archiveRow struct {
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

// archiveColumns are the CSV columns of an archived version.
var archiveColumns = []string{"period", "version", "figure", "value_of", "value", "unit", "status", "reason", "clause"}

func (r archiveRow) csv() []string {
	v := ""
	if r.Value != nil {
		v = strconv.FormatFloat(*r.Value, 'f', -1, 64)
	}
	return []string{r.Period, strconv.Itoa(int(r.Version)), r.Figure, r.ValueOf, v, r.Unit, r.Status, r.Reason, r.Clause}
}

// versionRows lists the numbers of one export of one version, with the
// reason of each one not shown and the clause of each figure a rule
// requires (empty for a protected one).
func versionRows(per string, version int, f Frozen) []archiveRow {
	fp := f.Period.clone()
	annotate(&fp)
	count := func(c Count) *float64 {
		if c.Count == nil {
			return nil
		}
		v := float64(*c.Count)
		return &v
	}
	row := func(figure, of string, value *float64, unit, status, reason, clause string) archiveRow {
		return archiveRow{Export: f.Export, Period: per, Version: int32(version), Figure: figure, ValueOf: of, Value: value, Unit: unit, Status: status, Reason: reason, Clause: clause}
	}
	out := []archiveRow{row("total", "", count(fp.Total), "count", fp.Total.Status, fp.Total.Reason, fp.TotalClause)}
	for _, b := range fp.Breakdowns {
		for _, c := range b.Cells {
			out = append(out, row(b.Dimension, c.Value, count(c.Count), "count", c.Status, c.Reason, b.Clause))
		}
	}
	for _, fig := range fp.Figures {
		out = append(out, row(fig.Measure, "", fig.Value, fig.Unit, fig.Status, fig.Reason, ""))
	}
	return out
}

// writeArchive writes, for every version of every released period, its
// published numbers as they were released: one CSV per export, in long
// form, at a stable address (2026-q3/v1/detainer-log.csv) that no later
// build or revision changes. It returns the files of each version's folder,
// and each folder's numbers for its Parquet file.
func (p *Publication) writeArchive(dir string, write func(string, []byte) (DownloadFile, error)) (map[string][]DownloadFile, map[string][]archiveRow, error) {
	out := map[string][]DownloadFile{}
	rows := map[string][]archiveRow{}
	for _, per := range sortedKeys(p.releases) {
		for _, v := range p.releases[per].Versions {
			sub := archiveDir(per, v.Version)
			if err := os.MkdirAll(filepath.Join(dir, filepath.FromSlash(sub)), 0o755); err != nil {
				return nil, nil, err
			}
			for _, f := range v.Exports {
				ex, err := contract.Lookup(f.Export)
				if err != nil {
					return nil, nil, fmt.Errorf("release %s: %w", per, err)
				}
				var buf bytes.Buffer
				w := csv.NewWriter(&buf)
				w.Write(archiveColumns)
				vr := versionRows(per, v.Version, f)
				for _, r := range vr {
					w.Write(r.csv())
				}
				w.Flush()
				if err := w.Error(); err != nil {
					return nil, nil, err
				}
				df, err := write(sub+"/"+ex.Slug()+".csv", buf.Bytes())
				if err != nil {
					return nil, nil, err
				}
				out[sub] = append(out[sub], df)
				rows[sub] = append(rows[sub], vr...)
			}
		}
	}
	return out, rows, nil
}

// bundle writes, for each version folder, every file of it in one zip
// (2026-q3/v1/2026-q3-v1.zip) and its numbers in one Parquet file
// (2026-q3/v1/2026-q3-v1.parquet). The same files give the same bytes: the
// zip's entries are in the folder's order, dated by the version's release.
func (p *Publication) bundle(dir, sub string, files []DownloadFile, rows []archiveRow, write func(string, []byte) (DownloadFile, error)) (zipFile, parquetFile DownloadFile, err error) {
	name := strings.ReplaceAll(sub, "/", "-")
	per, v := p.versionOf(sub)
	modified := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	if t, err := time.Parse(time.RFC3339, v.ReleasedAt); err == nil {
		modified = t.UTC()
	}
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Path)))
		if err != nil {
			return zipFile, parquetFile, err
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: path.Base(f.Path), Method: zip.Deflate, Modified: modified})
		if err != nil {
			return zipFile, parquetFile, err
		}
		if _, err := w.Write(b); err != nil {
			return zipFile, parquetFile, err
		}
	}
	if err := zw.Close(); err != nil {
		return zipFile, parquetFile, err
	}
	if zipFile, err = write(sub+"/"+name+".zip", zb.Bytes()); err != nil {
		return zipFile, parquetFile, err
	}
	var pb bytes.Buffer
	pw := parquet.NewGenericWriter[archiveRow](&pb, parquet.KeyValueMetadata("description",
		fmt.Sprintf("Version %d of %s, as released: every number of every export, its status, the reason it is not shown, and the clause that requires it exactly (empty for a protected figure).", v.Version, per)))
	if _, err := pw.Write(rows); err != nil {
		return zipFile, parquetFile, err
	}
	if err := pw.Close(); err != nil {
		return zipFile, parquetFile, err
	}
	parquetFile, err = write(sub+"/"+name+".parquet", pb.Bytes())
	return zipFile, parquetFile, err
}

// versionOf is the period and version an archive folder holds.
func (p *Publication) versionOf(sub string) (string, Version) {
	for _, per := range sortedKeys(p.releases) {
		for _, v := range p.releases[per].Versions {
			if archiveDir(per, v.Version) == sub {
				return per, v
			}
		}
	}
	return "", Version{}
}

// lastChanged is a table's DownloadTable.LastChanged.
func (p *Publication) lastChanged(t Table) string {
	newest := ""
	for _, r := range t.Rows {
		rel := p.releases[r[0]]
		if rel == nil {
			return day(p.Index.Meta.Delivery.ExportedAt)
		}
		if d := day(rel.Current().ReleasedAt); d > newest {
			newest = d
		}
	}
	return newest
}
