package pipeline

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/commit"
	"github.com/chicago-welcoming-city/transparency/tools/internal/filing"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
	"github.com/chicago-welcoming-city/transparency/tools/internal/publish"
)

// Freezes lists the periods a release of quarter q freezes, given the
// periods already released: the quarter, and its calendar year too when
// the release completes the year's four quarters.
func Freezes(q period.Quarter, released publish.Releases) []period.Period {
	out := []period.Period{q.Period()}
	y := q.Period().YearOf()
	if released[y.String()] != nil {
		return out
	}
	for _, o := range y.Quarters() {
		if o != q && released[o.String()] == nil {
			return out
		}
	}
	return append(out, y)
}

// Written is a release file a release or a revision wrote.
type Written struct {
	Period  period.Period
	Version int
	File    string
	// Filings are the statutory filings frozen with the version, which
	// the site publishes (params.filings).
	Filings []*filing.Filing
	// FilingsWithheld are the filings the policy publishes that the
	// version does not, with why.
	FilingsWithheld []publish.WithheldFiling
}

// Released is what a release or a revision wrote.
type Released struct {
	Files []Written
	// Ledgers compare each period's records with its last version's, where
	// the local ledger of the period exists (revisions only).
	Ledgers []LedgerChange
	// Review lists the published figures the release or revision changes
	// against what is in place in data/current, when something is.
	Review *Review
	// Pending are the released periods the delivery still does not match.
	Pending []publish.Pending
}

// review compares pub with what is in place, if anything is.
func (p *Pipeline) review(pub *publish.Publication) *Review {
	tables, err := publish.LoadTables(p.Site().Current())
	if err != nil || len(tables) == 0 {
		return nil
	}
	return &Review{Against: "data/current", Changes: publish.Diff(tables, pub.Exports), Pending: pub.Index.Pending}
}

// LedgerChange counts the records a revision added, removed or changed in
// a period.
type LedgerChange struct {
	Period                  string
	Added, Removed, Changed int
}

// ErrReleased is returned when a release names a period released before.
var ErrReleased = errors.New("already released")

// ErrNotReleased is returned when a revision names a period never released.
var ErrNotReleased = errors.New("never released")

// ErrSample is returned when a release or revision is asked of the
// embedded sample, whose records are synthetic.
var ErrSample = errors.New("the embedded sample delivery is synthetic: releases and revisions are made from a real delivery; give --source DIR (or --source latest), or, to try the release flow on the sample, --sample")

// now is the time of the run.
func (p *Pipeline) now() time.Time {
	if !p.opt.Now.IsZero() {
		return p.opt.Now
	}
	return time.Now()
}

// Release releases quarter q from the delivery: it computes the quarter's
// protected breakdowns, protected against every version released before,
// and writes its release file, and the year's when q completes the year
// (see Freezes). A year adds up its quarters as released, so a quarter of
// it that the delivery no longer matches must be revised first. The
// quarter's records go, as keyed pseudonyms, into a ledger in the local
// deliveries store, so a later revision can say what changed.
func (p *Pipeline) Release(ctx context.Context, q period.Quarter) (*Released, error) {
	history, err := p.History()
	if err != nil {
		return nil, err
	}
	if r := history[q.String()]; r != nil {
		return nil, fmt.Errorf("release %s: %w (version %d, from the delivery %s): use wco revise %s --reason \"…\" to publish a revision", q, ErrReleased, r.Current().Version, publish.DeliveryName(r.Current().Delivery), q)
	}
	d, err := p.Open(ctx)
	if err != nil {
		return nil, err
	}
	if d.Sample && !p.opt.AllowSample {
		return nil, fmt.Errorf("release %s: %w", q, ErrSample)
	}
	freezes := Freezes(q, history)
	c, err := p.count(ctx, d, publish.CountOptions{Prepare: freezes, Ledger: []period.Period{q.Period()}})
	if err != nil {
		return nil, err
	}
	pending, err := c.Pending(history)
	if err != nil {
		return nil, err
	}
	if len(freezes) > 1 {
		if err := mustRevise(freezes[1], pending, nil); err != nil {
			return nil, fmt.Errorf("release %s: %w", q, err)
		}
	}
	return p.freeze(c, history, freezes, "")
}

// mustRevise refuses to freeze year y while a quarter of it that is not
// frozen with it is pending: the year would add up records its quarters
// do not show.
func mustRevise(y period.Period, pending []publish.Pending, with []period.Period) error {
	var names []string
	var lines []string
	for _, pd := range pending {
		pp, err := period.ParsePeriod(pd.Period)
		if err != nil || pp.IsYear() || pp.Year != y.Year || slices.Contains(with, pp) {
			continue
		}
		if !slices.Contains(names, pd.Period) {
			names = append(names, pd.Period)
		}
		lines = append(lines, pd.String())
	}
	if len(names) == 0 {
		return nil
	}
	return fmt.Errorf("%s adds up its quarters as released, and the delivery no longer matches %s (%s): revise %s first, or with it: wco revise %s --reason \"…\"",
		y, strings.Join(names, ", "), strings.Join(lines, "; "), strings.Join(names, ", "), strings.Join(names, " "))
}

// Revise recomputes released periods from the delivery and appends a
// version to each one's release file with reason, the public note.
// Revising a quarter of a released year revises the year too, with every
// quarter of it the delivery no longer matches named among periods. The
// new versions are protected against every version released before: a
// breakdown that, beside an earlier version, would tell something of the
// records the revision added or removed is withheld.
func (p *Pipeline) Revise(ctx context.Context, periods []period.Period, reason string) (*Released, error) {
	if strings.TrimSpace(reason) == "" {
		return nil, errors.New("a revision needs a reason: the public note that says why the numbers changed")
	}
	history, err := p.History()
	if err != nil {
		return nil, err
	}
	var set []period.Period
	for _, per := range periods {
		if history[per.String()] == nil {
			return nil, fmt.Errorf("revise %s: %w: use wco release", per, ErrNotReleased)
		}
		if !slices.Contains(set, per) {
			set = append(set, per)
		}
		if y := per.YearOf(); !per.IsYear() && history[y.String()] != nil && !slices.Contains(set, y) {
			set = append(set, y)
		}
	}
	d, err := p.Open(ctx)
	if err != nil {
		return nil, err
	}
	if d.Sample && !p.opt.AllowSample {
		return nil, fmt.Errorf("revise: %w", ErrSample)
	}
	c, err := p.count(ctx, d, publish.CountOptions{Prepare: set, Ledger: set})
	if err != nil {
		return nil, err
	}
	pending, err := c.Pending(history)
	if err != nil {
		return nil, err
	}
	for _, per := range set {
		if per.IsYear() {
			if err := mustRevise(per, pending, set); err != nil {
				return nil, fmt.Errorf("revise: %w", err)
			}
		}
	}
	var changes []LedgerChange
	for _, per := range set {
		ledger := publish.LedgerFile(p.StoreDir(), per.String())
		if added, removed, changed, err := publish.CompareLedger(ledger, c.Ledger(per.String())); err == nil {
			changes = append(changes, LedgerChange{Period: per.String(), Added: added, Removed: removed, Changed: changed})
		}
	}
	out, err := p.freeze(c, history, set, reason)
	if err != nil {
		return nil, err
	}
	out.Ledgers = changes
	return out, nil
}

// freeze adds versions of periods to the history and writes, together or
// not at all, their release files and the periods' ledgers: a fourth
// quarter is never released without its year.
func (p *Pipeline) freeze(c *publish.Counted, history publish.Releases, periods []period.Period, reason string) (*Released, error) {
	next, err := c.Freeze(history, periods, reason, p.now())
	if err != nil {
		return nil, err
	}
	pub, err := c.Publish(next)
	if err != nil {
		return nil, err
	}
	set, err := commit.New(p.JournalDir())
	if err != nil {
		return nil, err
	}
	defer set.Abandon()
	out := &Released{}
	for _, per := range periods {
		if err := out.write(set, p.ReleasesDir(), per, next[per.String()]); err != nil {
			return nil, err
		}
	}
	for _, per := range periods {
		if l := c.Ledger(per.String()); l != nil {
			b, err := publish.EncodeLedger(l)
			if err == nil {
				err = set.Write(publish.LedgerFile(p.StoreDir(), per.String()), b, 0o600)
			}
			if err != nil {
				return nil, fmt.Errorf("write ledger: %w", err)
			}
		}
	}
	if err := set.Commit(); err != nil {
		return nil, err
	}
	out.Review = p.review(pub)
	out.Pending = pub.Index.Pending
	return out, nil
}

func (r *Released) write(set *commit.Set, dir string, per period.Period, rel *publish.Release) error {
	b, err := rel.Encode()
	if err != nil {
		return err
	}
	file := filepath.Join(dir, publish.ReleaseFile(per.String()))
	if err := set.Write(file, b, 0o644); err != nil {
		return err
	}
	r.Files = append(r.Files, Written{Period: per, Version: rel.Current().Version, File: file, Filings: rel.Current().Filings, FilingsWithheld: rel.Current().FilingsWithheld})
	return nil
}
