package disclosure

// interior returns a feasible point as far from every bound as the system
// allows (at most 1 from each): the solution of max s subject to A y = b,
// y ≥ s, s ≤ 1. From such a point every cell can move both ways, so it
// clears most cells of a component without a program of their own. When
// no such point exists (some variable is pinned to its bound) it returns
// the first feasible point.
func (p *program) interior() []float64 {
	m := len(p.A)
	if m == 0 {
		return p.y0
	}
	// Over z = y − s·1 ≥ 0, s ≥ 0, u = 1 − s ≥ 0:
	// A z + (A·1) s = b, s + u = 1; minimize −s.
	n := p.n + 2
	A := make([][]float64, m+1)
	b := make([]float64, m+1)
	for i, row := range p.A {
		A[i] = make([]float64, n)
		sum := 0.0
		for j, v := range row {
			A[i][j] = v
			sum += v
		}
		A[i][p.n] = sum
		b[i] = p.b[i]
	}
	A[m] = make([]float64, n)
	A[m][p.n], A[m][p.n+1], b[m] = 1, 1, 1
	tab, err := newTableau(A, b, n)
	if err != nil {
		return p.y0
	}
	c := make([]float64, tab.n)
	c[p.n] = -1
	_, x, err := tab.solve(c)
	if err != nil || x[p.n] < 1e-9 {
		return p.y0
	}
	y := make([]float64, p.n)
	for j := range y {
		y[j] = x[j] + x[p.n]
	}
	return y
}
