package publish

import "testing"

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
	pub := run(t, tiny(map[string]int{"2025-Q1": 20, "2025-Q2": 1, "2025-Q3": 20, "2025-Q4": 20, "2026-Q1": 30, "2026-Q2": 25}))
	for _, q := range []string{"2025-Q2"} {
		if cells := publishedCells(visaPeriod(pub, q)); len(cells) > 0 {
			t.Errorf("%s, with one record, publishes %v", q, cells)
		}
	}
	for name, sys := range pub.Systems {
		if f, err := sys.AuditExact(11); err != nil || len(f) > 0 {
			t.Errorf("%s: %v %v", name, f, err)
		}
	}
	// The other quarters and the year still publish their breakdowns.
	for _, q := range []string{"2025-Q1", "2025-Q3", "2026-Q1"} {
		if len(publishedCells(visaPeriod(pub, q))) == 0 {
			t.Errorf("%s publishes no breakdown cell", q)
		}
	}
}

// TestTheProvisionalQuarterPublishesNoBreakdown: between two nightly
// builds one record apart, the breakdown cells that move by one give the
// added record's profile. The quarter still open publishes its total and
// nothing a night-to-night difference could isolate.
func TestTheProvisionalQuarterPublishesNoBreakdown(t *testing.T) {
	for _, n := range []int{30, 31} { // two nights, one record apart
		pub := run(t, tiny(map[string]int{"2026-Q1": 30, "2026-Q2": n}))
		p := visaPeriod(pub, "2026-Q2")
		if !p.Provisional {
			t.Fatal("2026-Q2 should be provisional")
		}
		if cells := publishedCells(p); len(cells) > 0 {
			t.Errorf("night with %d records: the provisional quarter publishes %v", n, cells)
		}
		for _, f := range p.Figures {
			if f.Status == Published {
				t.Errorf("night with %d records: the provisional quarter publishes %s", n, f.Measure)
			}
		}
		if p.Total.Status != Published || *p.Total.Count != n {
			t.Errorf("night with %d records: total %+v", n, p.Total)
		}
	}
}
