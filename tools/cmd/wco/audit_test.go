package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chicago-welcoming-city/transparency/tools/internal/publish"
)

func TestAuditCommand(t *testing.T) {
	t.Parallel()
	o := newOutputs(t)
	cfg := filepath.Join(repoRoot(t), "config.yaml")
	if _, stderr, err := wco(t, "publish", "--config", cfg, "--data", o.data); err != nil {
		t.Fatalf("publish: %v\n%s", err, stderr)
	}
	out, _, err := wco(t, "audit", "--config", cfg, "--data", o.data)
	if err != nil || !strings.Contains(out, "no release lets a hidden count") || !strings.Contains(out, "detainer_log") {
		t.Fatalf("audit of the sample: %v\n%s", err, out)
	}

	// The tables in place show a released period other than as released.
	tamper(t, o.data, func(p *publish.Period, bd *publish.Breakdown) bool {
		if !p.Released || bd.Clause == "" {
			return false
		}
		n := 1 + *bd.Cells[0].Count.Count
		bd.Cells[0].Count.Count = &n
		return true
	})
	out, _, err = wco(t, "audit", "--config", cfg, "--data", o.data)
	if err == nil || !strings.Contains(out, "is not shown as its version in force") {
		t.Fatalf("audit of tables that are not as released passed:\n%s", out)
	}

	// Show one of exactly two suppressed cells of a released breakdown:
	// the other is then determined.
	if _, stderr, err := wco(t, "publish", "--config", cfg, "--data", o.data); err != nil {
		t.Fatalf("publish: %v\n%s", err, stderr)
	}
	tamperHistory(t, o.data, func(p *publish.Period, bd *publish.Breakdown) bool {
		if bd.Withheld != "" {
			return false // no count of it is shown
		}
		var sup []int
		rest := *p.Total.Count
		for ci, c := range bd.Cells {
			if c.Status == publish.Suppressed {
				sup = append(sup, ci)
			} else {
				rest -= *c.Count.Count
			}
		}
		// A quarter of a year not released, so that the number shown need
		// not add up with a year's: one hidden count shown as all but 1
		// each of the others.
		v := rest - (len(sup) - 1)
		if bd.Multi || len(sup) < 2 || p.Total.Status != publish.Published || p.Year != 2026 || v < 1 {
			return false
		}
		bd.Cells[sup[0]].Count = publish.Count{Count: &v, Status: publish.Published}
		return true
	})
	out, _, err = wco(t, "audit", "--config", cfg, "--data", o.data)
	if err == nil || !strings.Contains(out, "is exactly") {
		t.Fatalf("audit of tampered tables passed: %v\n%s", err, out)
	}

	// Planted: a breakdown withheld, that shows every cell but one as 0.
	// The hidden one then holds every record: provably not 0.
	if _, stderr, err := wco(t, "publish", "--config", cfg, "--data", o.data); err != nil {
		t.Fatalf("publish: %v\n%s", err, stderr)
	}
	tamperHistory(t, o.data, func(p *publish.Period, bd *publish.Breakdown) bool {
		if bd.Clause != "" || bd.Multi || p.Total.Count == nil || *p.Total.Count == 0 || p.Year != 2026 {
			return false
		}
		zero := 0
		bd.Withheld = publish.WithheldSmallGroup
		bd.Cells[0].Count = publish.Count{Status: publish.Withheld}
		for ci := range bd.Cells[1:] {
			bd.Cells[ci+1].Count = publish.Count{Count: &zero, Status: publish.Published}
		}
		return true
	})
	out, _, err = wco(t, "audit", "--config", cfg, "--data", o.data)
	if err == nil || !strings.Contains(out, "withheld count") {
		t.Fatalf("audit of a withheld breakdown given away by its zeros passed:\n%s", out)
	}
}

// tamper changes the first breakdown, in any export's published tables,
// that change accepts, and fails the test if none does.
func tamper(t *testing.T, data string, change func(*publish.Period, *publish.Breakdown) bool) {
	t.Helper()
	for _, slug := range []string{"detainer-log", "assistance-requests", "federal-incidents", "visa-certifications"} {
		path := filepath.Join(data, "current", slug+".json")
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var tab publish.ExportTables
		if err := json.Unmarshal(b, &tab); err != nil {
			t.Fatal(err)
		}
		for pi := range tab.Periods {
			for bi := range tab.Periods[pi].Breakdowns {
				if change(&tab.Periods[pi], &tab.Periods[pi].Breakdowns[bi]) {
					b, _ = json.Marshal(tab)
					if err := os.WriteFile(path, b, 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
			}
		}
	}
	t.Fatal("no breakdown in the sample's tables to plant the attack in")
}

// tamperHistory changes the first breakdown, in any version of the
// history the tables were published with, that change accepts, and fails
// the test if none does.
func tamperHistory(t *testing.T, data string, change func(*publish.Period, *publish.Breakdown) bool) {
	t.Helper()
	path := filepath.Join(data, "current", publish.HistoryFile)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var h struct {
		Releases []*publish.Release `json:"releases"`
	}
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatal(err)
	}
	for _, r := range h.Releases {
		for vi := range r.Versions {
			for ei := range r.Versions[vi].Exports {
				p := &r.Versions[vi].Exports[ei].Period
				for bi := range p.Breakdowns {
					if change(p, &p.Breakdowns[bi]) {
						b, _ = json.Marshal(h)
						if err := os.WriteFile(path, b, 0o644); err != nil {
							t.Fatal(err)
						}
						return
					}
				}
			}
		}
	}
	t.Fatal("no breakdown in the sample's history to plant the attack in")
}
