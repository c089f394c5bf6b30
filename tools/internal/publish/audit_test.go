package publish

import (
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
	pub, _ := releaseAll(t, d, opts(fullPolicy(), time.Now()))
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
		wantNothingFound(t)(audit(pub))
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

// released is a history of one release of one period, for the audit.
func released(export string, p Period) Releases {
	return Releases{p.Period: {Period: p.Period, Kind: p.Kind, Versions: []Version{{Version: 1, ReleasedAt: "2026-08-15T00:00:00-05:00", Exports: []Frozen{{Export: export, Period: p}}}}}}
}

// TestAuditCatchesALeak builds the case it needs: a quarter of 30 records
// whose breakdown shows 17 and hides 6 and 7. The attacker learns only
// that the two hidden cells add up to 13, so each lies in [1, 12], as wide
// as the threshold; once one is shown, the other is exactly determined,
// and the audit must say so.
func TestAuditCatchesALeak(t *testing.T) {
	t.Parallel()
	n := func(v int) *int { return &v }
	history := func(shown bool) Releases {
		first := Count{Status: Suppressed}
		if shown {
			first = Count{Count: n(6), Status: Published}
		}
		return released("detainer_log", Period{
			Period: "2026-Q2", Kind: "quarter", Year: 2026, Quarter: 2,
			Total: Count{Count: n(30), Status: Published}, TotalClause: "MCC 2-173-069(b)",
			Breakdowns: []Breakdown{{Dimension: "issuing_agency", Cells: []Cell{
				{Value: "ICE", Count: Count{Count: n(17), Status: Published}},
				{Value: "CBP", Count: first},
				{Value: "USMS", Count: Count{Status: Suppressed}},
			}}},
		})
	}
	reports, err := Audit(history(false), nil, 11)
	if err != nil {
		t.Fatal(err)
	}
	var r AuditReport
	for _, x := range reports {
		if x.Export == "detainer_log" {
			r = x
		}
	}
	if r.Suppressed != 2 || len(r.Findings) != 0 || !strings.Contains(r.Release, "2026-Q2 v1") {
		t.Fatalf("two cells hiding 13 between them: %+v", reports)
	}
	if r.Narrowest != 11 {
		t.Errorf("each hidden cell lies in [1, 12]: narrowest range %v, want 11", r.Narrowest)
	}
	reports, err = Audit(history(true), nil, 11)
	if err != nil {
		t.Fatal(err)
	}
	other := CellKey("detainer_log", "2026-Q2 v1", "issuing_agency", "USMS")
	var found []string
	for _, x := range reports {
		for _, f := range x.Findings {
			found = append(found, f.String())
		}
	}
	if len(found) != 1 || !strings.HasPrefix(found[0], other+" is exactly 7") || !strings.Contains(found[0], "from 2026-Q2 v1") {
		t.Fatalf("one of the two shown: the audit must find %s exactly 7, from version 1: %v", other, found)
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
		"total without count":   {Count{Status: Published}, ok, "visa_certifications 2026-Q1 v1 total is published without a count"},
		"cell with odd status":  {ok, Count{Count: &n, Status: "hidden"}, `visa_certifications 2026-Q1 v1 decision=DENIED has status "hidden"`},
		"cell without a status": {ok, Count{}, `decision=DENIED has status ""`},
	} {
		p := Period{Period: "2026-Q1", Kind: "quarter", Year: 2026, Quarter: 1, Total: tc.total,
			Breakdowns: []Breakdown{{Dimension: "decision", Cells: []Cell{{Value: "DENIED", Count: tc.cell}}}}}
		_, err := Audit(released("visa_certifications", p), nil, 11)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", name, err, tc.want)
		}
	}
}
