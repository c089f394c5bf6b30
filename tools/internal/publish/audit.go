package publish

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/disclosure"
)

// The audit is the attacker of the reader's knowledge (knowledge.go),
// working from the published files alone: the release files, which hold
// every version ever released, and the tables in place. It replays the
// history one release at a time, in the order they were made: at each,
// it attacks every version released so far, with every relation between
// them, and holds against that release whatever its protected counts
// tell that the history and its exact figures did not. The nightly
// tables must show nothing protected of their own, and every released
// period as its version in force.

// AuditReport is the attacker's result for one export at one release.
type AuditReport struct {
	// Release names the release attacked: its time and the versions it
	// added; "nightly" for the tables in place.
	Release    string
	Export     string
	Cells      int
	Suppressed int     // hidden counts and changes attacked
	Narrowest  float64 // the narrowest interval found; +Inf when none
	NarrowKey  string
	Findings   []disclosure.Finding
	// Problems are what the nightly tables show that they may not.
	Problems []string
}

// Failed reports whether the audit found anything.
func (r AuditReport) Failed() bool { return len(r.Findings)+len(r.Problems) > 0 }

// Audit attacks the history release by release, then checks the tables in
// place against it.
func Audit(releases Releases, current []ExportTables, width int) ([]AuditReport, error) {
	var out []AuditReport
	for _, ev := range releases.events() {
		var names []string
		for _, v := range ev.versions {
			names = append(names, label(v.Period, v.Version))
		}
		name := fmt.Sprintf("%s (%s)", ev.at.Format("2006-01-02 15:04"), strings.Join(names, ", "))
		for _, e := range contract.Exports() {
			r, err := auditRelease(releases, e.Name, ev, width)
			if err != nil {
				return nil, fmt.Errorf("audit %s %s: %w", e.Name, name, err)
			}
			if r == nil {
				continue
			}
			r.Release = name
			out = append(out, *r)
		}
	}
	for _, t := range current {
		out = append(out, AuditReport{Release: "nightly", Export: t.Export, Cells: countCells(t.Periods), Narrowest: math.Inf(1), Problems: nightlyProblems(releases, t)})
	}
	return out, nil
}

// auditRelease attacks one export's versions up to release ev; nil when
// the release holds none of the export.
func auditRelease(releases Releases, export string, ev event, width int) (*AuditReport, error) {
	tables := releases.tables(export, ev.at)
	fresh := false
	for _, t := range tables {
		fresh = fresh || !t.frozen
	}
	if !fresh {
		return nil, nil
	}
	kn, err := know(export, tables)
	if err != nil {
		return nil, err
	}
	base := kn.sys.Clone()
	for i, c := range base.Cells {
		if !c.Frozen && !c.Exact {
			base.Free(i)
		}
	}
	r := &AuditReport{Export: export, Cells: len(kn.sys.Cells), Narrowest: math.Inf(1)}
	ivs, err := kn.sys.Attack()
	if err != nil {
		return nil, err
	}
	for _, iv := range ivs {
		r.Suppressed++
		if w := iv.Width(); w < r.Narrowest && (iv.Kind == disclosure.Suppressed || iv.Min >= 1 || iv.Max <= -1) {
			r.Narrowest, r.NarrowKey = w, iv.Key
		}
	}
	findings, err := kn.sys.Audit(width, true)
	if err != nil {
		return nil, err
	}
	for _, f := range findings {
		b, err := base.Bound(f.Key)
		if err != nil {
			return nil, err
		}
		if !b.Same(f.Interval) {
			r.Findings = append(r.Findings, f)
		}
	}
	return r, nil
}

// nightlyProblems lists what an export's tables in place show that they
// may not: a released period other than as its version in force, a
// period released that the history does not hold, or, of a period not
// released, a protected count.
func nightlyProblems(releases Releases, t ExportTables) []string {
	var out []string
	for _, p := range t.Periods {
		r := releases[p.Period]
		switch {
		case p.Released && r == nil:
			out = append(out, fmt.Sprintf("%s is shown as released, and no release file holds it", p.Period))
		case p.Released:
			f, ok := r.Current().Frozen(t.Export)
			shown := p
			shown.Released, shown.Version, shown.Revisions = false, 0, nil
			frozen := f.Period.clone()
			annotate(&frozen)
			// What the page says of the filing is the filing's and the
			// frozen counts' own.
			var err error
			if frozen.Filed, err = filed(t.Export, frozen, r.Current().Filings); err != nil {
				out = append(out, fmt.Sprintf("%s: %v", p.Period, err))
			}
			if !ok || p.Version != r.Current().Version || !reflect.DeepEqual(normalize(shown), normalize(frozen)) {
				out = append(out, fmt.Sprintf("%s is not shown as its version in force (%d)", p.Period, r.Current().Version))
			}
		default:
			if hidden(p.Total.Status) && p.Total.Status != Withheld && !p.Provisional {
				out = append(out, fmt.Sprintf("%s: the total of a period not released is %s", p.Period, p.Total.Status))
			}
			for _, b := range p.Breakdowns {
				if b.Clause == "" && !free(b.Withheld) {
					out = append(out, fmt.Sprintf("%s: %s is shown before the period is released", p.Period, b.Dimension))
				}
			}
		}
	}
	return out
}

// normalize is a period as JSON gives it back, so that one read from a
// file compares equal to one computed.
func normalize(p Period) any {
	b, _ := json.Marshal(p)
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

func countCells(ps []Period) int {
	n := 0
	for _, p := range ps {
		forEachCount(p, func(string, string, Count) { n++ })
	}
	return n
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
