package pipeline

import (
	"context"
	"strconv"
	"testing"

	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
)

// TestDiffShowsALateRecord: three detainers logged late in 2025-Q3 show in
// the review as that quarter's total and the year's moving by 3, and in no
// other export; once the quarter is released, the late records leave it as
// released and are named as pending, with the revision wco revise would
// publish; wco release's own review lists what the release changes; and
// the nightly publication goes on.
func TestDiffShowsALateRecord(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := loadConfig(t, map[string]string{"WCO_DELIVERIES_STORE": t.TempDir()})
	a := synthDelivery(t, 500, 1)
	late := lateRecords(t, a, 3)
	o := newOutputs(t)
	if _, err := o.pipe(cfg, a, nil).Publish(ctx); err != nil {
		t.Fatal(err)
	}
	totals := func(rev *Review) map[string][2]string {
		out := map[string][2]string{}
		for _, c := range rev.Changes {
			if c.Export != "detainer_log" {
				t.Errorf("a change in %s: %+v", c.Export, c)
			}
			if c.Figure == "total" {
				out[c.Period] = [2]string{c.Old, c.New}
			}
		}
		return out
	}
	plusThree := func(what string, tt map[string][2]string) {
		t.Helper()
		for _, p := range []string{"2025-Q3", "2025"} {
			o, err1 := strconv.Atoi(tt[p][0])
			n, err2 := strconv.Atoi(tt[p][1])
			if err1 != nil || err2 != nil || n != o+3 {
				t.Errorf("%s: %s total %v, want it 3 higher", what, p, tt[p])
			}
		}
		if len(tt) != 2 {
			t.Errorf("%s: totals change in %v", what, tt)
		}
	}
	rev, err := o.pipe(cfg, late, nil).Diff(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(rev.Pending) != 0 || rev.Against != "data/current" {
		t.Errorf("review: %+v", rev)
	}
	plusThree("against data/current", totals(rev))
	// Between two deliveries, nothing in place needed.
	rev, err = newOutputs(t).pipe(cfg, late, nil).Diff(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	plusThree("against the earlier delivery", totals(rev))
	if same, _ := newOutputs(t).pipe(cfg, a, nil).Diff(ctx, a); len(same.Changes) != 0 {
		t.Errorf("a delivery against itself: %v", same.Changes)
	}

	// Released, the quarter can only change by a revision: the review shows it.
	res, err := o.pipe(cfg, a, nil).Release(ctx, period.Quarter{Year: 2025, Q: 3})
	if err != nil {
		t.Fatal(err)
	}
	if res.Review == nil {
		t.Fatal("the release gave no review")
	}
	for _, c := range res.Review.Changes {
		if c.Period != "2025-Q3" {
			t.Errorf("the release of 2025-Q3 changes %s: %+v", c.Period, c)
		}
	}
	if _, err := o.pipe(cfg, a, nil).Publish(ctx); err != nil {
		t.Fatal(err)
	}
	rev, err = o.pipe(cfg, late, nil).Diff(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(rev.Pending) != 1 || rev.Pending[0].Period != "2025-Q3" || rev.Pending[0].Now != rev.Pending[0].Released+3 {
		t.Errorf("the review of a released quarter's change names no pending revision: %+v", rev.Pending)
	}
	for _, c := range rev.Changes {
		if c.Period == "2025-Q3" {
			t.Errorf("the released quarter changes without a revision: %+v", c)
		}
	}
	revised := map[string][2]string{}
	for _, c := range rev.Revision {
		if c.Figure == "total" {
			revised[c.Period] = [2]string{c.Old, c.New}
		}
	}
	if o, n := revised["2025-Q3"][0], revised["2025-Q3"][1]; o == "" || n == "" {
		t.Errorf("the review does not show what the revision would publish: %+v", rev.Revision)
	}
	out, err := o.pipe(cfg, late, nil).Publish(ctx)
	if err != nil {
		t.Fatalf("publishing with a late record in a released quarter: %v", err)
	}
	if p := out.Publication.Index.Pending; len(p) != 1 || p[0].Period != "2025-Q3" {
		t.Errorf("the publication names %+v as pending", p)
	}
}
