package disclosure

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
)

// row builds parts adding up to a total.
func row(s *System, name string, values ...int) (total int, parts []int) {
	sum := 0
	for i, v := range values {
		parts = append(parts, s.Add(Cell{Key: fmt.Sprintf("%s[%d]", name, i), Value: v}))
		sum += v
	}
	total = s.Add(Cell{Key: name + "[total]", Value: sum})
	s.Relate(Sum, total, parts...)
	return total, parts
}

func TestAttackFindsALoneSuppressedCell(t *testing.T) {
	t.Parallel()
	var s System
	_, parts := row(&s, "r", 3, 20, 30)
	s.Cells[parts[0]].Suppressed = true
	f, err := s.Audit(11, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(f) != 1 || f[0].Width() > 1e-9 || math.Round(f[0].Min) != 3 {
		t.Fatalf("findings = %v; want r[0] exactly determined as 3", f)
	}
}

func TestProtectARow(t *testing.T) {
	t.Parallel()
	var s System
	_, parts := row(&s, "r", 3, 4, 40, 0, 55)
	if err := s.Primary(11); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Protect(11); err != nil {
		t.Fatal(err)
	}
	if !s.Cells[parts[2]].Suppressed || s.Cells[parts[3]].Suppressed || s.Cells[parts[4]].Suppressed {
		t.Errorf("want 3, 4 and the smallest larger cell (40) suppressed, zero published: %+v", s.Cells)
	}
	ivs, _ := s.Attack()
	for _, iv := range ivs {
		if iv.Width() < 11 {
			t.Errorf("%s: %v", s.Cells[iv.Cell].Key, iv)
		}
	}
}

func TestFrozenCellsCannotBeUsed(t *testing.T) {
	t.Parallel()
	var s System
	total, parts := row(&s, "r", 3, 20)
	s.Cells[parts[1]].Frozen, s.Cells[total].Frozen = true, true
	s.Primary(11)
	if _, err := s.Protect(11); err == nil {
		t.Fatal("a cell that only frozen cells could protect passed")
	}
}

// table builds a quarters × values table with row totals, column totals
// over the year, and the year total, as the publication links them.
func table(s *System, cells [][]int) {
	nq, nv := len(cells), len(cells[0])
	col := make([][]int, nv)
	var qt []int
	for q := range nq {
		t, parts := row(s, fmt.Sprintf("q%d", q), cells[q]...)
		qt = append(qt, t)
		for v, p := range parts {
			col[v] = append(col[v], p)
		}
	}
	var yt []int
	yearTotal := 0
	for v := range nv {
		sum := 0
		for _, p := range col[v] {
			sum += s.Cells[p].Value
		}
		y := s.Add(Cell{Key: fmt.Sprintf("year[%d]", v), Value: sum})
		s.Relate(Sum, y, col[v]...)
		yt = append(yt, y)
		yearTotal += sum
	}
	g := s.Add(Cell{Key: "year[total]", Value: yearTotal})
	s.Relate(Sum, g, yt...)
	s.Relate(Sum, g, qt...)
}

// TestProtectProperty: random tables full of 1s and 2s, zeros and empty
// rows are protected so that the attacker narrows no suppressed cell below
// the width, no published cell is between 1 and k−1, and zeros stay
// published.
func TestProtectProperty(t *testing.T) {
	t.Parallel()
	const k = 11
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range trials() {
		nq, nv := 2+rng.IntN(3), 2+rng.IntN(8)
		cells := make([][]int, nq)
		for q := range cells {
			cells[q] = make([]int, nv)
			empty := rng.IntN(6) == 0
			for v := range cells[q] {
				switch r := rng.IntN(10); {
				case empty || r < 2:
				case r < 6:
					cells[q][v] = 1 + rng.IntN(2)
				case r < 8:
					cells[q][v] = 3 + rng.IntN(8)
				default:
					cells[q][v] = 11 + rng.IntN(60)
				}
			}
		}
		var s System
		table(&s, cells)
		if err := s.Validate(); err != nil {
			t.Fatal(err)
		}
		if err := s.Primary(k); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Protect(k); err != nil {
			t.Fatalf("trial %d %v: %v", trial, cells, err)
		}
		for _, c := range s.Cells {
			if !c.Suppressed && c.Value > 0 && c.Value < k {
				t.Fatalf("trial %d: %s = %d published", trial, c.Key, c.Value)
			}
			if c.Suppressed && c.Value == 0 {
				t.Fatalf("trial %d: zero cell %s suppressed", trial, c.Key)
			}
		}
		f, err := s.Audit(k, false)
		if err != nil || len(f) > 0 {
			t.Fatalf("trial %d %v: audit after protect: %v %v", trial, cells, f, err)
		}
	}
}

func TestBoundRelation(t *testing.T) {
	t.Parallel()
	// Force types: each at most the incidents with force; the parts need
	// not add up, so a lone suppressed part is only bounded.
	var s System
	total := s.Add(Cell{Key: "with force", Value: 40})
	a := s.Add(Cell{Key: "taser", Value: 3})
	b := s.Add(Cell{Key: "physical", Value: 30})
	s.Relate(Bound, total, a, b)
	s.Primary(11)
	ivs, err := s.Attack()
	if err != nil {
		t.Fatal(err)
	}
	if len(ivs) != 1 || ivs[0].Min != 1 || ivs[0].Max != 40 {
		t.Errorf("taser interval = %+v, want [1, 40]", ivs)
	}
}

// trials is 60 in go test, more with WCO_PROTECT_TRIALS.
func trials() int {
	if n, err := strconv.Atoi(os.Getenv("WCO_PROTECT_TRIALS")); err == nil {
		return n
	}
	return 60
}
