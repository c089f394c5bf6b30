// Package disclosure protects published counts from revealing anyone.
//
// A System holds every count of linked tables and the relations between
// them. Primary suppression hides every count from 1 to k−1, where k is
// params.disclosure.threshold; zero is published as zero, since an empty
// cell describes nobody. Protect then hides further counts until the
// attacker (Attack, by linear programming over everything published) can
// narrow no hidden count to a range narrower than k.
package disclosure

import "fmt"

// MinThreshold is the smallest threshold the toolkit accepts: with k = 2 a
// single person would still be hidden.
const MinThreshold = 2

// ValidateThreshold rejects thresholds that would not protect anyone.
func ValidateThreshold(k int) error {
	if k < MinThreshold {
		return fmt.Errorf("disclosure threshold %d: it must be at least %d", k, MinThreshold)
	}
	return nil
}
