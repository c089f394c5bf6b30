package publish

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/filing"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
	"github.com/chicago-welcoming-city/transparency/tools/internal/records"
)

// This file adds versions to the history: a first release of a period, or
// a revision of one. Both are the same act — compute the period's tables
// from the delivery, protect them against every version released before,
// freeze them — so both are one function, Freeze.

// SampleKey keys the ledger pseudonyms of the embedded sample delivery
// only. It is public: the sample's records are not real.
const SampleKey = "wco-sample-delivery-key-not-secret"

// Freeze adds a version of each of periods to history, computed from the
// counts and protected against everything history holds, and returns the
// new history (history itself is left as it was). A period not in history
// gets its first version; a released one its next, which needs a reason,
// the public note of the revision. Every version gets the time at, or
// the second after the newest version history holds, if that is later.
//
// A year version adds up the quarter versions in force once these are
// added: the caller makes sure each of them is what the delivery holds
// (see Pending), revising them in the same call where it is not.
func (c *Counted) Freeze(history Releases, periods []period.Period, reason string, at time.Time) (Releases, error) {
	out := history.Clone()
	// Versions are stamped to the second, each release after every one
	// before it: two releases within a second are still two.
	at = at.Truncate(time.Second)
	for _, r := range out {
		for _, v := range r.Versions {
			if t, err := time.Parse(time.RFC3339, v.ReleasedAt); err == nil && !t.Before(at) {
				at = t.Add(time.Second)
			}
		}
	}
	stamp := at.In(period.Chicago).Format(time.RFC3339)
	// Quarters first, so that a year adds up its quarters' new versions.
	periods = slices.Clone(periods)
	slices.SortFunc(periods, func(a, b period.Period) int {
		if a.IsYear() != b.IsYear() {
			if a.IsYear() {
				return 1
			}
			return -1
		}
		return strings.Compare(a.String(), b.String())
	})
	versions := map[string]*Version{}
	for _, p := range periods {
		key := p.String()
		if !c.Closed(p) {
			return nil, fmt.Errorf("%s had not ended when the delivery was exported (%s): release it from a later delivery", key, c.AsOf.In(period.Chicago).Format(time.DateOnly))
		}
		v := &Version{Version: 1, ReleasedAt: stamp, Delivery: c.Meta.Delivery, ConfigHash: c.Meta.ConfigHash, Threshold: c.opt.Threshold}
		if r := out[key]; r != nil {
			if strings.TrimSpace(reason) == "" {
				return nil, fmt.Errorf("%s is released (version %d): a revision needs a reason, the public note that says why the numbers changed", key, r.Current().Version)
			}
			v.Version, v.Reason = r.Current().Version+1, reason
		}
		if f := c.prepared[key]; f != nil {
			v.Filings = []*filing.Filing{f}
		}
		versions[key] = v
	}
	inForce := func(q period.Quarter) int {
		if v := versions[q.String()]; v != nil {
			return v.Version
		}
		if r := out[q.String()]; r != nil {
			return r.Current().Version
		}
		return 0
	}
	for _, p := range periods {
		if !p.IsYear() {
			continue
		}
		v := versions[p.String()]
		for _, q := range p.Quarters() {
			n := inForce(q)
			if n == 0 {
				return nil, fmt.Errorf("%s: its quarter %s is not released; a year is released with its last quarter", p, q)
			}
			v.Sums = append(v.Sums, QuarterVersion{Period: q.String(), Version: n})
		}
	}
	// Protect every export; a filing that would tell what an earlier
	// release hid is dropped, and everything protected again without it.
	for round := 0; ; round++ {
		dropped, err := c.protectAll(history, periods, versions)
		if err != nil {
			return nil, err
		}
		if !dropped {
			break
		}
		if round > len(periods)+1 {
			return nil, fmt.Errorf("release %v: the filings did not settle", periods)
		}
	}
	for _, p := range periods {
		key := p.String()
		v := versions[key]
		if len(v.Exports) == 0 {
			return nil, fmt.Errorf("release %s: the delivery has no tables of it", key)
		}
		r := out[key]
		if r == nil {
			kind := KindQuarter
			if p.IsYear() {
				kind = KindYear
			}
			r = &Release{Period: key, Kind: kind}
			out[key] = r
		}
		r.Versions = append(r.Versions, *v)
	}
	return out, nil
}

// protectAll computes and protects every export's drafts of periods, into
// versions. It reports whether it dropped a filing, in which case the
// versions' tables are to be computed again.
func (c *Counted) protectAll(history Releases, periods []period.Period, versions map[string]*Version) (bool, error) {
	for _, v := range versions {
		v.Exports = nil
	}
	for _, e := range contract.Exports() {
		if c.notReported[e.Name] {
			continue // its counts are unknown: nothing to release
		}
		a := c.aggs[e.Name]
		var drafts []*table
		specs := map[*table]periodSpec{}
		for _, p := range periods {
			s, ok := c.spec(a, p.String())
			if !ok {
				continue // the export does not cover the period
			}
			v := versions[p.String()]
			t, err := a.draft(s, v.Version, c.opt)
			if err != nil {
				return false, err
			}
			t.filings, t.sums = v.Filings, v.Sums
			drafts = append(drafts, t)
			specs[t] = s
		}
		if len(drafts) == 0 {
			continue
		}
		past := history.tables(e.Name, time.Time{})
		if err := protect(e.Name, past, drafts, c.opt.Threshold); err != nil {
			return false, err
		}
		reveal, err := filingsReveal(e.Name, past, drafts, c.opt.Threshold)
		if err != nil {
			return false, err
		}
		if len(reveal) > 0 {
			for _, t := range drafts {
				if reveal[t.label()] {
					v := versions[t.Period.Period]
					for _, f := range v.Filings {
						v.FilingsWithheld = append(v.FilingsWithheld, WithheldFiling{ID: f.ID, Title: f.Title, Reason: "its lists would tell a count that an earlier release of " + e.Name + " hid"})
					}
					v.Filings = nil
				}
			}
			return true, nil
		}
		for _, t := range drafts {
			t.Figures = a.figures(specs[t], t.Period, t.version, c.opt)
			annotate(&t.Period)
			v := versions[t.Period.Period]
			v.Exports = append(v.Exports, Frozen{Export: e.Name, Period: t.Period})
		}
	}
	return false, nil
}

// Pending is a released period whose in-force version the delivery no
// longer matches: late or corrected records wait for a revision. The
// version in force stays published until wco revise publishes the change.
type Pending struct {
	Period  string `json:"period"`
	Export  string `json:"export"`
	Version int    `json:"version"` // in force
	// From names the delivery the version in force was computed from: its
	// export day, or its digest when it had no manifest.
	From string `json:"from"`
	// Released and Now are the period's records in the version in force
	// and in the delivery.
	Released int `json:"released"`
	Now      int `json:"now"`
}

func (p Pending) String() string {
	return fmt.Sprintf("%s (%s): %d records where version %d, from the delivery %s, has %d", p.Period, p.Export, p.Now, p.Version, p.From, p.Released)
}

// DeliveryName names a delivery in messages: "exported 2026-11-16", or by
// its digest when it had no manifest.
func DeliveryName(d DeliveryMeta) string {
	if d.ExportedAt != "" {
		return "exported " + day(d.ExportedAt)
	}
	return "with digest " + strings.TrimPrefix(d.Digest, "sha256:")[:min(12, len(strings.TrimPrefix(d.Digest, "sha256:")))]
}

// Pending lists the released periods the delivery does not match, per
// export: a figure published exactly or shown differs, or a count shown
// as suppressed (at least 1) is 0. A change to counts that were hidden
// alone is not pending: a reader can take the version in force for the
// delivery, and the protection takes them for one.
func (c *Counted) Pending(history Releases) ([]Pending, error) {
	var out []Pending
	for _, key := range sortedKeys(history) {
		r := history[key]
		for _, e := range contract.Exports() {
			f, ok := r.Current().Frozen(e.Name)
			if !ok || c.notReported[e.Name] {
				continue
			}
			a := c.aggs[e.Name]
			s, ok := c.spec(a, key)
			if !ok {
				continue
			}
			same, err := a.matches(f.Period, s, c.opt)
			if err != nil {
				return nil, fmt.Errorf("released %s: %w", key, err)
			}
			if !same {
				released := 0
				if f.Period.Total.Count != nil {
					released = *f.Period.Total.Count
				}
				out = append(out, Pending{Period: key, Export: e.Name, Version: r.Current().Version, From: DeliveryName(r.Current().Delivery), Released: released, Now: s.c.total})
			}
		}
	}
	return out, nil
}

// matches reports whether the counts of period s fit released table p:
// every count it shows is the same, every count it suppresses is at
// least 1.
func (a *aggregate) matches(p Period, s periodSpec, opt Options) (bool, error) {
	fits := func(c Count, n int) bool {
		switch c.Status {
		case Published:
			return c.Count != nil && *c.Count == n
		case Suppressed:
			return n > 0
		}
		return true
	}
	if !fits(p.Total, s.c.total) {
		return false, nil
	}
	plans, err := a.plansOf(p, opt)
	if err != nil {
		return false, err
	}
	for i, pl := range plans {
		b := p.Breakdowns[i]
		counts := pl.lay.count(s.c.dims[pl.dim])
		if len(counts) != len(b.Cells) {
			return false, fmt.Errorf("the values of %s (grouping %q) are not those it was released with; revise the period", b.Dimension, b.Grouping)
		}
		for j, cell := range b.Cells {
			if cell.Value != pl.lay.values[j] {
				return false, fmt.Errorf("the values of %s (grouping %q) are not those it was released with; revise the period", b.Dimension, b.Grouping)
			}
			if !fits(cell.Count, counts[j]) {
				return false, nil
			}
		}
	}
	return true, nil
}

// Pseudonym is the keyed HMAC-SHA-256 of a record id: it follows a record
// across deliveries without naming it, and is never published.
func Pseudonym(key []byte, export, id string) string {
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "%s\x00%s", export, id)
	return hex.EncodeToString(m.Sum(nil))
}

// digest summarizes, keyed, what the catalog reads of a record, to tell a
// changed record from an unchanged one. Keyed, so that a ledger that
// leaked would not give its records' values to someone who tries them all.
func (a *aggregate) digest(key []byte, r records.Record) string {
	h := hmac.New(sha256.New, key)
	fmt.Fprintf(h, "%s\n", period.Of(r.When().Time))
	for _, d := range a.dims {
		fmt.Fprintf(h, "%s=%s\n", d.ID, strings.Join(d.of(r), ";"))
	}
	for _, m := range a.measures {
		if m.days != nil {
			n, ok := m.days(r)
			fmt.Fprintf(h, "%s=%d,%v\n", m.ID, n, ok)
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// LedgerFile is a period's ledger in the local deliveries store.
func LedgerFile(store, p string) string {
	return filepath.Join(store, "ledger", strings.ToLower(p)+".json")
}

// EncodeLedger is a period's ledger, its records by pseudonym, as kept in
// the local store (LedgerFile, mode 0600, with the rest of a command's
// writes).
func EncodeLedger(ledger map[string]string) ([]byte, error) { return json.Marshal(ledger) }

// CompareLedger tells how the records of a period changed since a ledger
// was written: added, removed, and changed in what the catalog reads.
func CompareLedger(path string, now map[string]string) (added, removed, changed int, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, 0, err
	}
	var before map[string]string
	if err := json.Unmarshal(b, &before); err != nil {
		return 0, 0, 0, err
	}
	for id, d := range now {
		switch old, ok := before[id]; {
		case !ok:
			added++
		case old != d:
			changed++
		}
	}
	for id := range before {
		if _, ok := now[id]; !ok {
			removed++
		}
	}
	return added, removed, changed, nil
}
