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
const ToolVersion = "0.4.0"

// Options are the settings a publication is computed with.
type Options struct {
	Threshold  int           // disclosure threshold k
	Check      check.Options // how the delivery is read
	Policy     Policy
	Groupings  Groupings // params.groupings, which the policy's breakdowns name
	ConfigHash string    // sha256 of the effective configuration, for meta
	// DaysAfterQuarter is how long after a quarter ends its report is
	// due (params.releases.days_after_quarter).
	DaysAfterQuarter int
	// Key is the pseudonym key (WCO_PSEUDONYM_KEY), which keys the local
	// ledgers of released periods. Required to release or revise a real
	// delivery.
	Key []byte
	// Filings says which statutory filings the site publishes with a
	// released period (params.filings).
	Filings FilingsPolicy
	// ExportedAt is when a delivery without a manifest was exported, as
	// staff give it (--exported-at, params.deliveries.exported_at): it is
	// never guessed from the records.
	ExportedAt time.Time
}

// ErrUndated is returned for a delivery with no manifest and no export
// time given.
var ErrUndated = errors.New("the delivery has no manifest.json to say when it was exported, and the time is never guessed from the records (a quarter's last weeks would be taken as unfinished): give it with --exported-at 2026-11-16T06:00:00-06:00, or params.deliveries.exported_at")

// validate checks the settings that do not depend on the delivery.
func (o Options) validate() error {
	if err := disclosure.ValidateThreshold(o.Threshold); err != nil {
		return err
	}
	if err := o.Policy.Validate(o.Groupings); err != nil {
		return err
	}
	return o.Filings.Validate()
}

// ErrNoKey is returned when a real delivery is released without a key.
var ErrNoKey = errors.New("WCO_PSEUDONYM_KEY is not set: releasing or revising a real delivery keeps a ledger of its records under keyed pseudonyms, which needs the key (only the embedded sample may go without); " + KeyHowTo)

// Counted is a checked delivery, counted: every count a publication of it
// may need, and nothing else of its records. Counting is the one pass over
// the records; publishing, releasing and revising work from the counts.
type Counted struct {
	Report *check.Report
	Meta   Meta
	// AsOf is when the delivery was exported.
	AsOf        time.Time
	first, last period.Quarter // the first quarter with records, the open one
	years       []YearInfo     // calendar years that had ended, covered from January
	aggs        map[string]*aggregate
	// prepared are the filings of the periods asked for (Prepare), by
	// period, when the policy publishes them.
	prepared map[string]*filing.Filing
	// ledgers list the records of the periods asked for (Ledger), by
	// period: pseudonym → keyed digest of what the catalog reads of it.
	// Never published.
	ledgers map[string]map[string]string
	// notReported marks the exports delivered with no rows and no
	// certification that there were none: their counts are unknown.
	notReported map[string]bool
	notes       []Note
	opt         Options
}

// CountOptions say what a count prepares besides the counts.
type CountOptions struct {
	// Prepare names the periods whose statutory filings to prepare (those
	// a release or revision freezes), when the policy publishes them.
	Prepare []period.Period
	// Ledger names the periods whose records to list by pseudonym, for
	// the local ledger that explains revisions.
	Ledger []period.Period
}

// CountDelivery checks d and counts it. On any problem it returns the check
// report and an error, and no counts.
func CountDelivery(d *delivery.Delivery, opt Options, co CountOptions) (*Counted, *check.Report, error) {
	if err := opt.validate(); err != nil {
		return nil, nil, err
	}
	key := opt.Key
	if len(key) == 0 {
		if !d.Sample && len(co.Ledger) > 0 {
			return nil, nil, ErrNoKey
		}
		key = []byte(SampleKey)
	} else if err := CheckKey(string(key)); err != nil {
		return nil, nil, err
	}
	collectors := map[string]*filing.Collector{}
	for _, p := range co.Prepare {
		k := filing.For(p)
		if !opt.Filings.Publishes(k.ID) || collectors[p.String()] != nil {
			continue
		}
		fc, err := filing.NewCollector(k, p, opt.DaysAfterQuarter)
		if err != nil {
			return nil, nil, err
		}
		collectors[p.String()] = fc
	}
	aggs := map[string]*aggregate{}
	for _, e := range contract.Exports() {
		dims, ms := catalogOf(e.Name)
		a := newAggregate(e, dims, ms, opt.Policy[e.Name])
		if !e.Since.IsZero() {
			a.ruleFrom = period.Of(e.Since)
		}
		if since := opt.Check.Mappings[e.Name].Since(e.Since); !since.IsZero() {
			a.since = period.Of(since)
		}
		aggs[e.Name] = a
	}
	var mu sync.Mutex // exports are read concurrently
	ledgers := map[string]map[string]string{}
	for _, p := range co.Ledger {
		ledgers[p.String()] = map[string]string{}
	}
	rep := check.Delivery(d, opt.Check, func(e contract.Export, r records.Record) {
		a := aggs[e.Name]
		a.add(r)
		for _, fc := range collectors {
			fc.Visit(e, r)
		}
		if len(co.Ledger) == 0 {
			return
		}
		for _, p := range co.Ledger {
			if p.Contains(r.When().Time) {
				mu.Lock()
				ledgers[p.String()][Pseudonym(key, e.Name, r.RecordID())] = a.digest(key, r)
				mu.Unlock()
			}
		}
	})
	if err := rep.Err(); err != nil {
		return nil, rep, err
	}
	meta, asOf, err := makeMeta(d, rep, opt)
	if err != nil {
		return nil, rep, err
	}
	c := &Counted{Report: rep, Meta: meta, AsOf: asOf, aggs: aggs, prepared: map[string]*filing.Filing{}, ledgers: ledgers, notReported: map[string]bool{}, notes: []Note{}, opt: opt}
	excluded := rep.Excluded()
	for i, e := range contract.Exports() {
		fr := rep.Files[i]
		if fr.RowsRead == 0 {
			if mf, listed := ManifestFileOf(d, fr.File); fr.NotDelivered || !listed || !mf.CertifiedEmpty {
				// A header and no rows: the counts are unknown, not zero.
				c.notReported[e.Name] = true
				kind := "not_reported"
				if fr.NotDelivered {
					kind = "not_delivered" // the system does not produce it
				}
				c.notes = append(c.notes, Note{Kind: kind, Export: e.Name})
				continue
			}
			c.notes = append(c.notes, Note{Kind: "certified_none", Export: e.Name})
		}
		if n := excluded[fr.File]; n > 0 {
			c.notes = append(c.notes, Note{Kind: "excluded_invalid_rows", Export: e.Name, Rows: n})
		}
	}
	c.last = period.Of(asOf)
	c.first = c.last
	for _, a := range aggs {
		for q := range a.quarters {
			// Records before an export's first reported quarter are in no
			// table: they do not move the site's first quarter back.
			if q.Before(c.first) && !q.Before(a.since) {
				c.first = q
			}
		}
	}
	// A calendar year is published once all its quarters have ended, if
	// the records cover it from its first quarter.
	firstYear := c.first.Year
	if c.first.Q != 1 {
		firstYear++
	}
	for y := firstYear; y < c.last.Year; y++ {
		c.years = append(c.years, YearInfo{Year: y, Start: fmt.Sprintf("%d-01-01", y), End: fmt.Sprintf("%d-12-31", y)})
	}
	for _, key := range slices.Sorted(maps.Keys(collectors)) {
		p, _ := period.ParsePeriod(key)
		if asOf.Before(p.End()) {
			continue // the period had not ended: there is nothing to file yet
		}
		f, err := collectors[key].Filing(asOf)
		if err != nil {
			return nil, rep, err
		}
		c.prepared[key] = f
	}
	return c, rep, nil
}

// Ledger is the list of a period's records by pseudonym, if it was asked for.
func (c *Counted) Ledger(p string) map[string]string { return c.ledgers[p] }

// Open is the quarter still open when the delivery was exported.
func (c *Counted) Open() period.Quarter { return c.last }

// Closed reports whether period p had ended when the delivery was exported.
func (c *Counted) Closed(p period.Period) bool { return !c.AsOf.Before(p.End()) }

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
		for _, c := range f.Children {
			files, sums = append(files, c.File), append(sums, c.SHA256)
		}
	}
	digest := delivery.FilesDigest(files, sums)
	manifestSum := ""
	if b, err := fs.ReadFile(d.FS, delivery.ManifestName); err == nil {
		sum := sha256.Sum256(b)
		manifestSum = hex.EncodeToString(sum[:])
		digest = "sha256:" + manifestSum
	}
	meta := Meta{
		Schema:      "wco-publication/3",
		Tool:        "wco",
		ToolVersion: ToolVersion,
		ConfigHash:  opt.ConfigHash,
		Delivery:    DeliveryMeta{Digest: digest, Sample: d.Sample},
		Disclosure: Disclosure{
			Threshold:       opt.Threshold,
			ProtectionWidth: opt.Threshold,
			Method: fmt.Sprintf("counts from 1 to %d are suppressed, then further counts until, over every version of every period ever released, no suppressed count can be narrowed to a range of fewer than %d whole numbers, no withheld count or change between versions can be proved nonzero within such a range, by any linear combination of the published numbers",
				opt.Threshold-1, opt.Threshold),
		},
	}
	var asOf time.Time
	switch {
	case d.Manifest != nil && !opt.ExportedAt.IsZero() && !d.Manifest.ExportedAt.Equal(opt.ExportedAt):
		return meta, asOf, fmt.Errorf("publish %s: its manifest says it was exported at %s, and the export time given is %s: give none, or the manifest's", d.Origin, d.Manifest.ExportedAt.Format(time.RFC3339), opt.ExportedAt.Format(time.RFC3339))
	case d.Manifest != nil:
		asOf = d.Manifest.ExportedAt
		meta.Delivery.ManifestSHA256 = manifestSum
	case !opt.ExportedAt.IsZero():
		asOf = opt.ExportedAt
	default:
		return meta, asOf, fmt.Errorf("publish %s: %w", d.Origin, ErrUndated)
	}
	meta.Delivery.ExportedAt = asOf.In(period.Chicago).Format(time.RFC3339)
	return meta, asOf, nil
}

// Quarters lists the quarters the counts cover, from the first with
// records to the one still open.
func (c *Counted) Quarters() []period.Quarter { return period.Range(c.first, c.last) }

// CoversYear reports whether the counts cover calendar year y whole: it
// had ended, and the records start in its first quarter or before.
func (c *Counted) CoversYear(y period.Period) bool {
	return slices.ContainsFunc(c.years, func(yi YearInfo) bool { return yi.Year == y.Year })
}
