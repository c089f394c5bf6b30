package publish

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
)

// This file turns counts into tables: the periods an export publishes,
// the breakdowns each publishes (the plan), the nightly figures of a
// period not released, and a version about to be released with its true
// counts (a draft, which protect.go then protects).

// periodSpec is one period of an export's tables.
type periodSpec struct {
	key         string
	kind        string
	year, q     int
	quarters    []period.Quarter
	provisional bool
	// asOf is the last day an open quarter counts (its months that have
	// ended); empty when none has.
	asOf string
	c    *counts // what the period publishes
}

// from is the first quarter an export's tables cover: its first quarter
// with records, or the first it reports (the rule's, or the one
// configured for the system's history), if later.
func (c *Counted) from(a *aggregate) period.Quarter {
	from := c.first
	if a.since != (period.Quarter{}) && from.Before(a.since) {
		from = a.since
	}
	return from
}

// statutory is the clause that requires figure in period s, or "": a rule
// requires nothing of the periods before it began, which a system's
// history may publish (params.exports.<export>.first_quarter), protected.
func (a *aggregate) statutory(figure string, s periodSpec) string {
	if a.ruleFrom != (period.Quarter{}) && s.quarters[0].Before(a.ruleFrom) {
		return ""
	}
	return a.policy.statutory(figure, s.kind)
}

// specs lists an export's periods: quarters from the first the export
// covers to the open one, then the complete years it covers from January.
func (c *Counted) specs(a *aggregate) []periodSpec {
	from := c.from(a)
	var specs []periodSpec
	for _, q := range period.Range(from, c.last) {
		sp := periodSpec{key: q.String(), kind: KindQuarter, year: q.Year, q: q.Q, quarters: []period.Quarter{q}, c: a.sum([]period.Quarter{q})}
		if q == c.last {
			// The open quarter counts the months that have ended, so
			// that its figures change once a month, not every night.
			sp.provisional = true
			cut := monthOf(c.AsOf)
			sp.c = a.through(q, cut)
			if end := cut.start().AddDate(0, 0, -1); !end.Before(q.Start()) {
				sp.asOf = end.Format(time.DateOnly)
			}
		}
		specs = append(specs, sp)
	}
	for _, y := range c.years {
		qs := period.Range(period.Quarter{Year: y.Year, Q: 1}, period.Quarter{Year: y.Year, Q: 4})
		if qs[0].Before(from) {
			continue // the export was not kept for the whole year
		}
		specs = append(specs, periodSpec{key: period.Year(y.Year).String(), kind: KindYear, year: y.Year, quarters: qs, c: a.sum(qs)})
	}
	return specs
}

// spec is the spec of one period of an export, if the export has it.
func (c *Counted) spec(a *aggregate, key string) (periodSpec, bool) {
	for _, s := range c.specs(a) {
		if s.key == key {
			return s, true
		}
	}
	return periodSpec{}, false
}

// plan is one breakdown a period publishes: which dimension, how its
// values are laid out, and whether a rule requires it.
type plan struct {
	dim      int // index in the aggregate's dimensions
	d        Dimension
	lay      layout
	clause   string // the rule requiring it: exact
	grouping string
	minBase  int
}

// plans lists, in catalog order, the breakdowns period s publishes: the
// statutory figures of its kind and the protected dimensions published in
// it.
func (a *aggregate) plans(s periodSpec, opt Options) ([]plan, error) {
	var out []plan
	for i, d := range a.dims {
		if !a.pubDims[i] || !slices.Contains(a.policy.kinds(d.ID, opt.Threshold), s.kind) {
			continue
		}
		if clause := a.statutory(d.ID, s); clause != "" {
			p, _ := a.plan(i, clause, "", opt)
			out = append(out, p)
			continue
		}
		bp := a.policy.breakdown(d.ID, opt.Threshold)
		p, err := a.plan(i, "", bp.Grouping, opt)
		if err != nil {
			return nil, err
		}
		p.minBase = bp.MinBase
		out = append(out, p)
	}
	return out, nil
}

// plansOf lists the breakdowns of a released version, as it has them.
func (a *aggregate) plansOf(p Period, opt Options) ([]plan, error) {
	var out []plan
	for _, b := range p.Breakdowns {
		i := slices.IndexFunc(a.dims, func(d Dimension) bool { return d.ID == b.Dimension })
		if i < 0 {
			return nil, fmt.Errorf("released %s has a breakdown %s the catalog no longer has", p.Period, b.Dimension)
		}
		pl, err := a.plan(i, b.Clause, b.Grouping, opt)
		if err != nil {
			return nil, err
		}
		out = append(out, pl)
	}
	return out, nil
}

func (a *aggregate) plan(i int, clause, grouping string, opt Options) (plan, error) {
	p := plan{dim: i, d: a.dims[i], clause: clause, grouping: grouping, minBase: opt.Threshold}
	var g *Grouping
	if grouping != "" {
		gr, ok := opt.Groupings[grouping]
		if !ok {
			return p, fmt.Errorf("no grouping %q in params.groupings", grouping)
		}
		g = &gr
	}
	p.lay = layoutOf(p.d, g)
	return p, nil
}

// group is how many records a breakdown describes in counts c: the
// period's, or for a breakdown a link ties to part of them, that part
// (State's Attorney status describes the referred incidents, force types
// those with force).
func (a *aggregate) group(p plan, c *counts) int {
	for _, l := range p.d.Links {
		j := slices.IndexFunc(a.dims, func(d Dimension) bool { return d.ID == l.Dimension })
		if j < 0 || l.AtLeast {
			continue // at least: the breakdown describes every record
		}
		n := 0
		for _, v := range l.Values {
			n += c.dims[j][a.index[j][v]]
		}
		if l.Bound {
			return n
		}
		return c.total - c.dims[p.dim][a.index[p.dim][l.Value]]
	}
	return c.total
}

// rule is the legal rule a period's tables answer: the export's first rule
// for quarters (the ordinance's quarterly report, or the order), its last
// for calendar years (the state's annual reports).
func (a *aggregate) rule(kind string) string {
	if kind == KindYear {
		return a.export.Rules[len(a.export.Rules)-1]
	}
	return a.export.Rules[0]
}

// shell is a period's table before any count: its identity and rule.
func (a *aggregate) shell(s periodSpec) Period {
	return Period{Period: s.key, Kind: s.kind, Year: s.year, Quarter: s.q, Provisional: s.provisional, Rule: a.rule(s.kind), AsOf: s.asOf, Breakdowns: []Breakdown{}, Figures: []Figure{}}
}

func published(n int) Count { return Count{Count: &n, Status: Published} }

// nightly is the table a nightly build publishes of a period not
// released: the figures a rule requires, exactly, for a closed period; the
// count so far of an open quarter, suppressed from 1 to k−1; every other
// breakdown withheld until the period is released (or, open, until it
// ends). Nothing in it is protected: there is nothing to protect.
func (a *aggregate) nightly(s periodSpec, opt Options) (Period, error) {
	p := a.shell(s)
	plans, err := a.plans(s, opt)
	if err != nil {
		return p, err
	}
	counted := !s.provisional || s.asOf != ""
	switch clause := a.statutory(TotalFigure, s); {
	case !counted:
		p.Total = Count{Status: NotApplicable}
	case s.provisional && s.c.total > 0 && s.c.total < opt.Threshold:
		p.Total = Count{Status: Suppressed}
	case !s.provisional && clause != "":
		p.Total, p.TotalClause = published(s.c.total), clause
	case s.provisional:
		p.Total = published(s.c.total)
	default:
		// No rule requires the total: it waits for the release.
		p.Total = Count{Status: Withheld}
	}
	for _, pl := range plans {
		b := Breakdown{Dimension: pl.d.ID, Multi: pl.d.Multi, Context: pl.d.Context, Grouping: pl.grouping}
		switch {
		case s.provisional:
			b.Withheld = WithheldProvisional
		case pl.clause == "":
			b.Withheld = WithheldUnreleased
		default:
			b.Clause = pl.clause
		}
		for j, n := range pl.lay.count(s.c.dims[pl.dim]) {
			c := Count{Status: Withheld}
			if b.Withheld == "" {
				c = published(n)
			}
			b.Cells = append(b.Cells, Cell{Value: pl.lay.values[j], Count: c})
		}
		p.Breakdowns = append(p.Breakdowns, b)
	}
	p.Figures = a.figures(s, p, 0, opt)
	return p, nil
}

// draft is version v of period s with its true counts, before protection:
// the figures a rule requires, exact; each protected breakdown of a group
// of 1 to min_base−1 records withheld whole (a zero would say that none of
// those few has the value); every other count shown, for the protection
// to hide what it must.
func (a *aggregate) draft(s periodSpec, version int, opt Options) (*table, error) {
	p := a.shell(s)
	p.Provisional = false
	plans, err := a.plans(s, opt)
	if err != nil {
		return nil, err
	}
	t := &table{version: version, truth: map[string]int{"": s.c.total}}
	p.Total = published(s.c.total)
	p.TotalClause = a.statutory(TotalFigure, s)
	for _, pl := range plans {
		b := Breakdown{Dimension: pl.d.ID, Multi: pl.d.Multi, Context: pl.d.Context, Grouping: pl.grouping, Clause: pl.clause}
		if g := a.group(pl, s.c); pl.clause == "" && g > 0 && g < pl.minBase {
			b.Withheld = WithheldSmallGroup
		}
		for j, n := range pl.lay.count(s.c.dims[pl.dim]) {
			v := pl.lay.values[j]
			t.truth[cellID(pl.d.ID, v)] = n
			c := published(n)
			if b.Withheld != "" {
				c = Count{Status: Withheld}
			}
			b.Cells = append(b.Cells, Cell{Value: v, Count: c})
		}
		p.Breakdowns = append(p.Breakdowns, b)
	}
	t.Period = p
	return t, nil
}

// figures are a period's measures. A share is published only as the
// share of two figures a rule requires exactly (it is then exact too):
// a share of a protected count would give the count away, within
// rounding. A median is published only for a calendar year, in the year's
// first version, when the records it is taken over are at least k and
// their number is itself exact (see medianBase): no other version and no
// quarter publishes one, so no comparison of medians, or of a median's
// status with exact counts, can tell anything of the records a revision
// added. version is 0 for the nightly figures of a period not released.
func (a *aggregate) figures(s periodSpec, p Period, version int, opt Options) []Figure {
	var out []Figure
	counted := p.Total.Status != NotApplicable
	for mi, m := range a.measures {
		if !a.pubMeasures[mi] {
			continue
		}
		f := Figure{Measure: m.ID, Unit: m.Unit, Status: NotApplicable}
		// hide says why the figure is not shown.
		hide := func(why string) { f.Status, f.Reason = Suppressed, why }
		switch {
		case !counted:
			f.Reason = ReasonNotCounted
		case s.c.total == 0:
			// No records: nothing to take a share or median of.
		case m.days != nil:
			med, _ := median(s.c.hist[mi])
			base, exact := a.medianBase(m, s)
			switch {
			case s.kind != KindYear:
				f.Reason = ReasonYearsOnly
			case version == 0:
				hide(WithheldUnreleased)
			case version > 1:
				hide(WithheldRevision)
			case exact && base >= opt.Threshold:
				f.Value, f.Status, f.Reason = &med, Published, ""
			default:
				hide(ReasonPrivacy)
			}
		default:
			i := slices.IndexFunc(p.Breakdowns, func(b Breakdown) bool { return b.Dimension == m.Dimension })
			if i < 0 {
				continue // its breakdown is not published in this period
			}
			b := p.Breakdowns[i]
			j := slices.IndexFunc(b.Cells, func(c Cell) bool { return c.Value == m.Value })
			switch {
			case p.TotalClause != "" && b.Clause != "" && b.Withheld == "" && j >= 0 && b.Cells[j].Count.Count != nil:
				f.Value, f.Status, f.Reason = share(*b.Cells[j].Count.Count, s.c.total), Published, ""
			case s.provisional:
				hide(WithheldProvisional)
			case b.Withheld != "":
				hide(b.Withheld)
			default:
				hide(ReasonPrivacy)
			}
		}
		out = append(out, f)
	}
	return out
}

// medianBase is how many records a median of period s is taken over, as
// the exact counts of its base's values give it, and whether those counts
// are published exactly in s: only then does whether the median is shown
// tell nothing a reader does not know.
func (a *aggregate) medianBase(m Measure, s periodSpec) (int, bool) {
	j := slices.IndexFunc(a.dims, func(d Dimension) bool { return d.ID == m.Base })
	if j < 0 || a.statutory(m.Base, s) == "" {
		return 0, false
	}
	n := 0
	for _, v := range m.BaseValues {
		n += s.c.dims[j][a.index[j][v]]
	}
	return n, true
}

// share is n of total as a percentage to one decimal.
func share(n, total int) *float64 {
	v := math.Round(1000*float64(n)/float64(total)) / 10
	return &v
}
