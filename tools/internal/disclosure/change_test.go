package disclosure

import (
	"strings"
	"testing"
)

// Two versions of a table of visa types, 160 U and 0 T, then one more
// request of unknown type, and records were only added: the change of
// each count is what the revision added. A version 2 that shows T as suppressed (at least 1) beside the 0
// of version 1 proves the added request a T visa; one that withholds the
// breakdown (each count 0 or more) proves nothing.
func TestAChangeProvedPositiveIsAFinding(t *testing.T) {
	t.Parallel()
	build := func(withheld bool) *System {
		s := &System{}
		t1 := s.Add(Cell{Key: "v1 total", Value: 160, Exact: true, Frozen: true, Table: "v1"})
		u1 := s.Add(Cell{Key: "v1 U", Value: 160, Frozen: true, Table: "v1"})
		x1 := s.Add(Cell{Key: "v1 T", Value: 0, Frozen: true, Table: "v1"})
		s.Relate(Sum, t1, u1, x1)
		t2 := s.Add(Cell{Key: "v2 total", Value: 161, Exact: true, Table: "v2"})
		u2 := s.Add(Cell{Key: "v2 U", Value: 160, Table: "v2"})
		x2 := s.Add(Cell{Key: "v2 T", Value: 1, Table: "v2"})
		s.Relate(Sum, t2, u2, x2)
		s.AddChange("U v1→v2", u2, u1)
		s.AddChange("T v1→v2", x2, x1)
		// Records were only added: no count went down.
		s.Relate(Bound, u2, u1)
		s.Relate(Bound, x2, x1)
		if withheld {
			s.Withhold(u2)
			s.Withhold(x2)
		} else {
			s.Suppress(x2)
			s.Suppress(u2)
		}
		return s
	}
	// What a reader knew without version 2's protected counts: they are
	// free, its total stays.
	base := build(true)
	for _, k := range []string{"v2 U", "v2 T"} {
		i, _ := base.Lookup(k)
		base.Free(i)
	}
	open := func(s *System) []string {
		f, err := s.Audit(11, false)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, x := range f {
			if b, err := base.Bound(x.Key); err != nil || !b.Same(x.Interval) {
				out = append(out, x.String())
			}
		}
		return out
	}
	if got := open(build(false)); len(got) != 3 || !strings.HasPrefix(got[0], "T v1→v2 is exactly 1") {
		t.Errorf("findings %v; want the change of T, the added request proved a T visa, and both counts pinned", got)
	}
	// Withheld, version 2's counts tell what version 1 told: U is 160 or
	// 161, as a reader knew from version 1 and the total.
	if got := open(build(true)); len(got) != 0 {
		t.Errorf("a withheld revision: %v", got)
	}
}

// Protect with a fallback never fails: a finding no complement can
// protect goes to the fallback, which here withholds the new breakdown.
func TestProtectFallsBackRatherThanFail(t *testing.T) {
	t.Parallel()
	s := &System{}
	total := s.Add(Cell{Key: "total", Value: 3, Exact: true})
	a := s.Add(Cell{Key: "a", Value: 3})
	b := s.Add(Cell{Key: "b", Value: 0})
	s.Relate(Sum, total, a, b)
	if err := s.Primary(11); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Protect(11); err == nil {
		t.Fatal("a lone small count beside an exact total was protected by suppression alone")
	}
	calls := 0
	_, err := s.ProtectWith(Options{Width: 11, Fallback: func(Finding) bool {
		calls++
		s.Withhold(a)
		s.Withhold(b)
		return true
	}})
	if err != nil || calls != 1 {
		t.Fatalf("ProtectWith: %v after %d fallbacks", err, calls)
	}
}
