package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/config"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
	"github.com/chicago-welcoming-city/transparency/tools/internal/publish"
	"github.com/chicago-welcoming-city/transparency/tools/internal/records"
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

// TestALateDetentionInASystemsHistory is the attack on the breakdown of
// whether anyone was detained, published by quarter beside U.S. citizens
// detained, in quarters before the order (a system's history, all
// protected). In 2025-Q3 all but five incidents detained a U.S. citizen,
// so the five who detained no one are pinned by the citizens' count
// unless the protection knows the two are linked; elsewhere no incident
// detained anyone, and one incident of 2025-Q2, entered late, detained a
// U.S. citizen, and Q2 is revised.
// A reader who sets the versions side by side, and knows that anyone
// detained counts every citizen detained, would learn that the late
// incident detained a citizen. Every version is released and revised as
// staff would; the nightly build publishes on 2 January 2027, after the
// year ends; neither wco's audit nor the attacker written apart from wco
// narrows a hidden count or proves the change.
func TestALateDetentionInASystemsHistory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	project, err := os.ReadFile(projectConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	body := strings.Replace(string(project), "  exports: {}\n", "  exports:\n    federal_incidents: {first_quarter: 2025-Q1}\n", 1)
	body = strings.Replace(body, "injuries, ems_requested, us_citizens_detained,", "injuries, ems_requested, persons_detained, us_citizens_detained,", 1)
	body = strings.Replace(body, "        us_citizens_detained: {period: year}\n", "        us_citizens_detained: {period: quarter}\n        persons_detained: {period: quarter}\n", 1)
	if !strings.Contains(body, "persons_detained: {period: quarter}") || !strings.Contains(body, "first_quarter") {
		t.Fatal("the project's configuration no longer has the lines this test changes")
	}
	cfgPath := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfgPath, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath, config.MapEnv(map[string]string{config.EnvPseudonymKey: testKey, "WCO_DELIVERIES_STORE": t.TempDir()}), nil)
	if err != nil {
		t.Fatal(err)
	}
	master := filepath.Join(t.TempDir(), "master")
	if _, err := synth.Write(master, synth.Options{Rows: 400, Seed: 41, History: true}); err != nil {
		t.Fatal(err)
	}
	col := func(header []string, name string) int { return slices.Index(header, name) }
	// No one detained, but in 2025-Q3, where every incident but five
	// detained a U.S. citizen: the five are a small count that the
	// citizens' count, beside the total, would pin without the protection
	// knowing that anyone detained counts every citizen detained.
	undetained := 0
	detained := func(h, r []string) {
		d, n := "0", "0"
		if at, err := records.ParseDatetime(r[col(h, "occurred_at")]); err == nil && period.Of(at) == (period.Quarter{Year: 2025, Q: 3}) {
			if undetained++; undetained > 5 {
				d, n = "1", "1"
			}
		}
		r[col(h, "persons_detained")], r[col(h, "us_citizens_detained")] = d, n
	}
	if err := synth.Rewrite(master, "federal_incidents", detained); err != nil {
		t.Fatal(err)
	}
	exported := time.Date(2026, 11, 16, 6, 0, 0, 0, period.Chicago)
	a := filepath.Join(t.TempDir(), "a")
	if err := synth.AsOf(master, a, exported); err != nil {
		t.Fatal(err)
	}
	q2 := period.Quarter{Year: 2025, Q: 2}
	citizen := func(h, r []string) { r[col(h, "persons_detained")], r[col(h, "us_citizens_detained")] = "1", "1" }
	if n, err := synth.AddLate(master, "federal_incidents", q2, 1, exported.Add(-time.Hour), "d", citizen); err != nil || n != 1 {
		t.Fatalf("add a late detention: %d %v", n, err)
	}
	b := filepath.Join(t.TempDir(), "b")
	if err := synth.AsOf(master, b, exported); err != nil {
		t.Fatal(err)
	}
	o := newOutputs(t)
	for _, q := range []int{1, 2, 3} {
		if _, err := o.pipe(cfg, a, nil).Release(ctx, period.Quarter{Year: 2025, Q: q}); err != nil {
			t.Fatalf("release 2025-Q%d: %v", q, err)
		}
	}
	if _, err := o.pipe(cfg, b, nil).Revise(ctx, []period.Period{q2.Period()}, "An incident entered late was added."); err != nil {
		t.Fatalf("revise 2025-Q2: %v", err)
	}
	if _, err := o.pipe(cfg, b, nil).Release(ctx, period.Quarter{Year: 2025, Q: 4}); err != nil {
		t.Fatalf("release 2025-Q4 and the year: %v", err)
	}
	// The nightly build after the year ends, from the same records.
	jan2 := filepath.Join(t.TempDir(), "jan2")
	if err := synth.AsOf(master, jan2, time.Date(2027, 1, 2, 6, 0, 0, 0, period.Chicago)); err != nil {
		t.Fatal(err)
	}
	if _, err := o.pipe(cfg, jan2, &pages{}).Build(ctx); err != nil {
		t.Fatalf("the nightly build of 2 January 2027 did not publish: %v", err)
	}
	tables, err := publish.LoadTables(filepath.Join(o.data, "current"))
	if err != nil {
		t.Fatal(err)
	}
	published := false
	for _, et := range tables {
		for _, p := range et.Periods {
			for _, bd := range p.Breakdowns {
				published = published || et.Export == "federal_incidents" && p.Released && bd.Dimension == "persons_detained" && bd.Withheld == ""
			}
		}
	}
	if !published {
		t.Error("no released period publishes whether anyone was detained: the attack attacks nothing")
	}
	attackEveryVersion(t, o, cfg)
}
