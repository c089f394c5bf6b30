package publish

import (
	"fmt"
	"slices"
	"strings"

	"github.com/chicago-welcoming-city/transparency/tools/internal/disclosure"
	"github.com/chicago-welcoming-city/transparency/tools/internal/filing"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
)

// This file is the reader's knowledge: one linear system per export that
// holds every version of every period ever released, and the versions
// about to be, with every relation a reader can derive —
//
//   - a breakdown adds up to its period's total (a multi-valued one is
//     bounded by it), and the catalog's links tie breakdowns of a period;
//   - a year version adds up, value by value, the quarter versions it was
//     computed with (Version.Sums);
//   - every published filing lists records of its version, so its lists'
//     lengths and values are exact facts about that version's counts;
//   - two versions of one period differ by a change table: what the later
//     one added and removed. Each of its counts is protected like a count
//     (disclosure.Changed); and where every count can have only grown,
//     the reader may take it that records were only added, so that
//     constraint is in the system too.
//
// The protector (protect.go) and the audit (audit.go) both build it with
// know, from the same tables: the protector with the true counts of what
// it is about to publish, the audit from the published files alone.

// table is one version of one period of one export, as a reader sees it;
// for a version about to be published, with its true counts.
type table struct {
	Period
	version int  // 0: a period not released, published nightly
	frozen  bool // published before: nothing about it may change
	// truth holds the true count of every cell, by cellID, for a version
	// about to be published; nil otherwise.
	truth map[string]int
	// filings are the filings published with the version.
	filings []*filing.Filing
	// sums are, for a year version, the quarter versions it adds up.
	sums []QuarterVersion
}

// QuarterVersion names one version of a quarter.
type QuarterVersion struct {
	Period  string `json:"period"`
	Version int    `json:"version"`
}

// label names the table in keys and findings: "2026-Q3 v1", or "2026-Q3"
// for the nightly figures of a period not released.
func (t *table) label() string { return label(t.Period.Period, t.version) }

func label(p string, version int) string {
	if version == 0 {
		return p
	}
	return fmt.Sprintf("%s v%d", p, version)
}

// cellID names a count within a period: "" for the total, "dim=value".
func cellID(dim, value string) string {
	if dim == "" {
		return ""
	}
	return dim + "=" + value
}

// knowledge is the reader's system of one export, with what the
// protector needs to act on it.
type knowledge struct {
	export string
	sys    *disclosure.System
	tables []*table
	// owner maps each cell of a breakdown to its breakdown (ownerKey).
	owner map[int]string
	// dims maps each cell to its dimension ("" for totals).
	dims map[int]string
	// addedOnly lists the version pairs taken to have only added records.
	addedOnly []string
}

// ownerKey names one breakdown of one table.
func ownerKey(label, dim string) string { return label + "\x00" + dim }

// know builds the reader's system of export from tables. A table's
// withheld breakdowns of a period not yet released (or still open) are
// free counts: the reader knows nothing of them, and they protect nothing.
func know(export string, tables []*table) (*knowledge, error) {
	k := &knowledge{export: export, sys: &disclosure.System{}, tables: tables, owner: map[int]string{}, dims: map[int]string{}}
	for _, t := range tables {
		if err := k.addTable(t); err != nil {
			return nil, err
		}
	}
	byLabel := map[string]*table{}
	for _, t := range tables {
		byLabel[t.label()] = t
	}
	for _, t := range tables {
		if t.Kind == KindYear && t.version > 0 {
			k.relateYear(t, byLabel)
		}
	}
	if err := k.relateVersions(); err != nil {
		return nil, err
	}
	return k, nil
}

// key is the system's key of a cell of table t.
func (k *knowledge) key(t *table, dim, value string) string {
	return CellKey(k.export, t.label(), dim, value)
}

// free reports whether a breakdown withheld for why is free: nothing of
// it is published yet.
func free(why string) bool { return why == WithheldUnreleased || why == WithheldProvisional }

func (k *knowledge) addTable(t *table) error {
	lbl := t.label()
	add := func(dim, value string, c Count, exact bool, why string) (int, bool, error) {
		cell := disclosure.Cell{Key: k.key(t, dim, value), Frozen: t.frozen, Exact: exact, Table: lbl, Margin: dim == ""}
		if t.truth != nil {
			cell.Value = t.truth[cellID(dim, value)]
		}
		switch {
		case c.Status == Published && c.Count == nil:
			return 0, false, fmt.Errorf("%s is published without a count", cell.Key)
		case c.Status == Published:
			cell.Value = *c.Count
		case c.Status == Suppressed:
			cell.Suppressed, cell.Exact = true, false
		case c.Status == Withheld && (free(why) || dim == "" && t.version == 0):
			cell.Suppressed, cell.MayBeZero, cell.Free, cell.Exact = true, true, true, false
		case c.Status == Withheld:
			cell.Suppressed, cell.MayBeZero, cell.Exact = true, true, false
		case c.Status == NotApplicable && dim == "":
			return 0, false, nil // an open quarter with no month ended: nothing counted
		default:
			return 0, false, fmt.Errorf("%s has status %q", cell.Key, c.Status)
		}
		i := k.sys.Add(cell)
		k.dims[i] = dim
		return i, true, nil
	}
	total, counted, err := add("", "", t.Total, t.TotalClause != "", "")
	if err != nil || !counted {
		return err
	}
	for _, b := range t.Breakdowns {
		var parts []int
		for _, c := range b.Cells {
			i, _, err := add(b.Dimension, c.Value, c.Count, b.Clause != "" && b.Withheld == "", b.Withheld)
			if err != nil {
				return err
			}
			k.owner[i] = ownerKey(lbl, b.Dimension)
			parts = append(parts, i)
		}
		kind := disclosure.Sum
		if b.Multi {
			kind = disclosure.Bound
		}
		k.sys.Relate(kind, total, parts...)
	}
	dims, _ := catalogOf(k.export)
	for _, d := range dims {
		for _, l := range d.Links {
			k.relateLink(t, d, l)
		}
	}
	return k.relateFilings(t)
}

// lookup is the index of a cell of table t.
func (k *knowledge) lookup(t *table, dim, value string) (int, bool) {
	return k.sys.Lookup(k.key(t, dim, value))
}

// relateLink adds a link between two breakdowns of a table, when it
// publishes both.
func (k *knowledge) relateLink(t *table, d Dimension, l Link) {
	cells := func(dim string, values []string) ([]int, bool) {
		var out []int
		for _, v := range values {
			i, ok := k.lookup(t, dim, v)
			if !ok {
				return nil, false
			}
			out = append(out, i)
		}
		return out, true
	}
	others, ok := cells(l.Dimension, l.Values)
	if !ok {
		return
	}
	if l.Bound {
		if parts, ok := cells(d.ID, d.Values); ok {
			k.sys.Relate(disclosure.Bound, others[0], parts...)
		}
		return
	}
	if l.AtLeast {
		if own, ok := cells(d.ID, []string{l.Value}); ok {
			k.sys.Relate(disclosure.Bound, own[0], others[0])
		}
		return
	}
	if own, ok := cells(d.ID, []string{l.Value}); ok {
		k.sys.Relate(disclosure.Sum, own[0], others...)
	}
}

// relateYear adds that a year version adds up the quarter versions it was
// computed with, in total and value by value, where all four have the
// value.
func (k *knowledge) relateYear(y *table, byLabel map[string]*table) {
	var qs []*table
	for _, qv := range y.sums {
		q := byLabel[label(qv.Period, qv.Version)]
		if q == nil {
			return
		}
		qs = append(qs, q)
	}
	if len(qs) != 4 {
		return
	}
	relate := func(dim, value string) {
		yc, ok := k.lookup(y, dim, value)
		if !ok {
			return
		}
		var parts []int
		for _, q := range qs {
			i, ok := k.lookup(q, dim, value)
			if !ok {
				return
			}
			parts = append(parts, i)
		}
		k.sys.Relate(disclosure.Sum, yc, parts...)
	}
	relate("", "")
	for _, b := range y.Breakdowns {
		for _, c := range b.Cells {
			relate(b.Dimension, c.Value)
		}
	}
}

// relateVersions adds, for every two versions of a period, the change of
// each count both have; then, for each version and the one before it,
// that no count went down, where the system stays consistent with it (a
// reader may assume records were only added whenever that fits).
func (k *knowledge) relateVersions() error {
	byPeriod := map[string][]*table{}
	var periods []string
	for _, t := range k.tables {
		if t.version == 0 {
			continue
		}
		if byPeriod[t.Period.Period] == nil {
			periods = append(periods, t.Period.Period)
		}
		byPeriod[t.Period.Period] = append(byPeriod[t.Period.Period], t)
	}
	slices.Sort(periods)
	type pair struct{ now, before int }
	matching := func(now, before *table) []pair {
		var out []pair
		each := func(dim, value string) {
			n, ok1 := k.lookup(now, dim, value)
			b, ok2 := k.lookup(before, dim, value)
			if ok1 && ok2 {
				out = append(out, pair{n, b})
			}
		}
		each("", "")
		for _, b := range now.Breakdowns {
			for _, c := range b.Cells {
				each(b.Dimension, c.Value)
			}
		}
		return out
	}
	for _, p := range periods {
		vs := byPeriod[p]
		slices.SortFunc(vs, func(a, b *table) int { return a.version - b.version })
		for j := 1; j < len(vs); j++ {
			for i := 0; i < j; i++ {
				for _, m := range matching(vs[j], vs[i]) {
					name := strings.TrimPrefix(k.sys.Cells[m.now].Key, k.export+" "+vs[j].label()+" ")
					k.sys.AddChange(fmt.Sprintf("%s %s change v%d→v%d %s", k.export, p, vs[i].version, vs[j].version, name), m.now, m.before)
				}
			}
			// Records only added: every count of v(j) at least v(j−1)'s.
			mark := len(k.sys.Relations)
			var touched []int
			for _, m := range matching(vs[j], vs[j-1]) {
				k.sys.Relate(disclosure.Bound, m.now, m.before)
				touched = append(touched, m.now, m.before)
			}
			if err := k.sys.Feasible(touched); err != nil {
				k.sys.DropRelations(mark)
				continue
			}
			k.addedOnly = append(k.addedOnly, fmt.Sprintf("%s v%d→v%d", p, vs[j-1].version, vs[j].version))
		}
	}
	return nil
}

// relateFilings adds what a reader of the filings published with table t
// learns of its counts: how many records each list on the export holds
// (the records its filter names: a Sum of the filter's cells, or the
// total when it names all), and, per column that tells of a dimension,
// how many rows have each value (at most that cell, exactly it when the
// list holds every record). For a year's filing, the rows of each quarter
// tell the same of the quarter versions the year adds up.
func (k *knowledge) relateFilings(t *table) error {
	for _, f := range t.filings {
		kind, ok := filing.Lookup(f.ID)
		if !ok {
			return fmt.Errorf("filing %s: no such filing", f.ID)
		}
		p, err := period.ParsePeriod(f.Period)
		if err != nil {
			return fmt.Errorf("filing %s: %w", f.ID, err)
		}
		type scope struct {
			t   *table
			per period.Period
		}
		scopes := []scope{{t, p}}
		if p.IsYear() && len(t.sums) == 4 {
			for i, q := range p.Quarters() {
				// The quarter versions are in the system under their own
				// labels; a stand-in table carries the label.
				scopes = append(scopes, scope{&table{Period: Period{Period: t.sums[i].Period}, version: t.sums[i].Version}, q.Period()})
			}
		}
		for _, s := range f.Sections {
			i := slices.IndexFunc(kind.Sections, func(d filing.Section) bool { return d.ID == s.ID })
			if i < 0 {
				return fmt.Errorf("filing %s: no list %q", f.ID, s.ID)
			}
			def := kind.Sections[i]
			if def.Export != k.export {
				continue
			}
			def.Rows = s.Rows
			if len(s.Columns) != len(def.Columns) {
				return fmt.Errorf("filing %s: list %s has %d columns, not %d", f.ID, s.ID, len(s.Columns), len(def.Columns))
			}
			for _, sc := range scopes {
				if err := k.relateSection(sc.t, f.ID, sc.per, def); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (k *knowledge) relateSection(t *table, id string, per period.Period, s filing.Section) error {
	total, counted := k.lookup(t, "", "")
	if !counted {
		return nil
	}
	name := fmt.Sprintf("%s %s filing %s/%s", k.export, t.label(), id, s.ID)
	n, err := s.Count(per, -1, "")
	if err != nil {
		return err
	}
	all := len(s.Filter.Values) == 0
	ft := k.sys.Add(disclosure.Cell{Key: name + " rows", Value: n, Exact: true, Frozen: t.frozen, Table: t.label() + " filing"})
	if all {
		k.sys.Relate(disclosure.Sum, total, ft)
	} else {
		var parts []int
		for _, v := range s.Filter.Values {
			c, ok := k.lookup(t, s.Filter.Dimension, v)
			if !ok {
				parts = nil
				break
			}
			parts = append(parts, c)
		}
		if parts != nil {
			k.sys.Relate(disclosure.Sum, ft, parts...)
		}
		k.sys.Relate(disclosure.Bound, total, ft)
	}
	for col, c := range s.Columns {
		for _, v := range c.Words() {
			cell, ok := k.lookup(t, c.Dimension, v)
			if !ok {
				continue
			}
			m, err := s.Count(per, col, v)
			if err != nil {
				return err
			}
			fc := k.sys.Add(disclosure.Cell{Key: fmt.Sprintf("%s %s=%s", name, c.Dimension, v), Value: m, Exact: true, Frozen: t.frozen, Table: t.label() + " filing"})
			if all {
				k.sys.Relate(disclosure.Sum, fc, cell)
			} else {
				k.sys.Relate(disclosure.Bound, cell, fc)
			}
		}
	}
	return nil
}

// CellKey names a cell the same way for the publisher and the attacker:
// "detainer_log 2026-Q3 v1 total" or "detainer_log 2026-Q3 v1
// disposition=RELEASED"; table is a period's label (see label).
func CellKey(export, table, dim, value string) string {
	if dim == "" {
		return fmt.Sprintf("%s %s total", export, table)
	}
	return fmt.Sprintf("%s %s %s=%s", export, table, dim, value)
}
