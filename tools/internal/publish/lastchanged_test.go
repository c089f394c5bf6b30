package publish

import "testing"

// TestLastChanged: a table of released periods last changed on the day of
// its newest release or revision; one with a period not released, on the day of the
// delivery it was computed from; unknown without an export time.
func TestLastChanged(t *testing.T) {
	t.Parallel()
	// A version's day is the day it was released, not its delivery's.
	version := func(day string) Version {
		return Version{ReleasedAt: day + "T12:00:00-06:00", Delivery: DeliveryMeta{ExportedAt: "2026-01-01T12:00:00-06:00"}}
	}
	p := &Publication{
		Index: Index{Meta: Meta{Delivery: DeliveryMeta{ExportedAt: "2026-11-16T06:00:00-06:00"}}},
		releases: Releases{
			"2026-Q1": {Versions: []Version{version("2026-05-15")}},
			"2026-Q2": {Versions: []Version{version("2026-08-14"), version("2026-10-01")}},
		},
	}
	released := Table{Rows: [][]string{{"2026-Q1", "3"}, {"2026-Q2", "4"}}}
	if got := p.lastChanged(released); got != "2026-10-01" {
		t.Errorf("released periods: %q, want the revision's day 2026-10-01", got)
	}
	open := Table{Rows: [][]string{{"2026-Q2", "4"}, {"2026-Q3", "5"}}}
	if got := p.lastChanged(open); got != "2026-11-16" {
		t.Errorf("with an unreleased period: %q, want the delivery's day", got)
	}
	p.Index.Meta.Delivery.ExportedAt = ""
	if got := p.lastChanged(open); got != "" {
		t.Errorf("no export time: %q, want unknown", got)
	}
}
