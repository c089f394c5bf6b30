package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v3"

	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
	"github.com/chicago-welcoming-city/transparency/tools/internal/publish"
)

// Review is what a delivery would change in what is published.
type Review struct {
	Against string // what it is compared with: "data/current" or a delivery
	Changes []publish.FigureChange
	// Pending are the released periods the delivery no longer matches:
	// their versions in force stay published.
	Pending []publish.Pending
	// Revision is what revising every pending period (wco revise) would
	// change in what the delivery publishes.
	Revision []publish.FigureChange
}

// Diff compares what the delivery would publish (Options.Source) with what
// is in place in data/current, or, when against names a delivery, with
// what that delivery would publish. Only published figures are compared.
// Released periods the delivery no longer matches are listed, with what
// revising them would publish.
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
		pub, err := New(p.cfg, o).Publication(ctx)
		if err != nil {
			return nil, fmt.Errorf("the delivery to compare with, %s: %w", against, err)
		}
		rev.Against, old = against, pub.Exports
	}
	pub, err := p.Publication(ctx)
	if err != nil {
		return nil, err
	}
	rev.Changes, rev.Pending = publish.Diff(old, pub.Exports), pub.Index.Pending
	if len(rev.Pending) == 0 {
		return rev, nil
	}
	// What wco revise would publish: every pending period, with its year
	// when that is released.
	history := pub.Releases()
	var set []period.Period
	for _, pd := range rev.Pending {
		per, err := period.ParsePeriod(pd.Period)
		if err != nil {
			return nil, err
		}
		for _, x := range []period.Period{per, per.YearOf()} {
			if history[x.String()] != nil && !contains(set, x) {
				set = append(set, x)
			}
		}
	}
	d, err := p.Open(ctx)
	if err != nil {
		return nil, err
	}
	c, err := p.count(ctx, d, publish.CountOptions{Prepare: set})
	if err != nil {
		return nil, err
	}
	next, err := c.Freeze(history, set, "a revision, previewed by wco diff", p.now())
	if err != nil {
		return nil, fmt.Errorf("preview the revision of %v: %w", set, err)
	}
	revised, err := c.Publish(next)
	if err != nil {
		return nil, err
	}
	rev.Revision = publish.Diff(pub.Exports, revised.Exports)
	return rev, nil
}

func contains(ps []period.Period, p period.Period) bool {
	for _, x := range ps {
		if x == p {
			return true
		}
	}
	return false
}

// Labels are the site's English interface strings (i18n/en.yaml), with
// which the review names exports and figures as the pages do. A site
// without the file gets none, and the review keeps the codes.
func (p *Pipeline) Labels() (publish.Labels, error) {
	b, err := os.ReadFile(filepath.Join(p.Site().Dir, "i18n", "en.yaml"))
	if errors.Is(err, fs.ErrNotExist) {
		return publish.Labels{}, nil
	}
	if err != nil {
		return nil, err
	}
	var l publish.Labels
	if err := yaml.Unmarshal(b, &l); err != nil {
		return nil, fmt.Errorf("i18n/en.yaml: %w", err)
	}
	return l, nil
}
