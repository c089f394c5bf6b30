package disclosure

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestIntLowerIsTheWholeOptimum: on random programs shaped like the
// attacker's (coefficients −1, 0 and 1, a whole feasible point, every
// variable bounded by a row), the least whole value of a random objective
// is what trying every whole point finds: branch and bound from the
// relaxation misses no whole point and stops at none that is not one.
func TestIntLowerIsTheWholeOptimum(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	fractional := 0
	for trial := range 400 {
		n, m := 3+rng.IntN(2), 1+rng.IntN(3)
		x0 := make([]float64, n)
		sum := 0.0
		for j := range x0 {
			x0[j] = float64(rng.IntN(5))
			sum += x0[j]
		}
		var A [][]float64
		var b []float64
		for range m {
			row := make([]float64, n+1)
			v := 0.0
			for j := range n {
				row[j] = float64(rng.IntN(3) - 1)
				v += row[j] * x0[j]
			}
			A, b = append(A, row), append(b, v)
		}
		// Σ x + s = S bounds every variable.
		total := make([]float64, n+1)
		for j := range total {
			total[j] = 1
		}
		S := sum + float64(rng.IntN(4))
		A, b = append(A, total), append(b, S)
		p := &program{A: A, b: b, n: n + 1}
		tab, err := newTableau(A, b, n+1)
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		p.tab = tab
		e := expr{coef: map[int]float64{}}
		for j := range n {
			if c := float64(rng.IntN(3) - 1); c != 0 {
				e.coef[j] = c
			}
		}
		if len(e.coef) == 0 {
			continue
		}
		c := make([]float64, p.n)
		for j, v := range e.coef {
			c[j] = v
		}
		if _, x, err := p.solve(c); err == nil && !integral(x) {
			fractional++
		}
		got, _, err := p.intLower(e)
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		// Every whole point with Σ x ≤ S.
		want := math.Inf(1)
		x := make([]int, n)
		var walk func(j, left int)
		walk = func(j, left int) {
			if j == n {
				for i, row := range A[:m] {
					v := 0.0
					for k := range n {
						v += row[k] * float64(x[k])
					}
					if math.Abs(v-b[i]) > 1e-9 {
						return
					}
				}
				v := 0.0
				for k, cv := range e.coef {
					v += cv * float64(x[k])
				}
				want = math.Min(want, v)
				return
			}
			for x[j] = 0; x[j] <= left; x[j]++ {
				walk(j+1, left-x[j])
			}
		}
		walk(0, int(S))
		if got != want {
			t.Fatalf("trial %d: branch and bound %v, every whole point %v", trial, got, want)
		}
	}
	if fractional < 5 {
		t.Errorf("only %d programs had a fractional relaxation: the test does not reach the branching", fractional)
	}
	t.Logf("%d programs whose relaxation's optimum was fractional", fractional)
}
