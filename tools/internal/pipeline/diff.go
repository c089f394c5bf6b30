package pipeline

import (
	"context"
	"errors"
	"fmt"

	"github.com/chicago-welcoming-city/transparency/tools/internal/publish"
)

// Review is what a delivery would change in what is published.
type Review struct {
	Against string // what it is compared with: "data/current" or a delivery
	// Revising names the released period the delivery changes, when it
	// changes exactly one: the review then shows what wco revise would
	// publish for it.
	Revising string
	Changes  []publish.FigureChange
}

// Diff compares what the delivery would publish (Options.Source) with what
// is in place in data/current, or, when against names a delivery, with
// what that delivery would publish. Only published figures are compared.
// A delivery that changes one released period is shown as its revision;
// one that changes several fails, naming them.
func (p *Pipeline) Diff(ctx context.Context, against string) (*Review, error) {
	rev := &Review{Against: "data/current"}
	var old []publish.ExportTables
	if against == "" {
		tables, err := publish.LoadTables(p.Site().Current())
		if err != nil {
			return nil, fmt.Errorf("read what is in place: %w (publish or build first, or compare with --against DELIVERY)", err)
		}
		old = tables
	} else {
		o := p.opt
		o.Source = against
		pub, _, err := New(p.cfg, o).publicationOrRevision(ctx)
		if err != nil {
			return nil, fmt.Errorf("the delivery to compare with, %s: %w", against, err)
		}
		rev.Against, old = against, pub.Exports
	}
	pub, revising, err := p.publicationOrRevision(ctx)
	if err != nil {
		return nil, err
	}
	rev.Revising, rev.Changes = revising, publish.Diff(old, pub.Exports)
	return rev, nil
}

// publicationOrRevision is the publication of the delivery or, when it
// changes exactly one released period, of that period's revision.
func (p *Pipeline) publicationOrRevision(ctx context.Context) (*publish.Publication, string, error) {
	opt, err := p.PublishOptions(ctx)
	if err != nil {
		return nil, "", err
	}
	pub, err := p.Publication(ctx, opt)
	var changed *publish.ReleasedChangedError
	switch {
	case err == nil:
		return pub, "", nil
	case !errors.As(err, &changed) || len(changed.Periods) != 1:
		return nil, "", err
	}
	opt.Revising = changed.Periods[0]
	pub, err = p.Publication(ctx, opt)
	return pub, opt.Revising, err
}
