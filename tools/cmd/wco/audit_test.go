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
	if err != nil || !strings.Contains(out, "no suppressed count") || !strings.Contains(out, "detainer_log") {
		t.Fatalf("audit of the sample: %v\n%s", err, out)
	}

	// Show one of exactly two suppressed cells of a breakdown: the other is
	// then determined, whatever number is shown.
	tamper(t, o.data, func(p *publish.Period, bd *publish.Breakdown) bool {
		var sup []int
		for ci, c := range bd.Cells {
			if c.Status == publish.Suppressed {
				sup = append(sup, ci)
			}
		}
		if bd.Multi || len(sup) != 2 || p.Total.Status != publish.Published {
			return false
		}
		v := 3
		bd.Cells[sup[0]].Count = publish.Count{Count: &v, Status: publish.Published}
		return true
	})
	out, _, err = wco(t, "audit", "--config", cfg, "--data", o.data)
	if err == nil || !strings.Contains(out, "exactly determined") {
		t.Fatalf("audit of tampered tables passed:\n%s", out)
	}

	// Planted: a withheld breakdown that shows every cell but one as 0.
	// The hidden one then holds every record: provably not 0.
	if _, stderr, err := wco(t, "publish", "--config", cfg, "--data", o.data); err != nil {
		t.Fatalf("publish: %v\n%s", err, stderr)
	}
	tamper(t, o.data, func(p *publish.Period, bd *publish.Breakdown) bool {
		if bd.Withheld == "" || bd.Multi || p.Total.Count == nil || *p.Total.Count == 0 {
			return false
		}
		zero := 0
		for ci := range bd.Cells[1:] {
			bd.Cells[ci+1].Count = publish.Count{Count: &zero, Status: publish.Published}
		}
		bd.Withheld = ""
		return true
	})
	out, _, err = wco(t, "audit", "--config", cfg, "--data", o.data)
	if err == nil || !strings.Contains(out, "exactly determined") {
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
