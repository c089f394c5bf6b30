package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
	"github.com/chicago-welcoming-city/transparency/tools/internal/pipeline"
)

func (a *app) filingCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "filing QUARTER|YEAR [--source DIR] [--out DIR]",
		Short: "Write the statutory filing of a quarter or a year, as CSV and PDF",
		Long: `filing checks the delivery and writes the report the law has the department file
for a period, whatever params.filings publishes on the site:

  a quarter (2026-Q3)  the report to the Mayor and the Inspector General under
                       MCC 2-173-069: the notifications to OEMC, and each detainer and
                       administrative warrant with the date received, whether the person
                       was transferred to federal custody, and to which agency;
  a year (2025)        the report to the Attorney General under 5 ILCS 805/25(a): each
                       request from DHS and how it was handled; each detainer, warrant and
                       notification with the date received, bail, release or transfer and
                       the agency that took custody; and the VOICES Act's U and T visa
                       certification requests (5 ILCS 825/20).

Each list holds exactly the fields its clause names, one row per record: no name,
identifier or free text. A list with no records is certified as empty. Each list is
written as CSV, and the whole filing as a PDF to sign (Letter, numbered pages, tagged,
with an outline), printed with Debian's Chromium from the filing's page of the site,
rendered in a build stage that is never put in place. The site and the data folder are
not touched. The period must have ended when the delivery was exported.`,
		Example: `  wco filing 2026-Q3                          # from the embedded sample delivery
  wco filing 2025 --source latest --out /tmp/filed
  wco filing 2026-Q3 --pdf=off                # the CSVs alone, without Chromium`,
		Args: exactlyOnePeriod,
		RunE: a.withPipeline(func(cmd *cobra.Command, args []string, p *pipeline.Pipeline) error {
			per, err := period.ParsePeriod(args[0])
			if err != nil {
				return usageError{err}
			}
			out, _ := cmd.Flags().GetString("out")
			if out == "" {
				out = "filings/" + per.Slug()
			}
			res, err := p.Filing(cmd.Context(), per, out)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "%s, %s (%s):\n", res.Filing.Title, res.Filing.Period, res.Filing.Authority)
			for _, s := range res.Filing.Sections {
				fmt.Fprintf(w, "  %s: %d records\n", s.Title, len(s.Rows))
			}
			for _, f := range res.Files {
				fmt.Fprintf(w, "wrote %s\n", relToCwd(f))
			}
			return nil
		}),
	}
	addSourceFlag(cmd)
	cmd.Flags().String("out", "", "the folder the files go in (default: filings/PERIOD)")
	cmd.Flags().String("pdf", string(pipeline.PrintRequired), "print the PDF: required (fail without Chromium), auto (print if Chromium is installed) or off")
	return cmd
}
