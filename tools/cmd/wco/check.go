package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/chicago-welcoming-city/transparency/tools/internal/pipeline"
)

func (a *app) checkCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "check [--source DIR]",
		Short: "Validate a delivery against the export contract",
		Long: `check reads every export of a delivery once and reports every problem: the file,
the line (quoted line breaks counted), the column, what is wrong and what to do.
Values from personal-data columns are never shown. A table per file ends the report.
It exits 1 when there is any problem; unknown columns are warnings only.`,
		Example: `  wco check                                       # the embedded sample delivery
  wco check --source .wco/deliveries/2026-11-16T120000Z
  wco check --source https://records.example.gov/exports/latest/   # pulled first`,
		Args: noArgs,
		RunE: a.withPipeline(func(cmd *cobra.Command, _ []string, p *pipeline.Pipeline) error {
			d, rep, err := p.Check(cmd.Context())
			if err != nil {
				return err
			}
			if err := rep.WriteMapping(cmd.OutOrStdout()); err != nil {
				return err
			}
			if err := rep.Write(cmd.OutOrStdout()); err != nil {
				return err
			}
			if err := rep.Err(); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "delivery %s passes the contract\n", d.Origin)
			return nil
		}),
	}
	addSourceFlag(cmd)
	return cmd
}
