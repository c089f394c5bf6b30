package disclosure

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// program is the attacker's linear system for one component: A y = b,
// y ≥ 0, where y is each suppressed cell less its floor (1, or 0 for a
// cell that may be zero), then one slack per bound;
// y0 is the true point, which only the toolkit knows.
type program struct {
	A  [][]float64
	b  []float64
	n  int
	y0 []float64

	keep  []int      // columns some row uses
	dense *mat.Dense // A over those columns
	tab   *tableau   // the simplex at the last optimum, once there is one
}

// program builds the component's linear system.
func (s *System) program(cells []int) (*program, error) {
	// Variables: the component's cells, shifted so y = x − floor ≥ 0, then one
	// slack per Bound relation that involves them.
	pos := make(map[int]int, len(cells))
	for i, c := range cells {
		pos[c] = i
	}
	nv := len(cells)
	var rows [][]float64
	var rhs []float64
	for _, r := range s.Relations {
		coef := map[int]float64{}
		constant := 0.0 // published part, moved to the right side
		add := func(cell int, sign float64) {
			if p, ok := pos[cell]; ok {
				coef[p] += sign
				constant += sign * s.Cells[cell].floor() // from the shift x = y + floor
			} else if !s.Cells[cell].Suppressed {
				constant += sign * float64(s.Cells[cell].Value)
			}
		}
		// emit adds the row coef = −constant; a Bound row gets room for
		// its slack, filled below.
		emit := func(slack bool) {
			row := make([]float64, nv)
			for q, v := range coef {
				row[q] = v
			}
			if slack {
				row = append(row, 0)
			}
			rows = append(rows, row)
			rhs = append(rhs, -constant)
		}
		switch r.Kind {
		case Sum:
			// Σ parts − total = 0
			involved := false
			for _, p := range r.Parts {
				add(p, 1)
				_, in := pos[p]
				involved = involved || in
			}
			add(r.Total, -1)
			_, in := pos[r.Total]
			if !involved && !in {
				continue
			}
			emit(false)
		case Bound:
			// each part ≤ total: part − total + slack = 0
			for _, p := range r.Parts {
				coef, constant = map[int]float64{}, 0
				add(p, 1)
				add(r.Total, -1)
				if len(coef) == 0 {
					continue
				}
				emit(true)
			}
		}
	}
	// Give each Bound row its own slack column.
	nslack := 0
	for _, row := range rows {
		if len(row) > nv {
			nslack++
		}
	}
	width := nv + nslack
	A := make([][]float64, len(rows))
	si := nv
	for i, row := range rows {
		A[i] = make([]float64, width)
		copy(A[i], row[:nv])
		if len(row) > nv {
			A[i][si] = 1
			si++
		}
	}
	// The true point: cells less their floor, and each slack what the bound leaves.
	y0 := make([]float64, width)
	for i, c := range cells {
		y0[i] = float64(s.Cells[c].Value) - s.Cells[c].floor()
	}
	for i, row := range A {
		for j := nv; j < width; j++ {
			if row[j] == 1 {
				v := rhs[i]
				for q := range nv {
					v -= row[q] * y0[q]
				}
				y0[j] = v
			}
		}
	}
	A, rhs, err := independentRows(A, rhs)
	if err != nil {
		return nil, fmt.Errorf("audit %s: %w", s.Cells[cells[0]].Key, err)
	}
	return &program{A: A, b: rhs, n: width, y0: y0}, nil
}

// lower minimizes variable v subject to A y = b, y ≥ 0.
func (p *program) lower(v int) (float64, error) {
	least, _, err := p.lowerAt(v)
	return least, err
}

// lowerAt is lower, with the optimum it found (nil if none).
func (p *program) lowerAt(v int) (float64, []float64, error) {
	p.prepare()
	vv := slices.Index(p.keep, v)
	if vv < 0 {
		return 0, nil, nil
	}
	c := make([]float64, len(p.keep))
	c[vv] = 1
	return p.solveAt(c)
}

// bounds minimizes and maximizes variable v subject to A y = b, y ≥ 0.
func (p *program) bounds(v int) (lo, hi float64, err error) {
	if lo, _, err = p.lowerAt(v); err != nil {
		return 0, 0, fmt.Errorf("minimize: %w", err)
	}
	if hi, _, err = p.upperAt(v); err != nil {
		return 0, 0, fmt.Errorf("maximize: %w", err)
	}
	return lo, hi, nil
}

// upperAt maximizes variable v subject to A y = b, y ≥ 0, with the
// optimum it found; +Inf (and no point) when v is unbounded.
func (p *program) upperAt(v int) (float64, []float64, error) {
	p.prepare()
	vv := slices.Index(p.keep, v)
	if vv < 0 {
		return math.Inf(1), nil, nil // a variable in no row is bounded only below
	}
	c := make([]float64, len(p.keep))
	c[vv] = -1
	negMax, x, err := p.solveAt(c)
	if errors.Is(err, errUnbounded) {
		return math.Inf(1), nil, nil
	}
	return -negMax, x, err
}

// solveAt is solve, with the optimum as a point over every variable of the
// program; a variable in no row takes its true value, which is feasible.
func (p *program) solveAt(c []float64) (float64, []float64, error) {
	f, x, err := p.solveX(c)
	if err != nil || x == nil {
		return f, nil, err
	}
	full := slices.Clone(p.y0)
	full = append(full, make([]float64, p.n-len(full))...)
	for jj, j := range p.keep {
		full[j] = x[jj]
	}
	return f, full, nil
}

// prepare finds, once, the columns some row uses and A over just those.
func (p *program) prepare() {
	if p.dense != nil || len(p.A) == 0 {
		return
	}
	p.keep, p.dense = nonZeroColumns(p.matrix())
}

// matrix is A as a gonum matrix; A has at least one row.
func (p *program) matrix() *mat.Dense {
	a := mat.NewDense(len(p.A), p.n, nil)
	for i, row := range p.A {
		a.SetRow(i, row)
	}
	return a
}

// nonZeroColumns returns the columns of a that hold a nonzero entry, and a
// over just those columns: gonum's simplex refuses an all-zero column.
// Entries are sums of ±1, so nonzero means at least 1 in size.
func nonZeroColumns(a *mat.Dense) ([]int, *mat.Dense) {
	m, n := a.Dims()
	var keep []int
	for j := range n {
		for i := range m {
			if math.Abs(a.At(i, j)) > 1e-12 {
				keep = append(keep, j)
				break
			}
		}
	}
	out := mat.NewDense(m, len(keep), nil)
	for jj, j := range keep {
		for i := range m {
			out.Set(i, jj, a.At(i, j))
		}
	}
	return keep, out
}

// solve runs the simplex. All of a component's programs share one feasible
// region, so each starts from the optimum of the one before, sparing the
// simplex its search for a first basis and most of its pivots.
func (p *program) solve(c []float64) (float64, error) {
	f, _, err := p.solveX(c)
	return f, err
}

// solveX is solve, with the optimum over the kept columns.
func (p *program) solveX(c []float64) (float64, []float64, error) {
	m, n := p.dense.Dims()
	if m > n {
		return 0, nil, errors.New("more independent relations than unknowns: the published numbers are inconsistent")
	}
	if p.tab == nil {
		tab, err := newTableau(denseRows(p.dense), p.b, n)
		if err != nil {
			return 0, nil, err
		}
		p.tab = tab
	}
	return p.tab.solve(c)
}

// denseRows copies a's rows.
func denseRows(a *mat.Dense) [][]float64 {
	m, _ := a.Dims()
	out := make([][]float64, m)
	for i := range m {
		out[i] = slices.Clone(a.RawRowView(i))
	}
	return out
}

// independentRows drops rows that are linear combinations of others (the
// row sums of a table equal its column sums, for one), which the simplex
// cannot take, by Gaussian elimination with partial pivoting.
func independentRows(A [][]float64, b []float64) ([][]float64, []float64, error) {
	if len(A) == 0 {
		return A, b, nil
	}
	n := len(A[0])
	work := make([][]float64, len(A))
	for i := range A {
		work[i] = append(slices.Clone(A[i]), b[i])
	}
	var keepRows []int
	used := make([]bool, len(work))
	rank := 0
	order := make([]int, len(work))
	for i := range order {
		order[i] = i
	}
	for col := 0; col < n && rank < len(work); col++ {
		best, bestAbs := -1, 1e-9
		for r := rank; r < len(work); r++ {
			if a := math.Abs(work[order[r]][col]); a > bestAbs {
				best, bestAbs = r, a
			}
		}
		if best < 0 {
			continue
		}
		order[rank], order[best] = order[best], order[rank]
		piv := work[order[rank]]
		for r := rank + 1; r < len(work); r++ {
			row := work[order[r]]
			if f := row[col] / piv[col]; f != 0 {
				for j := col; j <= n; j++ {
					row[j] -= f * piv[j]
				}
			}
		}
		used[order[rank]] = true
		rank++
	}
	for r := rank; r < len(work); r++ {
		if math.Abs(work[order[r]][n]) > 1e-6 {
			return nil, nil, errors.New("the published numbers contradict each other")
		}
	}
	for i := range A {
		if used[i] {
			keepRows = append(keepRows, i)
		}
	}
	outA := make([][]float64, 0, len(keepRows))
	outB := make([]float64, 0, len(keepRows))
	for _, i := range keepRows {
		outA = append(outA, A[i])
		outB = append(outB, b[i])
	}
	return outA, outB, nil
}
