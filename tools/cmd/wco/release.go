package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
	"github.com/chicago-welcoming-city/transparency/tools/internal/pipeline"
	"github.com/chicago-welcoming-city/transparency/tools/internal/publish"
)

func (a *app) releaseCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "release QUARTER[..QUARTER] [--source DIR]",
		Short: "Freeze a quarter's published numbers for good",
		Long: `release computes a quarter's tables from a delivery and freezes them: every published
number and which counts are hidden, for every export, go into data/releases/<quarter>.json,
with the time of the release. Only a release computes a quarter's protected breakdowns
(those no rule requires exactly), protected against every version ever released before:
until then the site shows its exact figures alone. Commit that file and open a pull
request: the diff is the release for review, and merging it publishes it; closing it
stops it. When the release completes a year's four quarters, the calendar year is frozen
with it; a year adds up its quarters as released, so a quarter of it the delivery no
longer matches is revised first.

From then on the quarter never changes by itself: builds publish it as released, and
name it as a pending revision when a delivery no longer matches it (late or corrected
records), for wco revise.

The record ids of the quarter are kept, as keyed pseudonyms, in a ledger in the local
deliveries store (never published), so that a later revision can say how many records
were added, removed or changed.

A range (2021-Q1..2023-Q3) releases each of its quarters in turn, oldest first, as
importing a system's history needs; it stops at the first that cannot be released, and
the quarters before it stay released.`,
		Example: `  WCO_PSEUDONYM_KEY=... wco release 2026-Q3 --source .wco/deliveries/2026-11-16T120000Z
  git add data/releases/2026-q3.json && git commit -m "Release 2026-Q3"
  wco release 2021-Q1..2023-Q3 --source DIR --exported-at 2023-10-16T06:00:00-05:00`,
		Args: exactlyOnePeriod,
		RunE: a.withPipeline(func(cmd *cobra.Command, args []string, p *pipeline.Pipeline) error {
			quarters, err := quarterRange(args[0])
			if err != nil {
				return usageError{err}
			}
			for _, q := range quarters {
				res, err := p.Release(cmd.Context(), q)
				if err != nil {
					return err
				}
				var names []string
				for _, f := range res.Files {
					fmt.Fprintf(cmd.OutOrStdout(), "released %s into %s\n", f.Period, relToCwd(f.File))
					writeFrozenFilings(cmd, f)
					names = append(names, f.Period.String())
				}
				fmt.Fprintf(cmd.OutOrStdout(), "review the diff, commit it and open a pull request: merging it publishes %s\n", strings.Join(names, " and "))
				a.writePending(cmd, res.Pending)
				if err := writeReview(cmd, p, res.Review); err != nil {
					return err
				}
			}
			return nil
		}),
	}
	addReleaseFlags(cmd)
	return cmd
}

func (a *app) reviseCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "revise PERIOD... --reason TEXT [--source DIR]",
		Short: "Publish a revision of released quarters or years",
		Long: `revise recomputes released periods (quarters such as 2026-Q2, or years) from a
delivery and appends a new version to each one's release file, with the reason, which the
site publishes beside the numbers. Revising a quarter of a released year revises the year
too; every other quarter of that year the delivery no longer matches is revised with it
(name them all). The new versions are protected against every version released before,
as one system: a count hidden before stays out of reach, and a breakdown that, compared
with an earlier version, would tell something of the records the revision added or
removed is withheld. When the local ledger of a period exists, revise says how many
records were added, removed or changed. Commit the changed release files and open a pull
request, as for a release.`,
		Example: `  wco revise 2026-Q2 --reason "Twelve detainers logged late by the 8th District were added."
  wco revise 2026-Q2 2026-Q3 --reason "Records entered late in both quarters were added."`,
		Args: atLeastOnePeriod,
		RunE: a.withPipeline(func(cmd *cobra.Command, args []string, p *pipeline.Pipeline) error {
			reason, _ := cmd.Flags().GetString("reason")
			if strings.TrimSpace(reason) == "" {
				return usageError{fmt.Errorf("revise needs --reason: the public note that says why the numbers changed")}
			}
			var periods []period.Period
			for _, a := range args {
				per, err := period.ParsePeriod(a)
				if err != nil {
					return usageError{err}
				}
				periods = append(periods, per)
			}
			res, err := p.Revise(cmd.Context(), periods, reason)
			if err != nil {
				return err
			}
			for _, f := range res.Files {
				fmt.Fprintf(cmd.OutOrStdout(), "revised %s: version %d in %s\n", f.Period, f.Version, relToCwd(f.File))
				writeFrozenFilings(cmd, f)
			}
			for _, l := range res.Ledgers {
				fmt.Fprintf(cmd.OutOrStdout(), "%s since the last version: %d records added, %d removed, %d changed\n", l.Period, l.Added, l.Removed, l.Changed)
			}
			a.writePending(cmd, res.Pending)
			return writeReview(cmd, p, res.Review)
		}),
	}
	addReleaseFlags(cmd)
	cmd.Flags().String("reason", "", "why the numbers changed, published with the revision")
	return cmd
}

// addReleaseFlags adds the flags release and revise share.
func addReleaseFlags(cmd *cobra.Command) {
	addSourceFlag(cmd)
	cmd.Flags().Bool("sample", false, "allow the embedded sample delivery, which is synthetic, to be released or revised (to try the flow; never merge what it writes)")
	cmd.Flags().String("data", "", "the data folder holding releases/ (default: data/ beside config.yaml)")
	addThresholdFlag(cmd)
}

func atLeastOnePeriod(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return usageError{fmt.Errorf("%s takes one or more periods, such as 2026-Q2 or 2025", cmd.CommandPath())}
	}
	return nil
}

// quarterRange reads a quarter (2026-Q3) or a range of them
// (2021-Q1..2023-Q3), oldest first.
func quarterRange(s string) ([]period.Quarter, error) {
	from, to, isRange := strings.Cut(s, "..")
	first, err := period.Parse(from)
	if err != nil || !isRange {
		return []period.Quarter{first}, err
	}
	last, err := period.Parse(to)
	if err != nil {
		return nil, err
	}
	if last.Before(first) {
		return nil, fmt.Errorf("%s: the range ends before it begins", s)
	}
	return period.Range(first, last), nil
}

func exactlyOnePeriod(cmd *cobra.Command, args []string) error {
	if len(args) != 1 {
		return usageError{fmt.Errorf("%s takes one period, such as 2026-Q3", cmd.CommandPath())}
	}
	return nil
}

// writeReview prints, for the pull request, the published figures a
// release or revision changes against what is in place.
func writeReview(cmd *cobra.Command, p *pipeline.Pipeline, rev *pipeline.Review) error {
	if rev == nil {
		return nil
	}
	labels, err := p.Labels()
	if err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "\nAgainst %s:\n\n", rev.Against)
	return publish.WriteDiff(cmd.OutOrStdout(), rev.Changes, labels)
}

// writeFrozenFilings says which statutory filings a release or revision
// froze for the site to publish, with how many records each list holds.
func writeFrozenFilings(cmd *cobra.Command, w pipeline.Written) {
	for _, f := range w.Filings {
		var lists []string
		for _, s := range f.Sections {
			lists = append(lists, fmt.Sprintf("%s: %d", s.ID, len(s.Rows)))
		}
		fmt.Fprintf(cmd.OutOrStdout(), "  with the %s, which the site publishes (%s; wco filing %s writes it to sign)\n", f.Title, strings.Join(lists, ", "), f.Period)
	}
	for _, f := range w.FilingsWithheld {
		fmt.Fprintf(cmd.OutOrStdout(), "  without the %s, which params.filings publishes: %s (wco filing %s still writes it to sign)\n", f.Title, f.Reason, w.Period)
	}
}
