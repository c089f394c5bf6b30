package disclosure_test

import (
	"fmt"

	"github.com/chicago-welcoming-city/transparency/tools/internal/disclosure"
)

// A 2×2 table of 40 records, by district and by outcome, with its row and
// column totals and the grand total. Two cells hold 3 and 10 records, below
// the threshold of 11: they are suppressed (primary), and then as many
// other cells as it takes for no reader to work them out from the totals
// (complementary). The attack, which reads only what is published and
// knows that a hidden count is at least 1, then finds each hidden count in
// a range at least as wide as the threshold. The totals stay published.
func Example() {
	var s disclosure.System
	cell := func(key string, v int, margin bool) int {
		return s.Add(disclosure.Cell{Key: key, Value: v, Margin: margin})
	}
	a1, a2 := cell("district 1, released", 3, false), cell("district 1, transferred", 15, false)
	b1, b2 := cell("district 2, released", 12, false), cell("district 2, transferred", 10, false)
	rowA, rowB := cell("district 1", 18, true), cell("district 2", 22, true)
	col1, col2 := cell("released", 15, true), cell("transferred", 25, true)
	all := cell("all", 40, true)
	s.Relate(disclosure.Sum, rowA, a1, a2)
	s.Relate(disclosure.Sum, rowB, b1, b2)
	s.Relate(disclosure.Sum, col1, a1, b1)
	s.Relate(disclosure.Sum, col2, a2, b2)
	s.Relate(disclosure.Sum, all, rowA, rowB)
	s.Relate(disclosure.Sum, all, col1, col2)

	if err := s.Primary(11); err != nil {
		fmt.Println(err)
		return
	}
	added, err := s.Protect(11)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("complementary suppressions: %d\n", added)
	for _, c := range s.Cells {
		if c.Suppressed {
			fmt.Printf("hidden: %s\n", c.Key)
		}
	}
	intervals, err := s.Attack()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, iv := range intervals {
		fmt.Printf("%s: between %.0f and %.0f\n", s.Cells[iv.Cell].Key, iv.Min, iv.Max)
	}
	// Output:
	// complementary suppressions: 2
	// hidden: district 1, released
	// hidden: district 1, transferred
	// hidden: district 2, released
	// hidden: district 2, transferred
	// district 1, released: between 1 and 14
	// district 1, transferred: between 4 and 17
	// district 2, released: between 1 and 14
	// district 2, transferred: between 8 and 21
}
