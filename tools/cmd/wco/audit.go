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
		Long: `audit plays the attacker, from the published files alone: the tables under
data/current and the history they were published with (history.json beside them: every
version of every released period). It replays the history one release at a time, in the
order they were made, and at each attacks every version released so far as one system:
breakdowns add up to totals, years to the quarter versions they were computed with,
published filings list records of their version, and two versions of a period differ by
what a revision added and removed. By linear programming, rounded to whole numbers, it
bounds every suppressed count (at least 1, as zeros are shown), every withheld count (0 or
more) and every change between versions. It fails, naming the cell and the versions it
combined, when a release lets a suppressed count be narrowed to fewer than the protection
width (params.disclosure.threshold), or a withheld count or a change be proved nonzero
within such a range, beyond what the figures a rule requires exactly already tell. It
also fails when the nightly tables show a protected count of a period not released, or a
released period other than as its version in force.`,
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
			fmt.Fprintf(w, "release\texport\tcells\tattacked\tnarrowest range\tfindings\n")
			failed := 0
			for _, r := range reports {
				narrow := "-"
				if !math.IsInf(r.Narrowest, 1) {
					narrow = fmt.Sprintf("%.0f (%s)", r.Narrowest, r.NarrowKey)
				}
				n := len(r.Findings) + len(r.Problems)
				fmt.Fprintf(w, "%s\t%s\t%d\t%d\t%s\t%d\n", r.Release, r.Export, r.Cells, r.Suppressed, narrow, n)
				failed += n
			}
			w.Flush()
			for _, r := range reports {
				for _, f := range r.Findings {
					fmt.Fprintf(cmd.OutOrStdout(), "  %s: %s\n", r.Release, f)
				}
				for _, pr := range r.Problems {
					fmt.Fprintf(cmd.OutOrStdout(), "  %s %s: %s\n", r.Release, r.Export, pr)
				}
			}
			if failed > 0 {
				return fmt.Errorf("audit %s: %d finding(s): counts narrowed below a range of %d, or changes between versions proved nonzero, or protected counts shown before a release", relToCwd(dir), failed, width)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "no release lets a hidden count or a change between versions in %s be narrowed below a range of %d\n", relToCwd(dir), width)
			return nil
		}),
	}
	cmd.Flags().String("data", "", "the data folder holding current/ (default: data/ beside config.yaml)")
	return cmd
}
