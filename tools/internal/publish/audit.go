package publish

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/disclosure"
	"github.com/chicago-welcoming-city/transparency/tools/internal/filing"
)

// CellKey names a cell the same way for the publisher and the attacker:
// "detainer_log 2026-Q3 total" or "detainer_log 2026-Q3 disposition=RELEASED".
func CellKey(export, period, dim, value string) string {
	if dim == "" {
		return fmt.Sprintf("%s %s total", export, period)
	}
	return fmt.Sprintf("%s %s %s=%s", export, period, dim, value)
}

// AttackerSystem rebuilds, from an export's published tables alone, what
// an attacker knows: every published count, every suppressed cell as an
// unknown, and the relations any reader can infer from the tables' shape —
// a breakdown adds up to its period's total (or, for a multi-valued one, no
// value exceeds it), a year adds up its quarters in total and value by
// value. The true values of suppressed cells are not in the files, and the
// attacker does not need them. Every published filing given is read too:
// the attacker knows how many records each of its lists holds, and how
// many have each value, per quarter and year (see relateFiling).
func AttackerSystem(t ExportTables, filings ...*filing.Filing) (*disclosure.System, error) {
	sys := &disclosure.System{}
	key := func(p, dim, value string) string { return CellKey(t.Export, p, dim, value) }
	var err error
	add := func(k string, c Count) {
		switch {
		case err != nil:
		case c.Status == Published && c.Count == nil:
			err = fmt.Errorf("%s is published without a count", k)
		case c.Status == Published:
			sys.Add(disclosure.Cell{Key: k, Value: *c.Count})
		case c.Status == Suppressed:
			sys.Add(disclosure.Cell{Key: k, Suppressed: true})
		case c.Status == Withheld:
			// Hidden with its breakdown: it may be 0.
			sys.Add(disclosure.Cell{Key: k, Suppressed: true, MayBeZero: true})
		case c.Status == NotApplicable && !strings.Contains(k, "="):
			// An open quarter with no month ended: nothing counted.
		default:
			err = fmt.Errorf("%s has status %q", k, c.Status)
		}
	}
	for _, p := range t.Periods {
		forEachCount(p, func(dim, value string, c Count) { add(key(p.Period, dim, value), c) })
	}
	if err != nil {
		return nil, err
	}
	relate(sys, t.Export, t.Periods)
	for _, f := range filings {
		if err := relateFiling(sys, t.Export, f); err != nil {
			return nil, err
		}
	}
	return sys, nil
}

// relate adds to sys, whose cells are in it under CellKey, the relations
// any reader can infer from the shape of an export's periods: a breakdown
// adds up to its period's total (or, when a record may count under several
// values, no value exceeds it), and a year adds up its four quarters, in
// total and value by value where every quarter shows the value. The
// publisher protects, and the attacker attacks, the same relations.
func relate(sys *disclosure.System, export string, periods []Period) {
	key := func(p, dim, value string) (int, bool) { return sys.Lookup(CellKey(export, p, dim, value)) }
	quarters := map[int][]Period{} // year → its quarters
	dims, _ := catalogOf(export)
	for _, p := range periods {
		total, counted := key(p.Period, "", "")
		if !counted {
			continue // nothing counted: its cells relate to nothing
		}
		for _, d := range dims {
			for _, l := range d.Links {
				relateLink(sys, key, p.Period, d, l)
			}
		}
		for _, b := range p.Breakdowns {
			var parts []int
			for _, c := range b.Cells {
				i, _ := key(p.Period, b.Dimension, c.Value)
				parts = append(parts, i)
			}
			kind := disclosure.Sum
			if b.Multi {
				kind = disclosure.Bound
			}
			sys.Relate(kind, total, parts...)
		}
		if p.Kind == "quarter" {
			quarters[p.Year] = append(quarters[p.Year], p)
		}
	}
	for _, p := range periods {
		qs := quarters[p.Year]
		if p.Kind != "year" || len(qs) != 4 {
			continue // a year audited on its own, as a superseded version is
		}
		yt, _ := key(p.Period, "", "")
		var qt []int
		for _, q := range qs {
			i, _ := key(q.Period, "", "")
			qt = append(qt, i)
		}
		sys.Relate(disclosure.Sum, yt, qt...)
		for _, b := range p.Breakdowns {
			for _, c := range b.Cells {
				y, _ := key(p.Period, b.Dimension, c.Value)
				var parts []int
				for _, q := range qs {
					if i, ok := key(q.Period, b.Dimension, c.Value); ok {
						parts = append(parts, i)
					}
				}
				if len(parts) == len(qs) {
					sys.Relate(disclosure.Sum, y, parts...)
				}
			}
		}
	}
}

// relateLink adds a link between two breakdowns of a period, when the
// period publishes both.
func relateLink(sys *disclosure.System, key func(p, dim, value string) (int, bool), period string, d Dimension, l Link) {
	// cells are the period's cells of dim's values; false if any is not published.
	cells := func(dim string, values []string) ([]int, bool) {
		var out []int
		for _, v := range values {
			i, ok := key(period, dim, v)
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
			sys.Relate(disclosure.Bound, others[0], parts...)
		}
		return
	}
	if own, ok := cells(d.ID, []string{l.Value}); ok {
		sys.Relate(disclosure.Sum, own[0], others...)
	}
}

// LoadTables reads the export data files a publication wrote into dir.
func LoadTables(dir string) ([]ExportTables, error) {
	var out []ExportTables
	for _, e := range contract.Exports() {
		b, err := os.ReadFile(filepath.Join(dir, e.Slug()+".json"))
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: no published tables for %s: run wco publish or wco build first", dir, e.Name)
		}
		if err != nil {
			return nil, err
		}
		var t ExportTables
		if err := json.Unmarshal(b, &t); err != nil {
			return nil, fmt.Errorf("read %s: %w", e.Slug()+".json", err)
		}
		if t.Export != e.Name {
			return nil, fmt.Errorf("%s.json holds tables of %q", e.Slug(), t.Export)
		}
		out = append(out, t)
	}
	return out, nil
}

// AuditReport is the attacker's result for one export.
type AuditReport struct {
	Export     string
	Cells      int
	Suppressed int
	Narrowest  float64 // narrowest interval found; +Inf when nothing is suppressed
	NarrowKey  string
	Findings   []disclosure.Finding
	// Changes are what comparing a version with the one before it tells
	// of fewer than the threshold of records (RevisionSinglesOut).
	Changes []string
}

// Audit attacks each export's published tables, with the published
// filings in force, with linear programming and reports every suppressed
// cell narrower than width.
func Audit(tables []ExportTables, filings []*filing.Filing, width int) ([]AuditReport, error) {
	var out []AuditReport
	for _, t := range tables {
		sys, err := AttackerSystem(t, filings...)
		if err != nil {
			return nil, err
		}
		ivs, err := sys.Attack()
		if err != nil {
			return nil, fmt.Errorf("attack %s: %w", t.Export, err)
		}
		r := AuditReport{Export: t.Export, Cells: len(sys.Cells), Narrowest: inf}
		for _, iv := range ivs {
			r.Suppressed++
			if iv.Width() < r.Narrowest && !sys.PinnedZero(iv) {
				r.Narrowest, r.NarrowKey = iv.Width(), sys.Cells[iv.Cell].Key
			}
			if sys.Breaches(iv, float64(width)) {
				r.Findings = append(r.Findings, disclosure.Finding{Interval: iv, Key: sys.Cells[iv.Cell].Key})
			}
		}
		out = append(out, r)
	}
	return out, nil
}

var inf = math.Inf(1)

// AuditReleases attacks every superseded version of every release, each on
// its own (the version in force is part of the current tables), and
// compares every version with the one before it: a change of 1 to
// width−1 records in a protected breakdown describes the records the
// revision changed. A revision also keeps every count an earlier version
// hid hidden, which the comparison checks too.
func AuditReleases(releases Releases, width int) ([]AuditReport, error) {
	var out []AuditReport
	for _, p := range slices.Sorted(maps.Keys(releases)) {
		r := releases[p]
		for i := 1; i < len(r.Versions); i++ {
			for _, now := range r.Versions[i].Exports {
				old, ok := r.Versions[i-1].Frozen(now.Export)
				if !ok {
					continue
				}
				rep := AuditReport{Export: fmt.Sprintf("%s %s v%d→v%d", now.Export, p, r.Versions[i-1].Version, r.Versions[i].Version), Narrowest: inf}
				for _, b := range now.Period.Breakdowns {
					rep.Cells += len(b.Cells)
					rep.Changes = append(rep.Changes, RevisionSinglesOut(old.Period, now.Period, b.Dimension, width)...)
				}
				out = append(out, rep)
			}
		}
		for _, v := range r.Versions[:len(r.Versions)-1] {
			for _, f := range v.Exports {
				reps, err := Audit([]ExportTables{{Export: f.Export, Periods: []Period{f.Period}}}, v.Filings, width)
				if err != nil {
					return nil, fmt.Errorf("release %s version %d: %w", p, v.Version, err)
				}
				reps[0].Export = fmt.Sprintf("%s %s v%d", f.Export, p, v.Version)
				out = append(out, reps...)
			}
		}
	}
	return out, nil
}
