package disclosure

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"
)

// Interval is what an attacker can learn of a suppressed cell: its least
// and greatest possible values given everything published.
type Interval struct {
	Cell     int
	Min, Max float64 // Max is +Inf when nothing bounds it
}

// Width is Max − Min.
func (iv Interval) Width() float64 { return iv.Max - iv.Min }

// Finding is a suppressed cell the attacker can pin down too closely.
type Finding struct {
	Interval
	Key string
}

func (f Finding) String() string {
	if f.Width() < 1e-6 {
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

// Audit returns the suppressed cells whose interval is narrower than width.
func (s *System) Audit(width float64) ([]Finding, error) {
	ivs, err := s.Attack()
	if err != nil {
		return nil, err
	}
	var out []Finding
	for _, iv := range ivs {
		if iv.Width() < width-1e-6 {
			out = append(out, Finding{Interval: iv, Key: s.Cells[iv.Cell].Key})
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
func (s *System) attackComponent(cells []int) ([]Interval, error) {
	// Variables: the component's cells, shifted so y = x − 1 ≥ 0, then one
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
				constant += sign // from the shift x = y + 1
			} else if !s.Cells[cell].Suppressed {
				constant += sign * float64(s.Cells[cell].Value)
			}
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
			row := make([]float64, nv)
			for p, v := range coef {
				row[p] = v
			}
			rows = append(rows, row)
			rhs = append(rhs, -constant)
		case Bound:
			// each part ≤ total: part − total + slack = 0
			for _, p := range r.Parts {
				coef, constant = map[int]float64{}, 0
				add(p, 1)
				add(r.Total, -1)
				if len(coef) == 0 {
					continue
				}
				row := make([]float64, nv)
				for q, v := range coef {
					row[q] = v
				}
				row = append(row, 0) // room for the slack, filled below
				rows = append(rows, row)
				rhs = append(rhs, -constant)
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
	A, rhs, err := independentRows(A, rhs)
	if err != nil {
		return nil, fmt.Errorf("audit %s: %w", s.Cells[cells[0]].Key, err)
	}

	out := make([]Interval, 0, nv)
	for i, c := range cells {
		lo, hi, err := bounds(A, rhs, width, i)
		if err != nil {
			return nil, fmt.Errorf("audit %s: %w", s.Cells[c].Key, err)
		}
		out = append(out, Interval{Cell: c, Min: lo + 1, Max: hi + 1})
	}
	return out, nil
}

// bounds minimizes and maximizes variable v subject to A y = b, y ≥ 0.
func bounds(A [][]float64, b []float64, n, v int) (lo, hi float64, err error) {
	// A variable in no row is bounded only below.
	inRow := false
	for _, row := range A {
		if math.Abs(row[v]) > 1e-12 {
			inRow = true
			break
		}
	}
	if !inRow {
		return 0, math.Inf(1), nil
	}
	// Drop columns that are zero in every row: free slack-like variables
	// no relation uses (gonum refuses all-zero columns).
	var keep []int
	for j := range n {
		for _, row := range A {
			if math.Abs(row[j]) > 1e-12 {
				keep = append(keep, j)
				break
			}
		}
	}
	m := len(A)
	dense := mat.NewDense(m, len(keep), nil)
	vv := -1
	for jj, j := range keep {
		if j == v {
			vv = jj
		}
		for i := range m {
			dense.Set(i, jj, A[i][j])
		}
	}
	c := make([]float64, len(keep))
	c[vv] = 1
	minV, _, err := solve(c, dense, b)
	if err != nil {
		return 0, 0, fmt.Errorf("minimize: %w", err)
	}
	c[vv] = -1
	negMax, _, err := solve(c, dense, b)
	switch {
	case errors.Is(err, lp.ErrUnbounded):
		return minV, math.Inf(1), nil
	case err != nil:
		return 0, 0, fmt.Errorf("maximize: %w", err)
	}
	return minV, -negMax, nil
}

// solve runs the simplex; a square system has one solution, which gonum
// finds by a linear solve (and then checks y ≥ 0).
func solve(c []float64, A *mat.Dense, b []float64) (float64, []float64, error) {
	m, n := A.Dims()
	if m > n {
		return 0, nil, errors.New("more independent relations than unknowns: the published numbers are inconsistent")
	}
	return lp.Simplex(c, A, b, 1e-10, nil)
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
