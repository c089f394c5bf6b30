package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/chicago-welcoming-city/transparency/tools/internal/pipeline"
)

func (a *app) publishCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "publish [--source DIR]",
		Short: "Check a delivery and write the public data files",
		Long: `publish checks a delivery and, only if it passes, computes every table the
publication policy (params.publication) allows — per export, counts per quarter in total
and by each breakdown, calendar-year tables, shares and medians — and protects them:
counts from 1 to threshold-1 are suppressed, then further counts until no suppressed
count can be worked out from everything published. Released quarters stay as released.
It writes the data files into data/current and the downloads into data/downloads, both
put in place at once, only when every file is written; on any failure nothing changes.
A real delivery needs WCO_PSEUDONYM_KEY; the embedded sample does not.`,
		Example: `  wco publish
  wco publish --source .wco/deliveries/2026-11-16T120000Z --threshold 11`,
		Args: noArgs,
		RunE: a.withPipeline(func(cmd *cobra.Command, _ []string, p *pipeline.Pipeline) error {
			out, err := p.Publish(cmd.Context())
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "published %d quarters into %s\n", len(out.Publication.Index.Quarters), relToCwd(out.Site.Current()))
			return nil
		}),
	}
	addSourceFlag(cmd)
	addOutputFlags(cmd, false)
	return cmd
}
