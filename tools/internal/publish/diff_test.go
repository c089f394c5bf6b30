package publish

import (
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDiffNamesEveryFigureThatChanges: a count that moves, a count that
// becomes hidden, a share, a breakdown value and a period that appear, and
// a period that goes, each once; figures that stay the same, never.
func TestDiffNamesEveryFigureThatChanges(t *testing.T) {
	t.Parallel()
	n := func(v int) *int { return &v }
	f := func(v float64) *float64 { return &v }
	shown := func(v int) Count { return Count{Count: n(v), Status: Published} }
	hiddenCount := Count{Status: Suppressed, Reason: ReasonPrivacy}
	old := []ExportTables{{Export: "detainer_log", Periods: []Period{
		{Period: "2025-Q3", Total: shown(30), Breakdowns: []Breakdown{{Dimension: "disposition", Cells: []Cell{
			{Value: "RELEASED", Count: shown(20)}, {Value: "TRANSFERRED_FEDERAL", Count: shown(10)}}}},
			Figures: []Figure{{Measure: "share_transferred_federal", Unit: "percent", Value: f(33.3), Status: Published}}},
		{Period: "2025-Q2", Total: shown(12)},
	}}}
	new := []ExportTables{{Export: "detainer_log", Periods: []Period{
		{Period: "2025-Q3", Total: shown(33), Breakdowns: []Breakdown{{Dimension: "disposition", Cells: []Cell{
			{Value: "RELEASED", Count: shown(20)}, {Value: "TRANSFERRED_FEDERAL", Count: hiddenCount}, {Value: "IN_CUSTODY", Count: shown(0)}}}},
			Figures: []Figure{{Measure: "share_transferred_federal", Unit: "percent", Value: f(39.4), Status: Published}}},
		{Period: "2025-Q4", Total: shown(14)},
	}}}
	got := Diff(old, new)
	want := []FigureChange{
		{"detainer_log", "2025-Q3", "total", "30", "33"},
		{"detainer_log", "2025-Q3", "disposition=TRANSFERRED_FEDERAL", "10", "not shown (1 or more): to protect the people in the records"},
		{"detainer_log", "2025-Q3", "disposition=IN_CUSTODY", "not in the tables", "0"},
		{"detainer_log", "2025-Q3", "share_transferred_federal", "33.3%", "39.4%"},
		{"detainer_log", "2025-Q4", "total", "not in the tables", "14"},
		{"detainer_log", "2025-Q2", "total", "12", "not in the tables"},
	}
	if len(got) != len(want) {
		t.Fatalf("changes:\n%v\nwant\n%v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("change %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if len(Diff(new, new)) != 0 {
		t.Error("a publication differs from itself")
	}
	var b strings.Builder
	// Named as the pages name them, in the site's English labels; a
	// figure without one keeps its code.
	labels := Labels{"export_detainer_log": "Detainer log", "report_total": "All records", "dim_disposition": "What happened to the person",
		"value_transferred_federal": "Transferred to federal custody"}
	if err := WriteDiff(&b, got, labels); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"6 published figure(s) change, in 1 export(s):", "| records | period | figure | was | now |", "| Detainer log | 2025-Q3 | All records | 30 | 33 |",
		"| Detainer log | 2025-Q3 | What happened to the person: Transferred to federal custody | 10 | not shown (1 or more): to protect the people in the records |",
		"| Detainer log | 2025-Q3 | What happened to the person: IN_CUSTODY | not in the tables | 0 |"} {
		if !strings.Contains(b.String(), line) {
			t.Errorf("the table lacks %q:\n%s", line, b.String())
		}
	}
	b.Reset()
	WriteDiff(&b, nil, labels)
	if b.String() != "No published figure changes.\n" {
		t.Errorf("no change: %q", b.String())
	}
}

// TestTheReviewNamesWhatThePagesName: every reason a number may be hidden
// for has its words in the review, and the values whose label depends on
// their breakdown are the same list as the pages' (value-label.html).
func TestTheReviewNamesWhatThePagesName(t *testing.T) {
	t.Parallel()
	for _, r := range Reasons {
		if reasonText[r] == "" {
			t.Errorf("the review has no words for the reason %q", r)
		}
	}
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "layouts", "_partials", "report", "value-label.html"))
	if err != nil {
		t.Fatal(err)
	}
	own := regexp.MustCompile(`\$own := dict ((?:"[^"]*" ?)+)`).FindSubmatch(b)
	if own == nil {
		t.Fatal("value-label.html has no $own dict")
	}
	words := regexp.MustCompile(`"([^"]*)"`).FindAllSubmatch(own[1], -1)
	pages := map[string]string{}
	for i := 0; i+1 < len(words); i += 2 {
		pages[string(words[i][1])] = string(words[i+1][1])
	}
	if !maps.Equal(pages, valueLabelKeys) {
		t.Errorf("value-label.html labels %v by their breakdown, the review %v", pages, valueLabelKeys)
	}
}
