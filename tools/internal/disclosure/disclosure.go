// Package disclosure protects published counts from revealing anyone.
//
// A System is what a reader can know: every count of every table ever
// published (published, suppressed or withheld), every count about to be
// published, and the linear relations between them — a breakdown adds up
// to its total, a year to its quarters, a record listed in a filing is
// counted in its table. Changes are differences between two versions of
// the same count (what a revision added or removed); they are protected
// like counts.
//
// The attacker (Attack, Audit) reads only statuses and published values,
// never a true value: it bounds every hidden count and every change by
// linear programming over the whole system and rounds the bounds to
// integers. A finding is
//
//   - a suppressed count (known to be at least 1) narrowed to fewer than
//     the width of possible values;
//   - a withheld count (hidden with its breakdown, so it may be 0) proved
//     positive and narrowed below the width;
//   - a change proved positive or negative and narrowed below the width:
//     it describes the records a revision added or removed.
//
// Primary suppression hides every count from 1 to k−1, where k is
// params.disclosure.threshold; zero is published as zero, since an empty
// cell describes nobody. Protect then hides further counts, among those
// not yet published, until the attacker finds nothing, or nothing that is
// already known without them (Options.Forced).
package disclosure

import "fmt"

// DefaultThreshold is the threshold unless the configuration sets another
// (params.disclosure.threshold): counts from 1 to 10 are never published.
const DefaultThreshold = 11

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
