// Package publish turns a checked delivery into the public data files the
// site is built from.
//
// Only what the publication policy allows is computed: today, the number of
// records per quarter for each export, with primary suppression. Record
// contents never leave this package: the data files hold counts, quarter
// labels and metadata that trace every number to its delivery and settings.
//
// Data files are written as JSON with lowercase-dash names and snake_case
// keys; each opens with a meta block. The same delivery and settings always
// give the same bytes.
package publish

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/check"
	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
	"github.com/chicago-welcoming-city/transparency/tools/internal/disclosure"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
	"github.com/chicago-welcoming-city/transparency/tools/internal/records"
)

// Version is the toolkit's version, written into every data file.
const Version = "0.1.0"

// DataSubdir is the folder under data/ that a build owns and replaces.
const DataSubdir = "current"

// Options are the settings a publication is computed with.
type Options struct {
	Threshold int           // disclosure threshold k
	Check     check.Options // how the delivery is read
}

// Meta opens every data file.
type Meta struct {
	Schema      string       `json:"schema"`
	Tool        string       `json:"tool"`
	ToolVersion string       `json:"tool_version"`
	Delivery    DeliveryMeta `json:"delivery"`
	Disclosure  Disclosure   `json:"disclosure"`
}

// DeliveryMeta identifies the delivery the numbers come from.
type DeliveryMeta struct {
	Digest     string `json:"digest"`
	ExportedAt string `json:"exported_at,omitempty"` // RFC 3339, when there is a manifest
	Sample     bool   `json:"sample"`                // the synthetic sample: not real records
}

// Disclosure records the protection applied.
type Disclosure struct {
	Threshold int    `json:"threshold"`
	Method    string `json:"method"`
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

// ExportInfo lists an export in the index.
type ExportInfo struct {
	Name  string   `json:"name"`
	Slug  string   `json:"slug"`
	Rules []string `json:"rules"`
	From  string   `json:"from"` // first published quarter
}

// Note is a public note about the publication, shown on the site.
type Note struct {
	Kind   string `json:"kind"`   // excluded_invalid_rows
	Export string `json:"export"` // the export it concerns
	Rows   int    `json:"rows"`
}

// Index is publication.json: what was published, from what, for which quarters.
type Index struct {
	Meta     Meta          `json:"meta"`
	Quarters []QuarterInfo `json:"quarters"`
	Exports  []ExportInfo  `json:"exports"`
	Notes    []Note        `json:"notes"`
}

// QuarterCount is one quarter's count of records.
type QuarterCount struct {
	Quarter string `json:"quarter"`
	disclosure.Cell
}

// CountTable is <export>.json: records per quarter.
type CountTable struct {
	Meta     Meta           `json:"meta"`
	Export   string         `json:"export"`
	Rules    []string       `json:"rules"`
	Quarters []QuarterCount `json:"quarters"`
}

// Publication is everything one run publishes.
type Publication struct {
	Index  Index
	Tables []CountTable
}

// Run checks d and computes its publication. On any problem it returns the
// check report and an error, and no publication.
func Run(d *delivery.Delivery, opt Options) (*Publication, *check.Report, error) {
	if err := disclosure.ValidateThreshold(opt.Threshold); err != nil {
		return nil, nil, err
	}
	counts := map[string]map[period.Quarter]int{}
	rep := check.Delivery(d, opt.Check, func(e contract.Export, r records.Record) {
		m := counts[e.Name]
		if m == nil {
			m = map[period.Quarter]int{}
			counts[e.Name] = m
		}
		m[period.Of(r.When().Time)]++
	})
	if err := rep.Err(); err != nil {
		return nil, rep, err
	}

	var files []string
	for _, e := range contract.Exports() {
		files = append(files, e.File())
	}
	digest, err := d.Digest(files)
	if err != nil {
		return nil, rep, fmt.Errorf("identify delivery %s: %w", d.Origin, err)
	}
	meta := Meta{
		Schema:      "wco-quarterly-counts/1",
		Tool:        "wco",
		ToolVersion: Version,
		Delivery:    DeliveryMeta{Digest: digest, Sample: d.Sample},
		Disclosure: Disclosure{
			Threshold: opt.Threshold,
			Method:    fmt.Sprintf("primary suppression: counts from 1 to %d are not published", opt.Threshold-1),
		},
	}
	// The last quarter is the one the delivery was exported in: it had not
	// ended when the records were exported, so its numbers are provisional.
	asOf := rep.Latest()
	if d.Manifest != nil {
		asOf = d.Manifest.ExportedAt
		meta.Delivery.ExportedAt = d.Manifest.ExportedAt.In(period.Chicago).Format(time.RFC3339)
	}
	if asOf.IsZero() {
		return nil, rep, fmt.Errorf("publish %s: the delivery has no records and no manifest to date it", d.Origin)
	}
	last := period.Of(asOf)
	first := last
	for _, m := range counts {
		for q := range m {
			if q.Before(first) {
				first = q
			}
		}
	}

	pub := &Publication{Index: Index{Meta: meta, Notes: []Note{}}}
	excluded := rep.Excluded()
	for _, e := range contract.Exports() {
		if n := excluded[e.File()]; n > 0 {
			pub.Index.Notes = append(pub.Index.Notes, Note{Kind: "excluded_invalid_rows", Export: e.Name, Rows: n})
		}
	}
	for _, q := range period.Range(first, last) {
		pub.Index.Quarters = append(pub.Index.Quarters, QuarterInfo{
			Quarter:     q.String(),
			Slug:        q.Slug(),
			Year:        q.Year,
			Number:      q.Q,
			Start:       q.Start().Format(time.DateOnly),
			End:         q.End().AddDate(0, 0, -1).Format(time.DateOnly),
			Provisional: q == last,
		})
	}
	for _, e := range contract.Exports() {
		from := first
		if !e.Since.IsZero() && from.Before(period.Of(e.Since)) {
			from = period.Of(e.Since)
		}
		t := CountTable{Meta: meta, Export: e.Name, Rules: slices.Clone(e.Rules)}
		for _, q := range period.Range(from, last) {
			t.Quarters = append(t.Quarters, QuarterCount{Quarter: q.String(), Cell: disclosure.Primary(counts[e.Name][q], opt.Threshold)})
		}
		pub.Tables = append(pub.Tables, t)
		pub.Index.Exports = append(pub.Index.Exports, ExportInfo{Name: e.Name, Slug: e.Slug(), Rules: slices.Clone(e.Rules), From: from.String()})
	}
	return pub, rep, nil
}

// IndexFile is the data file name of the publication index.
const IndexFile = "publication.json"

// WriteDir writes the data files into dir, which must exist.
func (p *Publication) WriteDir(dir string) error {
	if err := writeJSON(filepath.Join(dir, IndexFile), p.Index); err != nil {
		return err
	}
	for _, t := range p.Tables {
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
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", filepath.Base(path), err)
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
