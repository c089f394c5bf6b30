package period

import (
	"testing"
	"time"
)

func TestOfUsesChicagoTime(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   time.Time
		want string
	}{
		{time.Date(2026, 1, 1, 0, 0, 0, 0, Chicago), "2026-Q1"},
		{time.Date(2026, 3, 31, 23, 59, 59, 0, Chicago), "2026-Q1"},
		{time.Date(2026, 4, 1, 0, 0, 0, 0, Chicago), "2026-Q2"},
		{time.Date(2026, 12, 31, 23, 0, 0, 0, Chicago), "2026-Q4"},
		// 2026-04-01 03:00 UTC is still March 31 in Chicago.
		{time.Date(2026, 4, 1, 3, 0, 0, 0, time.UTC), "2026-Q1"},
	}
	for _, tt := range tests {
		if got := Of(tt.in).String(); got != tt.want {
			t.Errorf("Of(%v) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestParseRoundTrip(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"2025-Q1", "2026-Q4", "2012-Q3"} {
		q, err := Parse(s)
		if err != nil {
			t.Fatalf("Parse(%q): %v", s, err)
		}
		if q.String() != s {
			t.Errorf("Parse(%q).String() = %q", s, q.String())
		}
	}
	if q, err := Parse("2026-q2"); err != nil || q != (Quarter{2026, 2}) {
		t.Errorf("Parse lowercase = %v, %v", q, err)
	}
	for _, bad := range []string{"", "2026Q3", "2026-Q5", "2026-Q0", "26-Q1", "2026-03"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}

func TestRangeAndBounds(t *testing.T) {
	t.Parallel()
	qs := Range(Quarter{2025, 3}, Quarter{2026, 2})
	want := []string{"2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2"}
	if len(qs) != len(want) {
		t.Fatalf("Range = %v", qs)
	}
	for i, q := range qs {
		if q.String() != want[i] {
			t.Errorf("Range[%d] = %s, want %s", i, q, want[i])
		}
	}
	q := Quarter{2025, 4}
	if got := q.End(); !got.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, Chicago)) {
		t.Errorf("End = %v", got)
	}
	if !q.Before(q.Next()) || q.Next().Before(q) || q.Before(q) {
		t.Error("Before is not a strict order")
	}
}

func TestPeriods(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in, str, slug, kind string
		quarters            int
	}{
		{"2026-Q3", "2026-Q3", "2026-q3", "quarter", 1},
		{"2026-q1", "2026-Q1", "2026-q1", "quarter", 1},
		{"2025", "2025", "2025", "year", 4},
	} {
		p, err := ParsePeriod(tt.in)
		if err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		if p.String() != tt.str || p.Slug() != tt.slug || p.Kind() != tt.kind || len(p.Quarters()) != tt.quarters {
			t.Errorf("%s: %s %s %s %d", tt.in, p, p.Slug(), p.Kind(), len(p.Quarters()))
		}
		if !p.Contains(p.Start()) || p.Contains(p.End()) || !p.End().After(p.Start()) {
			t.Errorf("%s: [%v, %v) does not hold its start, or holds its end", tt.in, p.Start(), p.End())
		}
	}
	for _, bad := range []string{"", "26", "2025-Q5", "2025Q3", "20x5", "2025-Q3 "} {
		if _, err := ParsePeriod(bad); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
	if y := period2026Q4().YearOf(); y != Year(2026) || !y.IsYear() {
		t.Errorf("the year of 2026-Q4: %v", y)
	}
}

func period2026Q4() Period { return Quarter{Year: 2026, Q: 4}.Period() }
