package publish

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
)

// Policy is the allow-list: per export, the figures a rule requires
// (published exactly), the breakdowns and measures that may be published
// besides (protected), and how each protected breakdown is coarsened
// before anything in it is suppressed. Anything not listed is not
// computed.
type Policy map[string]ExportPolicy

// ExportPolicy lists what may be published of one export.
type ExportPolicy struct {
	// Statutory are the figures a rule requires, each with its clause:
	// published exactly, never suppressed, for every closed quarter and
	// calendar year its Periods name.
	Statutory []Statutory `mapstructure:"statutory"`
	// Dimensions are every breakdown that may be published, the
	// statutory ones included.
	Dimensions []string `mapstructure:"dimensions"`
	// Breakdowns say, per protected dimension, in which periods it is
	// published, how its values are grouped and on how few records it is
	// not published at all.
	Breakdowns map[string]BreakdownPolicy `mapstructure:"breakdowns"`
	Measures   []string                   `mapstructure:"measures"`
}

// Statutory is one figure a rule requires: an export's total ("total") or
// one of its breakdowns, with the clause that requires it.
type Statutory struct {
	Figure  string   `mapstructure:"figure"`
	Clause  string   `mapstructure:"clause"`
	Periods []string `mapstructure:"periods"` // quarter, year; both when empty
}

// BreakdownPolicy is how one protected breakdown is published.
type BreakdownPolicy struct {
	// Period is quarter (the default: quarters and years) or year (years
	// only: fewer, larger groups, and no quarter to subtract).
	Period string `mapstructure:"period"`
	// Grouping names a grouping in params.groupings that merges the
	// dimension's values (districts into police areas, small categories
	// into one) before counting.
	Grouping string `mapstructure:"grouping"`
	// MinBase is the fewest records of a period (or of the group a
	// linked breakdown describes) for the breakdown to be published; 0
	// means the disclosure threshold, which is also the least allowed.
	MinBase int `mapstructure:"min_base"`
}

// Groupings are the named groupings of values, params.groupings.
type Groupings map[string]Grouping

// Grouping merges values of a dimension into groups: each group is
// published as one value; values in no group stay as they are.
type Grouping struct {
	// Dimension is the catalog dimension the grouping applies to, in any
	// export that has it (district).
	Dimension string `mapstructure:"dimension"`
	// Source says where the groups come from, for the methodology page.
	Source string `mapstructure:"source"`
	// Confirmed is false while the groups are not checked against their
	// primary source: the methodology page says so.
	Confirmed bool    `mapstructure:"confirmed"`
	Groups    []Group `mapstructure:"groups"`
}

// Group is one value of a grouping and the dimension values it holds.
type Group struct {
	Value  string   `mapstructure:"value"`
	Values []string `mapstructure:"values"`
}

// Statutory periods.
const (
	KindQuarter = "quarter"
	KindYear    = "year"
)

// TotalFigure names an export's total in a statutory list.
const TotalFigure = "total"

var groupValue = regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,39}$`)

// statutory returns the clause that requires figure in periods of kind,
// or "".
func (ep ExportPolicy) statutory(figure, kind string) string {
	for _, s := range ep.Statutory {
		if s.Figure == figure && (len(s.Periods) == 0 || slices.Contains(s.Periods, kind)) {
			return s.Clause
		}
	}
	return ""
}

// exactShare reports whether share m is of two figures published exactly
// in some kind of period.
func (ep ExportPolicy) exactShare(m Measure) bool {
	for _, kind := range []string{KindQuarter, KindYear} {
		if ep.statutory(m.Dimension, kind) != "" && ep.statutory(TotalFigure, kind) != "" {
			return true
		}
	}
	return false
}

// kinds lists the kinds of period a published dimension is tabulated in:
// the periods of its statutory entries, when a rule requires it; else
// quarters and years, or years alone for a breakdown published by year.
func (ep ExportPolicy) kinds(dim string, k int) []string {
	var out []string
	for _, s := range ep.Statutory {
		if s.Figure != dim {
			continue
		}
		for _, kind := range []string{KindQuarter, KindYear} {
			if (len(s.Periods) == 0 || slices.Contains(s.Periods, kind)) && !slices.Contains(out, kind) {
				out = append(out, kind)
			}
		}
	}
	switch {
	case out != nil:
		slices.SortFunc(out, func(a, b string) int { return strings.Compare(b, a) }) // quarter, year
		return out
	case ep.breakdown(dim, k).Period == KindYear:
		return []string{KindYear}
	}
	return []string{KindQuarter, KindYear}
}

// breakdown returns the policy of a protected dimension, with defaults.
func (ep ExportPolicy) breakdown(id string, k int) BreakdownPolicy {
	b := ep.Breakdowns[id]
	if b.Period == "" {
		b.Period = KindQuarter
	}
	b.MinBase = max(b.MinBase, k)
	return b
}

// Validate checks every name against the catalog and the groupings: a
// statutory figure is the total or a listed dimension, not grouped; a
// share needs the dimension of its numerator published, since the share
// reveals it; a grouping covers values of its dimension, each once.
func (p Policy) Validate(groupings Groupings) error {
	var errs []error
	for _, name := range sortedKeys(groupings) {
		errs = append(errs, groupings[name].validate(name))
	}
	for _, export := range sortedKeys(p) {
		ep := p[export]
		where := "params.publication." + export
		if _, err := contract.Lookup(export); err != nil {
			errs = append(errs, fmt.Errorf("%s: the contract has no such export", where))
			continue
		}
		for _, id := range ep.Dimensions {
			if _, ok := LookupDimension(export, id); !ok {
				errs = append(errs, fmt.Errorf("%s.dimensions: %q is not a dimension the toolkit knows", where, id))
			}
		}
		seen := map[string]bool{}
		for i, s := range ep.Statutory {
			at := fmt.Sprintf("%s.statutory[%d]", where, i)
			switch {
			case strings.TrimSpace(s.Clause) == "":
				errs = append(errs, fmt.Errorf("%s (%s): name the clause that requires it", at, s.Figure))
			case s.Figure != TotalFigure && !slices.Contains(ep.Dimensions, s.Figure):
				errs = append(errs, fmt.Errorf("%s: %q is neither total nor a dimension listed in dimensions", at, s.Figure))
			case seen[s.Figure]:
				errs = append(errs, fmt.Errorf("%s: %s is listed twice", at, s.Figure))
			}
			seen[s.Figure] = true
			for _, k := range s.Periods {
				if k != KindQuarter && k != KindYear {
					errs = append(errs, fmt.Errorf("%s.periods: %q: use quarter or year", at, k))
				}
			}
			if _, grouped := ep.Breakdowns[s.Figure]; grouped {
				errs = append(errs, fmt.Errorf("%s.breakdowns.%s: a statutory figure is published as the rule words it, so it takes no breakdown settings", where, s.Figure))
			}
		}
		for _, id := range sortedKeys(ep.Breakdowns) {
			b := ep.Breakdowns[id]
			at := fmt.Sprintf("%s.breakdowns.%s", where, id)
			d, ok := LookupDimension(export, id)
			if !ok || !slices.Contains(ep.Dimensions, id) {
				errs = append(errs, fmt.Errorf("%s: %q is not a dimension listed in dimensions", at, id))
				continue
			}
			if b.Period != "" && b.Period != KindQuarter && b.Period != KindYear {
				errs = append(errs, fmt.Errorf("%s.period: %q: use quarter or year", at, b.Period))
			}
			if b.MinBase < 0 {
				errs = append(errs, fmt.Errorf("%s.min_base: it must be 0 (the threshold) or more", at))
			}
			if b.Grouping == "" {
				continue
			}
			g, ok := groupings[b.Grouping]
			switch {
			case !ok:
				errs = append(errs, fmt.Errorf("%s.grouping: no grouping %q in params.groupings", at, b.Grouping))
			case g.Dimension != id:
				errs = append(errs, fmt.Errorf("%s.grouping: %s groups %s, not %s", at, b.Grouping, g.Dimension, id))
			case d.Multi:
				errs = append(errs, fmt.Errorf("%s.grouping: a record may count under several %s values, so its values cannot be added into groups", at, id))
			default:
				errs = append(errs, g.fits(b.Grouping, d))
			}
		}
		for _, id := range ep.Measures {
			m, ok := LookupMeasure(export, id)
			switch {
			case !ok:
				errs = append(errs, fmt.Errorf("%s.measures: %q is not a measure the toolkit knows", where, id))
			case m.Dimension != "" && !slices.Contains(ep.Dimensions, m.Dimension):
				errs = append(errs, fmt.Errorf("%s.measures: %s reveals the %s counts, so %s must be listed in dimensions too", where, id, m.Dimension, m.Dimension))
			case m.Dimension != "" && ep.Breakdowns[m.Dimension].Grouping != "":
				errs = append(errs, fmt.Errorf("%s.measures: %s counts %s=%s, which the grouping of %s hides", where, id, m.Dimension, m.Value, m.Dimension))
			case m.Dimension != "" && !ep.exactShare(m):
				errs = append(errs, fmt.Errorf("%s.measures: %s is the share of %s=%s in the total; a share is published only of two figures a rule requires exactly, since a share of a protected count gives the count away: list %s and total among statutory for the same periods, or drop the measure", where, id, m.Dimension, m.Value, m.Dimension))
			case m.Base != "" && ep.statutory(m.Base, KindYear) == "":
				errs = append(errs, fmt.Errorf("%s.measures: %s is published for calendar years only, when the records it is taken over (%s %s) are counted exactly, so that whether it is shown tells nothing; list %s among statutory for years, or drop the measure", where, id, m.Base, strings.Join(m.BaseValues, " and "), m.Base))
			}
		}
	}
	return errors.Join(errs...)
}

func (g Grouping) validate(name string) error {
	var errs []error
	at := "params.groupings." + name
	if strings.TrimSpace(g.Source) == "" {
		errs = append(errs, fmt.Errorf("%s.source: say where the groups come from", at))
	}
	if len(g.Groups) == 0 {
		errs = append(errs, fmt.Errorf("%s.groups: list at least one group", at))
	}
	found := false
	for _, d := range dimensions {
		found = found || d.ID == g.Dimension
	}
	if !found {
		errs = append(errs, fmt.Errorf("%s.dimension: %q is not a dimension the toolkit knows", at, g.Dimension))
	}
	for i, gr := range g.Groups {
		if !groupValue.MatchString(gr.Value) {
			errs = append(errs, fmt.Errorf("%s.groups[%d].value: %q: use capitals, digits and _, such as AREA_1", at, i, gr.Value))
		}
		if len(gr.Values) == 0 {
			errs = append(errs, fmt.Errorf("%s.groups[%d] (%s): list the values it holds", at, i, gr.Value))
		}
	}
	return errors.Join(errs...)
}

// fits checks a grouping against the dimension it is used on: every value
// it lists is a value of d, listed once, and a group's name is not another
// value of d.
func (g Grouping) fits(name string, d Dimension) error {
	var errs []error
	in := map[string]string{}
	for _, gr := range g.Groups {
		for _, v := range gr.Values {
			switch {
			case !slices.Contains(d.Values, v):
				errs = append(errs, fmt.Errorf("params.groupings.%s: %s has no value %q (values: %s)", name, d.Export+"."+d.ID, v, strings.Join(d.Values, ", ")))
			case in[v] != "":
				errs = append(errs, fmt.Errorf("params.groupings.%s: %q is in both %s and %s", name, v, in[v], gr.Value))
			}
			in[v] = gr.Value
		}
	}
	for _, gr := range g.Groups {
		if slices.Contains(d.Values, gr.Value) && in[gr.Value] != gr.Value {
			errs = append(errs, fmt.Errorf("params.groupings.%s: group %s is also a value of %s outside the group", name, gr.Value, d.ID))
		}
	}
	return errors.Join(errs...)
}

// layout is how a breakdown's values are published: the published values
// in order, and for each catalog value the position it counts under.
type layout struct {
	values []string
	at     []int // catalog value index → published value index
}

// layoutOf lays out dimension d under grouping g (nil: as it is). The
// groups come in their configured order where the first grouped value
// would have been; values in no group keep their place.
func layoutOf(d Dimension, g *Grouping) layout {
	var l layout
	if g == nil {
		l.values = slices.Clone(d.Values)
		for i := range d.Values {
			l.at = append(l.at, i)
		}
		return l
	}
	group := map[string]int{}
	for i, gr := range g.Groups {
		for _, v := range gr.Values {
			group[v] = i
		}
	}
	first := -1
	for _, v := range d.Values {
		gi, grouped := group[v]
		switch {
		case !grouped:
			l.at = append(l.at, len(l.values))
			l.values = append(l.values, v)
		default:
			if first < 0 {
				first = len(l.values)
				for _, gr := range g.Groups {
					l.values = append(l.values, gr.Value)
				}
			}
			l.at = append(l.at, first+gi)
		}
	}
	return l
}

// count adds catalog counts into the layout's values.
func (l layout) count(raw []int) []int {
	out := make([]int, len(l.values))
	for i, n := range raw {
		out[l.at[i]] += n
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
