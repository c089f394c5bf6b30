package disclosure

import (
	"errors"
	"fmt"
	"math"
	"slices"
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

// bounds is the least and greatest whole value e takes over the whole
// points of the program (see intLower); hi is +Inf (lo −Inf) when
// unbounded. It also returns the whole points it found at the optima.
func (p *program) bounds(e expr) (lo, hi float64, at [][]float64, err error) {
	if len(e.coef) == 0 {
		return e.constant, e.constant, nil, nil
	}
	lo, x, err := p.intLower(e)
	if err != nil {
		return 0, 0, nil, err
	}
	neg := expr{coef: map[int]float64{}, constant: -e.constant}
	for j, v := range e.coef {
		neg.coef[j] = -v
	}
	nhi, y, err := p.intLower(neg)
	if err != nil {
		return 0, 0, nil, err
	}
	if math.IsInf(lo, 1) || math.IsInf(nhi, 1) {
		return 0, 0, nil, errors.New("the published numbers admit no whole counts")
	}
	for _, pt := range [][]float64{x, y} {
		if pt != nil {
			at = append(at, pt)
		}
	}
	return lo, -nhi, at, nil
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

// integral reports whether every coordinate of y is a whole number.
func integral(y []float64) bool {
	for _, v := range y {
		if math.Abs(v-math.Round(v)) > 1e-6 {
			return false
		}
	}
	return true
}

// maxNodes bounds the branch and bound of one question; past it, the best
// whole point found stands for the optimum, which can only make the
// attacker look stronger than it is.
const maxNodes = 4000

// intLower minimizes e over the whole points of the program (every count
// is a whole number; so then is every slack): the LP optimum when it is a
// whole point, else branch and bound on the first fractional variable,
// depth first, pruning with the LP bound. The objective has whole
// coefficients, so a node whose LP bound is not at least 1 below the best
// whole value found cannot improve on it.
func (p *program) intLower(e expr) (float64, []float64, error) {
	if len(e.coef) == 0 {
		return e.constant, nil, nil
	}
	c := make([]float64, p.n)
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
	if integral(x) {
		return math.Round(f) + e.constant, x, nil
	}
	best, bestX := math.Inf(1), []float64(nil)
	var search func(bs []varBound, x []float64, depth int) error
	nodes := 0
	search = func(bs []varBound, x []float64, depth int) error {
		j := slices.IndexFunc(x, func(v float64) bool { return math.Abs(v-math.Round(v)) > 1e-6 })
		for _, side := range []varBound{{j, math.Floor(x[j]), true}, {j, math.Ceil(x[j]), false}} {
			if nodes++; nodes > maxNodes {
				return nil
			}
			nb := append(slices.Clone(bs), side)
			f, y, err := p.solveBounded(c, nb)
			if errors.Is(err, errInfeasible) {
				continue
			}
			if err != nil {
				return err
			}
			if f > best-1+1e-6 {
				continue // cannot improve on a whole value
			}
			if integral(y) {
				best, bestX = f, y
				continue
			}
			if err := search(nb, y, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	if err := search(nil, x, 0); err != nil {
		return 0, nil, err
	}
	if bestX == nil {
		return math.Inf(1), nil, nil // no whole point below: none at all
	}
	return math.Round(best) + e.constant, bestX, nil
}

// varBound bounds one variable: y_j ≤ v (upper), else y_j ≥ v.
type varBound struct {
	j     int
	v     float64
	upper bool
}

// solveBounded minimizes c·y with the program's rows and bounds on
// single variables, from a tableau of its own.
func (p *program) solveBounded(c []float64, bs []varBound) (float64, []float64, error) {
	n := p.n + len(bs)
	A := make([][]float64, 0, len(p.A)+len(bs))
	b := slices.Clone(p.b)
	for _, row := range p.A {
		A = append(A, append(slices.Clone(row), make([]float64, len(bs))...))
	}
	for i, bd := range bs {
		row := make([]float64, n)
		row[bd.j] = 1
		if bd.upper {
			row[p.n+i] = 1 // y_j + s = v
		} else {
			row[p.n+i] = -1 // y_j − s = v
		}
		A = append(A, row)
		b = append(b, bd.v)
	}
	tab, err := newTableau(A, b, n)
	if err != nil {
		return 0, nil, err
	}
	cc := append(slices.Clone(c), make([]float64, len(bs))...)
	f, x, err := tab.solve(cc)
	if err != nil {
		return 0, nil, err
	}
	return f, x[:p.n], nil
}
