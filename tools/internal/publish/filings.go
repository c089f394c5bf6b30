package publish

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/check"
	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
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

// Published lists every filing the site publishes, by period and version:
// each version of each release that froze one.
func (p *Publication) Published() []PublishedFiling { return p.releases.Filings() }

// Filings lists every filing frozen with a version of rs, by period and
// version.
func (rs Releases) Filings() []PublishedFiling {
	var out []PublishedFiling
	for _, key := range sortedKeys(rs) {
		r := rs[key]
		for _, v := range r.Versions {
			for _, f := range v.Filings {
				out = append(out, PublishedFiling{Filing: *f, Version: v.Version, Current: v.Version == r.Current().Version})
			}
		}
	}
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
