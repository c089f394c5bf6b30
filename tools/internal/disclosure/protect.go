package disclosure

import (
	"errors"
	"slices"
)

// ErrCannotProtect is returned when no further cell may be suppressed to
// protect a target (all candidates are exact, frozen, or zero) and
// nothing else was allowed.
var ErrCannotProtect = errors.New("cannot protect")

// CannotProtectError names the targets Protect could not protect; it is
// ErrCannotProtect.
type CannotProtectError struct{ Findings []Finding }

func (e *CannotProtectError) Error() string {
	return ErrCannotProtect.Error() + ":" + describe(e.Findings)
}

// Is makes errors.Is(err, ErrCannotProtect) hold.
func (e *CannotProtectError) Is(target error) bool { return target == ErrCannotProtect }

// Options say how Protect goes about it.
type Options struct {
	Width int
	// Forced reports whether a finding is already known without what is
	// being published (from figures a rule requires and from what was
	// published before): hiding more would hide nothing. Nil: none is.
	Forced func(Finding) (bool, error)
	// Fallback hides more than a complementary suppression when none
	// helps (a whole breakdown); it reports whether it hid anything.
	// Nil: Protect fails instead.
	Fallback func(Finding) bool
}

// Protect adds complementary suppressions until no target breaches the
// width, among cells that are not frozen, not exact and not zero.
func (s *System) Protect(width int) (added int, err error) {
	return s.ProtectWith(Options{Width: width})
}

// ProtectWith is Protect with options. It first applies the rules every
// relation must meet (no relation with a single suppressed cell, and
// suppressed cells in a relation adding up to at least the width), then
// lets the attacker (Audit, on the components something new touches) find
// what is still too narrow and suppresses, next to each such target, the
// cheapest published count that can be suppressed. A finding no
// suppression helps goes to Options.Fallback. It returns how many cells
// it suppressed.
func (s *System) ProtectWith(o Options) (added int, err error) {
	for range 1000 {
		added += s.structural(o.Width)
		findings, err := s.Audit(o.Width, true)
		if err != nil {
			return added, err
		}
		var open []Finding
		for _, f := range findings {
			if o.Forced != nil {
				forced, err := o.Forced(f)
				if err != nil {
					return added, err
				}
				if forced {
					continue
				}
			}
			open = append(open, f)
		}
		if len(open) == 0 {
			return added, nil
		}
		progress := false
		for _, f := range open {
			if f.Kind != Changed && s.widen(s.startOf(f)) {
				added++
				progress = true
				continue
			}
			if o.Fallback != nil && o.Fallback(f) {
				progress = true
			}
		}
		if !progress {
			return added, &CannotProtectError{Findings: open}
		}
	}
	return added, errors.New("complementary suppression did not settle after 1000 rounds")
}

// startOf is where widen starts for a finding: its cell, or its change's
// hidden counts.
func (s *System) startOf(f Finding) []int {
	if f.Cell >= 0 {
		return []int{f.Cell}
	}
	ch := s.Changes[f.Change]
	return []int{ch.Now, ch.Before}
}

// suppressible reports whether cell i may be suppressed as a complement.
func (s *System) suppressible(i int) bool {
	c := s.Cells[i]
	return !c.Suppressed && !c.Frozen && !c.Exact && c.Value > 0
}

// structural applies the per-relation rules until nothing changes, to
// relations that hold a cell that is not frozen.
func (s *System) structural(width int) int {
	added := 0
	for changed := true; changed; {
		changed = false
		for _, r := range s.Relations {
			if r.Kind != Sum || s.Cells[r.Total].Suppressed {
				continue
			}
			n, sum, fresh := 0, 0, false
			for _, p := range r.Parts {
				fresh = fresh || !s.Cells[p].Frozen
				if s.Cells[p].Suppressed {
					n++
					sum += s.Cells[p].Value
				}
			}
			if !fresh || n == 0 || (n >= 2 && sum >= width) {
				continue
			}
			if pick := s.smallest(r.Parts); pick >= 0 && (!s.suppressible(r.Total) || s.cost(pick) <= s.cost(r.Total)) {
				s.Suppress(pick)
			} else if s.suppressible(r.Total) {
				s.Suppress(r.Total)
			} else {
				continue // the audit will name the cell
			}
			added++
			changed = true
		}
	}
	return added
}

// cost is what suppressing a cell loses: its value, ten times over for a
// margin.
func (s *System) cost(i int) int {
	if s.Cells[i].Margin {
		return 10 * s.Cells[i].Value
	}
	return s.Cells[i].Value
}

// smallest returns the suppressible cell of least cost among cells, or -1.
func (s *System) smallest(cells []int) int {
	best := -1
	for _, c := range cells {
		if s.suppressible(c) && (best < 0 || s.cost(c) < s.cost(best)) {
			best = c
		}
	}
	return best
}

// widen suppresses one more cell to give the start cells room. Candidates
// are the suppressible cells in the relations of the start cells and,
// through the hidden cells those relations hold, in relations further
// away (totals can pin down a sum of small cells in different rows
// together, so the fix may lie a few relations away). It takes the
// candidate of least cost, a cost that grows with the distance. It
// reports whether it could suppress anything.
func (s *System) widen(start []int) bool {
	seen := map[int]bool{}
	for _, c := range start {
		seen[c] = true
	}
	used := make([]bool, len(s.Relations))
	best, bestCost := -1, 0
	for dist := 1; ; dist++ {
		grew := false
		for ri, r := range s.Relations {
			if used[ri] {
				continue
			}
			members := append([]int{r.Total}, r.Parts...)
			if !slices.ContainsFunc(members, func(m int) bool { return seen[m] && (s.Cells[m].Suppressed || slices.Contains(start, m)) }) {
				continue
			}
			used[ri] = true
			for _, m := range members {
				if s.suppressible(m) {
					if c := s.cost(m) * dist; best < 0 || c < bestCost {
						best, bestCost = m, c
					}
				} else if s.Cells[m].Suppressed && !seen[m] {
					seen[m] = true
					grew = true
				}
			}
		}
		if !grew {
			break
		}
	}
	if best < 0 {
		return false
	}
	s.Suppress(best)
	return true
}
