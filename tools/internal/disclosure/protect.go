package disclosure

import (
	"errors"
)

// ErrCannotProtect is returned when no further cell may be suppressed to
// protect a cell (all candidates are exact, released and frozen, or zero).
var ErrCannotProtect = errors.New("cannot protect")

// CannotProtectError names the cells Protect could not protect; it is
// ErrCannotProtect.
type CannotProtectError struct{ Findings []Finding }

func (e *CannotProtectError) Error() string {
	return ErrCannotProtect.Error() + ":" + describe(e.Findings)
}

// Is makes errors.Is(err, ErrCannotProtect) hold.
func (e *CannotProtectError) Is(target error) bool { return target == ErrCannotProtect }

// Protect adds complementary suppressions until no suppressed cell can be
// narrowed to an interval narrower than width by linear combination of the
// published cells. It first applies the rules every relation must meet (no
// relation with a single suppressed cell, and suppressed cells in a
// relation adding up to at least width), then lets the attacker (Audit)
// find what is still too narrow and suppresses, next to each such cell, the
// smallest published count that can be suppressed. Zeros are never
// suppressed; frozen cells never change. It returns how many cells it added.
func (s *System) Protect(width int) (added int, err error) {
	for range 500 {
		added += s.structural(width)
		findings, err := s.Audit(float64(width))
		if err != nil {
			return added, err
		}
		if len(findings) == 0 {
			return added, nil
		}
		progress := false
		for _, f := range findings {
			if s.widen(f.Cell) {
				added++
				progress = true
			}
		}
		if !progress {
			return added, &CannotProtectError{Findings: findings}
		}
	}
	return added, errors.New("complementary suppression did not settle after 500 rounds")
}

// suppressible reports whether cell i may be suppressed as a complement.
func (s *System) suppressible(i int) bool {
	c := s.Cells[i]
	return !c.Suppressed && !c.Frozen && !c.Exact && c.Value > 0
}

// structural applies the per-relation rules until nothing changes.
func (s *System) structural(width int) int {
	added := 0
	for changed := true; changed; {
		changed = false
		for _, r := range s.Relations {
			if r.Kind != Sum || s.Cells[r.Total].Suppressed {
				continue
			}
			n, sum := 0, 0
			for _, p := range r.Parts {
				if s.Cells[p].Suppressed {
					n++
					sum += s.Cells[p].Value
				}
			}
			if n == 0 || (n >= 2 && sum >= width) {
				continue
			}
			if pick := s.smallest(r.Parts); pick >= 0 && (!s.suppressible(r.Total) || s.cost(pick) <= s.cost(r.Total)) {
				s.Cells[pick].Suppressed = true
			} else if s.suppressible(r.Total) {
				s.Cells[r.Total].Suppressed = true
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

// widen suppresses one more cell to give cell room. Candidates are the
// suppressible cells in the relations of cell and, through the suppressed
// cells those relations hold, in relations further away (totals can pin
// down a sum of small cells in different rows together, so the fix may lie
// a few relations away). It takes the candidate of least cost, a cost that
// grows with the distance. It reports whether it could suppress anything.
func (s *System) widen(cell int) bool {
	seen := map[int]bool{cell: true}
	frontier := []int{cell}
	used := make([]bool, len(s.Relations))
	best, bestCost := -1, 0
	for dist := 1; len(frontier) > 0; dist++ {
		var next []int
		for ri, r := range s.Relations {
			if used[ri] {
				continue
			}
			members := append([]int{r.Total}, r.Parts...)
			touches := false
			for _, m := range members {
				touches = touches || seen[m] && s.Cells[m].Suppressed
			}
			if !touches {
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
					next = append(next, m)
				}
			}
		}
		frontier = next
	}
	if best < 0 {
		return false
	}
	s.Cells[best].Suppressed = true
	return true
}
