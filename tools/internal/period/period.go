// Package period handles calendar quarters and years in Chicago local time,
// the periods every published table is counted by.
package period

import (
	"fmt"
	"time"
	_ "time/tzdata" // Chicago's rules ship with the binary, whatever the machine has
)

// Chicago is the time zone of every datetime in a delivery.
var Chicago = mustLoad("America/Chicago")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(fmt.Sprintf("load time zone %s: %v", name, err))
	}
	return loc
}

// Quarter is a calendar quarter, 1 to 4, of a year.
type Quarter struct {
	Year int
	Q    int
}

// Of returns the quarter that holds t, in Chicago local time.
func Of(t time.Time) Quarter {
	t = t.In(Chicago)
	return Quarter{Year: t.Year(), Q: (int(t.Month())-1)/3 + 1}
}

// Parse reads a quarter written as "2026-Q3" (case-insensitive).
func Parse(s string) (Quarter, error) {
	var q Quarter
	if len(s) != 7 || (s[5] != 'Q' && s[5] != 'q') || s[4] != '-' {
		return q, fmt.Errorf("quarter %q: want the form 2026-Q3", s)
	}
	y, err := parseYear(s[:4])
	if err != nil {
		return q, fmt.Errorf("quarter %q: year: want four digits", s)
	}
	q.Year = y
	q.Q = int(s[6] - '0')
	if q.Q < 1 || q.Q > 4 {
		return q, fmt.Errorf("quarter %q: the quarter is 1, 2, 3 or 4", s)
	}
	return q, nil
}

// String writes the quarter as "2026-Q3".
func (q Quarter) String() string { return fmt.Sprintf("%04d-Q%d", q.Year, q.Q) }

// Slug is the quarter in lowercase, for paths and URLs: "2026-q3".
func (q Quarter) Slug() string { return fmt.Sprintf("%04d-q%d", q.Year, q.Q) }

// Start is the first instant of the quarter in Chicago.
func (q Quarter) Start() time.Time {
	return time.Date(q.Year, time.Month(3*(q.Q-1)+1), 1, 0, 0, 0, 0, Chicago)
}

// End is the first instant after the quarter.
func (q Quarter) End() time.Time { return q.Next().Start() }

// DefaultDaysAfterQuarter is how long after a quarter ends its report is
// due unless the configuration says otherwise.
const DefaultDaysAfterQuarter = 45

// Due is the day a quarter's report is due, days after the quarter's last
// day (params.releases.days_after_quarter): 14 November for the third
// quarter at 45 days. Every page, filing and release computes it here.
func (q Quarter) Due(days int) time.Time { return q.End().AddDate(0, 0, days-1) }

// Next is the following quarter.
func (q Quarter) Next() Quarter {
	if q.Q == 4 {
		return Quarter{Year: q.Year + 1, Q: 1}
	}
	return Quarter{Year: q.Year, Q: q.Q + 1}
}

// Before reports whether q comes before r.
func (q Quarter) Before(r Quarter) bool {
	return q.Year < r.Year || (q.Year == r.Year && q.Q < r.Q)
}

// Range lists the quarters from first to last, both included.
func Range(first, last Quarter) []Quarter {
	var out []Quarter
	for q := first; !last.Before(q); q = q.Next() {
		out = append(out, q)
	}
	return out
}

// Period is a calendar quarter or a whole calendar year: the periods a
// release freezes and a table counts by. Q is 0 for a year.
type Period struct {
	Year int
	Q    int
}

// Year is the whole calendar year y.
func Year(y int) Period { return Period{Year: y} }

// Quarter is the period of quarter q.
func (q Quarter) Period() Period { return Period{Year: q.Year, Q: q.Q} }

// ParsePeriod reads a quarter written as "2026-Q3" or a year written as
// "2025" (case-insensitive).
func ParsePeriod(s string) (Period, error) {
	if len(s) == 4 {
		y, err := parseYear(s)
		if err != nil {
			return Period{}, fmt.Errorf("period %q: want a quarter such as 2026-Q3 or a year such as 2025", s)
		}
		return Year(y), nil
	}
	q, err := Parse(s)
	if err != nil {
		return Period{}, fmt.Errorf("period %q: want a quarter such as 2026-Q3 or a year such as 2025", s)
	}
	return q.Period(), nil
}

func parseYear(s string) (int, error) {
	if len(s) != 4 {
		return 0, fmt.Errorf("year %q: want four digits", s)
	}
	y := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("year %q: want four digits", s)
		}
		y = 10*y + int(c-'0')
	}
	return y, nil
}

// IsYear reports whether p is a whole year.
func (p Period) IsYear() bool { return p.Q == 0 }

// Quarter is p as a quarter; ok is false for a year.
func (p Period) Quarter() (q Quarter, ok bool) {
	return Quarter{Year: p.Year, Q: p.Q}, p.Q != 0
}

// Kind is "quarter" or "year".
func (p Period) Kind() string {
	if p.IsYear() {
		return "year"
	}
	return "quarter"
}

// String writes the period as "2026-Q3" or "2025".
func (p Period) String() string {
	if p.IsYear() {
		return fmt.Sprintf("%04d", p.Year)
	}
	return Quarter{Year: p.Year, Q: p.Q}.String()
}

// Slug is the period in lowercase, for paths and URLs: "2026-q3", "2025".
func (p Period) Slug() string {
	if p.IsYear() {
		return p.String()
	}
	return Quarter{Year: p.Year, Q: p.Q}.Slug()
}

// Quarters lists the quarters of p: one for a quarter, four for a year.
func (p Period) Quarters() []Quarter {
	if q, ok := p.Quarter(); ok {
		return []Quarter{q}
	}
	return Range(Quarter{Year: p.Year, Q: 1}, Quarter{Year: p.Year, Q: 4})
}

// Start is the first instant of the period in Chicago.
func (p Period) Start() time.Time { return p.Quarters()[0].Start() }

// End is the first instant after the period.
func (p Period) End() time.Time { qs := p.Quarters(); return qs[len(qs)-1].End() }

// Contains reports whether t, in Chicago local time, falls in p.
func (p Period) Contains(t time.Time) bool {
	q := Of(t)
	return q.Year == p.Year && (p.Q == 0 || q.Q == p.Q)
}

// YearOf is the year that holds p.
func (p Period) YearOf() Period { return Year(p.Year) }
