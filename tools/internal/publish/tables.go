package publish

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/disclosure"
	"github.com/chicago-welcoming-city/transparency/tools/internal/filing"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
)

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
	// releasable: the period's protected breakdowns may be computed now —
	// wco release or revise is freezing it, or it is the sample's and
	// past its due date.
	releasable bool
	c          *counts // what the period publishes
	all        *counts // every record of the period, for its fingerprint
}

// specs lists the export's periods: quarters from the first the export
// covers to the last, then the complete years it covers from January.
func (a *aggregate) specs(from, last period.Quarter, years []YearInfo, asOf time.Time, sample bool, opt Options) []periodSpec {
	releasable := func(key string, due time.Time) bool {
		return slices.Contains(opt.Releasing, key) || slices.Contains(opt.Revised(), key) || (sample && !asOf.Before(due))
	}
	due := func(q period.Quarter) time.Time { return q.End().AddDate(0, 0, opt.DaysAfterQuarter) }
	var specs []periodSpec
	for _, q := range period.Range(from, last) {
		all := a.sum([]period.Quarter{q})
		sp := periodSpec{key: q.String(), kind: KindQuarter, year: q.Year, q: q.Q, quarters: []period.Quarter{q}, c: all, all: all, releasable: releasable(q.String(), due(q))}
		if q == last {
			// The open quarter counts the months that have ended, so
			// that its figures change once a month, not every night.
			sp.provisional, sp.releasable = true, false
			cut := monthOf(asOf)
			sp.c = a.through(q, cut)
			if end := cut.start().AddDate(0, 0, -1); !end.Before(q.Start()) {
				sp.asOf = end.Format(time.DateOnly)
			}
		}
		specs = append(specs, sp)
	}
	for _, y := range years {
		qs := period.Range(period.Quarter{Year: y.Year, Q: 1}, period.Quarter{Year: y.Year, Q: 4})
		if qs[0].Before(from) {
			continue // the export was not kept for the whole year
		}
		c := a.sum(qs)
		key := period.Year(y.Year).String()
		specs = append(specs, periodSpec{key: key, kind: KindYear, year: y.Year, quarters: qs, c: c, all: c, releasable: releasable(key, due(qs[3]))})
	}
	return specs
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

// plans lists the breakdowns of a period: for a released one, exactly
// those it was released with; otherwise, in catalog order, the statutory
// figures of its kind and the protected dimensions published in it.
func (a *aggregate) plans(kind string, f *Frozen, opt Options) ([]plan, error) {
	var out []plan
	if f != nil {
		for _, b := range f.Period.Breakdowns {
			i := slices.IndexFunc(a.dims, func(d Dimension) bool { return d.ID == b.Dimension })
			if i < 0 {
				return nil, fmt.Errorf("released %s has a breakdown %s the catalog no longer has", f.Period.Period, b.Dimension)
			}
			p, err := a.plan(i, b.Clause, b.Grouping, opt)
			if err != nil {
				return nil, err
			}
			var values []string
			for _, c := range b.Cells {
				values = append(values, c.Value)
			}
			if !slices.Equal(values, p.lay.values) {
				return nil, fmt.Errorf("released %s: the values of %s (grouping %q) are not those it was released with; revise the period", f.Period.Period, b.Dimension, b.Grouping)
			}
			out = append(out, p)
		}
		return out, nil
	}
	for i, d := range a.dims {
		if !a.pubDims[i] || !slices.Contains(a.policy.kinds(d.ID, opt.Threshold), kind) {
			continue
		}
		if clause := a.policy.statutory(d.ID, kind); clause != "" {
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
		if j < 0 {
			continue
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

// tables builds the export's cells and relations, protects them and turns
// them into its data file.
//
// A statutory figure is exact: never suppressed, and taken as known in
// the protection of everything else. A protected breakdown is published
// only for a released period (so that no night-to-night difference can
// isolate a record) whose group is at least its minimum base; otherwise it
// is withheld whole, zeros included. A released period keeps exactly what
// was released. A period being revised keeps hidden everything any of its
// versions hid, and withholds a breakdown the revision changes by fewer
// records than the threshold.
func (a *aggregate) tables(meta Meta, specs []periodSpec, filings map[string]*filing.Filing, opt Options) (ExportTables, *disclosure.System, error) {
	k := opt.Threshold
	sys := &disclosure.System{}
	key := func(p, dim, value string) string { return CellKey(a.export.Name, p, dim, value) }
	bkey := func(p, dim string) string { return p + "\x00" + dim }
	frozen := map[string]*Frozen{}
	prior := map[string]*Period{} // a revised period's version in force
	suppressed := map[string]bool{}
	withheld := map[string]string{} // bkey → why
	for _, sp := range specs {
		r := opt.Releases[sp.key]
		if r == nil {
			continue
		}
		f, ok := r.Current().Frozen(a.export.Name)
		if !ok {
			continue
		}
		versions := []Version{r.Current()}
		if slices.Contains(opt.Revised(), sp.key) {
			versions = r.Versions
			prior[sp.key] = &f.Period
		} else {
			frozen[sp.key] = &f
		}
		for _, v := range versions {
			old, ok := v.Frozen(a.export.Name)
			if !ok {
				continue
			}
			for _, b := range old.Period.Breakdowns {
				if b.Withheld != "" && withheld[bkey(sp.key, b.Dimension)] == "" {
					withheld[bkey(sp.key, b.Dimension)] = b.Withheld
				}
			}
			forEachCount(old.Period, func(dim, value string, c Count) {
				if hidden(c.Status) {
					suppressed[key(sp.key, dim, value)] = true
				}
			})
		}
	}

	plans := map[string][]plan{}
	owner := map[int]string{} // cell → the breakdown (bkey) it is in
	var shapes []Period
	for _, s := range specs {
		f := frozen[s.key]
		ps, err := a.plans(s.kind, f, opt)
		if err != nil {
			return ExportTables{}, nil, err
		}
		plans[s.key] = ps
		if s.provisional && s.asOf == "" {
			continue // nothing counted yet: no cells
		}
		for _, p := range ps {
			bk := bkey(s.key, p.d.ID)
			switch {
			case f != nil:
			case s.provisional:
				withheld[bk] = WithheldProvisional
			case p.clause != "":
				delete(withheld, bk) // the rule requires it
			case withheld[bk] != "":
			case !s.releasable:
				withheld[bk] = WithheldUnreleased
			default:
				if g := a.group(p, s.c); g > 0 && g < p.minBase {
					withheld[bk] = WithheldSmallGroup
				}
			}
		}
		exactTotal := !s.provisional && a.policy.statutory(TotalFigure, s.kind) != ""
		if f != nil {
			exactTotal = f.Period.TotalClause != ""
		}
		tk := key(s.key, "", "")
		sys.Add(disclosure.Cell{Key: tk, Value: s.c.total, Margin: true, Suppressed: suppressed[tk] && !exactTotal, Exact: exactTotal, Frozen: f != nil})
		shape := Period{Period: s.key, Kind: s.kind, Year: s.year}
		for _, p := range ps {
			bk := bkey(s.key, p.d.ID)
			whole := withheld[bk] != ""
			exact := p.clause != "" && !whole
			b := Breakdown{Dimension: p.d.ID, Multi: p.d.Multi}
			for j, n := range p.lay.count(s.c.dims[p.dim]) {
				ck := key(s.key, p.d.ID, p.lay.values[j])
				i := sys.Add(disclosure.Cell{Key: ck, Value: n, Suppressed: (suppressed[ck] && !exact) || whole, MayBeZero: whole, Exact: exact, Frozen: f != nil})
				owner[i] = bk
				b.Cells = append(b.Cells, Cell{Value: p.lay.values[j]})
			}
			shape.Breakdowns = append(shape.Breakdowns, b)
		}
		shapes = append(shapes, shape)
	}
	relate(sys, a.export.Name, shapes)
	for _, p := range sortedKeys(filings) {
		if err := relateFiling(sys, a.export.Name, filings[p]); err != nil {
			return ExportTables{}, nil, err
		}
	}
	if err := sys.Validate(); err != nil {
		return ExportTables{}, nil, fmt.Errorf("the counts do not add up (a bug): %w", err)
	}
	if err := sys.Primary(k); err != nil {
		return ExportTables{}, nil, fmt.Errorf("%w: the threshold now in force is higher than when it was released; publish a revision", err)
	}
	// withhold hides a breakdown whole; it reports whether it could.
	withhold := func(bk, why string) bool {
		if withheld[bk] != "" {
			return false
		}
		var cells []int
		for i, o := range owner {
			if o == bk {
				if sys.Cells[i].Frozen || sys.Cells[i].Exact {
					return false
				}
				cells = append(cells, i)
			}
		}
		for _, i := range cells {
			sys.Withhold(i)
		}
		withheld[bk] = why
		return len(cells) > 0
	}
	for {
		_, err := sys.Protect(k)
		var cp *disclosure.CannotProtectError
		if err == nil {
			break
		}
		if !errors.As(err, &cp) {
			return ExportTables{}, nil, err
		}
		// Exact figures can leave a small count no complement to hide
		// behind (a lone nonzero value of a breakdown whose total is
		// exact): such a breakdown is withheld whole instead.
		//
		// A cell that figures published exactly pin down (a list a
		// published filing gives, with the exact total) is known to every
		// reader: at or above the threshold it is published; below it,
		// publishing that filing would disclose it, and nothing is
		// published.
		progress := false
		for _, f := range cp.Findings {
			c := sys.Cells[f.Cell]
			if f.Width() < 0.5 && c.Value >= k && !c.Frozen && !c.MayBeZero {
				sys.Reveal(f.Cell)
				progress = true
				continue
			}
			progress = withhold(owner[f.Cell], WithheldLinked) || progress
		}
		if !progress {
			if len(filings) > 0 {
				return ExportTables{}, nil, fmt.Errorf("%w\nthe statutory filings the site publishes (params.filings: %s) make these counts known to any reader of the site; publish fewer of them", err, strings.Join(sortedKeys(filingIDs(filings)), ", "))
			}
			return ExportTables{}, nil, err
		}
	}
	count := func(i int) Count {
		c := sys.Cells[i]
		switch {
		case c.Suppressed && c.MayBeZero:
			return Count{Status: Withheld}
		case c.Suppressed:
			return Count{Status: Suppressed}
		}
		v := c.Value
		return Count{Count: &v, Status: Published}
	}
	out := ExportTables{Meta: meta, Export: a.export.Name, Periods: []Period{}}
	for _, s := range specs {
		if f := frozen[s.key]; f != nil {
			p := f.Period
			p.Released, p.Provisional = true, false
			p.Version = opt.Releases[s.key].Current().Version
			p.Revisions = revisions(opt.Releases[s.key])
			out.Periods = append(out.Periods, p)
			continue
		}
		p := Period{Period: s.key, Kind: s.kind, Year: s.year, Quarter: s.q, Provisional: s.provisional, Rule: a.rule(s.kind), AsOf: s.asOf, Breakdowns: []Breakdown{}, Figures: []Figure{}}
		ti, counted := sys.Lookup(key(s.key, "", ""))
		if !counted {
			p.Total = Count{Status: NotApplicable}
		} else {
			p.Total = count(ti)
			if sys.Cells[ti].Exact {
				p.TotalClause = a.policy.statutory(TotalFigure, s.kind)
			}
		}
		for _, pl := range plans[s.key] {
			why := withheld[bkey(s.key, pl.d.ID)]
			if !counted {
				why = WithheldProvisional
			}
			b := Breakdown{Dimension: pl.d.ID, Multi: pl.d.Multi, Context: pl.d.Context, Grouping: pl.grouping, Withheld: why}
			if why == "" {
				b.Clause = pl.clause
			}
			for _, v := range pl.lay.values {
				c := Count{Status: Withheld}
				if ci, ok := sys.Lookup(key(s.key, pl.d.ID, v)); ok {
					c = count(ci)
				}
				b.Cells = append(b.Cells, Cell{Value: v, Count: c})
			}
			p.Breakdowns = append(p.Breakdowns, b)
		}
		for mi, m := range a.measures {
			if !a.pubMeasures[mi] {
				continue
			}
			f := Figure{Measure: m.ID, Unit: m.Unit, Status: NotApplicable}
			switch {
			case m.days != nil:
				med, base := median(s.c.hist[mi])
				// The median's status may not tell a base of 0 from one
				// of 1 to k-1: only a period with no records at all has
				// no median to give.
				switch {
				case !counted || s.c.total == 0:
				case base < k || s.provisional || !s.releasable:
					f.Status = Suppressed
				default:
					f.Value, f.Status = &med, Published
				}
			default:
				num, ok := sys.Lookup(key(s.key, m.Dimension, m.Value))
				if !ok && counted {
					continue // its breakdown is not published in this period
				}
				switch {
				case !counted || s.c.total == 0:
				case sys.Cells[ti].Exact && sys.Cells[num].Exact:
					// Both counts are exact by rule: so is their share.
					f.Value, f.Status = share(sys.Cells[num].Value, s.c.total), Published
				case s.c.total < k || sys.Cells[ti].Suppressed || sys.Cells[num].Suppressed:
					f.Status = Suppressed
				default:
					f.Value, f.Status = share(sys.Cells[num].Value, s.c.total), Published
				}
			}
			p.Figures = append(p.Figures, f)
		}
		if old := prior[s.key]; old != nil {
			// A revision may not show the few records it changes.
			for bi, b := range p.Breakdowns {
				if b.Clause == "" && b.Withheld == "" && len(RevisionSinglesOut(*old, p, b.Dimension, k)) > 0 {
					withhold(bkey(s.key, b.Dimension), WithheldRevision)
					p.Breakdowns[bi].Withheld = WithheldRevision
					for ci := range b.Cells {
						p.Breakdowns[bi].Cells[ci].Count = Count{Status: Withheld}
					}
				}
			}
		}
		if r := opt.Releases[s.key]; r != nil && slices.Contains(opt.Revised(), s.key) {
			p.Released = true
			p.Version = r.Current().Version + 1
		}
		out.Periods = append(out.Periods, p)
	}
	return out, sys, nil
}

// share is n of total as a percentage to one decimal.
func share(n, total int) *float64 {
	v := math.Round(1000*float64(n)/float64(total)) / 10
	return &v
}

// RevisionSinglesOut lists what a reader who compares two versions of a
// period (old, then now) learns of the records the revision changed in
// breakdown dim: each count both versions publish that moved by 1 to k−1,
// and the sum of the counts now hidden, which the totals give in both
// versions, when it moved by 1 to k−1. Such a change describes fewer than
// k records. It reads published numbers only, so the publisher and the
// audit of released versions apply the same rule.
func RevisionSinglesOut(old, now Period, dim string, k int) []string {
	find := func(p Period) (Breakdown, bool) {
		i := slices.IndexFunc(p.Breakdowns, func(b Breakdown) bool { return b.Dimension == dim })
		if i < 0 {
			return Breakdown{}, false
		}
		return p.Breakdowns[i], true
	}
	ob, ok1 := find(old)
	nb, ok2 := find(now)
	if !ok1 || !ok2 || ob.Withheld != "" || nb.Withheld != "" || nb.Clause != "" {
		return nil
	}
	small := func(d int) bool { d = max(d, -d); return d > 0 && d < k }
	before := map[string]Count{}
	for _, c := range ob.Cells {
		before[c.Value] = c.Count
	}
	var out []string
	hiddenSum, hiddenAny := 0, false // over the cells now hidden, old values
	if old.Total.Count != nil {
		hiddenSum = *old.Total.Count
	}
	nowHidden := 0
	if now.Total.Count != nil {
		nowHidden = *now.Total.Count
	}
	for _, c := range nb.Cells {
		o := before[c.Value]
		switch {
		case c.Count.Count == nil:
			hiddenAny = true
		case o.Count == nil:
			// Shown now, hidden before: the carry-over forbids it, and a
			// change from an unknown value says nothing here.
			out = append(out, fmt.Sprintf("%s=%s is shown after being hidden", dim, c.Value))
		default:
			if small(*c.Count.Count - *o.Count) {
				out = append(out, fmt.Sprintf("%s=%s moved from %d to %d", dim, c.Value, *o.Count, *c.Count.Count))
			}
			hiddenSum -= *o.Count
			nowHidden -= *c.Count.Count
		}
	}
	if hiddenAny && !nb.Multi && old.Total.Count != nil && now.Total.Count != nil && small(nowHidden-hiddenSum) {
		out = append(out, fmt.Sprintf("the hidden %s counts together moved from %d to %d", dim, hiddenSum, nowHidden))
	}
	return out
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
