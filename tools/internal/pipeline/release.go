package pipeline

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/chicago-welcoming-city/transparency/tools/internal/filing"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
	"github.com/chicago-welcoming-city/transparency/tools/internal/publish"
)

// Freezes lists the periods a release of quarter q freezes, given the
// periods already released: the quarter, and its calendar year too when q
// is the fourth quarter and the year's other three quarters are released.
func Freezes(q period.Quarter, released publish.Releases) []period.Period {
	out := []period.Period{q.Period()}
	if q.Q != 4 {
		return out
	}
	for n := 1; n <= 3; n++ {
		if released[period.Quarter{Year: q.Year, Q: n}.String()] == nil {
			return out
		}
	}
	return append(out, period.Year(q.Year))
}

// Written is a release file a release or a revision wrote.
type Written struct {
	Period  period.Period
	Version int
	File    string
	// Filings are the statutory filings frozen with the version, which
	// the site publishes (params.filings).
	Filings []*filing.Filing
}

// Released is what a release or a revision wrote.
type Released struct {
	Files []Written
	// Ledger compares the period's records with the last version's, when
	// the local ledger of the period exists (revisions only).
	Ledger *LedgerChange
	// Review lists the published figures the release or revision changes
	// against what is in place in data/current, when something is.
	Review *Review
}

// review compares pub with what is in place, if anything is.
func (p *Pipeline) review(pub *publish.Publication) *Review {
	tables, err := publish.LoadTables(p.Site().Current())
	if err != nil || len(tables) == 0 {
		return nil
	}
	return &Review{Against: "data/current", Changes: publish.Diff(tables, pub.Exports)}
}

// LedgerChange counts the records a revision added, removed or changed.
type LedgerChange struct{ Added, Removed, Changed int }

// ErrReleased is returned when a release names a period released before.
var ErrReleased = errors.New("already released")

// ErrNotReleased is returned when a revision names a period never released.
var ErrNotReleased = errors.New("never released")

// Release freezes quarter q from the delivery: it computes the quarter's
// protected breakdowns (only a release does) and writes its release file,
// and the year's when q completes a released year (see Freezes). The
// quarter's records go, as keyed pseudonyms, into a ledger in the local
// deliveries store, so a later revision can say what changed.
func (p *Pipeline) Release(ctx context.Context, q period.Quarter) (*Released, error) {
	opt, err := p.PublishOptions(ctx)
	if err != nil {
		return nil, err
	}
	if r := opt.Releases[q.String()]; r != nil {
		return nil, fmt.Errorf("release %s: %w (version %d): use wco revise %s --reason \"…\" to publish a revision", q, ErrReleased, r.Current().Version, q)
	}
	freezes := Freezes(q, opt.Releases)
	opt.Ledger = q.String()
	for _, f := range freezes {
		opt.Releasing = append(opt.Releasing, f.String())
	}
	pub, err := p.Publication(ctx, opt)
	if err != nil {
		return nil, err
	}
	out := &Released{}
	for _, f := range freezes {
		r, err := pub.Release(f.String(), nil, "", opt)
		if err != nil {
			return nil, err
		}
		if err := out.write(p.ReleasesDir(), f, r); err != nil {
			return nil, err
		}
	}
	if err := publish.WriteLedger(publish.LedgerFile(p.StoreDir(), q.String()), pub.Ledger); err != nil {
		return nil, fmt.Errorf("write ledger: %w", err)
	}
	out.Review = p.review(pub)
	return out, nil
}

// Revise recomputes released period per from the delivery and appends a
// version to its release file with reason, the public note; revising a
// quarter of a released year revises the year too. Every count an earlier
// version hid stays hidden (see publish.Options.Revising).
func (p *Pipeline) Revise(ctx context.Context, per period.Period, reason string) (*Released, error) {
	if strings.TrimSpace(reason) == "" {
		return nil, errors.New("a revision needs a reason: the public note that says why the numbers changed")
	}
	opt, err := p.PublishOptions(ctx)
	if err != nil {
		return nil, err
	}
	key := per.String()
	if opt.Releases[key] == nil {
		return nil, fmt.Errorf("revise %s: %w: use wco release", key, ErrNotReleased)
	}
	opt.Revising, opt.Ledger = key, key
	pub, err := p.Publication(ctx, opt)
	if err != nil {
		return nil, err
	}
	out := &Released{}
	for _, rp := range opt.Revised() {
		r, err := pub.Release(rp, opt.Releases[rp], reason, opt)
		if err != nil {
			return nil, err
		}
		rper, err := period.ParsePeriod(rp)
		if err != nil {
			return nil, err
		}
		if err := out.write(p.ReleasesDir(), rper, r); err != nil {
			return nil, err
		}
	}
	ledger := publish.LedgerFile(p.StoreDir(), key)
	if added, removed, changed, err := publish.CompareLedger(ledger, pub.Ledger); err == nil {
		out.Ledger = &LedgerChange{Added: added, Removed: removed, Changed: changed}
	}
	if err := publish.WriteLedger(ledger, pub.Ledger); err != nil {
		return nil, fmt.Errorf("write ledger: %w", err)
	}
	out.Review = p.review(pub)
	return out, nil
}

func (r *Released) write(dir string, per period.Period, rel *publish.Release) error {
	if err := rel.Write(dir); err != nil {
		return err
	}
	r.Files = append(r.Files, Written{Period: per, Version: rel.Current().Version, File: filepath.Join(dir, publish.ReleaseFile(per.String())), Filings: rel.Current().Filings})
	return nil
}
