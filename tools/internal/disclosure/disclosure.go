// Package disclosure protects published counts from revealing anyone.
//
// Primary suppression hides every count from 1 to k−1, where k is
// params.disclosure.threshold; zero is published as zero, since an empty cell
// describes nobody. A suppressed cell carries no number at all, not even in
// the data files.
package disclosure

import "fmt"

// MinThreshold is the smallest threshold the toolkit accepts: with k = 2 a
// single person would still be hidden.
const MinThreshold = 2

// Cell is one published count.
type Cell struct {
	Count      *int `json:"count"`      // nil when suppressed
	Suppressed bool `json:"suppressed"` // the count is 1 to k−1
}

// Primary applies primary suppression to count n with threshold k.
func Primary(n, k int) Cell {
	if n > 0 && n < k {
		return Cell{Suppressed: true}
	}
	return Cell{Count: &n}
}

// Value returns the count and whether it is published.
func (c Cell) Value() (int, bool) {
	if c.Count == nil {
		return 0, false
	}
	return *c.Count, true
}

// ValidateThreshold rejects thresholds that would not protect anyone.
func ValidateThreshold(k int) error {
	if k < MinThreshold {
		return fmt.Errorf("disclosure threshold %d: it must be at least %d", k, MinThreshold)
	}
	return nil
}
