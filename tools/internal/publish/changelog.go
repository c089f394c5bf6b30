package publish

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Change is one entry of the changelog.
type Change struct {
	Date string `json:"date"` // the day it was released (the export day, for a provisional quarter)
	// Exported is the export day of the delivery a version was computed
	// from.
	Exported string `json:"exported,omitempty"`
	Period   string `json:"period"`
	Kind     string `json:"kind"` // released, revised or provisional
	// Version and Reason of a release or revision, so that the site can
	// say it in every language; Note says it in English for CHANGELOG.md.
	Version int    `json:"version,omitempty"`
	Reason  string `json:"reason,omitempty"`
	Note    string `json:"note"`
	// Archive is, for a release or a revision, its published numbers as
	// they were released, at addresses that never change.
	Archive []DownloadFile `json:"archive,omitempty"`
	// Zip and Parquet are the version's files in one archive, and its
	// numbers in one Parquet file.
	Zip     *DownloadFile `json:"zip,omitempty"`
	Parquet *DownloadFile `json:"parquet,omitempty"`
	at      string        // when it happened, to the second, for the order
}

// Changelog lists, newest first, every release and revision the
// publication was computed with, and its provisional quarter.
func (p *Publication) Changelog() []Change {
	var out []Change
	for period, r := range p.releases {
		for _, v := range r.Versions {
			c := Change{Date: day(v.ReleasedAt), Exported: day(v.Delivery.ExportedAt), at: v.ReleasedAt, Period: period, Kind: "released", Version: v.Version,
				Note: fmt.Sprintf("%s released (version %d) on %s, from the delivery exported %s.", period, v.Version, day(v.ReleasedAt), day(v.Delivery.ExportedAt))}
			if v.Version > 1 {
				c.Kind, c.Reason = "revised", v.Reason
				c.Note = fmt.Sprintf("%s revised (version %d) on %s, from the delivery exported %s: %s", period, v.Version, day(v.ReleasedAt), day(v.Delivery.ExportedAt), v.Reason)
			}
			out = append(out, c)
		}
	}
	for _, q := range p.Index.Quarters {
		if q.Provisional {
			d := day(p.Index.Meta.Delivery.ExportedAt)
			out = append(out, Change{Date: d, at: p.Index.Meta.Delivery.ExportedAt, Period: q.Quarter, Kind: "provisional",
				Note: fmt.Sprintf("%s is provisional: the quarter had not ended when the delivery of %s was exported.", q.Quarter, d)})
		}
	}
	slices.SortFunc(out, func(a, b Change) int {
		ta, _ := time.Parse(time.RFC3339, a.at)
		tb, _ := time.Parse(time.RFC3339, b.at)
		if c := tb.Compare(ta); c != 0 {
			return c
		}
		if c := b.Version - a.Version; c != 0 {
			return c
		}
		if c := strings.Compare(b.Period, a.Period); c != 0 {
			return c
		}
		return strings.Compare(b.Note, a.Note)
	})
	return out
}

// ChangelogMarkdown writes the changelog as a human-readable document.
func ChangelogMarkdown(changes []Change) string {
	var b strings.Builder
	b.WriteString("# Changelog\n\nReleases and revisions of the Welcoming City transparency tables, newest first.\n\n")
	for _, c := range changes {
		date := c.Date
		if date == "" {
			date = "undated delivery"
		}
		fmt.Fprintf(&b, "- %s — %s\n", date, c.Note)
	}
	return b.String()
}

// day is the date part of an RFC 3339 time.
func day(t string) string {
	if len(t) >= 10 {
		return t[:10]
	}
	return t
}
