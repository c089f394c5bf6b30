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
	if _, err := fmt.Sscanf(s[:4], "%04d", &q.Year); err != nil {
		return q, fmt.Errorf("quarter %q: year: want four digits", s)
	}
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
