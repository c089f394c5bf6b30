package publish

import (
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/check"
	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
	"github.com/chicago-welcoming-city/transparency/tools/internal/synth"
)

// publishSynth publishes a synthetic delivery of rows per export.
func publishSynth(t *testing.T, rows int, seed uint64) *Publication {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "d")
	if _, err := synth.Write(dir, synth.Options{Rows: rows, Seed: seed}); err != nil {
		t.Fatal(err)
	}
	d, err := delivery.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	pub, _, err := Run(d, Options{Threshold: 11, Key: testKey, Policy: fullPolicy(), Check: check.Options{Now: time.Now()}})
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

// TestAuditPassesOnPublications: thin deliveries (many 1s and 2s, empty
// quarters) and fuller ones; the attacker, reading only the published
// tables, narrows no suppressed count below the width, and nothing from 1
// to k−1 is published.
func TestAuditPassesOnPublications(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(9, 9))
	for trial := range 6 {
		rows := []int{8, 25, 60, 150, 400}[rng.IntN(5)]
		pub := publishSynth(t, rows, rng.Uint64())
		reports, err := Audit(pub.Exports, nil, 11)
		if err != nil {
			t.Fatalf("trial %d (%d rows): %v", trial, rows, err)
		}
		for _, r := range reports {
			if len(r.Findings) > 0 {
				t.Errorf("trial %d (%d rows) %s: %v", trial, rows, r.Export, r.Findings)
			}
		}
		for _, e := range pub.Exports {
			for _, p := range e.Periods {
				counts := []Count{p.Total}
				for _, b := range p.Breakdowns {
					for _, c := range b.Cells {
						counts = append(counts, c.Count)
					}
				}
				for _, c := range counts {
					if c.Count != nil && *c.Count > 0 && *c.Count < 11 {
						t.Fatalf("trial %d: %s %s publishes %d", trial, e.Export, p.Period, *c.Count)
					}
				}
			}
		}
	}
}

// TestAuditCatchesALeak builds the case it needs: a quarter of 30 records
// whose breakdown shows 17 and hides 6 and 7. The attacker learns only
// that the two hidden cells add up to 13, so each lies in [1, 12], as wide
// as the threshold; once one is shown, the other is exactly determined,
// and the audit must say so.
func TestAuditCatchesALeak(t *testing.T) {
	t.Parallel()
	n := func(v int) *int { return &v }
	tables := func(shown bool) []ExportTables {
		first := Count{Status: Suppressed}
		if shown {
			first = Count{Count: n(6), Status: Published}
		}
		return []ExportTables{{Export: "detainer_log", Periods: []Period{{
			Period: "2026-Q2", Kind: "quarter", Year: 2026, Quarter: 2,
			Total: Count{Count: n(30), Status: Published},
			Breakdowns: []Breakdown{{Dimension: "request_type", Cells: []Cell{
				{Value: "DETAINER", Count: Count{Count: n(17), Status: Published}},
				{Value: "ADMIN_WARRANT", Count: first},
				{Value: "NOTIFICATION", Count: Count{Status: Suppressed}},
			}}},
		}}}}
	}
	reports, err := Audit(tables(false), nil, 11)
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 1 || reports[0].Suppressed != 2 || len(reports[0].Findings) != 0 {
		t.Fatalf("two cells hiding 13 between them: %+v", reports)
	}
	if reports[0].Narrowest != 11 {
		t.Errorf("each hidden cell lies in [1, 12]: narrowest range %v, want 11", reports[0].Narrowest)
	}
	reports, err = Audit(tables(true), nil, 11)
	if err != nil {
		t.Fatal(err)
	}
	other := CellKey("detainer_log", "2026-Q2", "request_type", "NOTIFICATION")
	if len(reports[0].Findings) != 1 || reports[0].Findings[0].Key != other || !strings.Contains(reports[0].Findings[0].String(), "exactly determined") {
		t.Fatalf("one of the two shown: the audit must find %s exactly determined: %v", other, reports[0].Findings)
	}
}

// TestAttackerRejectsMalformedTables: a cell published without its count,
// or with a status the toolkit never writes, is an error naming the cell,
// in a total as in a breakdown.
func TestAttackerRejectsMalformedTables(t *testing.T) {
	t.Parallel()
	n := 12
	ok := Count{Count: &n, Status: Published}
	for name, tc := range map[string]struct {
		total, cell Count
		want        string
	}{
		"total without count":   {Count{Status: Published}, ok, "visa_certifications 2026-Q1 total is published without a count"},
		"cell with odd status":  {ok, Count{Count: &n, Status: "hidden"}, `visa_certifications 2026-Q1 decision=DENIED has status "hidden"`},
		"cell without a status": {ok, Count{}, `decision=DENIED has status ""`},
	} {
		p := Period{Period: "2026-Q1", Kind: "quarter", Year: 2026, Quarter: 1, Total: tc.total,
			Breakdowns: []Breakdown{{Dimension: "decision", Cells: []Cell{{Value: "DENIED", Count: tc.cell}}}}}
		_, err := AttackerSystem(ExportTables{Export: "visa_certifications", Periods: []Period{p}})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", name, err, tc.want)
		}
	}
	p := Period{Period: "2026-Q1", Kind: "quarter", Year: 2026, Quarter: 1, Total: ok,
		Breakdowns: []Breakdown{{Dimension: "decision", Cells: []Cell{{Value: "DENIED", Count: Count{Status: Suppressed}}}}}}
	sys, err := AttackerSystem(ExportTables{Export: "visa_certifications", Periods: []Period{p}})
	if err != nil || len(sys.Cells) != 2 || !sys.Cells[1].Suppressed {
		t.Errorf("well-formed tables: %+v %v", sys, err)
	}
}
