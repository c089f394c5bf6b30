package disclosure

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"
)

// TestTableauAgreesWithGonum: on random programs shaped like the
// attacker's (coefficients 0 and ±1, a feasible point of small counts,
// rows that repeat others, degenerate vertices), the tableau, solving one
// objective after another from its last optimum, finds the same optima as
// gonum's simplex solving each afresh, and says unbounded where it does.
func TestTableauAgreesWithGonum(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	solved, unbounded := 0, 0
	for trial := range 300 {
		m, n := 2+rng.IntN(8), 4+rng.IntN(14)
		A := make([][]float64, m)
		x0 := make([]float64, n)
		for j := range x0 {
			if rng.IntN(3) > 0 { // zeros make degenerate vertices
				x0[j] = float64(rng.IntN(12))
			}
		}
		for i := range A {
			A[i] = make([]float64, n)
			if i > 0 && rng.IntN(5) == 0 {
				copy(A[i], A[rng.IntN(i)]) // a row that repeats another
				continue
			}
			for j := range A[i] {
				A[i][j] = float64(rng.IntN(3) - 1)
			}
		}
		b := make([]float64, m)
		for i := range A {
			for j, v := range A[i] {
				b[i] += v * x0[j]
			}
		}
		// gonum wants independent rows and no zero column.
		indA, indB, err := independentRows(A, b)
		if err != nil {
			t.Fatal(err)
		}
		keep, dense := nonZeroColumns(denseOf(indA))
		if r, c := dense.Dims(); r == 0 || r > c {
			continue
		}
		tab, err := newTableau(denseRows(dense), indB, len(keep))
		if err != nil {
			t.Fatalf("trial %d: a feasible program refused: %v", trial, err)
		}
		for range 6 {
			c := make([]float64, len(keep))
			for j := range c {
				c[j] = float64(rng.IntN(5) - 2)
			}
			want, _, werr := lp.Simplex(c, dense, indB, 1e-10, nil)
			got, x, gerr := tab.solve(c)
			switch {
			case errors.Is(werr, lp.ErrUnbounded):
				if !errors.Is(gerr, errUnbounded) {
					t.Fatalf("trial %d: gonum says unbounded, the tableau %v, %v", trial, got, gerr)
				}
				unbounded++
			case werr != nil:
				continue // gonum gave up (singular basis): nothing to compare
			case gerr != nil:
				t.Fatalf("trial %d: gonum finds %v, the tableau fails: %v", trial, want, gerr)
			case math.Abs(got-want) > 1e-6:
				t.Fatalf("trial %d: optimum %v, gonum %v", trial, got, want)
			default:
				solved++
				// The point is feasible and attains the optimum.
				f := 0.0
				for j, v := range x {
					if v < -1e-9 {
						t.Fatalf("trial %d: x[%d] = %v", trial, j, v)
					}
					f += c[j] * v
				}
				for i := range indB {
					s := 0.0
					for j := range x {
						s += dense.At(i, j) * x[j]
					}
					if math.Abs(s-indB[i]) > 1e-6 {
						t.Fatalf("trial %d: row %d: %v, want %v", trial, i, s, indB[i])
					}
				}
				if math.Abs(f-got) > 1e-6 {
					t.Fatalf("trial %d: the point gives %v, the optimum is %v", trial, f, got)
				}
			}
		}
	}
	if solved < 500 || unbounded < 50 {
		t.Errorf("compared %d optima and %d unbounded programs: too few", solved, unbounded)
	}
	t.Logf("compared %d optima and %d unbounded programs", solved, unbounded)
}

// TestTableauRefusesAnInfeasibleProgram: x1 + x2 = 1 and x1 + x2 = 3.
func TestTableauRefusesAnInfeasibleProgram(t *testing.T) {
	t.Parallel()
	if _, err := newTableau([][]float64{{1, 1}, {1, 1}}, []float64{1, 3}, 2); !errors.Is(err, errInfeasible) {
		t.Errorf("err = %v", err)
	}
	if _, err := newTableau([][]float64{{1, 1}}, []float64{-1}, 2); !errors.Is(err, errInfeasible) {
		t.Errorf("x1 + x2 = -1: err = %v", err)
	}
}

func denseOf(A [][]float64) *mat.Dense {
	a := mat.NewDense(len(A), len(A[0]), nil)
	for i, row := range A {
		a.SetRow(i, row)
	}
	return a
}

// The helpers below shape a program as gonum's simplex wants it: the
// tableau needs none of them.
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
