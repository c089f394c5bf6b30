package disclosure

import (
	"fmt"
	"slices"
)

// A System is everything an attacker can read about one population of
// records: cells (published or suppressed, each with its true value, which
// only the toolkit knows) and the linear relations between them, such as
// "these cells add up to that total". Its cells are the counts of every
// table that shares records: quarters and their margins, year tables, and
// earlier releases.
type System struct {
	Cells     []Cell
	Relations []Relation
	index     map[string]int
	audited   map[string][]Finding // Audit's findings per component
}

// Cell is one count of a table, as the publisher knows it.
type Cell struct {
	Key        string // names the cell in messages, e.g. "detainer_log 2026-Q3 disposition=RELEASED"
	Value      int    // the true count
	Suppressed bool
	Frozen     bool // released: its status may not change
	// Exact marks a figure a rule requires: published exactly whatever
	// its value, never suppressed. The protection of every other cell
	// takes it as known.
	Exact bool
	// Margin marks totals, the most useful numbers, which complementary
	// suppression takes only when no part will do.
	Margin bool
	// MayBeZero marks a cell hidden with its whole breakdown, zeros
	// included: a reader knows only that it is 0 or more. Any other
	// suppressed cell is known to be 1 or more, since zeros are published.
	MayBeZero bool
}

// floor is the least value a reader knows a suppressed cell can have.
func (c Cell) floor() float64 {
	if c.MayBeZero {
		return 0
	}
	return 1
}

// Relation says that the Parts add up to the Total (Kind Sum), or that
// each Part is at most the Total (Kind Bound), as when a record may count
// under several values.
type Relation struct {
	Kind  RelationKind
	Total int   // cell index
	Parts []int // cell indices
}

// RelationKind is the kind of a Relation.
type RelationKind int

// The relations a system can hold.
const (
	Sum RelationKind = iota
	Bound
)

// Add adds a cell and returns its index; adding a key twice returns the
// first index (a cell shared by several tables is one cell).
func (s *System) Add(c Cell) int {
	if s.index == nil {
		s.index = map[string]int{}
	}
	if i, ok := s.index[c.Key]; ok {
		return i
	}
	s.Cells = append(s.Cells, c)
	s.index[c.Key] = len(s.Cells) - 1
	return len(s.Cells) - 1
}

// Lookup returns the index of a cell by key.
func (s *System) Lookup(key string) (int, bool) {
	i, ok := s.index[key]
	return i, ok
}

// Relate adds a relation.
func (s *System) Relate(kind RelationKind, total int, parts ...int) {
	s.Relations = append(s.Relations, Relation{Kind: kind, Total: total, Parts: slices.Clone(parts)})
}

// Validate checks that the true values satisfy every relation.
func (s *System) Validate() error {
	for _, r := range s.Relations {
		sum := 0
		for _, p := range r.Parts {
			sum += s.Cells[p].Value
			if r.Kind == Bound && s.Cells[p].Value > s.Cells[r.Total].Value {
				return fmt.Errorf("%s is larger than %s", s.Cells[p].Key, s.Cells[r.Total].Key)
			}
		}
		if r.Kind == Sum && sum != s.Cells[r.Total].Value {
			return fmt.Errorf("the parts of %s add up to %d, not %d", s.Cells[r.Total].Key, sum, s.Cells[r.Total].Value)
		}
	}
	return nil
}

// Primary suppresses every cell from 1 to k−1 that is neither exact nor
// frozen, and reports frozen cells in that range that are published.
func (s *System) Primary(k int) error {
	for i := range s.Cells {
		c := &s.Cells[i]
		if c.Value > 0 && c.Value < k && !c.Suppressed && !c.Exact {
			if c.Frozen {
				return fmt.Errorf("%s is %d, below the threshold, but was released as published", c.Key, c.Value)
			}
			c.Suppressed = true
		}
	}
	return nil
}

// Withhold hides cell i with its whole breakdown: suppressed, and known
// only to be 0 or more. The attacker's earlier findings no longer hold.
func (s *System) Withhold(i int) {
	s.Cells[i].Suppressed, s.Cells[i].MayBeZero, s.Cells[i].Exact = true, true, false
	s.audited = nil
}

// Reveal publishes suppressed cell i, which a reader can already compute
// exactly from figures published exactly (a statutory count, a published
// list): hiding it would hide nothing. It is exact from then on, so no
// later step suppresses it again. The attacker's earlier findings no
// longer hold.
func (s *System) Reveal(i int) {
	s.Cells[i].Suppressed, s.Cells[i].MayBeZero, s.Cells[i].Exact = false, false, true
	s.audited = nil
}
