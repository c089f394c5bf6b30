// Package publish turns a checked delivery into the public tables the
// ordinance, state law and the 2026 executive order call for, and protects
// every number in them.
//
// A publication is a function of three things: the delivery, the
// published history (every version of every released period, in
// data/releases/) and the policy (params.publication, an allow-list). Its
// jobs each have a file:
//
//   - counting and tables (count.go, aggregate.go, tables.go): one pass over
//     the records counts, per quarter and month, every breakdown the
//     catalog allows; tables lay the counts out per period;
//   - protection over the history (knowledge.go, protect.go): the reader's
//     knowledge is one linear system per export holding every version ever
//     released and the versions about to be, with every relation a reader
//     can derive; protection chooses what to withhold over all of it;
//   - releases and revisions (history.go, release.go): Freeze adds
//     versions to the history; Pending tells which released periods the
//     delivery no longer matches;
//   - the nightly publication (this file): every released period as its
//     version in force, every other period with the figures a rule
//     requires and nothing protected, so that no night's difference from
//     another can tell anything of a record;
//   - downloads and archive (downloads.go, filings.go, changelog.go);
//   - the audit (audit.go): the attacker of the same system, from the
//     published files alone, replaying the history release by release.
//
// Nothing else leaves the package: no column the policy does not list, no
// record, no identifier. The output is JSON data files for Hugo, with
// lowercase-dash names, snake_case keys and a meta block. The same
// delivery, history and settings always give the same bytes.
package publish

import (
	"fmt"
	"slices"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
)

// Publication is everything one run publishes.
type Publication struct {
	Index   Index
	Exports []ExportTables
	// releases are the published history the publication was computed with.
	releases Releases
}

// Releases is the published history the publication shows.
func (p *Publication) Releases() Releases { return p.releases }

// Publish is the publication of the counted delivery with the published
// history: every released period as its version in force, every period
// not released with the figures a rule requires exactly, the open quarter
// with its count so far. It computes no protected count, so it never
// stops for what the data are; the released periods the delivery no
// longer matches are listed in the index as pending revisions.
func (c *Counted) Publish(history Releases) (*Publication, error) {
	pub := &Publication{releases: history, Index: Index{Meta: c.Meta, Notes: slices.Clone(c.notes), Years: []YearInfo{}, Pending: []Pending{}}}
	for _, q := range period.Range(c.first, c.last) {
		pub.Index.Quarters = append(pub.Index.Quarters, QuarterInfo{
			Quarter: q.String(), Slug: q.Slug(), Year: q.Year, Number: q.Q,
			Start: q.Start().Format(time.DateOnly), End: q.End().AddDate(0, 0, -1).Format(time.DateOnly),
			Due: q.Due(c.opt.DaysAfterQuarter).Format(time.DateOnly),
			// The quarter the delivery was exported in had not ended.
			Provisional: q == c.last,
			Released:    history[q.String()] != nil,
		})
	}
	pub.Index.Years = append(pub.Index.Years, c.years...)
	for i := range pub.Index.Years {
		pub.Index.Years[i].Released = history[period.Year(pub.Index.Years[i].Year).String()] != nil
	}
	pending, err := c.Pending(history)
	if err != nil {
		return nil, err
	}
	pub.Index.Pending = append(pub.Index.Pending, pending...)
	for _, e := range contract.Exports() {
		a := c.aggs[e.Name]
		from := c.from(a)
		if c.notReported[e.Name] {
			pub.Exports = append(pub.Exports, ExportTables{Meta: c.Meta, Export: e.Name, Periods: []Period{}})
			pub.Index.Exports = append(pub.Index.Exports, ExportInfo{Name: e.Name, Slug: e.Slug(), Rules: slices.Clone(e.Rules), From: from.String(), Dimensions: []string{}, Measures: []string{}, NotReported: true})
			continue
		}
		t := ExportTables{Meta: c.Meta, Export: e.Name, Periods: []Period{}}
		for _, s := range c.specs(a) {
			if r := history[s.key]; r != nil && !s.provisional {
				if f, ok := r.Current().Frozen(e.Name); ok {
					p := f.Period.clone()
					p.Released, p.Provisional = true, false
					p.Version = r.Current().Version
					p.Revisions = revisions(r)
					annotate(&p)
					if p.Filed, err = filed(e.Name, p, r.Current().Filings); err != nil {
						return nil, err
					}
					t.Periods = append(t.Periods, p)
					continue
				}
			}
			p, err := a.nightly(s, c.opt)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", e.Name, s.key, err)
			}
			annotate(&p)
			if p.Filed, err = filed(e.Name, p, nil); err != nil {
				return nil, err
			}
			t.Periods = append(t.Periods, p)
		}
		pub.Exports = append(pub.Exports, t)
		info := ExportInfo{Name: e.Name, Slug: e.Slug(), Rules: slices.Clone(e.Rules), From: from.String(), Dimensions: []string{}, Measures: []string{}}
		for i, dd := range a.dims {
			if a.pubDims[i] {
				info.Dimensions = append(info.Dimensions, dd.ID)
			}
		}
		for i, m := range a.measures {
			if a.pubMeasures[i] {
				info.Measures = append(info.Measures, m.ID)
			}
		}
		pub.Index.Exports = append(pub.Index.Exports, info)
		// Records dated before the export's reporting began are in no
		// table: the notes say how many, and from when it counts.
		before := 0
		for q, cs := range a.quarters {
			if q.Before(from) {
				before += cs.total
			}
		}
		if before > 0 {
			pub.Index.Notes = append(pub.Index.Notes, Note{Kind: "before_reporting", Export: e.Name, Rows: before, Since: from.Start().Format(time.DateOnly)})
		}
	}
	return pub, nil
}

// revisions lists a release's revision notes, oldest first.
func revisions(r *Release) []Revision {
	var out []Revision
	for _, v := range r.Versions[1:] {
		out = append(out, Revision{Version: v.Version, ExportedAt: v.Delivery.ExportedAt, ReleasedAt: v.ReleasedAt, Reason: v.Reason})
	}
	return out
}
