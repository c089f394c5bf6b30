package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/chicago-welcoming-city/transparency/tools/internal/pipeline"
	"github.com/chicago-welcoming-city/transparency/tools/internal/publish"
)

func (a *app) publishCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "publish [--source DIR]",
		Short: "Check a delivery and write the public data files",
		Long: `publish checks a delivery and, only if it passes, computes every table the
publication policy (params.publication) allows — per export, counts per quarter in total
and by each breakdown, calendar-year tables, shares and medians. A released period is
published as its version in force (data/releases), protected when it was released; a
period not yet released shows the figures a rule requires exactly, and nothing protected,
so no night's tables tell anything another night's do not. A released period the delivery
no longer matches (late or corrected records) stays as released and is named as a pending
revision, for wco revise; under GitHub Actions, as a warning annotation.
It writes the data files into data/current and the downloads into data/downloads, both
put in place at once, only when every file is written; on any failure nothing changes.`,
		Example: `  wco publish
  wco publish --source .wco/deliveries/2026-11-16T120000Z --threshold 11`,
		Args: noArgs,
		RunE: a.withPipeline(func(cmd *cobra.Command, _ []string, p *pipeline.Pipeline) error {
			out, err := p.Publish(cmd.Context())
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "published %d quarters into %s\n", len(out.Publication.Index.Quarters), relToCwd(out.Site.Current()))
			a.writePending(cmd, out.Publication.Index.Pending)
			return nil
		}),
	}
	addSourceFlag(cmd)
	addOutputFlags(cmd, false)
	return cmd
}

// writePending names the released periods the delivery no longer matches,
// and how to publish the change. Under GitHub Actions (GITHUB_ACTIONS is
// true) each is also a warning annotation, which the run's summary shows.
func (a *app) writePending(cmd *cobra.Command, pending []publish.Pending) {
	if len(pending) == 0 {
		return
	}
	out := cmd.OutOrStdout()
	periods := map[string]bool{}
	var names []string
	for _, pd := range pending {
		fmt.Fprintf(out, "pending revision: %s; the version in force stays published\n", pd)
		if !periods[pd.Period] {
			periods[pd.Period] = true
			names = append(names, pd.Period)
		}
		if v, _ := a.env.Lookup("GITHUB_ACTIONS"); v == "true" {
			fmt.Fprintf(out, "::warning title=Pending revision of %s::%s. The version in force stays published until wco revise %s publishes the change.\n", pd.Period, pd, pd.Period)
		}
	}
	fmt.Fprintf(out, "publish the change with: wco revise %s --reason \"…\" --source …\n", strings.Join(names, " "))
}
