// Package publish turns a checked delivery into the public tables the
// ordinance, state law and the 2026 executive order call for, and protects
// every number in them.
//
// For each export it counts records per quarter, in total and broken down by
// each dimension the publication policy (params.publication in config.yaml)
// allows; adds calendar-year tables for complete years; and computes the
// allowed measures (shares of records, median days). Nothing else leaves the
// package: no column the policy does not list, no record, no identifier.
//
// All counts of an export, quarters and years together with their margins,
// form one disclosure.System: counts from 1 to k−1 are suppressed, then
// further counts until the linear-programming attacker can narrow no
// suppressed count to an interval narrower than k. A share is suppressed
// with its numerator or when its base is under k; a median when its base
// is under k.
//
// The output is JSON data files for Hugo, with lowercase-dash names,
// snake_case keys and a meta block. The same delivery and settings always
// give the same bytes.
package publish

import (
	"crypto/sha256"
	"encoding/hex"
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
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/check"
	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
	"github.com/chicago-welcoming-city/transparency/tools/internal/disclosure"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
	"github.com/chicago-welcoming-city/transparency/tools/internal/records"
)

// ToolVersion is the toolkit's version, written into every data file.
const ToolVersion = "0.3.0"

// DataSubdir is the folder under data/ that a build owns and replaces.
const DataSubdir = "current"

// Statuses of a published value.
const (
	Published     = "published"
	Suppressed    = "suppressed"
	NotApplicable = "not_applicable"
)

// Policy is the allow-list: per export, the dimensions and measures that
// may be published. Anything not listed is not computed.
type Policy map[string]ExportPolicy

// ExportPolicy lists what may be published of one export.
type ExportPolicy struct {
	Dimensions []string `mapstructure:"dimensions"`
	Measures   []string `mapstructure:"measures"`
}

// Validate checks every name against the catalog; a share needs the
// dimension of its numerator published, since the share reveals it.
func (p Policy) Validate() error {
	var errs []error
	for export, ep := range p {
		if _, err := contract.Lookup(export); err != nil {
			errs = append(errs, fmt.Errorf("params.publication.%s: the contract has no such export", export))
			continue
		}
		for _, id := range ep.Dimensions {
			if _, ok := LookupDimension(export, id); !ok {
				errs = append(errs, fmt.Errorf("params.publication.%s.dimensions: %q is not a dimension the toolkit knows", export, id))
			}
		}
		for _, id := range ep.Measures {
			m, ok := LookupMeasure(export, id)
			switch {
			case !ok:
				errs = append(errs, fmt.Errorf("params.publication.%s.measures: %q is not a measure the toolkit knows", export, id))
			case m.Dimension != "" && !keep(ep.Dimensions, m.Dimension):
				errs = append(errs, fmt.Errorf("params.publication.%s.measures: %s reveals the %s counts, so %s must be listed in dimensions too", export, id, m.Dimension, m.Dimension))
			}
		}
	}
	return errors.Join(errs...)
}

// Options are the settings a publication is computed with.
type Options struct {
	Threshold  int           // disclosure threshold k
	Check      check.Options // how the delivery is read
	Policy     Policy
	ConfigHash string // sha256 of the effective configuration, for meta
	// Key is the pseudonym key (WCO_PSEUDONYM_KEY), which also keys the
	// fingerprints of released periods. Required, except for the sample.
	Key []byte
	// Releases are the released periods: frozen, and proven unchanged.
	Releases Releases
	// Revising names a released period to compute afresh, keeping every
	// count its versions suppressed suppressed, for wco revise. Revising a
	// quarter of a released year revises the year too (see Revised).
	Revising string
	// Ledger names a period whose records to list by pseudonym, for the
	// local ledger that explains revisions.
	Ledger string
}

// Revised lists the periods a revision of Options.Revising recomputes: the
// period, and for a quarter its calendar year when that is released.
func (o Options) Revised() []string {
	if o.Revising == "" {
		return nil
	}
	out := []string{o.Revising}
	if q, err := period.Parse(o.Revising); err == nil && o.Releases[fmt.Sprint(q.Year)] != nil {
		out = append(out, fmt.Sprint(q.Year))
	}
	return out
}

// ErrNoKey is returned when a real delivery is published without a key.
var ErrNoKey = errors.New("WCO_PSEUDONYM_KEY is not set: publishing a real delivery needs the pseudonym key (only the embedded sample may go without); " + KeyHowTo)

// Meta opens every data file.
type Meta struct {
	Schema      string       `json:"schema"`
	Tool        string       `json:"tool"`
	ToolVersion string       `json:"tool_version"`
	ConfigHash  string       `json:"config_hash"`
	Delivery    DeliveryMeta `json:"delivery"`
	Disclosure  Disclosure   `json:"disclosure"`
}

// DeliveryMeta identifies the delivery the numbers come from.
type DeliveryMeta struct {
	Digest         string `json:"digest"`
	ManifestSHA256 string `json:"manifest_sha256,omitempty"`
	ExportedAt     string `json:"exported_at,omitempty"` // RFC 3339, when there is a manifest
	Sample         bool   `json:"sample"`                // the synthetic sample: not real records
}

// Disclosure records the protection applied.
type Disclosure struct {
	Threshold       int    `json:"threshold"`
	ProtectionWidth int    `json:"protection_width"`
	Method          string `json:"method"`
}

// QuarterInfo describes one published quarter.
type QuarterInfo struct {
	Quarter     string `json:"quarter"` // 2026-Q3
	Slug        string `json:"slug"`    // 2026-q3
	Year        int    `json:"year"`
	Number      int    `json:"number"`
	Start       string `json:"start"` // first day
	End         string `json:"end"`   // last day
	Provisional bool   `json:"provisional"`
}

// YearInfo describes one published calendar year.
type YearInfo struct {
	Year  int    `json:"year"`
	Start string `json:"start"`
	End   string `json:"end"`
}

// ExportInfo lists an export in the index.
type ExportInfo struct {
	Name       string   `json:"name"`
	Slug       string   `json:"slug"`
	Rules      []string `json:"rules"`
	From       string   `json:"from"` // first published quarter
	Dimensions []string `json:"dimensions"`
	Measures   []string `json:"measures"`
	// NotReported: the export came with no records and no certification
	// that there were none. It has no periods: its counts are unknown,
	// not zero.
	NotReported bool `json:"not_reported"`
}

// Note is a public note about the publication, shown on the site.
type Note struct {
	Kind   string `json:"kind"`   // excluded_invalid_rows, not_reported or certified_none
	Export string `json:"export"` // the export it concerns
	Rows   int    `json:"rows"`
}

// Index is publication.json: what was published, from what, for which periods.
type Index struct {
	Meta     Meta          `json:"meta"`
	Quarters []QuarterInfo `json:"quarters"`
	Years    []YearInfo    `json:"years"`
	Exports  []ExportInfo  `json:"exports"`
	Notes    []Note        `json:"notes"`
}

// Count is a published count, or its absence.
type Count struct {
	Count  *int   `json:"count"` // nil unless published
	Status string `json:"status"`
}

// Cell is one value's count in a breakdown.
type Cell struct {
	Value string `json:"value"`
	Count
}

// Breakdown is a period's counts by one dimension.
type Breakdown struct {
	Dimension string `json:"dimension"`
	Multi     bool   `json:"multi"`
	Context   bool   `json:"context"` // no rule asks for it
	Cells     []Cell `json:"cells"`
}

// Figure is a published measure.
type Figure struct {
	Measure string   `json:"measure"`
	Unit    string   `json:"unit"`
	Value   *float64 `json:"value"` // nil unless published
	Status  string   `json:"status"`
}

// Period is an export's numbers for one quarter or year.
type Period struct {
	Period      string      `json:"period"` // 2026-Q3 or 2025
	Kind        string      `json:"kind"`   // quarter or year
	Year        int         `json:"year"`
	Quarter     int         `json:"quarter,omitempty"`
	Provisional bool        `json:"provisional"`
	Released    bool        `json:"released"`
	Version     int         `json:"version,omitempty"` // of the release in force
	Revisions   []Revision  `json:"revisions,omitempty"`
	Rule        string      `json:"rule"`
	Total       Count       `json:"total"`
	Breakdowns  []Breakdown `json:"breakdowns"`
	Figures     []Figure    `json:"figures"`
	// Withheld says why every breakdown cell is hidden, zeros included:
	// "small_group" (1 to k-1 records) or "provisional" (the quarter is
	// still open). Empty when the breakdowns are published.
	Withheld string `json:"withheld,omitempty"`
}

// Why a period's breakdowns are withheld whole.
const (
	WithheldSmallGroup  = "small_group"
	WithheldProvisional = "provisional"
)

// Revision is the public note of a revised release.
type Revision struct {
	Version    int    `json:"version"`
	ExportedAt string `json:"exported_at"` // of the delivery it was computed from
	Reason     string `json:"reason"`
}

// ExportTables is <export>.json: every published number of one export.
type ExportTables struct {
	Meta    Meta     `json:"meta"`
	Export  string   `json:"export"`
	Periods []Period `json:"periods"`
}

// Publication is everything one run publishes.
type Publication struct {
	Index   Index
	Exports []ExportTables
	// Systems hold, per export, every cell with its true value: for the
	// audit, never written anywhere.
	Systems map[string]*disclosure.System
	// fingerprints hold, per export and period, the keyed fingerprint of
	// the true counts, for releases.
	fingerprints map[string]map[string]string
	// Ledger lists the records of Options.Ledger's period: pseudonym →
	// digest of what the catalog reads of the record. Never published.
	Ledger map[string]string
	// releases are the releases the publication was computed with.
	releases Releases
}

// Run checks d and computes its publication. On any problem it returns the
// check report and an error, and no publication.
func Run(d *delivery.Delivery, opt Options) (*Publication, *check.Report, error) {
	if err := disclosure.ValidateThreshold(opt.Threshold); err != nil {
		return nil, nil, err
	}
	if err := opt.Policy.Validate(); err != nil {
		return nil, nil, err
	}
	aggs := map[string]*aggregate{}
	for _, e := range contract.Exports() {
		// Every breakdown of the catalog is counted, for the fingerprints
		// of released periods; only those the policy lists are published.
		dims, ms := catalogOf(e.Name)
		aggs[e.Name] = newAggregate(e, dims, ms, opt.Policy[e.Name])
	}
	key := opt.Key
	if len(key) == 0 {
		if !d.Sample {
			return nil, nil, ErrNoKey
		}
		key = []byte(SampleKey)
	} else if err := CheckKey(string(key)); err != nil {
		return nil, nil, err
	}
	ledgers := map[string]map[string]string{} // per export: visits run concurrently
	for _, e := range contract.Exports() {
		ledgers[e.Name] = map[string]string{}
	}
	var ledgerQ period.Quarter
	ledgerYear := 0
	if opt.Ledger != "" {
		if q, err := period.Parse(opt.Ledger); err == nil {
			ledgerQ = q
		} else if _, err := fmt.Sscanf(opt.Ledger, "%4d", &ledgerYear); err != nil {
			return nil, nil, fmt.Errorf("ledger period %q: use 2026-Q3 or 2025", opt.Ledger)
		}
	}
	rep := check.Delivery(d, opt.Check, func(e contract.Export, r records.Record) {
		a := aggs[e.Name]
		a.add(r)
		if opt.Ledger != "" {
			if q := period.Of(r.When().Time); q == ledgerQ || q.Year == ledgerYear {
				ledgers[e.Name][Pseudonym(key, e.Name, r.RecordID())] = a.digest(r)
			}
		}
	})
	if err := rep.Err(); err != nil {
		return nil, rep, err
	}
	ledger := map[string]string{}
	for _, l := range ledgers {
		maps.Copy(ledger, l)
	}

	meta, asOf, err := makeMeta(d, rep, opt)
	if err != nil {
		return nil, rep, err
	}
	last := period.Of(asOf)
	first := last
	for _, a := range aggs {
		for q := range a.quarters {
			if q.Before(first) {
				first = q
			}
		}
	}
	pub := &Publication{Index: Index{Meta: meta, Notes: []Note{}, Years: []YearInfo{}}, Systems: map[string]*disclosure.System{}, fingerprints: map[string]map[string]string{}, Ledger: ledger, releases: opt.Releases}
	for _, q := range period.Range(first, last) {
		pub.Index.Quarters = append(pub.Index.Quarters, QuarterInfo{
			Quarter: q.String(), Slug: q.Slug(), Year: q.Year, Number: q.Q,
			Start: q.Start().Format(time.DateOnly), End: q.End().AddDate(0, 0, -1).Format(time.DateOnly),
			// The quarter the delivery was exported in had not ended.
			Provisional: q == last,
		})
	}
	// A calendar year is published once all its quarters have ended, if the
	// records cover it from its first quarter.
	firstYear := first.Year
	if first.Q != 1 {
		firstYear++
	}
	for y := firstYear; y < last.Year; y++ {
		pub.Index.Years = append(pub.Index.Years, YearInfo{Year: y, Start: fmt.Sprintf("%d-01-01", y), End: fmt.Sprintf("%d-12-31", y)})
	}
	excluded := rep.Excluded()
	var changed []string
	for i, e := range contract.Exports() {
		a := aggs[e.Name]
		from := first
		if !e.Since.IsZero() && from.Before(period.Of(e.Since)) {
			from = period.Of(e.Since)
		}
		if fr := rep.Files[i]; fr.RowsRead == 0 {
			mf, listed := ManifestFileOf(d, e.File())
			if !listed || !mf.CertifiedEmpty {
				// A header and no rows: the counts are unknown, not zero.
				pub.Exports = append(pub.Exports, ExportTables{Meta: meta, Export: e.Name, Periods: []Period{}})
				pub.Systems[e.Name] = &disclosure.System{}
				pub.Index.Exports = append(pub.Index.Exports, ExportInfo{Name: e.Name, Slug: e.Slug(), Rules: slices.Clone(e.Rules), From: from.String(), Dimensions: []string{}, Measures: []string{}, NotReported: true})
				pub.Index.Notes = append(pub.Index.Notes, Note{Kind: "not_reported", Export: e.Name})
				continue
			}
			pub.Index.Notes = append(pub.Index.Notes, Note{Kind: "certified_none", Export: e.Name})
		}
		specs := a.specs(from, last, pub.Index.Years)
		pub.fingerprints[e.Name] = map[string]string{}
		for _, sp := range specs {
			fp := a.fingerprint(key, sp.key, sp.c)
			pub.fingerprints[e.Name][sp.key] = fp
			if r := opt.Releases[sp.key]; r != nil && !slices.Contains(opt.Revised(), sp.key) {
				if f, ok := r.Current().Frozen(e.Name); ok && f.Fingerprint != fp {
					changed = append(changed, fmt.Sprintf("%s (%s)", sp.key, e.Name))
				}
			}
		}
		if len(changed) > 0 {
			continue
		}
		t, sys, err := a.tables(meta, specs, opt)
		if err != nil {
			return nil, rep, fmt.Errorf("protect %s: %w", e.Name, err)
		}
		pub.Exports = append(pub.Exports, t)
		pub.Systems[e.Name] = sys
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
		if n := excluded[e.File()]; n > 0 {
			pub.Index.Notes = append(pub.Index.Notes, Note{Kind: "excluded_invalid_rows", Export: e.Name, Rows: n})
		}
	}
	if len(changed) > 0 {
		slices.Sort(changed)
		return nil, rep, fmt.Errorf("%w: %s. A released period is frozen: if the change is right (late or corrected records), publish it with wco revise PERIOD --reason \"…\"; if not, find out why the records system changed it (or whether WCO_PSEUDONYM_KEY is the key it was released with)", ErrReleasedChanged, strings.Join(changed, ", "))
	}
	return pub, rep, nil
}

// ManifestFileOf is a file's manifest entry, when the delivery has one.
func ManifestFileOf(d *delivery.Delivery, file string) (delivery.ManifestFile, bool) {
	if d.Manifest == nil {
		return delivery.ManifestFile{}, false
	}
	return d.Manifest.File(file)
}

func makeMeta(d *delivery.Delivery, rep *check.Report, opt Options) (Meta, time.Time, error) {
	// A delivery is identified by its manifest's sha256, or without one
	// by the checksums the check took of every file as it read it.
	var files, sums []string
	for _, f := range rep.Files {
		files, sums = append(files, f.File), append(sums, f.SHA256)
	}
	digest := delivery.FilesDigest(files, sums)
	manifestSum := ""
	if b, err := fs.ReadFile(d.FS, delivery.ManifestName); err == nil {
		sum := sha256.Sum256(b)
		manifestSum = hex.EncodeToString(sum[:])
		digest = "sha256:" + manifestSum
	}
	meta := Meta{
		Schema:      "wco-publication/2",
		Tool:        "wco",
		ToolVersion: ToolVersion,
		ConfigHash:  opt.ConfigHash,
		Delivery:    DeliveryMeta{Digest: digest, Sample: d.Sample},
		Disclosure: Disclosure{
			Threshold:       opt.Threshold,
			ProtectionWidth: opt.Threshold,
			Method: fmt.Sprintf("counts from 1 to %d are suppressed, then further counts until no suppressed count can be narrowed to a range of fewer than %d by any linear combination of the published numbers",
				opt.Threshold-1, opt.Threshold),
		},
	}
	asOf := rep.Latest()
	if d.Manifest != nil {
		asOf = d.Manifest.ExportedAt
		meta.Delivery.ExportedAt = d.Manifest.ExportedAt.In(period.Chicago).Format(time.RFC3339)
		meta.Delivery.ManifestSHA256 = manifestSum
	}
	if asOf.IsZero() {
		return meta, asOf, fmt.Errorf("publish %s: the delivery has no records and no manifest to date it", d.Origin)
	}
	return meta, asOf, nil
}

// periodSpec is one period of an export's tables.
type periodSpec struct {
	key         string
	kind        string
	year, q     int
	quarters    []period.Quarter
	provisional bool
	c           *counts
}

// specs lists the export's periods: quarters from the first the export
// covers to the last, then the complete years it covers from January.
func (a *aggregate) specs(from, last period.Quarter, years []YearInfo) []periodSpec {
	var specs []periodSpec
	for _, q := range period.Range(from, last) {
		specs = append(specs, periodSpec{key: q.String(), kind: "quarter", year: q.Year, q: q.Q, quarters: []period.Quarter{q}, provisional: q == last, c: a.sum([]period.Quarter{q})})
	}
	for _, y := range years {
		qs := period.Range(period.Quarter{Year: y.Year, Q: 1}, period.Quarter{Year: y.Year, Q: 4})
		if qs[0].Before(from) {
			continue // the export was not kept for the whole year
		}
		specs = append(specs, periodSpec{key: fmt.Sprint(y.Year), kind: "year", year: y.Year, quarters: qs, c: a.sum(qs)})
	}
	return specs
}

// tables builds the export's cells and relations, protects them and turns
// them into its data file. A released period keeps exactly what was
// released: its cells are frozen. A period being revised keeps every
// count its versions suppressed suppressed.
func (a *aggregate) tables(meta Meta, specs []periodSpec, opt Options) (ExportTables, *disclosure.System, error) {
	k := opt.Threshold
	sys := &disclosure.System{}
	key := func(p, dim, value string) string { return CellKey(a.export.Name, p, dim, value) }
	// frozen[period] is the released content in force. suppressed holds
	// the keys of the cells a released period suppresses, and of those any
	// version of a revised period suppressed, which stay suppressed.
	frozen := map[string]*Frozen{}
	suppressed := map[string]bool{}
	// withheld[period] says why its breakdowns are hidden whole: a period
	// that any version withheld stays withheld, so no revision reveals
	// what an earlier version hid.
	withheld := map[string]string{}
	for _, sp := range specs {
		withheld[sp.key] = withholdsBreakdowns(sp, k)
	}
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
		} else {
			frozen[sp.key] = &f
		}
		for _, v := range versions {
			if old, ok := v.Frozen(a.export.Name); ok {
				switch {
				case frozen[sp.key] != nil: // exactly as released
					withheld[sp.key] = old.Period.Withheld
				case withheld[sp.key] == "":
					withheld[sp.key] = old.Period.Withheld
				}
				forEachCount(old.Period, func(dim, value string, c Count) {
					if c.Status == Suppressed {
						suppressed[key(sp.key, dim, value)] = true
					}
				})
			}
		}
	}

	// The cells, with their true values; then the relations between them,
	// which a reader infers from the shape of the tables.
	var shapes []Period
	for _, s := range specs {
		f := frozen[s.key]
		cell := func(dim, value string, n int) {
			ck := key(s.key, dim, value)
			whole := dim != "" && withheld[s.key] != ""
			sys.Add(disclosure.Count{Key: ck, Value: n, Margin: dim == "", Suppressed: suppressed[ck] || whole, MayBeZero: whole, Frozen: f != nil})
		}
		cell("", "", s.c.total)
		shape := Period{Period: s.key, Kind: s.kind, Year: s.year}
		for i, d := range a.dims {
			if !a.publishes(s, f, i) {
				continue
			}
			b := Breakdown{Dimension: d.ID, Multi: d.Multi}
			for j, v := range d.Values {
				cell(d.ID, v, s.c.dims[i][j])
				b.Cells = append(b.Cells, Cell{Value: v})
			}
			shape.Breakdowns = append(shape.Breakdowns, b)
		}
		shapes = append(shapes, shape)
	}
	relate(sys, a.export.Name, shapes)
	if err := sys.Validate(); err != nil {
		return ExportTables{}, nil, fmt.Errorf("the counts do not add up (a bug): %w", err)
	}
	if err := sys.Primary(k); err != nil {
		return ExportTables{}, nil, fmt.Errorf("%w: the threshold now in force is higher than when it was released; publish a revision", err)
	}
	if _, err := sys.Protect(k); err != nil {
		return ExportTables{}, nil, err
	}

	count := func(i int) Count {
		c := sys.Cells[i]
		if c.Suppressed {
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
		p := Period{Period: s.key, Kind: s.kind, Year: s.year, Quarter: s.q, Provisional: s.provisional, Rule: a.rule(s.kind), Breakdowns: []Breakdown{}, Figures: []Figure{}, Withheld: withheld[s.key]}
		ti, _ := sys.Lookup(key(s.key, "", ""))
		p.Total = count(ti)
		for i, d := range a.dims {
			if !a.publishes(s, nil, i) {
				continue
			}
			b := Breakdown{Dimension: d.ID, Multi: d.Multi, Context: d.Context}
			for _, v := range d.Values {
				ci, _ := sys.Lookup(key(s.key, d.ID, v))
				b.Cells = append(b.Cells, Cell{Value: v, Count: count(ci)})
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
				case s.c.total == 0:
				case base < k || s.provisional:
					f.Status = Suppressed
				default:
					f.Value, f.Status = &med, Published
				}
			default:
				num, _ := sys.Lookup(key(s.key, m.Dimension, m.Value))
				switch {
				case s.c.total == 0:
				case s.c.total < k || sys.Cells[ti].Suppressed || sys.Cells[num].Suppressed:
					f.Status = Suppressed
				default:
					v := math.Round(1000*float64(sys.Cells[num].Value)/float64(s.c.total)) / 10
					f.Value, f.Status = &v, Published
				}
			}
			p.Figures = append(p.Figures, f)
		}
		if r := opt.Releases[s.key]; r != nil && slices.Contains(opt.Revised(), s.key) {
			p.Released = true
			p.Version = r.Current().Version + 1
		}
		out.Periods = append(out.Periods, p)
	}
	return out, sys, nil
}

// withholdsBreakdowns reports whether every breakdown cell of period s is
// hidden, zeros included, while its total may be published:
//   - a group of 1 to k-1 records: with its total small, a published zero
//     in a breakdown says that none of those few records has that value,
//     and all zeros but one cell give every record's attribute;
//   - the quarter still open: it is rebuilt every night, and two nights a
//     record apart would give that record's profile in the cells that
//     moved. Its breakdowns are published once the quarter has closed.
//
// The hidden cells stay in the system, so the year that holds the quarter
// is protected against subtraction like any other linked table.
func withholdsBreakdowns(s periodSpec, k int) string {
	switch {
	case s.c.total == 0:
		return "" // no records: a zero describes nobody
	case s.provisional:
		return WithheldProvisional
	case s.c.total < k:
		return WithheldSmallGroup
	}
	return ""
}

// publishes reports whether dimension i appears in period s: for a
// released period, exactly the breakdowns it was released with; otherwise
// those the policy lists, and for years only those that are not context.
func (a *aggregate) publishes(s periodSpec, f *Frozen, i int) bool {
	d := a.dims[i]
	if f != nil {
		return slices.ContainsFunc(f.Period.Breakdowns, func(b Breakdown) bool { return b.Dimension == d.ID })
	}
	return a.pubDims[i] && !(s.kind == "year" && d.Context)
}

// forEachCount visits a period's total (dim "") and every breakdown cell.
func forEachCount(p Period, fn func(dim, value string, c Count)) {
	fn("", "", p.Total)
	for _, b := range p.Breakdowns {
		for _, c := range b.Cells {
			fn(b.Dimension, c.Value, c.Count)
		}
	}
}

// revisions lists a release's revision notes, oldest first.
func revisions(r *Release) []Revision {
	var out []Revision
	for _, v := range r.Versions[1:] {
		out = append(out, Revision{Version: v.Version, ExportedAt: v.Delivery.ExportedAt, Reason: v.Reason})
	}
	return out
}

// rule is the legal rule a period's tables answer: the export's first rule
// for quarters (the ordinance's quarterly report, or the order), its last
// for calendar years (the state's annual reports).
func (a *aggregate) rule(kind string) string {
	if kind == "year" {
		return a.export.Rules[len(a.export.Rules)-1]
	}
	return a.export.Rules[0]
}

// IndexFile is the data file name of the publication index.
const IndexFile = "publication.json"

// WriteDir writes the data files into dir, which must exist.
func (p *Publication) WriteDir(dir string) error {
	if err := writeJSON(filepath.Join(dir, IndexFile), p.Index); err != nil {
		return err
	}
	for _, t := range p.Exports {
		e, err := contract.Lookup(t.Export)
		if err != nil {
			return err
		}
		if err := writeJSON(filepath.Join(dir, e.Slug()+".json"), t); err != nil {
			return err
		}
	}
	return nil
}

func writeJSON(path string, v any) error {
	b, err := marshalJSON(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", filepath.Base(path), err)
	}
	return os.WriteFile(path, b, 0o644)
}

// marshalJSON is the form of every JSON file the package writes: indented
// by two spaces, with a final newline.
func marshalJSON(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
