package main

import (
	"fmt"
	"math"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/chicago-welcoming-city/transparency/tools/internal/pipeline"
)

func (a *app) auditCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit [--data DIR]",
		Short: "Attack the published tables: can any suppressed count be worked out?",
		Long: `audit plays the attacker. It reads only what was published (the data files under
data/current), rebuilds every relation a reader can infer from the tables' shape
(breakdowns add up to totals, years add up their quarters), and for every suppressed
count computes its least and greatest possible value by linear programming, knowing
that suppressed counts are at least 1 because zeros are always shown. It fails,
naming the cell, when any count is exactly determined or can be narrowed to a range
narrower than the protection width (params.disclosure.threshold).`,
		Example: `  wco build && wco audit
  wco audit --data /tmp/site-data`,
		Args: noArgs,
		RunE: a.withPipeline(func(cmd *cobra.Command, _ []string, p *pipeline.Pipeline) error {
			reports, err := p.Audit()
			if err != nil {
				return err
			}
			dir, width := p.Site().Current(), p.Config().Disclosure.Threshold
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintf(w, "export\tcells\tsuppressed\tnarrowest range\tfindings\n")
			failed := 0
			for _, r := range reports {
				narrow := "-"
				if !math.IsInf(r.Narrowest, 1) {
					narrow = fmt.Sprintf("%.0f (%s)", r.Narrowest, r.NarrowKey)
				}
				fmt.Fprintf(w, "%s\t%d\t%d\t%s\t%d\n", r.Export, r.Cells, r.Suppressed, narrow, len(r.Findings)+len(r.Changes))
				failed += len(r.Findings) + len(r.Changes)
			}
			w.Flush()
			for _, r := range reports {
				for _, f := range r.Findings {
					fmt.Fprintf(cmd.OutOrStdout(), "  %s\n", f)
				}
				for _, c := range r.Changes {
					fmt.Fprintf(cmd.OutOrStdout(), "  %s: %s\n", r.Export, c)
				}
			}
			if failed > 0 {
				return fmt.Errorf("audit %s: %d finding(s): suppressed counts narrowed below a range of %d, or revisions that single out fewer than %d records", relToCwd(dir), failed, width, width)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "no suppressed count in %s can be narrowed below a range of %d\n", relToCwd(dir), width)
			return nil
		}),
	}
	cmd.Flags().String("data", "", "the data folder holding current/ (default: data/ beside config.yaml)")
	return cmd
}
