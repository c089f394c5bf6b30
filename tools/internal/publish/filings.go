package publish

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/check"
	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
	"github.com/chicago-welcoming-city/transparency/tools/internal/disclosure"
	"github.com/chicago-welcoming-city/transparency/tools/internal/filing"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
)

// FilingsPolicy says, per filing id (filing.Quarterly, filing.Annual),
// whether the site also publishes the filing once its period is released.
// A filing it does not name is not published.
type FilingsPolicy map[string]FilingPolicy

// FilingPolicy is one filing's setting.
type FilingPolicy struct {
	Publish bool `mapstructure:"publish"`
}

// Validate refuses settings for filings that do not exist.
func (p FilingsPolicy) Validate() error {
	var errs []error
	for _, id := range sortedKeys(p) {
		if _, ok := filing.Lookup(id); !ok {
			var ids []string
			for _, k := range filing.Kinds() {
				ids = append(ids, k.ID)
			}
			errs = append(errs, fmt.Errorf("params.filings.%s: no such filing (the filings are %s)", id, strings.Join(ids, ", ")))
		}
	}
	return errors.Join(errs...)
}

// Publishes reports whether the site publishes filing id.
func (p FilingsPolicy) Publishes(id string) bool { return p[id].Publish }

// FilingsFile is the data file that lists the filings the site publishes.
const FilingsFile = "filings.json"

// PublishedFiling is a filing as the site publishes it: with the version
// of its period's release, and its lists' files in the downloads.
type PublishedFiling struct {
	filing.Filing
	Version int `json:"version"`
	// Current is true for the version in force.
	Current bool           `json:"current"`
	Files   []DownloadFile `json:"files"`
}

// Filings are the data file filings.json.
type Filings struct {
	Meta    Meta              `json:"meta"`
	Filings []PublishedFiling `json:"filings"`
}

// LoadFilings reads the published filings in dir; a missing file means
// none are published.
func LoadFilings(dir string) (Filings, error) {
	var out Filings
	b, err := os.ReadFile(filepath.Join(dir, FilingsFile))
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return out, err
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return out, fmt.Errorf("read %s: %w", FilingsFile, err)
	}
	return out, nil
}

// relateFiling adds to sys what a reader of published filing f learns of
// export's cells, for the filing's period and each quarter in it: how many
// records each of its lists on export holds (the records its filter names:
// a Sum of the filter's cells, or the period's total when it names all),
// and, per column that tells of a dimension, how many rows have each value
// (at most that cell, exactly it when the list holds every record). The
// counts are exact: the publisher protects around them, and the attacker
// uses them. Periods without cells in sys are skipped.
func relateFiling(sys *disclosure.System, export string, f *filing.Filing) error {
	kind, ok := filing.Lookup(f.ID)
	if !ok {
		return fmt.Errorf("filing %s: no such filing", f.ID)
	}
	p, err := period.ParsePeriod(f.Period)
	if err != nil {
		return fmt.Errorf("filing %s: %w", f.ID, err)
	}
	periods := []period.Period{p}
	if p.IsYear() {
		for _, q := range p.Quarters() {
			periods = append(periods, q.Period())
		}
	}
	for _, s := range f.Sections {
		i := slices.IndexFunc(kind.Sections, func(d filing.Section) bool { return d.ID == s.ID })
		if i < 0 || kind.Sections[i].Export != export {
			if i < 0 {
				return fmt.Errorf("filing %s: no list %q", f.ID, s.ID)
			}
			continue
		}
		def := kind.Sections[i]
		def.Rows = s.Rows
		if len(s.Columns) != len(def.Columns) {
			return fmt.Errorf("filing %s: list %s has %d columns, not %d", f.ID, s.ID, len(s.Columns), len(def.Columns))
		}
		for _, per := range periods {
			if err := relateSection(sys, export, f.ID, per.String(), per, def); err != nil {
				return err
			}
		}
	}
	return nil
}

func relateSection(sys *disclosure.System, export, id, key string, per period.Period, s filing.Section) error {
	total, counted := sys.Lookup(CellKey(export, key, "", ""))
	if !counted {
		return nil
	}
	name := fmt.Sprintf("%s %s filing %s/%s", export, key, id, s.ID)
	n, err := s.Count(per, -1, "")
	if err != nil {
		return err
	}
	all := len(s.Filter.Values) == 0
	ft := sys.Add(disclosure.Cell{Key: name + " rows", Value: n, Exact: true})
	if all {
		sys.Relate(disclosure.Sum, total, ft)
	} else {
		var parts []int
		for _, v := range s.Filter.Values {
			c, ok := sys.Lookup(CellKey(export, key, s.Filter.Dimension, v))
			if !ok {
				parts = nil
				break
			}
			parts = append(parts, c)
		}
		if parts != nil {
			sys.Relate(disclosure.Sum, ft, parts...)
		}
		sys.Relate(disclosure.Bound, total, ft)
	}
	for col, c := range s.Columns {
		for _, v := range c.Words() {
			cell, ok := sys.Lookup(CellKey(export, key, c.Dimension, v))
			if !ok {
				continue
			}
			m, err := s.Count(per, col, v)
			if err != nil {
				return err
			}
			fc := sys.Add(disclosure.Cell{Key: fmt.Sprintf("%s %s=%s", name, c.Dimension, v), Value: m, Exact: true})
			if all {
				sys.Relate(disclosure.Sum, fc, cell)
			} else {
				sys.Relate(disclosure.Bound, cell, fc)
			}
		}
	}
	return nil
}

// Published lists every filing the site publishes, by period and version:
// each version of each release that froze one, and the filings prepared
// now (the sample's, or a period being released or revised, as its next
// version).
func (p *Publication) Published() []PublishedFiling {
	var out []PublishedFiling
	for _, key := range sortedKeys(p.releases) {
		r := p.releases[key]
		for _, v := range r.Versions {
			for _, f := range v.Filings {
				out = append(out, PublishedFiling{Filing: *f, Version: v.Version, Current: v.Version == r.Current().Version && p.filings[key] == nil})
			}
		}
	}
	for _, key := range sortedKeys(p.filings) {
		v := 1
		if r := p.releases[key]; r != nil {
			v = r.Current().Version + 1
		}
		out = append(out, PublishedFiling{Filing: *p.filings[key], Version: v, Current: true})
	}
	slices.SortStableFunc(out, func(a, b PublishedFiling) int {
		if c := strings.Compare(a.Period, b.Period); c != 0 {
			return c
		}
		return a.Version - b.Version
	})
	return out
}

// writeFilings writes each published filing's lists as CSV beside its
// version's archived numbers (2026-q3/v1/2026-q3-mcc-2-173-069-detainers.csv),
// at addresses no later build changes, and returns the filings with their
// files for filings.json.
func (p *Publication) writeFilings(dir string, write func(string, []byte) (DownloadFile, error)) (Filings, error) {
	out := Filings{Meta: p.Index.Meta, Filings: []PublishedFiling{}}
	for _, f := range p.Published() {
		sub := archiveDir(f.Period, f.Version)
		if err := os.MkdirAll(filepath.Join(dir, filepath.FromSlash(sub)), 0o755); err != nil {
			return out, err
		}
		for _, s := range f.Sections {
			df, err := write(sub+"/"+f.Name(s.ID, "csv"), s.CSV())
			if err != nil {
				return out, err
			}
			f.Files = append(f.Files, df)
		}
		out.Filings = append(out.Filings, f)
	}
	return out, nil
}

// WriteFilings writes filings.json.
func WriteFilings(path string, f Filings) error { return writeJSON(path, f) }

// InForce are the published filings of the versions in force.
func (f Filings) InForce() []*filing.Filing {
	var out []*filing.Filing
	for i := range f.Filings {
		if f.Filings[i].Current {
			out = append(out, &f.Filings[i].Filing)
		}
	}
	return out
}

// filingIDs are the ids of filings, as a set.
func filingIDs(filings map[string]*filing.Filing) map[string]bool {
	out := map[string]bool{}
	for _, f := range filings {
		out[f.ID] = true
	}
	return out
}

// PrepareFiling checks d and prepares the filing due for period p (the
// quarterly report for a quarter, the annual one for a year), whatever the
// policy publishes: it is what the department files. A period that had not
// ended when the delivery was exported has nothing to file yet. On any
// problem it returns the check report and an error, and no filing.
func PrepareFiling(d *delivery.Delivery, p period.Period, opt Options) (*filing.Filing, *check.Report, error) {
	fc, err := filing.NewCollector(filing.For(p), p, opt.DaysAfterQuarter)
	if err != nil {
		return nil, nil, err
	}
	rep := check.Delivery(d, opt.Check, fc.Visit)
	if err := rep.Err(); err != nil {
		return nil, rep, err
	}
	_, asOf, err := makeMeta(d, rep, opt)
	if err != nil {
		return nil, rep, err
	}
	if asOf.Before(p.End()) {
		return nil, rep, fmt.Errorf("%s had not ended when the delivery was exported (%s): a filing lists a whole period; use a delivery exported after %s",
			p, asOf.In(period.Chicago).Format(time.DateOnly), p.End().AddDate(0, 0, -1).Format(time.DateOnly))
	}
	f, err := fc.Filing(asOf)
	return f, rep, err
}
