package disclosure

import "testing"

// A breakdown withheld whole, in a group of 3: each cell is [0, 3]. That
// says how many records there are, not what any of them is. Once two of
// its cells are shown as 0, the third holds all 3: a breach.
func TestAWithheldCellIsABreachOnlyWhenProvablyNonzero(t *testing.T) {
	t.Parallel()
	build := func(shownZeros bool) *System {
		s := &System{}
		total := s.Add(Cell{Key: "total", Value: 3, Exact: true})
		var parts []int
		for i, v := range []int{3, 0, 0} {
			c := Cell{Key: string(rune('a' + i)), Value: v, Suppressed: true, MayBeZero: true}
			if shownZeros && i > 0 {
				c = Cell{Key: c.Key, Value: v}
			}
			parts = append(parts, s.Add(c))
		}
		s.Relate(Sum, total, parts...)
		return s
	}
	for _, audit := range []func(*System) ([]Finding, error){
		func(s *System) ([]Finding, error) { return s.Audit(11, false) },
		func(s *System) ([]Finding, error) { return s.Audit(11, false) },
	} {
		if f, err := audit(build(false)); err != nil || len(f) != 0 {
			t.Errorf("a group of 3 withheld whole: %v %v", f, err)
		}
		if f, err := audit(build(true)); err != nil || len(f) != 1 || f[0].Key != "a" {
			t.Errorf("a withheld cell given away by shown zeros: %v %v", f, err)
		}
	}
}
