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
	path := filepath.Join(o.data, "current", "visa-certifications.json")
	b, _ := os.ReadFile(path)
	var tab publish.ExportTables
	if err := json.Unmarshal(b, &tab); err != nil {
		t.Fatal(err)
	}
	tampered := false
	for pi := range tab.Periods {
		p := &tab.Periods[pi]
		for bi := range p.Breakdowns {
			bd := &p.Breakdowns[bi]
			var sup []int
			for ci, c := range bd.Cells {
				if c.Status == publish.Suppressed {
					sup = append(sup, ci)
				}
			}
			if !tampered && !bd.Multi && len(sup) == 2 && p.Total.Status == publish.Published {
				v := 3
				bd.Cells[sup[0]].Count = publish.Count{Count: &v, Status: publish.Published}
				tampered = true
			}
		}
	}
	if !tampered {
		t.Skip("no breakdown to tamper with")
	}
	b, _ = json.Marshal(tab)
	os.WriteFile(path, b, 0o644)
	out, _, err = wco(t, "audit", "--config", cfg, "--data", o.data)
	if err == nil || !strings.Contains(out, "exactly determined") {
		t.Fatalf("audit of tampered tables passed:\n%s", out)
	}
}
