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
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/check"
	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
	"github.com/chicago-welcoming-city/transparency/tools/internal/disclosure"
	"github.com/chicago-welcoming-city/transparency/tools/internal/filing"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
	"github.com/chicago-welcoming-city/transparency/tools/internal/records"
)

// ToolVersion is the toolkit's version, written into every data file.
const ToolVersion = "0.3.0"

// Options are the settings a publication is computed with.
type Options struct {
	Threshold  int           // disclosure threshold k
	Check      check.Options // how the delivery is read
	Policy     Policy
	Groupings  Groupings // params.groupings, which the policy's breakdowns name
	ConfigHash string    // sha256 of the effective configuration, for meta
	// DaysAfterQuarter is how long after a quarter ends its report is
	// due (params.releases.days_after_quarter): the embedded sample,
	// which has no release history, is published as a deployment that
	// released every period on its due date.
	DaysAfterQuarter int
	// Releasing names the periods wco release is freezing: computed with
	// their protected breakdowns, which only a release publishes.
	// Key is the pseudonym key (WCO_PSEUDONYM_KEY), which also keys the
	// fingerprints of released periods. Required, except for the sample.
	Key []byte
	// Releases are the released periods: frozen, and proven unchanged.
	Releasing []string
	Releases  Releases
	// Revising names a released period to compute afresh, keeping every
	// count its versions suppressed suppressed, for wco revise. Revising a
	// quarter of a released year revises the year too (see Revised).
	Revising string
	// Ledger names a period whose records to list by pseudonym, for the
	// local ledger that explains revisions.
	Ledger string
	// Filings says which statutory filings the site publishes with a
	// released period (params.filings): a release or revision prepares
	// them, and every published filing is part of the protection.
	Filings FilingsPolicy
}

// Revised lists the periods a revision of Options.Revising recomputes: the
// period, and for a quarter its calendar year when that is released.
func (o Options) Revised() []string {
	if o.Revising == "" {
		return nil
	}
	out := []string{o.Revising}
	if p, err := period.ParsePeriod(o.Revising); err == nil && !p.IsYear() && o.Releases[p.YearOf().String()] != nil {
		out = append(out, p.YearOf().String())
	}
	return out
}

// ErrNoKey is returned when a real delivery is published without a key.
var ErrNoKey = errors.New("WCO_PSEUDONYM_KEY is not set: publishing a real delivery needs the pseudonym key (only the embedded sample may go without); " + KeyHowTo)

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
	// filings are the filings prepared for the periods being released or
	// revised, by period, when the policy publishes them.
	filings map[string]*filing.Filing
}

// Run checks d and computes its publication. On any problem it returns the
// check report and an error, and no publication.
func Run(d *delivery.Delivery, opt Options) (*Publication, *check.Report, error) {
	if err := disclosure.ValidateThreshold(opt.Threshold); err != nil {
		return nil, nil, err
	}
	if err := opt.Policy.Validate(opt.Groupings); err != nil {
		return nil, nil, err
	}
	if err := opt.Filings.Validate(); err != nil {
		return nil, nil, err
	}
	collectors, err := opt.collectors(d.Sample)
	if err != nil {
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
	var ledgerPeriod period.Period
	if opt.Ledger != "" {
		var err error
		if ledgerPeriod, err = period.ParsePeriod(opt.Ledger); err != nil {
			return nil, nil, fmt.Errorf("ledger: %w", err)
		}
	}
	rep := check.Delivery(d, opt.Check, func(e contract.Export, r records.Record) {
		a := aggs[e.Name]
		a.add(r)
		collectors.visit(e, r)
		if opt.Ledger != "" {
			if ledgerPeriod.Contains(r.When().Time) {
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
	pub := &Publication{Index: Index{Meta: meta, Notes: []Note{}, Years: []YearInfo{}}, Systems: map[string]*disclosure.System{}, fingerprints: map[string]map[string]string{}, Ledger: ledger, releases: opt.Releases, filings: map[string]*filing.Filing{}}
	if pub.filings, err = collectors.filings(asOf, opt); err != nil {
		return nil, rep, err
	}
	filings := pub.inForce(opt)
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
	changed := &ReleasedChangedError{}
	for i, e := range contract.Exports() {
		a := aggs[e.Name]
		from := first
		if !e.Since.IsZero() && from.Before(period.Of(e.Since)) {
			from = period.Of(e.Since)
		}
		if fr := rep.Files[i]; fr.RowsRead == 0 {
			mf, listed := ManifestFileOf(d, fr.File)
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
		specs := a.specs(from, last, pub.Index.Years, asOf, d.Sample, opt)
		pub.fingerprints[e.Name] = map[string]string{}
		for _, sp := range specs {
			fp := a.fingerprint(key, sp.key, sp.all)
			pub.fingerprints[e.Name][sp.key] = fp
			if r := opt.Releases[sp.key]; r != nil && !slices.Contains(opt.Revised(), sp.key) {
				if f, ok := r.Current().Frozen(e.Name); ok && f.Fingerprint != fp {
					changed.add(sp.key, e.Name)
				}
			}
		}
		if len(changed.Changes) > 0 {
			continue
		}
		t, sys, err := a.tables(meta, specs, filings, opt)
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
		if n := excluded[rep.Files[i].File]; n > 0 {
			pub.Index.Notes = append(pub.Index.Notes, Note{Kind: "excluded_invalid_rows", Export: e.Name, Rows: n})
		}
		// Records dated before the export's reporting began are in no
		// table: the notes say how many, and from when it counts.
		before := 0
		for q, c := range a.quarters {
			if q.Before(from) {
				before += c.total
			}
		}
		if before > 0 {
			pub.Index.Notes = append(pub.Index.Notes, Note{Kind: "before_reporting", Export: e.Name, Rows: before, Since: from.Start().Format(time.DateOnly)})
		}
	}
	if len(changed.Changes) > 0 {
		return nil, rep, changed
	}
	return pub, rep, nil
}

// collectors start the filings a release or revision prepares: for each
// period it freezes, the filing due for it, when the policy publishes it.
// The embedded sample, published as a deployment that released every
// period on its due date, prepares them for every period it has.
func (o Options) collectors(sample bool) (*collectors, error) {
	c := &collectors{m: map[string]*filing.Collector{}, policy: o.Filings, days: o.DaysAfterQuarter, sample: sample}
	for _, key := range append(slices.Clone(o.Releasing), o.Revised()...) {
		p, err := period.ParsePeriod(key)
		if err != nil {
			return nil, err
		}
		if err := c.start(p); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// collectors are the filings being prepared, by period.
type collectors struct {
	mu     sync.Mutex
	m      map[string]*filing.Collector
	policy FilingsPolicy
	days   int
	sample bool
}

// start starts p's filing, if the policy publishes it.
func (c *collectors) start(p period.Period) error {
	k := filing.For(p)
	if !c.policy.Publishes(k.ID) || c.m[p.String()] != nil {
		return nil
	}
	fc, err := filing.NewCollector(k, p, c.days)
	if err != nil {
		return err
	}
	c.m[p.String()] = fc
	return nil
}

// visit gives a record to the filings it may be in. Only the sample's
// set grows while records stream by, so only it takes the lock.
func (c *collectors) visit(e contract.Export, r records.Record) {
	if c.sample {
		c.mu.Lock()
		defer c.mu.Unlock()
		q := period.Of(r.When().Time).Period()
		_ = c.start(q)
		_ = c.start(q.YearOf())
	}
	for _, fc := range c.m {
		fc.Visit(e, r)
	}
}

// filings finishes the filings of the periods that had ended when the
// delivery was exported; for the sample, only of those past their due
// date.
func (c *collectors) filings(asOf time.Time, o Options) (map[string]*filing.Filing, error) {
	out := map[string]*filing.Filing{}
	for _, key := range sortedKeys(c.m) {
		f, err := c.m[key].Filing(asOf)
		if err != nil {
			return nil, err
		}
		p, _ := period.ParsePeriod(key)
		if asOf.Before(p.End()) {
			continue // the period had not ended: there is nothing to file yet
		}
		if c.sample && !slices.Contains(o.Releasing, key) && !slices.Contains(o.Revised(), key) && asOf.Before(p.End().AddDate(0, 0, o.DaysAfterQuarter)) {
			continue
		}
		out[key] = f
	}
	return out, nil
}

// inForce are the published filings in force, by period: those prepared
// now, and for every other released period its current version's.
func (p *Publication) inForce(opt Options) map[string]*filing.Filing {
	out := map[string]*filing.Filing{}
	for key, r := range opt.Releases {
		if slices.Contains(opt.Revised(), key) {
			continue
		}
		for _, f := range r.Current().Filings {
			out[key] = f
		}
	}
	maps.Copy(out, p.filings)
	return out
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

// revisions lists a release's revision notes, oldest first.
func revisions(r *Release) []Revision {
	var out []Revision
	for _, v := range r.Versions[1:] {
		out = append(out, Revision{Version: v.Version, ExportedAt: v.Delivery.ExportedAt, Reason: v.Reason})
	}
	return out
}
