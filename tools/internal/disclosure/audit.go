package disclosure

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Interval is what an attacker can learn of a suppressed cell: its least
// and greatest possible values given everything published.
type Interval struct {
	Cell     int
	Min, Max float64 // Max is +Inf when nothing bounds it
}

// Width is Max − Min.
func (iv Interval) Width() float64 { return iv.Max - iv.Min }

// rounding is how far a width computed in floating point may fall short of
// the true one.
const rounding = 1e-6

// NarrowerThan reports whether the interval is narrower than width, beyond
// rounding: a cell the attacker can pin down too closely.
func (iv Interval) NarrowerThan(width float64) bool { return iv.Width() < width-rounding }

// Finding is a suppressed cell the attacker can pin down too closely.
type Finding struct {
	Interval
	Key string
}

func (f Finding) String() string {
	if f.Width() < rounding {
		return fmt.Sprintf("%s is exactly determined (= %g)", f.Key, math.Round(f.Min))
	}
	return fmt.Sprintf("%s can be narrowed to [%g, %g], narrower than the protection width", f.Key, roundTo(f.Min), roundTo(f.Max))
}

func roundTo(x float64) float64 { return math.Round(x*100) / 100 }

// Attack computes, for every suppressed cell, the interval an attacker can
// derive by linear programming from all published cells and relations,
// knowing that every suppressed cell is at least 1 (zeros are always
// published) and every count is at least 0. It works one connected group of
// suppressed cells at a time.
func (s *System) Attack() ([]Interval, error) {
	var out []Interval
	for _, comp := range s.components() {
		ivs, err := s.attackComponent(comp)
		if err != nil {
			return nil, err
		}
		out = append(out, ivs...)
	}
	slices.SortFunc(out, func(a, b Interval) int { return a.Cell - b.Cell })
	return out, nil
}

// breaches reports whether what a reader can learn of a suppressed cell
// is too much: an interval narrower than width. A cell withheld with its
// whole breakdown (it may be 0) is a breach only when the reader can also
// prove it is not 0: then some record is known to have the value. Bounds
// that still allow 0 name no record: a group of 3 withheld whole gives
// each cell [0, 3], which says how many records there are, and nothing
// about any one of them. Known limit: a withheld cell pinned at exactly 0
// (most often by a containing table with no record of that value, a fact
// about all of its records alike, but also by subtraction) is accepted,
// and says that no record of the group has the value.
func (s *System) breaches(iv Interval, width float64) bool {
	if s.Cells[iv.Cell].MayBeZero && iv.Min < 0.5 {
		return false
	}
	return iv.NarrowerThan(width)
}

// Breaches is breaches for callers that attack with Attack.
func (s *System) Breaches(iv Interval, width float64) bool { return s.breaches(iv, width) }

// PinnedZero reports whether iv is a cell withheld with its breakdown that
// the tables pin at zero.
func (s *System) PinnedZero(iv Interval) bool {
	return s.Cells[iv.Cell].MayBeZero && iv.Max < 0.5
}

// AuditExact returns the suppressed cells whose interval, computed exactly
// by linear programming for every cell, is narrower than width.
func (s *System) AuditExact(width float64) ([]Finding, error) {
	ivs, err := s.Attack()
	if err != nil {
		return nil, err
	}
	var out []Finding
	for _, iv := range ivs {
		if s.breaches(iv, width) {
			out = append(out, Finding{Interval: iv, Key: s.Cells[iv.Cell].Key})
		}
	}
	return out, nil
}

// Audit returns the suppressed cells whose interval is narrower than width.
// It is the publisher's audit: it needs every cell's true value (an
// attacker's system, which lacks them, is attacked with Attack).
// A cell is first cleared, where possible, by a certificate: two feasible
// points of the attacker's system, as far apart in that cell as the
// true values allow along the best null-space direction. Only cells the
// certificate cannot clear are solved exactly by linear programming.
func (s *System) Audit(width float64) ([]Finding, error) {
	var out []Finding
	for _, comp := range s.components() {
		// A component is fixed by its set of suppressed cells (published
		// values never change), so its findings can be reused until a
		// suppression joins it.
		key := fmt.Sprint(width, comp)
		fs, ok := s.audited[key]
		if !ok {
			var err error
			if fs, err = s.auditComponent(comp, width); err != nil {
				return nil, err
			}
			if s.audited == nil {
				s.audited = map[string][]Finding{}
			}
			s.audited[key] = fs
		}
		out = append(out, fs...)
	}
	slices.SortFunc(out, func(a, b Finding) int { return a.Cell - b.Cell })
	return out, nil
}

func (s *System) auditComponent(cells []int, width float64) ([]Finding, error) {
	p, err := s.program(cells)
	if err != nil {
		return nil, err
	}
	key := s.digest('a', cells, p, width)
	if e, ok := memoGet(key); ok {
		out := make([]Finding, 0, len(e.findings))
		for _, f := range e.findings {
			c := cells[f.pos]
			out = append(out, Finding{Interval: Interval{Cell: c, Min: f.min, Max: f.max}, Key: s.Cells[c].Key})
		}
		return out, nil
	}
	out, err := s.solveComponent(cells, p, width)
	if err != nil {
		return nil, err
	}
	e := memoEntry{findings: []memoInterval{}}
	for _, f := range out {
		e.findings = append(e.findings, memoInterval{pos: slices.Index(cells, f.Cell), min: f.Min, max: f.Max})
	}
	memoPut(key, e)
	return out, nil
}

// solveComponent is auditComponent without the memo.
func (s *System) solveComponent(cells []int, p *program, width float64) ([]Finding, error) {
	from := p.interior()
	proven, zero := p.certificate(from)
	// Every feasible point found on the way (the true point, the interior
	// point, each linear program's optimum) bounds what the attacker can
	// learn: a cell that takes values width apart over them, or one that
	// is 0 at one of them, is no breach, and needs no linear program.
	seen := points{p.y0, from}
	var out []Finding
	for i, c := range cells {
		if proven[i] >= width-rounding {
			continue
		}
		lo, hi := seen.span(i)
		if hi-lo >= width-rounding {
			continue
		}
		cell := s.Cells[c]
		// The true point is feasible: a cell that may be zero and is 0,
		// or that the attacker can bring to 0, is no breach.
		if cell.MayBeZero && (cell.Value == 0 || zero[i] || lo < 0.5) {
			continue
		}
		least, at, err := p.lowerAt(i)
		if err != nil {
			return nil, fmt.Errorf("audit %s: minimize: %w", cell.Key, err)
		}
		seen = seen.add(at)
		if cell.MayBeZero && least < 0.5 {
			continue
		}
		// The greatest value is needed only when the points found so far
		// do not already reach width above the least.
		if _, hi = seen.span(i); hi-least >= width-rounding {
			continue
		}
		greatest, at, err := p.upperAt(i)
		if err != nil {
			return nil, fmt.Errorf("audit %s: maximize: %w", cell.Key, err)
		}
		seen = seen.add(at)
		f := cell.floor()
		iv := Interval{Cell: c, Min: least + f, Max: greatest + f}
		if s.breaches(iv, width) {
			out = append(out, Finding{Interval: iv, Key: cell.Key})
		}
	}
	return out, nil
}

// components groups suppressed cells that share a relation.
func (s *System) components() [][]int {
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
	for _, r := range s.Relations {
		first := -1
		for _, c := range append([]int{r.Total}, r.Parts...) {
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
	groups := map[int][]int{}
	var roots []int
	for i, c := range s.Cells {
		if c.Suppressed {
			r := find(i)
			if _, ok := groups[r]; !ok {
				roots = append(roots, r)
			}
			groups[r] = append(groups[r], i)
		}
	}
	out := make([][]int, 0, len(roots))
	for _, r := range roots {
		out = append(out, groups[r])
	}
	return out
}

// attackComponent solves min and max of each cell of one component.
// A cell withheld with its breakdown that can be 0 is no breach whatever
// its greatest value: its Max is not solved, and left at +Inf.
func (s *System) attackComponent(cells []int) ([]Interval, error) {
	p, err := s.program(cells)
	if err != nil {
		return nil, err
	}
	key := s.digest('A', cells, p, 0)
	if e, ok := memoGet(key); ok {
		out := make([]Interval, 0, len(e.intervals))
		for _, iv := range e.intervals {
			out = append(out, Interval{Cell: cells[iv.pos], Min: iv.min, Max: iv.max})
		}
		return out, nil
	}
	out, err := s.attackProgram(cells, p)
	if err != nil {
		return nil, err
	}
	e := memoEntry{}
	for i, iv := range out {
		e.intervals = append(e.intervals, memoInterval{pos: i, min: iv.Min, max: iv.Max})
	}
	memoPut(key, e)
	return out, nil
}

// attackProgram is attackComponent without the memo.
func (s *System) attackProgram(cells []int, p *program) ([]Interval, error) {
	out := make([]Interval, 0, len(cells))
	for i, c := range cells {
		if s.Cells[c].MayBeZero {
			lo, err := p.lower(i)
			if err != nil {
				return nil, fmt.Errorf("audit %s: %w", s.Cells[c].Key, err)
			}
			if lo < 0.5 {
				out = append(out, Interval{Cell: c, Min: lo, Max: math.Inf(1)})
				continue
			}
		}
		lo, hi, err := p.bounds(i)
		if err != nil {
			return nil, fmt.Errorf("audit %s: %w", s.Cells[c].Key, err)
		}
		f := s.Cells[c].floor()
		out = append(out, Interval{Cell: c, Min: lo + f, Max: hi + f})
	}
	return out, nil
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
