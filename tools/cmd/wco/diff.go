package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/chicago-welcoming-city/transparency/tools/internal/pipeline"
	"github.com/chicago-welcoming-city/transparency/tools/internal/publish"
)

func (a *app) diffCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "diff [--source DIR] [--against DIR]",
		Short: "Show which published figures a delivery would change",
		Long: `diff computes what a delivery would publish and compares it, figure by figure, with
what is in place in data/current (or, with --against, with what another delivery
would publish). It prints a Markdown table, for a pull request: per export and period,
each published count, share or median whose number or status changes (old → new).
It compares published figures only, never the counts behind a hidden one.

A released period stays as released whatever the delivery holds; when the delivery no
longer matches one (late or corrected records), diff names it as a pending revision and
shows what wco revise would publish for it. Nothing is written.`,
		Example: `  wco diff --source .wco/deliveries/2026-12-01T120000Z
  wco diff --source .wco/deliveries/2026-12-01T120000Z --against .wco/deliveries/2026-11-16T120000Z`,
		Args: noArgs,
		RunE: a.withPipeline(func(cmd *cobra.Command, _ []string, p *pipeline.Pipeline) error {
			against, _ := cmd.Flags().GetString("against")
			rev, err := p.Diff(cmd.Context(), against)
			if err != nil {
				return err
			}
			labels, err := p.Labels()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "Compared with %s.\n\n", rev.Against)
			if err := publish.WriteDiff(out, rev.Changes, labels); err != nil {
				return err
			}
			if len(rev.Pending) == 0 {
				return nil
			}
			fmt.Fprint(out, "\nPending revisions: the delivery no longer matches these released periods, whose versions in force stay published:\n\n")
			for _, pd := range rev.Pending {
				fmt.Fprintf(out, "- %s\n", pd)
			}
			fmt.Fprint(out, "\nWhat wco revise would publish for them:\n\n")
			return publish.WriteDiff(out, rev.Revision, labels)
		}),
	}
	addSourceFlag(cmd)
	addThresholdFlag(cmd)
	cmd.Flags().String("against", "", "a delivery to compare with, instead of what is in data/current")
	cmd.Flags().String("data", "", "the data folder holding current/ and releases/ (default: data/ beside config.yaml)")
	return cmd
}
