package disclosure

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// TargetKind is what is protected about a target, and so what makes a
// finding of it.
type TargetKind int

// The kinds of target.
const (
	// Suppressed: a count shown as hidden and at least 1. A finding when
	// its possible values span fewer than the width.
	Suppressed TargetKind = iota
	// Withheld: a count hidden with its breakdown, 0 or more. A finding
	// when it is proved positive and its values span fewer than the width.
	Withheld
	// Changed: the change of a count between two versions. A finding when
	// it is proved positive or negative and its values span fewer than the
	// width.
	Changed
)

func (k TargetKind) String() string {
	return [...]string{"suppressed count", "withheld count", "change between versions"}[k]
}

// Interval is what an attacker can learn of a target: its least and
// greatest possible whole values given everything published.
type Interval struct {
	Key      string
	Kind     TargetKind
	Cell     int // the cell, or −1 for a change
	Change   int // the change, or −1 for a cell
	Min, Max float64
}

// Width is Max − Min.
func (iv Interval) Width() float64 { return iv.Max - iv.Min }

// Breaches reports whether what the interval tells is too much (see
// TargetKind).
func (iv Interval) Breaches(width int) bool {
	narrow := iv.Width() < float64(width)
	switch iv.Kind {
	case Withheld:
		return narrow && iv.Min >= 1
	case Changed:
		return narrow && (iv.Min >= 1 || iv.Max <= -1)
	}
	return narrow
}

// Same reports whether two intervals are equal.
func (iv Interval) Same(o Interval) bool { return iv.Min == o.Min && iv.Max == o.Max }

func (iv Interval) String() string {
	if iv.Width() == 0 {
		return fmt.Sprintf("%s is exactly %g", iv.Key, iv.Min)
	}
	return fmt.Sprintf("%s is between %g and %g", iv.Key, iv.Min, iv.Max)
}

// Finding is a target the attacker pins down too closely, with the
// published tables the attack combined.
type Finding struct {
	Interval
	Tables []string
}

func (f Finding) String() string {
	s := fmt.Sprintf("%s (%s)", f.Interval, f.Kind)
	if len(f.Tables) > 0 {
		s += ", from " + strings.Join(f.Tables, " + ")
	}
	return s
}

// component is a group of hidden cells that share relations or changes,
// with the changes that involve them.
type component struct {
	cells   []int
	changes []int
	new     bool // some relation or change of it touches a cell not frozen
}

// components groups the hidden cells that share a relation or a change.
// Changes between two published counts form no component: constants
// returns them.
func (s *System) components() (comps []component, constants []int) {
	parent := make([]int, len(s.Cells))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	join := func(members []int) {
		first := -1
		for _, c := range members {
			if !s.Cells[c].Suppressed {
				continue
			}
			if first < 0 {
				first = c
			} else {
				parent[find(c)] = find(first)
			}
		}
	}
	for _, r := range s.Relations {
		join(append([]int{r.Total}, r.Parts...))
	}
	for _, ch := range s.Changes {
		join([]int{ch.Now, ch.Before})
	}
	at := map[int]int{} // root → component
	for i, c := range s.Cells {
		if !c.Suppressed {
			continue
		}
		r := find(i)
		ci, ok := at[r]
		if !ok {
			ci = len(comps)
			at[r] = ci
			comps = append(comps, component{})
		}
		comps[ci].cells = append(comps[ci].cells, i)
		comps[ci].new = comps[ci].new || !c.Frozen
	}
	hiddenRoot := func(members ...int) (int, bool) {
		for _, c := range members {
			if s.Cells[c].Suppressed {
				return at[find(c)], true
			}
		}
		return 0, false
	}
	for _, r := range s.Relations {
		members := append([]int{r.Total}, r.Parts...)
		if ci, ok := hiddenRoot(members...); ok {
			for _, c := range members {
				comps[ci].new = comps[ci].new || !s.Cells[c].Frozen
			}
		}
	}
	for i, ch := range s.Changes {
		ci, ok := hiddenRoot(ch.Now, ch.Before)
		if !ok {
			constants = append(constants, i)
			continue
		}
		comps[ci].changes = append(comps[ci].changes, i)
		comps[ci].new = comps[ci].new || !s.Cells[ch.Now].Frozen || !s.Cells[ch.Before].Frozen
	}
	return comps, constants
}

// target is one question about a component: a cell or a change.
type target struct {
	Interval
	e expr
}

// targets lists the component's targets: every hidden cell that is not
// free, and every change.
func (s *System) targets(p *program, comp component) []target {
	var out []target
	for _, c := range comp.cells {
		cell := s.Cells[c]
		if cell.Free {
			continue
		}
		kind := Suppressed
		if cell.MayBeZero {
			kind = Withheld
		}
		out = append(out, target{Interval: Interval{Key: cell.Key, Kind: kind, Cell: c, Change: -1}, e: s.cellExpr(p, c)})
	}
	for _, i := range comp.changes {
		out = append(out, target{Interval: Interval{Key: s.Changes[i].Key, Kind: Changed, Cell: -1, Change: i}, e: s.changeExpr(p, i)})
	}
	return out
}

func (s *System) changeExpr(p *program, i int) expr {
	e := expr{coef: map[int]float64{}}
	s.addTerm(p, &e, s.Changes[i].Now, 1)
	s.addTerm(p, &e, s.Changes[i].Before, -1)
	return e
}

// constantChange is the interval of a change between two published counts.
func (s *System) constantChange(i int) Interval {
	ch := s.Changes[i]
	v := float64(s.Cells[ch.Now].Value - s.Cells[ch.Before].Value)
	return Interval{Key: ch.Key, Kind: Changed, Cell: -1, Change: i, Min: v, Max: v}
}

// tables lists the published tables of a component's cells and of the
// published cells its relations and changes hold.
func (s *System) tables(comp component) []string {
	in := map[int]bool{}
	for _, c := range comp.cells {
		in[c] = true
	}
	seen := map[string]bool{}
	add := func(c int) {
		if t := s.Cells[c].Table; t != "" {
			seen[t] = true
		}
	}
	for _, r := range s.Relations {
		members := append([]int{r.Total}, r.Parts...)
		if slices.ContainsFunc(members, func(c int) bool { return in[c] }) {
			for _, c := range members {
				add(c)
			}
		}
	}
	for _, i := range comp.changes {
		add(s.Changes[i].Now)
		add(s.Changes[i].Before)
	}
	out := make([]string, 0, len(seen))
	for t := range seen {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// Attack computes the interval of every target: every hidden cell that is
// not free, and every change, from the published cells and the relations
// alone.
func (s *System) Attack() ([]Interval, error) {
	comps, constants := s.components()
	var out []Interval
	for _, comp := range comps {
		p, err := s.program(comp.cells)
		if err != nil {
			return nil, err
		}
		for _, t := range s.targets(p, comp) {
			lo, hi, _, err := p.bounds(t.e)
			if err != nil {
				return nil, fmt.Errorf("attack %s: %w", t.Key, err)
			}
			t.Min, t.Max = roundIn(lo, hi)
			out = append(out, t.Interval)
		}
	}
	for _, i := range constants {
		out = append(out, s.constantChange(i))
	}
	return out, nil
}

// Bound is the interval of the cell or change named key, hidden or free;
// a published cell is its value.
func (s *System) Bound(key string) (Interval, error) {
	comps, _ := s.components()
	ci, ti := -1, -1
	if c, ok := s.Lookup(key); ok {
		cell := s.Cells[c]
		if !cell.Suppressed {
			v := float64(cell.Value)
			return Interval{Key: key, Cell: c, Change: -1, Min: v, Max: v}, nil
		}
		ci = slices.IndexFunc(comps, func(comp component) bool { return slices.Contains(comp.cells, c) })
		p, err := s.program(comps[ci].cells)
		if err != nil {
			return Interval{}, err
		}
		lo, hi, _, err := p.bounds(s.cellExpr(p, c))
		if err != nil {
			return Interval{}, err
		}
		lo, hi = roundIn(lo, hi)
		kind := Suppressed
		if cell.MayBeZero || cell.Free {
			kind = Withheld
		}
		return Interval{Key: key, Kind: kind, Cell: c, Change: -1, Min: lo, Max: hi}, nil
	}
	ti = slices.IndexFunc(s.Changes, func(ch Change) bool { return ch.Key == key })
	if ti < 0 {
		return Interval{}, fmt.Errorf("no cell or change %q", key)
	}
	ci = slices.IndexFunc(comps, func(comp component) bool { return slices.Contains(comp.changes, ti) })
	if ci < 0 {
		return s.constantChange(ti), nil
	}
	p, err := s.program(comps[ci].cells)
	if err != nil {
		return Interval{}, err
	}
	lo, hi, _, err := p.bounds(s.changeExpr(p, ti))
	if err != nil {
		return Interval{}, err
	}
	lo, hi = roundIn(lo, hi)
	return Interval{Key: key, Kind: Changed, Cell: -1, Change: ti, Min: lo, Max: hi}, nil
}

// Audit returns every target whose interval breaches the width. With
// onlyNew, it attacks only the components that something not frozen
// touches: what an earlier audit of the frozen cells found is unchanged.
func (s *System) Audit(width int, onlyNew bool) ([]Finding, error) {
	comps, constants := s.components()
	var out []Finding
	for _, comp := range comps {
		if onlyNew && !comp.new {
			continue
		}
		fs, err := s.auditComponent(comp, width)
		if err != nil {
			return nil, err
		}
		out = append(out, fs...)
	}
	for _, i := range constants {
		ch := s.Changes[i]
		if onlyNew && s.Cells[ch.Now].Frozen && s.Cells[ch.Before].Frozen {
			continue
		}
		if iv := s.constantChange(i); iv.Breaches(width) {
			out = append(out, Finding{Interval: iv, Tables: s.tables(component{changes: []int{i}})})
		}
	}
	slices.SortFunc(out, func(a, b Finding) int { return strings.Compare(a.Key, b.Key) })
	return out, nil
}

// auditComponent finds the breaches of one component. Feasible points met
// on the way (the first, an interior one, each optimum) clear most
// targets without a program of their own: a cell that takes values the
// width apart over them, or that is 0 at one of them, is no breach.
func (s *System) auditComponent(comp component, width int) ([]Finding, error) {
	// Within one system a component is fixed by its cells and what is
	// known of each: relations and published values do not change.
	local := fmt.Sprint(width, comp.cells, comp.changes)
	for _, c := range comp.cells {
		local += fmt.Sprint(s.Cells[c].floor(), s.Cells[c].Free)
	}
	if s.audited == nil {
		s.audited = map[string][]Finding{}
	}
	if fs, ok := s.audited[local]; ok {
		return fs, nil
	}
	p, err := s.program(comp.cells)
	if err != nil {
		return nil, err
	}
	ts := s.targets(p, comp)
	key := s.digest(p, ts, width)
	if e, ok := memoGet(key); ok {
		var out []Finding
		for _, f := range e {
			t := ts[f.pos]
			t.Min, t.Max = f.min, f.max
			out = append(out, Finding{Interval: t.Interval, Tables: s.tables(comp)})
		}
		s.audited[local] = out
		return out, nil
	}
	// Only whole points prove anything of whole counts.
	var seen [][]float64
	for _, y := range [][]float64{p.y0, p.interior()} {
		if integral(y) {
			seen = append(seen, y)
		}
	}
	var out []Finding
	var memo []memoInterval
	for pos, t := range ts {
		if cleared(t, seen, width) {
			continue
		}
		lo, hi, at, err := p.bounds(t.e)
		if err != nil {
			return nil, fmt.Errorf("audit %s: %w", t.Key, err)
		}
		seen = append(seen, at...)
		t.Min, t.Max = roundIn(lo, hi)
		if t.Breaches(width) {
			out = append(out, Finding{Interval: t.Interval, Tables: s.tables(comp)})
			memo = append(memo, memoInterval{pos: pos, min: t.Min, max: t.Max})
		}
	}
	memoPut(key, memo)
	s.audited[local] = out
	return out, nil
}

// cleared reports whether the feasible points already show that target t
// is no breach.
func cleared(t target, points [][]float64, width int) bool {
	const eps = 1e-6
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, y := range points {
		v := t.e.at(y)
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	rlo, rhi := roundIn(lo, hi)
	if rhi-rlo >= float64(width) {
		return true // the LP bounds, rounded, are at least as wide
	}
	switch t.Kind {
	case Withheld:
		return lo < eps // 0 is possible
	case Changed:
		return containsZero(points, t.e) // no sign can be proved
	}
	return false
}

// containsZero reports whether the expression is 0 at one of the points.
func containsZero(points [][]float64, e expr) bool {
	for _, y := range points {
		if math.Abs(e.at(y)) < 1e-6 {
			return true
		}
	}
	return false
}

// describe lists findings for an error message.
func describe(fs []Finding) string {
	var b strings.Builder
	for i, f := range fs {
		if i == 10 {
			fmt.Fprintf(&b, "\n  … and %d more", len(fs)-10)
			break
		}
		b.WriteString("\n  " + f.String())
	}
	return b.String()
}
