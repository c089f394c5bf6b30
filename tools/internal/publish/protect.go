package publish

import (
	"fmt"
	"slices"
	"strings"

	"github.com/chicago-welcoming-city/transparency/tools/internal/disclosure"
)

// protect chooses what to withhold of the versions about to be released
// (drafts, with their true counts) so that, together with every version
// released before (history), a reader learns nothing more than the width
// allows — of any count of any version, or of any change between versions.
//
// Only what the drafts' protected counts add is held against them: a
// reader's interval is compared with the one the same reader gets from
// the history and the drafts' exact figures alone (the baseline, where
// every protected count of the drafts is unknown). What exact figures a
// rule requires give away, with what was published before, no choice of
// these drafts could hide; a count they pin down exactly is published
// when it is at least k and withheld with its breakdown otherwise.
//
// Withholding every protected breakdown of the drafts gives the baseline
// exactly, so protection always ends, whatever the data are: it
// suppresses complements where that is enough and withholds breakdowns
// where it is not.
//
// Whether a reader may take it that a revision only added records depends
// on what is shown: hiding more can make it fit. Protection is therefore
// run again, from where it stopped, until the versions it protected under
// that assumption are those the published statuses allow it for, as the
// audit will find them.
func protect(export string, history, drafts []*table, k int) error {
	for range 10 {
		used, err := protectOnce(export, history, drafts, k)
		if err != nil {
			return err
		}
		kn, err := know(export, append(slices.Clone(history), drafts...))
		if err != nil {
			return err
		}
		if slices.Equal(kn.addedOnly, used) {
			return nil
		}
	}
	return fmt.Errorf("protect %s: the versions taken to have only added records did not settle", export)
}

// protectOnce is one pass of protect; it returns the version pairs it took
// to have only added records.
func protectOnce(export string, history, drafts []*table, k int) ([]string, error) {
	tables := append(slices.Clone(history), drafts...)
	kn, err := know(export, tables)
	if err != nil {
		return nil, err
	}
	sys := kn.sys
	if err := sys.Validate(); err != nil {
		return nil, fmt.Errorf("the counts do not add up (a bug): %w", err)
	}
	base := sys.Clone()
	for i, c := range base.Cells {
		if !c.Frozen && !c.Exact {
			base.Free(i)
		}
	}
	if err := sys.Primary(k); err != nil {
		return nil, err
	}
	withheld := map[string]string{} // owner → why
	for _, t := range drafts {
		for _, b := range t.Breakdowns {
			if b.Withheld != "" {
				withheld[ownerKey(t.label(), b.Dimension)] = b.Withheld
			}
		}
	}
	// withhold hides a draft breakdown whole; it reports whether it could.
	withhold := func(owner, why string) bool {
		if withheld[owner] != "" {
			return false
		}
		withheld[owner] = why
		for i, o := range kn.owner {
			if o == owner {
				sys.Withhold(i)
			}
		}
		return true
	}
	forced := func(f disclosure.Finding) (bool, error) {
		b, err := base.Bound(f.Key)
		if err != nil {
			return false, err
		}
		if !b.Same(f.Interval) {
			return false, nil
		}
		// Known without the drafts' protected counts. A draft count that
		// the exact figures pin down is a public fact: shown when it is
		// at least k, and its breakdown withheld otherwise.
		if f.Cell >= 0 && !sys.Cells[f.Cell].Frozen && b.Min == b.Max {
			switch v := sys.Cells[f.Cell].Value; {
			case v >= k && !sys.Cells[f.Cell].MayBeZero:
				sys.Reveal(f.Cell)
			case v > 0 && kn.owner[f.Cell] != "":
				withhold(kn.owner[f.Cell], WithheldLinked)
			}
		}
		return true, nil
	}
	fallback := func(f disclosure.Finding) bool {
		var start []int
		if f.Cell >= 0 {
			start = []int{f.Cell}
		} else {
			ch := sys.Changes[f.Change]
			start = []int{ch.Now, ch.Before}
		}
		dim := kn.dims[start[0]]
		// A revision's breakdown is withheld for the revision when what
		// it would give away is its change, or a count of an earlier
		// version of its own period; for anything else (an earlier
		// quarter, the exact figures), it is linked.
		frozen := ""
		if sys.Cells[start[0]].Frozen {
			frozen = periodOfLabel(sys.Cells[start[0]].Table)
		}
		why := func(owner string) string {
			label, _, _ := strings.Cut(owner, "\x00")
			if f.Kind == disclosure.Changed || frozen != "" && periodOfLabel(label) == frozen {
				return WithheldRevision
			}
			return WithheldLinked
		}
		var same, other []string
		for _, c := range sys.Around(start) {
			o := kn.owner[c]
			if o == "" || withheld[o] != "" {
				continue
			}
			if kn.dims[c] == dim {
				same = append(same, o)
			} else {
				other = append(other, o)
			}
		}
		pick := same
		if len(pick) == 0 {
			pick = other
		}
		progress := false
		for _, o := range pick {
			progress = withhold(o, why(o)) || progress
		}
		return progress
	}
	if _, err := sys.ProtectWith(disclosure.Options{Width: k, Forced: forced, Fallback: fallback}); err != nil {
		return nil, fmt.Errorf("protect %s: %w", export, err)
	}
	// The drafts take their statuses from the system.
	for _, t := range drafts {
		status := func(dim, value string) Count {
			i, _ := kn.lookup(t, dim, value)
			c := sys.Cells[i]
			switch {
			case c.Suppressed && c.MayBeZero:
				return Count{Status: Withheld}
			case c.Suppressed:
				return Count{Status: Suppressed}
			}
			return published(c.Value)
		}
		t.Total = status("", "")
		for bi := range t.Breakdowns {
			b := &t.Breakdowns[bi]
			b.Withheld = withheld[ownerKey(t.label(), b.Dimension)]
			if b.Withheld != "" {
				b.Clause = ""
			}
			for ci := range b.Cells {
				b.Cells[ci].Count = status(b.Dimension, b.Cells[ci].Value)
				if b.Withheld != "" {
					b.Cells[ci].Count = Count{Status: Withheld}
				}
			}
		}
	}
	return kn.addedOnly, nil
}

// filingsReveal lists the drafts whose published filings would tell a
// reader of export more of a version released before than the history
// told: a year's filing lists the records of quarters released earlier,
// which were protected without it. A filing the site publishes by choice
// (params.filings) is then not published with the draft: the release
// goes on without it.
func filingsReveal(export string, history, drafts []*table, k int) (map[string]bool, error) {
	withFilings := false
	for _, t := range drafts {
		withFilings = withFilings || len(t.filings) > 0
	}
	if !withFilings {
		return nil, nil
	}
	kn, err := know(export, append(slices.Clone(history), drafts...))
	if err != nil {
		return nil, err
	}
	findings, err := kn.sys.Audit(k, true)
	if err != nil {
		return nil, err
	}
	var old []disclosure.Finding
	for _, f := range findings {
		if f.Cell >= 0 && kn.sys.Cells[f.Cell].Frozen {
			old = append(old, f)
		} else if f.Change >= 0 {
			ch := kn.sys.Changes[f.Change]
			if kn.sys.Cells[ch.Now].Frozen && kn.sys.Cells[ch.Before].Frozen {
				old = append(old, f)
			}
		}
	}
	if len(old) == 0 {
		return nil, nil
	}
	var bare []*table
	for _, t := range drafts {
		c := *t
		c.filings = nil
		bare = append(bare, &c)
	}
	without, err := know(export, append(slices.Clone(history), bare...))
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, f := range old {
		b, err := without.sys.Bound(f.Key)
		if err != nil {
			return nil, err
		}
		if !b.Same(f.Interval) {
			for _, t := range drafts {
				if len(t.filings) > 0 {
					out[t.label()] = true
				}
			}
		}
	}
	return out, nil
}

// periodOfLabel is the period of a table's label ("2026-Q3 v2" → 2026-Q3).
func periodOfLabel(label string) string {
	p, _, _ := strings.Cut(label, " ")
	return p
}
