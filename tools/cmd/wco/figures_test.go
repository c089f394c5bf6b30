package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"text/template"

	"go.yaml.in/yaml/v3"

	"github.com/chicago-welcoming-city/transparency/tools/internal/needs"
)

// sampleRow is one record of the sample delivery, read here with nothing
// but encoding/csv: column name (lower case) → cell, trimmed.
type sampleRow map[string]string

// readSampleDelivery reads the embedded sample's four CSV files on its
// own, without the toolkit's reader, so that the figures below are
// computed a second way.
func readSampleDelivery(t *testing.T) map[string][]sampleRow {
	t.Helper()
	out := map[string][]sampleRow{}
	for _, export := range []string{"detainer_log", "assistance_requests", "federal_incidents", "visa_certifications"} {
		b, err := os.ReadFile(filepath.Join(repoRoot(t), "tools", "sample", "delivery", export+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff")))).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", export, err)
		}
		for _, r := range rows[1:] {
			row := sampleRow{}
			for i, name := range rows[0] {
				row[strings.ToLower(strings.TrimSpace(name))] = strings.TrimSpace(r[i])
			}
			out[export] = append(out[export], row)
		}
	}
	return out
}

var (
	csvISODate = regexp.MustCompile(`^(\d{4})-(\d\d)-(\d\d)`)
	csvUSDate  = regexp.MustCompile(`^(\d{1,2})/(\d{1,2})/(\d{4})`)
)

// period is the quarter ("2026-Q3") and year ("2026") of a datetime in any
// of the contract's forms, as written (Chicago local time).
func (r sampleRow) period(t *testing.T, col string) (quarter, year string) {
	t.Helper()
	var y, m int
	if g := csvISODate.FindStringSubmatch(r[col]); g != nil {
		y, _ = strconv.Atoi(g[1])
		m, _ = strconv.Atoi(g[2])
	} else if g := csvUSDate.FindStringSubmatch(r[col]); g != nil {
		y, _ = strconv.Atoi(g[3])
		m, _ = strconv.Atoi(g[1])
	} else {
		t.Fatalf("%s %q is in no form of the contract", col, r[col])
	}
	return fmt.Sprintf("%d-Q%d", y, (m-1)/3+1), strconv.Itoa(y)
}

// code is a cell as a contract code: upper case.
func (r sampleRow) code(col string) string { return strings.ToUpper(r[col]) }

// headlineFigure is one figure of a report, defined here independently of
// the toolkit: the records of an export it counts.
type headlineFigure struct {
	export, dim, value string // dim "" for the total
	periods            []string
	count              func(sampleRow) bool
}

// TestFiguresAgreeEverywhere: each headline figure of a released quarter
// (2026-Q3) and of a released year (2025), and each count of the lists of
// their statutory filings, computed here from the sample delivery's CSV
// files alone, is the number the report page gives, in its tables and in
// its reconciliation with the filing; the number its PDF's text gives;
// the number the downloads give; and the number of rows the filing lists
// (the published quarterly filing, and the annual one wco filing writes).
func TestFiguresAgreeEverywhere(t *testing.T) {
	t.Parallel()
	if secondTier {
		needs.Have(t, needs.Chromium, needs.PrintFonts, needs.PDFToText)
	}
	o := sampleSite(t)
	records := readSampleDelivery(t)
	dateCol := map[string]string{"detainer_log": "received_at", "assistance_requests": "received_at", "federal_incidents": "occurred_at", "visa_certifications": "received_at"}
	slug := func(export string) string { return strings.ReplaceAll(export, "_", "-") }
	label := englishLabels(t)

	is := func(col string, values ...string) func(sampleRow) bool {
		return func(r sampleRow) bool { return slices.Contains(values, r.code(col)) }
	}
	all := func(sampleRow) bool { return true }
	quarter, year := "2026-Q3", "2025"
	figures := []headlineFigure{
		{export: "detainer_log", periods: []string{quarter, year}, count: all},
		{export: "detainer_log", dim: "disposition", value: "TRANSFERRED_FEDERAL", periods: []string{quarter, year}, count: is("disposition", "TRANSFERRED_FEDERAL")},
		{export: "detainer_log", dim: "request_type", value: "JUDICIAL_WARRANT", periods: []string{quarter, year}, count: is("request_type", "JUDICIAL_WARRANT")},
		{export: "detainer_log", dim: "request_type", value: "NOTIFICATION", periods: []string{quarter, year}, count: is("request_type", "NOTIFICATION")},
		{export: "assistance_requests", periods: []string{quarter, year}, count: all},
		{export: "assistance_requests", dim: "response", value: "DECLINED", periods: []string{quarter, year}, count: is("response", "DECLINED")},
		{export: "assistance_requests", dim: "response", value: "PROVIDED", periods: []string{quarter, year}, count: is("response", "PROVIDED")},
		{export: "assistance_requests", dim: "dhs_request", value: "N", periods: []string{year}, count: is("requesting_agency", "OTHER_FEDERAL")},
		{export: "federal_incidents", periods: []string{quarter}, count: all},
		{export: "federal_incidents", dim: "use_of_force", value: "Y", periods: []string{quarter}, count: is("use_of_force", "Y", "YES", "TRUE", "1")},
		{export: "federal_incidents", dim: "referred_to_sao", value: "Y", periods: []string{quarter}, count: is("referred_to_sao", "Y", "YES", "TRUE", "1")},
		{export: "visa_certifications", periods: []string{quarter, year}, count: all},
		{export: "visa_certifications", dim: "decision", value: "CERTIFIED", periods: []string{year}, count: is("decision", "CERTIFIED")},
	}
	count := func(export, per string, keep func(sampleRow) bool) int {
		n := 0
		for _, r := range records[export] {
			q, y := r.period(t, dateCol[export])
			if (per == q || per == y) && keep(r) {
				n++
			}
		}
		return n
	}

	pageText := map[string]string{}
	pdfText := map[string]string{}
	for _, per := range []string{quarter, year} {
		p := strings.ToLower(per)
		page, err := os.ReadFile(filepath.Join(o.public, "reports", p, "index.html"))
		if err != nil {
			t.Fatal(err)
		}
		pageText[per] = visibleText(string(page))
		if !secondTier {
			continue // the first tier prints no PDF
		}
		out, err := exec.Command("pdftotext", filepath.Join(o.public, "reports", p, p+"-report.pdf"), "-").Output()
		if err != nil {
			t.Fatalf("pdftotext %s: %v", per, err)
		}
		pdfText[per] = strings.Join(strings.Fields(string(out)), " ")
	}

	// The report's texts: its page, and in the second tier its PDF.
	reportTexts := func(per string) map[string]string {
		texts := map[string]string{"page": pageText[per]}
		if secondTier {
			texts["PDF"] = pdfText[per]
		}
		return texts
	}
	for _, f := range figures {
		for _, per := range f.periods {
			n := count(f.export, per, f.count)
			kind := map[bool]string{true: "quarterly", false: "yearly"}[strings.Contains(per, "Q")]
			what := fmt.Sprintf("%s %s %s=%s (%d from the CSV files)", per, f.export, f.dim, f.value, n)
			// The downloads.
			table, col := "totals", ""
			if f.dim != "" {
				table, col = strings.ReplaceAll(f.dim, "_", "-"), f.dim
			}
			if got, ok := downloadValue(t, filepath.Join(o.data, "downloads", slug(f.export)+"-"+kind+"-"+table+".csv"), per, col, f.value); !ok || got != strconv.Itoa(n) {
				t.Errorf("%s: the download says %q", what, got)
			}
			// The page and the PDF: a breakdown's row is its label and its
			// count; a total is in the summary table's row of its export.
			if f.dim == "" {
				if want := label["export_"+f.export] + " " + strconv.Itoa(n); !strings.Contains(pageText[per], want) {
					t.Errorf("%s: the report page has no %q", what, want)
				}
				continue
			}
			want := valueLabel(label, f.dim, f.value) + " " + strconv.Itoa(n)
			for where, text := range reportTexts(per) {
				if !strings.Contains(text, want) {
					t.Errorf("%s: the report %s has no %q", what, where, want)
				}
			}
		}
	}
	// Totals in the PDF: the summary table's numbers, in the exports'
	// order (a label may wrap past its number in the PDF's text).
	for _, per := range []string{quarter, year} {
		var want []string
		for _, export := range []string{"detainer_log", "assistance_requests", "federal_incidents", "visa_certifications"} {
			if export == "federal_incidents" && per == year {
				continue // not reported before 2026
			}
			want = append(want, strconv.Itoa(count(export, per, all)))
		}
		if secondTier && !inOrder(pdfText[per], want) {
			t.Errorf("%s: the PDF's summary does not give the totals %v in order", per, want)
		}
	}

	// The filings' lists, defined here as their clauses word them.
	type list struct {
		per, export, filing, id string
		keep                    func(sampleRow) bool
		tallies                 map[string]func(sampleRow) bool // value label key → records among the list's
	}
	lists := []list{
		{quarter, "detainer_log", "mcc-2-173-069", "detainers", is("request_type", "DETAINER", "ADMIN_WARRANT"),
			map[string]func(sampleRow) bool{"value_transferred_federal": is("disposition", "TRANSFERRED_FEDERAL")}},
		{quarter, "assistance_requests", "mcc-2-173-069", "oemc-notifications", all, nil},
		{year, "detainer_log", "ilcs-805-25", "detainers", is("request_type", "DETAINER", "ADMIN_WARRANT", "NOTIFICATION"), nil},
		{year, "assistance_requests", "ilcs-805-25", "dhs-requests", is("requesting_agency", "ICE", "CBP", "HSI"), nil},
		{year, "visa_certifications", "ilcs-805-25", "visa-certifications", all, nil},
	}
	annual := t.TempDir()
	if _, stderr, err := wco(t, "filing", year, "--config", filepath.Join(repoRoot(t), "config.yaml"), "--pdf=off", "--out", annual); err != nil {
		t.Fatalf("wco filing %s: %v\n%s", year, err, stderr)
	}
	published := publishedFilingRows(t, filepath.Join(o.data, "current", "filings.json"))
	for _, l := range lists {
		n := count(l.export, l.per, l.keep)
		total := count(l.export, l.per, all)
		what := fmt.Sprintf("%s %s/%s (%d of %d from the CSV files)", l.per, l.filing, l.id, n, total)
		// The filing: the published one's rows, or the CSV wco filing writes.
		var rows [][]string
		if l.filing == "mcc-2-173-069" {
			rows = published[l.per+" "+l.id]
			// Its CSV in the downloads holds the same rows.
			csvRows := readCSV(t, filepath.Join(o.data, "downloads", strings.ToLower(l.per), "v1", strings.ToLower(l.per)+"-"+l.filing+"-"+l.id+".csv"))
			if len(csvRows)-1 != len(rows) {
				t.Errorf("%s: the filing's CSV has %d rows, its page %d", what, len(csvRows)-1, len(rows))
			}
		} else {
			rows = readCSV(t, filepath.Join(annual, l.per+"-"+l.filing+"-"+l.id+".csv"))[1:]
		}
		if len(rows) != n {
			t.Errorf("%s: the filing lists %d", what, len(rows))
		}
		// The report page and its PDF reconcile the total with the list.
		want := sentence(t, label, map[bool]string{true: "filed_all", false: "filed_part"}[n == total], n, total)
		for where, text := range reportTexts(l.per) {
			if !strings.Contains(text, want) {
				t.Errorf("%s: the report %s has no %q", what, where, want)
			}
		}
		for key, keep := range l.tallies {
			m := count(l.export, l.per, func(r sampleRow) bool { return l.keep(r) && keep(r) })
			yes := 0
			for _, r := range rows {
				if slices.Contains(r, "Yes") {
					yes++
				}
			}
			if yes != m {
				t.Errorf("%s: the filing lists %d as %s, the CSV files %d", what, yes, key, m)
			}
			want := label[key] + ": " + strconv.Itoa(m)
			for where, text := range reportTexts(l.per) {
				if !strings.Contains(text, want) {
					t.Errorf("%s: the report %s has no %q", what, where, want)
				}
			}
		}
	}
}

// englishLabels are the site's English interface strings.
func englishLabels(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "i18n", "en.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	if err := yaml.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// valueLabel is a breakdown value's English label, as the pages name it.
func valueLabel(label map[string]string, dim, value string) string {
	own := map[string]string{"dhs_request/Y": "value_dhs_y", "dhs_request/N": "value_dhs_n"}
	if key, ok := own[dim+"/"+value]; ok {
		return label[key]
	}
	return label["value_"+strings.ToLower(value)]
}

// sentence is the start of a reconciliation sentence, up to the filing's
// name: "98 of the 145 records are listed in the".
func sentence(t *testing.T, label map[string]string, key string, n, total int) string {
	t.Helper()
	text, _, _ := strings.Cut(label[key], "{{ .Filing }}")
	var b strings.Builder
	if err := template.Must(template.New(key).Parse(text)).Execute(&b, map[string]string{"Count": strconv.Itoa(n), "Total": strconv.Itoa(total)}); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(b.String())
}

var tagOrScript = regexp.MustCompile(`(?s)<script.*?</script>|<style.*?</style>|<[^>]+>`)

// visibleText is a page's text, tags removed, entities decoded, spaces
// collapsed, Unicode isolates dropped.
func visibleText(page string) string {
	s := html.UnescapeString(tagOrScript.ReplaceAllString(page, " "))
	s = strings.NewReplacer("\u2066", "", "\u2067", "", "\u2068", "", "\u2069", "").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

// inOrder reports whether the numbers appear in text, as whole words, in
// order.
func inOrder(text string, numbers []string) bool {
	words := strings.Fields(text)
	i := 0
	for _, w := range words {
		if i < len(numbers) && w == numbers[i] {
			i++
		}
	}
	return i == len(numbers)
}

// downloadValue is the value of a long-form download's row for period
// (and, for a breakdown, the value of column col).
func downloadValue(t *testing.T, path, per, col, value string) (string, bool) {
	t.Helper()
	rows := readCSV(t, path)
	at := func(name string) int { return slices.Index(rows[0], name) }
	for _, r := range rows[1:] {
		if r[at("period")] == per && (col == "" || r[at(col)] == value) {
			return r[at("value")], true
		}
	}
	return "", false
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) == 0 {
		t.Fatalf("%s: %v", path, err)
	}
	return rows
}

// publishedFilingRows are the rows of each list of the filings in force
// in filings.json, by "period list".
func publishedFilingRows(t *testing.T, path string) map[string][][]string {
	t.Helper()
	var fs struct {
		Filings []struct {
			Period   string `json:"period"`
			Current  bool   `json:"current"`
			Sections []struct {
				ID   string     `json:"id"`
				Rows [][]string `json:"rows"`
			} `json:"sections"`
		} `json:"filings"`
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &fs); err != nil {
		t.Fatal(err)
	}
	out := map[string][][]string{}
	for _, f := range fs.Filings {
		if f.Current {
			for _, s := range f.Sections {
				out[f.Period+" "+s.ID] = s.Rows
			}
		}
	}
	return out
}
