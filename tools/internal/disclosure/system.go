package disclosure

import (
	"fmt"
	"slices"
)

// A System is everything a reader can know about one population of
// records: cells (published or hidden, each with its true value where the
// publisher knows it), the linear relations between them, and the changes
// between versions of the same count.
type System struct {
	Cells     []Cell
	Relations []Relation
	Changes   []Change
	index     map[string]int
	audited   map[string][]Finding // Audit's findings per component
}

// Cell is one count of a table.
type Cell struct {
	Key   string // names the cell in messages, e.g. "detainer_log 2026-Q3 v1 disposition=RELEASED"
	Value int    // the true count; known only for what is about to be published
	// Suppressed: hidden. Any other cell is published with its Value.
	Suppressed bool
	// MayBeZero marks a cell hidden with its whole breakdown, zeros
	// included: a reader knows only that it is 0 or more. Any other
	// suppressed cell is known to be 1 or more, since zeros are published.
	MayBeZero bool
	// Free marks a hidden cell that is not itself protected: a count of a
	// period not yet released, or one the reader never sees but that
	// relates others. It is 0 or more, and never a finding.
	Free bool
	// Frozen: published before; its status may not change.
	Frozen bool
	// Exact marks a figure a rule requires: published exactly whatever
	// its value, never suppressed.
	Exact bool
	// Margin marks totals, the most useful numbers, which complementary
	// suppression takes only when no part will do.
	Margin bool
	// Table names the published table (a period's version) the cell is
	// in, so that findings can say which versions an attack combined.
	Table string
}

// floor is the least value a reader knows a hidden cell can have.
func (c Cell) floor() float64 {
	if c.MayBeZero || c.Free {
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

// Change is the difference Now − Before between two versions of one count:
// how many records with the value a revision added, net of those it
// removed. It is protected like a withheld count, with a sign: a reader
// may learn that it lies anywhere around 0, never that it is, say, +1.
type Change struct {
	Key         string
	Now, Before int // cell indices
}

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
	s.audited = nil
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
	s.audited = nil
}

// AddChange adds the change of a count from cell before to cell now.
func (s *System) AddChange(key string, now, before int) {
	s.Changes = append(s.Changes, Change{Key: key, Now: now, Before: before})
	s.audited = nil
}

// Validate checks that the true values satisfy every relation among cells
// whose values are known (published, or about to be).
func (s *System) Validate() error {
	for _, r := range s.Relations {
		known := true
		for _, p := range append([]int{r.Total}, r.Parts...) {
			known = known && !(s.Cells[p].Frozen && s.Cells[p].Suppressed)
		}
		if !known {
			continue
		}
		if err := s.holds(r); err != nil {
			return err
		}
	}
	return nil
}

// holds checks relation r on the cells' values.
func (s *System) holds(r Relation) error {
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
	return nil
}

// Primary suppresses every cell from 1 to k−1 that is neither exact nor
// frozen. What was published before stays as it was, whatever the
// threshold was then.
func (s *System) Primary(k int) error {
	for i := range s.Cells {
		c := &s.Cells[i]
		if c.Value > 0 && c.Value < k && !c.Suppressed && !c.Exact && !c.Frozen {
			c.Suppressed = true
		}
	}
	return nil
}

// Withhold hides cell i with its whole breakdown: suppressed, and known
// only to be 0 or more.
func (s *System) Withhold(i int) {
	s.Cells[i].Suppressed, s.Cells[i].MayBeZero, s.Cells[i].Exact = true, true, false
}

// Reveal publishes hidden cell i, which a reader can already compute
// exactly from figures published exactly: hiding it would hide nothing.
// It is exact from then on, so no later step suppresses it again.
func (s *System) Reveal(i int) {
	s.Cells[i].Suppressed, s.Cells[i].MayBeZero, s.Cells[i].Free, s.Cells[i].Exact = false, false, false, true
}

// Suppress hides cell i, known to be at least 1.
func (s *System) Suppress(i int) {
	s.Cells[i].Suppressed = true
}

// Free hides cell i as a count that protects nothing (see Cell.Free).
func (s *System) Free(i int) {
	s.Cells[i].Suppressed, s.Cells[i].MayBeZero, s.Cells[i].Free, s.Cells[i].Exact = true, true, true, false
}

// Feasible reports whether the published numbers admit counts that meet
// every relation, in the components of the given cells.
func (s *System) Feasible(cells []int) error {
	want := map[int]bool{}
	for _, c := range cells {
		want[c] = true
	}
	comps, _ := s.components()
	for _, comp := range comps {
		if !slices.ContainsFunc(comp.cells, func(c int) bool { return want[c] }) {
			continue
		}
		if _, err := s.program(comp.cells); err != nil {
			return err
		}
	}
	// Relations among published cells alone hold or not.
	for _, r := range s.Relations {
		members := append([]int{r.Total}, r.Parts...)
		if slices.ContainsFunc(members, func(c int) bool { return s.Cells[c].Suppressed }) {
			continue
		}
		if !slices.ContainsFunc(members, func(c int) bool { return want[c] }) {
			continue
		}
		if err := s.holds(r); err != nil {
			return err
		}
	}
	return nil
}

// DropRelations removes the relations added after the first n.
func (s *System) DropRelations(n int) {
	s.Relations = s.Relations[:n]
	s.audited = nil
}

// Clone copies the system; the copy's statuses change independently.
func (s *System) Clone() *System {
	c := &System{Cells: slices.Clone(s.Cells), Relations: slices.Clone(s.Relations), Changes: slices.Clone(s.Changes), index: make(map[string]int, len(s.index))}
	for k, v := range s.index {
		c.index[k] = v
	}
	return c
}

// Around lists the cells that are neither frozen nor exact in the
// relations and changes reachable from the start cells through hidden
// cells: what a publication could still hide to protect them.
func (s *System) Around(start []int) []int {
	seen := map[int]bool{}
	queue := slices.Clone(start)
	for _, c := range start {
		seen[c] = true
	}
	out := map[int]bool{}
	visit := func(members []int) {
		if !slices.ContainsFunc(members, func(m int) bool { return seen[m] && (s.Cells[m].Suppressed || slices.Contains(start, m)) }) {
			return
		}
		for _, m := range members {
			if !s.Cells[m].Frozen && !s.Cells[m].Exact {
				out[m] = true
			}
			if s.Cells[m].Suppressed && !seen[m] {
				seen[m] = true
				queue = append(queue, m)
			}
		}
	}
	for len(queue) > 0 {
		queue = queue[1:]
		for _, r := range s.Relations {
			visit(append([]int{r.Total}, r.Parts...))
		}
		for _, ch := range s.Changes {
			visit([]int{ch.Now, ch.Before})
		}
	}
	cells := make([]int, 0, len(out))
	for c := range out {
		cells = append(cells, c)
	}
	slices.Sort(cells)
	return cells
}
