package publish

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"

	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
)

// publishedCells lists the breakdown cells of a period a reader can read,
// zeros included: a published zero says something about every record of
// the group.
func publishedCells(p Period) []string {
	var out []string
	for _, b := range p.Breakdowns {
		for _, c := range b.Cells {
			if c.Count.Status == Published {
				out = append(out, b.Dimension+"="+c.Value)
			}
		}
	}
	return out
}

// TestAOneRecordPeriodRevealsNoAttribute is the attack: in a quarter with
// one record, every breakdown showed 0 but for one hidden cell, so the
// record's every attribute was known. No breakdown cell of a group whose
// total is small may be published, zeros included; and the year that
// holds the quarter may not give it away by subtraction.
func TestAOneRecordPeriodRevealsNoAttribute(t *testing.T) {
	t.Parallel()
	pub := run(t, tiny(map[string]int{"2025-Q1": 20, "2025-Q2": 1, "2025-Q3": 20, "2025-Q4": 20, "2026-Q1": 30, "2026-Q2": 25}))
	for _, q := range []string{"2025-Q2"} {
		if cells := publishedCells(visaPeriod(pub, q)); len(cells) > 0 {
			t.Errorf("%s, with one record, publishes %v", q, cells)
		}
	}
	wantNothingFound(t)(audit(pub))
	// The other quarters and the year still publish their breakdowns.
	for _, q := range []string{"2025-Q1", "2025-Q3", "2026-Q1"} {
		if len(publishedCells(visaPeriod(pub, q))) == 0 {
			t.Errorf("%s publishes no breakdown cell", q)
		}
	}
}

// withVisas adds U-visa requests received on day (decided ten days on).
func withVisas(d *delivery.Delivery, day time.Time, n int) *delivery.Delivery {
	fsys := d.FS.(fstest.MapFS)
	var b strings.Builder
	b.Write(fsys["visa_certifications.csv"].Data)
	for i := range n {
		fmt.Fprintf(&b, "X%s-%d,%s,U,,,CERTIFIED,%s\n", day.Format("20060102"), i, day.Format("2006-01-02 15:04"), day.AddDate(0, 0, 10).Format("2006-01-02 15:04"))
	}
	fsys["visa_certifications.csv"] = &fstest.MapFile{Data: []byte(b.String())}
	return d
}

// TestTheProvisionalQuarterPublishesNoBreakdown: between two nightly
// builds one record apart, the breakdown cells that move by one give the
// added record's profile. The quarter still open publishes only its
// total, counting the months that have ended: a record of this month
// changes nothing until the month ends.
func TestTheProvisionalQuarterPublishesNoBreakdown(t *testing.T) {
	t.Parallel()
	june := time.Date(2026, 6, 2, 9, 0, 0, 0, period.Chicago)
	var published []string
	for _, n := range []int{1, 2} { // two nights, one June record apart
		pub := run(t, withVisas(tiny(map[string]int{"2026-Q1": 30, "2026-Q2": 30}), june, n))
		p := visaPeriod(pub, "2026-Q2")
		if !p.Provisional || p.AsOf != "2026-05-31" {
			t.Fatalf("2026-Q2 should be provisional, counted through May: %+v", p)
		}
		if cells := publishedCells(p); len(cells) > 0 {
			t.Errorf("night with %d June records: the provisional quarter publishes %v", n, cells)
		}
		for _, b := range p.Breakdowns {
			if b.Withheld != WithheldProvisional {
				t.Errorf("%s withheld as %q", b.Dimension, b.Withheld)
			}
		}
		for _, f := range p.Figures {
			if f.Status == Published {
				t.Errorf("night with %d June records: the provisional quarter publishes %s", n, f.Measure)
			}
		}
		if p.Total.Status != Published || *p.Total.Count != 30 {
			t.Errorf("night with %d June records: total %+v, want the 30 of April", n, p.Total)
		}
		var periods [][]Period // the numbers, without the delivery's digest
		for _, e := range pub.Exports {
			periods = append(periods, e.Periods)
		}
		b, _ := marshalJSON(periods)
		published = append(published, string(b))
	}
	if published[0] != published[1] {
		t.Error("two nights a June record apart publish different tables")
	}
}

// TestTheMedianStatusHidesItsBase is the attack: the median's status
// (published, hidden, not applicable) told whether certified + denied was
// 0, 1 to 10 or at least 11, and beside the exact yearly decisions, the
// decision of a quarter's only request. No quarter publishes a median, and
// a year's status follows from its decisions, which are published exactly.
func TestTheMedianStatusHidesItsBase(t *testing.T) {
	t.Parallel()
	d := tiny(map[string]int{"2025-Q3": 20, "2026-Q2": 20})
	fsys := d.FS.(fstest.MapFS)
	var b strings.Builder
	b.Write(fsys["visa_certifications.csv"].Data)
	for i, q := range []string{"2025-Q1", "2025-Q2"} {
		qq, _ := period.Parse(q)
		day := qq.Start().AddDate(0, 0, 3)
		for j := range 15 {
			decision, decided := "PENDING", ""
			if i == 1 && j < 3 {
				decision, decided = "CERTIFIED", day.AddDate(0, 0, 10).Format("2006-01-02 15:04")
			}
			fmt.Fprintf(&b, "M%d-%d,%s,U,,,%s,%s\n", i, j, day.Format("2006-01-02 15:04"), decision, decided)
		}
	}
	fsys["visa_certifications.csv"] = &fstest.MapFile{Data: []byte(b.String())}
	policy := Policy{"visa_certifications": {
		Statutory:  []Statutory{{Figure: TotalFigure, Clause: "5 ILCS 825/20(a)"}, {Figure: "decision", Clause: "5 ILCS 825/20(a)", Periods: []string{KindYear}}},
		Dimensions: []string{"visa_type", "decision"},
		Measures:   []string{"median_days_to_decision"},
	}}
	pub, _ := releaseAll(t, d, opts(policy, time.Date(2026, 11, 1, 0, 0, 0, 0, period.Chicago)))
	status := func(q string) string {
		for _, f := range visaPeriod(pub, q).Figures {
			if f.Measure == "median_days_to_decision" {
				return f.Status
			}
		}
		return "missing"
	}
	for _, q := range []string{"2025-Q1", "2025-Q2", "2025-Q3"} {
		if got := status(q); got != NotApplicable {
			t.Errorf("%s: median status %s; a quarter publishes none", q, got)
		}
	}
	// 2025: 20 decided of 50 (the 20 of the third quarter, and 3 more):
	// 23 by the exact decisions, at least 11, so it is shown.
	y := visaPeriod(pub, "2025")
	if got := status("2025"); got != Published || y.TotalClause == "" {
		t.Errorf("2025: median status %s; its base (23) is exact and at least 11", got)
	}
}

// TestNoRevisionPublishesAMedian is the attack of medians across versions:
// a revised period's median moving from 68 to 72.5 days told that the
// request it added was decided after more than 68 days. The year's first
// version publishes its median; a revision of it publishes none, whatever
// it adds.
func TestNoRevisionPublishesAMedian(t *testing.T) {
	t.Parallel()
	d := tiny(map[string]int{"2025-Q1": 15, "2025-Q2": 15, "2025-Q3": 15, "2025-Q4": 15, "2026-Q1": 5})
	policy := Policy{"visa_certifications": {
		Statutory:  []Statutory{{Figure: TotalFigure, Clause: "5 ILCS 825/20(a)"}, {Figure: "decision", Clause: "5 ILCS 825/20(a)", Periods: []string{KindYear}}},
		Dimensions: []string{"visa_type", "decision"},
		Measures:   []string{"median_days_to_decision"},
	}}
	opt := opts(policy, time.Date(2026, 11, 1, 0, 0, 0, 0, period.Chicago))
	opt.DaysAfterQuarter = 1 // released the day after each quarter ends
	_, h := releaseAll(t, d, opt)
	median := func(p Period) Figure {
		for _, f := range p.Figures {
			if f.Measure == "median_days_to_decision" {
				return f
			}
		}
		return Figure{}
	}
	v1, _ := h["2025"].Current().Frozen("visa_certifications")
	if f := median(v1.Period); f.Status != Published || *f.Value != 10 {
		t.Fatalf("2025's first version: median %+v; want 10 days, published", f)
	}
	late := withVisas(tiny(map[string]int{"2025-Q1": 15, "2025-Q2": 15, "2025-Q3": 15, "2025-Q4": 15, "2026-Q1": 5}), time.Date(2025, 5, 2, 9, 0, 0, 0, period.Chicago), 1)
	c := count(t, late, opt, CountOptions{})
	ps := []period.Period{period.Quarter{Year: 2025, Q: 2}.Period(), period.Year(2025)}
	h2, err := c.Freeze(h, ps, "a late request", time.Date(2026, 10, 1, 0, 0, 0, 0, period.Chicago))
	if err != nil {
		t.Fatal(err)
	}
	v2, _ := h2["2025"].Current().Frozen("visa_certifications")
	if f := median(v2.Period); f.Status == Published {
		t.Errorf("2025's revision publishes its median: %+v", f)
	}
	q2, _ := h2["2025-Q2"].Current().Frozen("visa_certifications")
	if f := median(q2.Period); f.Status == Published {
		t.Errorf("2025-Q2's revision publishes a median: %+v", f)
	}
}
