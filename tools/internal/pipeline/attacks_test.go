package pipeline

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/attacker"
	"github.com/chicago-welcoming-city/transparency/tools/internal/config"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
	"github.com/chicago-welcoming-city/transparency/tools/internal/publish"
	"github.com/chicago-welcoming-city/transparency/tools/internal/synth"
)

// TestALateVisaRequestAcrossTheYear is the attack on versions compared
// with each other. Every U or T visa request of the delivery is a U visa,
// so the quarters publish T = 0. 2025-Q1 to Q3 are released; one T visa
// request of 2025-Q2 is entered late, and Q2 is revised; then 2025-Q4 is
// released, which freezes the year. A reader who sets the year beside its
// quarters' versions would learn the late request's visa type, and with
// it the crime (trafficking). The year, whose visa requests are all of one
// type but for that one, is released (its one type's count is exact, and
// published, a public fact); nothing wco's audit or an attacker written
// apart from wco can find narrows a count or proves the change.
func TestALateVisaRequestAcrossTheYear(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := loadConfig(t, map[string]string{"WCO_DELIVERIES_STORE": t.TempDir()})
	master := synthDelivery(t, 600, 3)
	col := func(header []string, name string) int { return slices.Index(header, name) }
	if err := synth.Rewrite(master, "visa_certifications", func(h, r []string) { r[col(h, "visa_type")] = "U" }); err != nil {
		t.Fatal(err)
	}
	exported := time.Date(2026, 11, 16, 6, 0, 0, 0, period.Chicago)
	a := filepath.Join(t.TempDir(), "a")
	if err := synth.AsOf(master, a, exported); err != nil {
		t.Fatal(err)
	}
	q2 := period.Quarter{Year: 2025, Q: 2}
	late := func(h, r []string) {
		r[col(h, "visa_type")], r[col(h, "qualifying_crime")] = "T", "TRAFFICKING"
	}
	if n, err := synth.AddLate(master, "visa_certifications", q2, 1, exported.Add(-time.Hour), "t", late); err != nil || n != 1 {
		t.Fatalf("add a late T visa request: %d %v", n, err)
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
	// Releasing the year's last quarter with Q2 pending is refused: the
	// year would count the late request its quarters do not show.
	if _, err := o.pipe(cfg, b, nil).Release(ctx, period.Quarter{Year: 2025, Q: 4}); err == nil {
		t.Fatal("the year was released with a quarter pending")
	}
	if _, err := o.pipe(cfg, b, nil).Revise(ctx, []period.Period{q2.Period()}, "A U or T visa request entered late was added."); err != nil {
		t.Fatalf("revise 2025-Q2: %v", err)
	}
	res, err := o.pipe(cfg, b, nil).Release(ctx, period.Quarter{Year: 2025, Q: 4})
	if err != nil {
		t.Fatalf("release 2025-Q4 and the year: %v", err)
	}
	if len(res.Files) != 2 {
		t.Fatalf("releasing 2025-Q4 wrote %d files; want the quarter and the year", len(res.Files))
	}
	if _, err := o.pipe(cfg, b, nil).Publish(ctx); err != nil {
		t.Fatal(err)
	}
	history, _ := publish.LoadReleases(filepath.Join(o.data, publish.ReleasesDir))
	y := history["2025"].Current()
	if !slices.Contains(y.Sums, publish.QuarterVersion{Period: "2025-Q2", Version: 2}) {
		t.Errorf("the year adds up %v; want 2025-Q2's revision", y.Sums)
	}
	r := attackEveryVersion(t, o, cfg)
	if r.Events != 5 {
		t.Errorf("the attacker replayed %d releases; want 5", r.Events)
	}
}

// attackEveryVersion runs wco's audit and the attacker written apart from
// wco over every version o has published, failing the test on anything
// either finds, and returns the attacker's report. Without the attacker
// the test skips after the audit (attacker.Require; CI requires it).
func attackEveryVersion(t *testing.T, o outputs, cfg *config.Config) *attacker.Report {
	t.Helper()
	reports, err := o.pipe(cfg, "", nil).Audit()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range reports {
		if r.Failed() {
			t.Errorf("wco's audit finds, at %s, %s: %v %v", r.Release, r.Export, r.Findings, r.Problems)
		}
	}
	attacker.Require(t)
	r, err := attacker.Run(filepath.Join(o.data, "current", publish.HistoryFile), filepath.Join(o.data, "current"), cfg.Disclosure.Threshold)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range r.Findings {
		t.Errorf("the independent attacker finds %s", f)
	}
	if len(r.Nightly) > 0 {
		t.Errorf("the independent attacker finds in the nightly tables: %v", r.Nightly)
	}
	return r
}
