package disclosure

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// points are feasible points of a program, each over all its variables.
type points [][]float64

// span is the least and greatest value variable v takes over the points.
func (ps points) span(v int) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, x := range ps {
		lo, hi = math.Min(lo, x[v]), math.Max(hi, x[v])
	}
	return lo, hi
}

// add adds the points that are known (not nil).
func (ps points) add(xs ...[]float64) points {
	for _, x := range xs {
		if x != nil {
			ps = append(ps, x)
		}
	}
	return ps
}

// interior returns a feasible point as far from every bound as the system
// allows (at most 1 from each, which is all the certificate needs): the
// solution of max s subject to A y = b, y ≥ s, s ≤ 1. From such a point
// every cell can move both ways. Without one (some variable is pinned to
// its bound) it returns the true point.
func (p *program) interior() []float64 {
	m := len(p.A)
	if m == 0 {
		return p.y0
	}
	// Standard form over z = y − s·1 ≥ 0, s ≥ 0, u = 1 − s ≥ 0:
	// A z + (A·1) s = b, s + u = 1; minimize −s.
	n := p.n + 2
	a := mat.NewDense(m+1, n, nil)
	b := make([]float64, m+1)
	for i, row := range p.A {
		sum := 0.0
		for j, v := range row {
			a.Set(i, j, v)
			sum += v
		}
		a.Set(i, p.n, sum)
		b[i] = p.b[i]
	}
	a.Set(m, p.n, 1)
	a.Set(m, p.n+1, 1)
	b[m] = 1
	keep, dense := nonZeroColumns(a)
	c := make([]float64, len(keep))
	c[slices.Index(keep, p.n)] = -1 // the s column always holds the 1 of s + u = 1
	if r, cols := dense.Dims(); r > cols {
		return p.y0
	}
	tab, err := newTableau(denseRows(dense), b, len(keep))
	if err != nil {
		return p.y0
	}
	_, x, err := tab.solve(c)
	if err != nil {
		return p.y0
	}
	full := make([]float64, n)
	for jj, j := range keep {
		full[j] = x[jj]
	}
	sv := full[p.n]
	if sv < 1e-9 {
		return p.y0
	}
	y := make([]float64, p.n)
	for j := range y {
		y[j] = full[j] + sv
	}
	return y
}

// certificate returns, per cell, a width the attacker provably cannot
// narrow the cell below: the cell's extent over the feasible segment
// through the feasible point from along d = N Nᵀ eᵢ, the direction in the
// null space of A that moves cell i most. Zero means it proves nothing.
// It also reports, per cell, whether that segment reaches the cell's
// floor: then the attacker cannot prove it above its floor.
func (p *program) certificate(from []float64) (out []float64, floor []bool) {
	nv := len(p.y0)
	out, floor = make([]float64, nv), make([]bool, nv)
	if len(p.A) == 0 {
		for i := range out {
			out[i], floor[i] = math.Inf(1), true // no relation binds any cell
		}
		return out, floor
	}
	var svd mat.SVD
	if !svd.Factorize(p.matrix(), mat.SVDFull) {
		return out, floor
	}
	sv := svd.Values(nil)
	tol := 1e-9 * math.Max(1, sv[0])
	rank := 0
	for _, v := range sv {
		if v > tol {
			rank++
		}
	}
	if rank == p.n {
		return out, floor // a single point: every cell is determined
	}
	var v mat.Dense
	svd.VTo(&v)
	null := v.Slice(0, p.n, rank, p.n).(*mat.Dense) // n × (n − rank)
	d := make([]float64, p.n)
	for i := range nv {
		row := null.RawRowView(i)
		for j := range p.n {
			d[j] = floats.Dot(null.RawRowView(j), row)
		}
		if math.Abs(d[i]) < 1e-9 {
			continue
		}
		lo, hi := math.Inf(-1), math.Inf(1)
		for j, dj := range d {
			switch {
			case dj > 1e-12:
				lo = math.Max(lo, -from[j]/dj)
			case dj < -1e-12:
				hi = math.Min(hi, -from[j]/dj)
			}
		}
		out[i] = math.Abs(d[i]) * (hi - lo)
		least := from[i] + lo*d[i]
		if d[i] < 0 {
			least = from[i] + hi*d[i]
		}
		floor[i] = least < 0.5
	}
	return out, floor
}
