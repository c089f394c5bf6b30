package disclosure

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
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
