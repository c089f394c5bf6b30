package disclosure

import (
	"errors"
	"fmt"
	"math"
)

// program is the attacker's linear system for one component: A y = b,
// y ≥ 0, where y is each hidden cell less its floor (1, or 0 for a cell
// that may be zero), then one slack per bound. It holds no true value:
// its first feasible point is found by the simplex, and every question
// is asked from the last answer's basis.
type program struct {
	cells []int       // the component's hidden cells: variable j is cells[j]
	pos   map[int]int // cell → variable
	A     [][]float64
	b     []float64
	n     int       // variables, slacks included
	tab   *tableau  // the simplex at its last optimum
	y0    []float64 // a feasible point
}

// program builds the component's linear system and finds a feasible point.
func (s *System) program(cells []int) (*program, error) {
	p := &program{cells: cells, pos: make(map[int]int, len(cells))}
	for i, c := range cells {
		p.pos[c] = i
	}
	nv := len(cells)
	type row struct {
		coef  map[int]float64
		rhs   float64
		slack bool
	}
	var rows []row
	term := func(r *row, cell int, sign float64) {
		if v, ok := p.pos[cell]; ok {
			r.coef[v] += sign
			r.rhs -= sign * s.Cells[cell].floor() // x = y + floor, moved right
		} else if !s.Cells[cell].Suppressed {
			r.rhs -= sign * float64(s.Cells[cell].Value)
		}
	}
	for _, rel := range s.Relations {
		switch rel.Kind {
		case Sum:
			r := row{coef: map[int]float64{}}
			for _, q := range rel.Parts {
				term(&r, q, 1)
			}
			term(&r, rel.Total, -1)
			if len(r.coef) > 0 {
				rows = append(rows, r)
			}
		case Bound:
			for _, q := range rel.Parts {
				r := row{coef: map[int]float64{}, slack: true}
				term(&r, q, 1)
				term(&r, rel.Total, -1)
				if len(r.coef) > 0 {
					rows = append(rows, r)
				}
			}
		}
	}
	slacks := 0
	for _, r := range rows {
		if r.slack {
			slacks++
		}
	}
	p.n = nv + slacks
	si := nv
	for _, r := range rows {
		a := make([]float64, p.n)
		for v, c := range r.coef {
			a[v] = c
		}
		if r.slack {
			a[si] = 1 // part − total + slack = 0
			si++
		}
		p.A = append(p.A, a)
		p.b = append(p.b, r.rhs)
	}
	tab, err := newTableau(p.A, p.b, p.n)
	if err != nil {
		if errors.Is(err, errInfeasible) {
			return nil, fmt.Errorf("the published numbers around %s contradict each other: no counts fit them all", s.Cells[cells[0]].Key)
		}
		return nil, err
	}
	p.tab = tab
	p.y0 = tab.point()
	return p, nil
}

// expr is a linear expression over a program's variables, plus a constant.
type expr struct {
	coef     map[int]float64
	constant float64
}

// cellExpr is cell c's value as an expression: its variable plus its floor.
func (s *System) cellExpr(p *program, c int) expr {
	e := expr{coef: map[int]float64{}}
	s.addTerm(p, &e, c, 1)
	return e
}

func (s *System) addTerm(p *program, e *expr, c int, sign float64) {
	if v, ok := p.pos[c]; ok {
		e.coef[v] += sign
		e.constant += sign * s.Cells[c].floor()
	} else {
		e.constant += sign * float64(s.Cells[c].Value)
	}
}

// at is the expression's value at a point.
func (e expr) at(y []float64) float64 {
	v := e.constant
	for j, c := range e.coef {
		v += c * y[j]
	}
	return v
}

// bounds minimizes and maximizes e; hi is +Inf (lo −Inf) when unbounded.
// It also returns the optima it found, as feasible points.
func (p *program) bounds(e expr) (lo, hi float64, at [][]float64, err error) {
	if len(e.coef) == 0 {
		return e.constant, e.constant, nil, nil
	}
	c := make([]float64, p.tab.n)
	for j, v := range e.coef {
		c[j] = v
	}
	lo, x, err := p.solve(c)
	switch {
	case errors.Is(err, errUnbounded):
		lo = math.Inf(-1)
	case err != nil:
		return 0, 0, nil, err
	default:
		lo += e.constant
		at = append(at, x)
	}
	for j := range c {
		c[j] = -c[j]
	}
	hi, x, err = p.solve(c)
	switch {
	case errors.Is(err, errUnbounded):
		hi = math.Inf(1)
	case err != nil:
		return 0, 0, nil, err
	default:
		hi = -hi + e.constant
		at = append(at, x)
	}
	return lo, hi, at, nil
}

// lower minimizes e.
func (p *program) lower(e expr) (float64, []float64, error) {
	if len(e.coef) == 0 {
		return e.constant, nil, nil
	}
	c := make([]float64, p.tab.n)
	for j, v := range e.coef {
		c[j] = v
	}
	f, x, err := p.solve(c)
	if errors.Is(err, errUnbounded) {
		return math.Inf(-1), nil, nil
	}
	if err != nil {
		return 0, nil, err
	}
	return f + e.constant, x, nil
}

// solve minimizes c·y from the last optimum.
func (p *program) solve(c []float64) (float64, []float64, error) {
	f, x, err := p.tab.solve(c)
	if err != nil {
		return f, nil, err
	}
	return f, x[:p.n], nil
}

// roundIn rounds LP bounds inward to the integers they allow: every count
// is a whole number, so a least value of 0.3 is in fact 1.
func roundIn(lo, hi float64) (float64, float64) {
	const eps = 1e-6
	if !math.IsInf(lo, 0) {
		lo = math.Ceil(lo - eps)
	}
	if !math.IsInf(hi, 0) {
		hi = math.Floor(hi + eps)
	}
	return lo, hi
}
