package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chicago-welcoming-city/transparency/tools/internal/config"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
	"github.com/chicago-welcoming-city/transparency/tools/internal/publish"
	"github.com/chicago-welcoming-city/transparency/tools/internal/synth"
)

// TestASystemsHistoryIsPublishedAsNoRuleRequires: a system kept federal
// incidents before the order that asks for them, and the city publishes
// them from 2025 (first_quarter). The order requires its figures exactly
// only from its own first quarter: the quarters and the year before it are
// published protected, with no clause, and no figure of them is exact
// by a rule. Released and audited together with the quarters the order
// covers, as one reader of every version would read them, nothing hidden
// can be recovered.
func TestASystemsHistoryIsPublishedAsNoRuleRequires(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	project, err := os.ReadFile(projectConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(t.TempDir(), "config.yaml")
	body := strings.Replace(string(project), "  exports: {}\n", "  exports:\n    federal_incidents: {first_quarter: 2025-Q1}\n", 1)
	if err := os.WriteFile(cfgPath, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath, config.MapEnv(map[string]string{config.EnvPseudonymKey: testKey, "WCO_DELIVERIES_STORE": t.TempDir()}), nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "d")
	if _, err := synth.Write(dir, synth.Options{Rows: 300, Seed: 31, History: true}); err != nil {
		t.Fatal(err)
	}
	o := newOutputs(t)
	if _, err := o.pipe(cfg, dir, &pages{}).Build(ctx); err != nil {
		t.Fatal(err)
	}
	for _, q := range []period.Quarter{{Year: 2025, Q: 3}, {Year: 2025, Q: 4}, {Year: 2026, Q: 1}} {
		if _, err := o.pipe(cfg, dir, nil).Release(ctx, q); err != nil {
			t.Fatalf("release %s: %v", q, err)
		}
	}
	if _, err := o.pipe(cfg, dir, &pages{}).Build(ctx); err != nil {
		t.Fatal(err)
	}
	tables, err := publish.LoadTables(filepath.Join(o.data, "current"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, et := range tables {
		if et.Export != "federal_incidents" {
			continue
		}
		for _, p := range et.Periods {
			seen[p.Period] = true
			before := p.Year < 2026
			if !p.Provisional && before != (p.TotalClause == "") {
				t.Errorf("%s: total clause %q", p.Period, p.TotalClause)
			}
			for _, b := range p.Breakdowns {
				if before && b.Clause != "" {
					t.Errorf("%s: %s is published as the order requires (%s)", p.Period, b.Dimension, b.Clause)
				}
			}
			if before && p.Released {
				for _, b := range p.Breakdowns {
					for _, c := range b.Cells {
						if c.Count.Count != nil && *c.Count.Count > 0 && *c.Count.Count < cfg.Disclosure.Threshold {
							t.Errorf("%s: %s=%s is a small count shown: %d", p.Period, b.Dimension, c.Value, *c.Count.Count)
						}
					}
				}
			}
		}
	}
	for _, want := range []string{"2025-Q1", "2025-Q4", "2025", "2026-Q1"} {
		if !seen[want] {
			t.Errorf("federal incidents publish no %s: %v", want, seen)
		}
	}
	reports, err := o.pipe(cfg, "", nil).Audit()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range reports {
		if r.Failed() {
			t.Errorf("the audit finds %+v %+v", r.Findings, r.Problems)
		}
	}
	// A first quarter before the first date a record may carry is refused.
	bad := strings.Replace(string(project), "  exports: {}\n", "  exports:\n    federal_incidents: {first_quarter: 2009-Q1}\n", 1)
	if err := os.WriteFile(cfgPath, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := config.Load(cfgPath, nil, nil); err == nil || !strings.Contains(err.Error(), "move earliest back too") {
		t.Errorf("a first quarter before earliest: %v", err)
	}
}
