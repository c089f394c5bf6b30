package disclosure

import (
	"errors"
	"math"
)

// The attacker's programs are small and dense, share one feasible region
// per component, and are solved once per suppressed cell and direction.
// A tableau kept at the last optimum answers the next objective with a few
// pivots from there, where a solver that refactors its basis at every
// iteration (and starts each program afresh) spends most of the audit's
// time. The tableau is checked against gonum's simplex on random programs
// in simplex_test.go.

// Errors of the simplex.
var (
	errInfeasible = errors.New("the published numbers admit no solution")
	errUnbounded  = errors.New("the objective is unbounded")
)

// tol is the tolerance below which an entry counts as zero. Entries are
// sums and differences of published counts and of ±1 coefficients.
const tol = 1e-9

// tableau is a simplex tableau of A x = b, x ≥ 0 at a feasible basis:
// rows[i] = B⁻¹ [A | b], basis[i] the variable basic in row i.
type tableau struct {
	n     int // variables
	rows  [][]float64
	basis []int
}

// newTableau finds a feasible basis of A x = b, x ≥ 0 by the first phase
// of the simplex (one artificial variable per row, whose sum is driven to
// zero); rows that are combinations of others are dropped. It returns
// errInfeasible when there is no x.
func newTableau(A [][]float64, b []float64, n0 int) (*tableau, error) {
	m := len(A)
	n := 0
	if m > 0 {
		n = len(A[0])
	} else {
		return &tableau{n: n0}, nil
	}
	// Columns: the n variables, then m artificials, then the right side.
	w := n + m + 1
	t := &tableau{n: n + m, rows: make([][]float64, m), basis: make([]int, m)}
	for i := range A {
		row := make([]float64, w)
		sign := 1.0
		if b[i] < 0 {
			sign = -1
		}
		for j, v := range A[i] {
			row[j] = sign * v
		}
		row[n+i] = 1
		row[w-1] = sign * b[i]
		t.rows[i] = row
		t.basis[i] = n + i
	}
	// Minimize the sum of the artificials.
	c := make([]float64, n+m)
	for j := n; j < n+m; j++ {
		c[j] = 1
	}
	f, err := t.minimize(c, n+m)
	if err != nil {
		return nil, err
	}
	if f > 1e-7 {
		return nil, errInfeasible
	}
	// Drive the artificials out of the basis; a row where no variable can
	// take an artificial's place is a combination of the others.
	for i := 0; i < len(t.rows); i++ {
		if t.basis[i] < n {
			continue
		}
		entering := -1
		for j := range n {
			if math.Abs(t.rows[i][j]) > tol {
				entering = j
				break
			}
		}
		if entering < 0 {
			t.rows = append(t.rows[:i], t.rows[i+1:]...)
			t.basis = append(t.basis[:i], t.basis[i+1:]...)
			i--
			continue
		}
		t.pivot(i, entering)
	}
	// Drop the artificial columns.
	for i, row := range t.rows {
		rhs := row[w-1]
		t.rows[i] = append(row[:n:n], rhs)
	}
	t.n = n
	return t, nil
}

// pivot makes variable j basic in row r.
func (t *tableau) pivot(r, j int) {
	pr := t.rows[r]
	inv := 1 / pr[j]
	for k := range pr {
		pr[k] *= inv
	}
	pr[j] = 1
	for i, row := range t.rows {
		if i == r {
			continue
		}
		f := row[j]
		if f == 0 {
			continue
		}
		for k, v := range pr {
			if v != 0 {
				row[k] -= f * v
			}
		}
		row[j] = 0
	}
	t.basis[r] = j
}

// minimize minimizes c·x over the first nv variables (the others may not
// enter), pivoting from the current basis by Bland's rule, which cannot
// cycle. The tableau stays feasible, at the optimum; on errUnbounded, at
// the last feasible basis.
func (t *tableau) minimize(c []float64, nv int) (float64, error) {
	rhs := len(t.rows[0]) - 1
	reduced := make([]float64, nv)
	for {
		// Reduced costs: c_j − c_B · column j.
		copy(reduced, c[:nv])
		for i, row := range t.rows {
			if cb := c[t.basis[i]]; cb != 0 {
				for j := range nv {
					reduced[j] -= cb * row[j]
				}
			}
		}
		entering := -1
		for j, r := range reduced {
			if r < -tol {
				entering = j
				break
			}
		}
		if entering < 0 {
			return t.value(c), nil
		}
		leaving, best := -1, math.Inf(1)
		for i, row := range t.rows {
			if a := row[entering]; a > tol {
				ratio := row[rhs] / a
				if ratio < best-tol || (ratio < best+tol && leaving >= 0 && t.basis[i] < t.basis[leaving]) {
					leaving, best = i, ratio
				}
			}
		}
		if leaving < 0 {
			return 0, errUnbounded
		}
		t.pivot(leaving, entering)
	}
}

// value is c·x at the current basis.
func (t *tableau) value(c []float64) float64 {
	rhs := len(t.rows[0]) - 1
	f := 0.0
	for i, row := range t.rows {
		f += c[t.basis[i]] * row[rhs]
	}
	return f
}

// point is x at the current basis, over the tableau's variables.
func (t *tableau) point() []float64 {
	x := make([]float64, t.n)
	if len(t.rows) == 0 {
		return x
	}
	rhs := len(t.rows[0]) - 1
	for i, row := range t.rows {
		if t.basis[i] < t.n {
			x[t.basis[i]] = math.Max(0, row[rhs])
		}
	}
	return x
}

// solve minimizes c·x subject to the tableau's A x = b, x ≥ 0, from the
// last optimum, and returns the optimum and its point.
func (t *tableau) solve(c []float64) (float64, []float64, error) {
	if len(t.rows) == 0 {
		// No constraint binds: the least is 0 unless some cost is negative.
		for _, v := range c {
			if v < -tol {
				return 0, nil, errUnbounded
			}
		}
		return 0, make([]float64, t.n), nil
	}
	f, err := t.minimize(c, t.n)
	if err != nil {
		return 0, nil, err
	}
	return f, t.point(), nil
}
