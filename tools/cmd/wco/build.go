package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/chicago-welcoming-city/transparency/tools/internal/pipeline"
)

func (a *app) buildCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "build [--source DIR]",
		Short: "Check, publish and render the site into public/",
		Long: `build runs the whole path: check the delivery, compute and protect the tables (as
wco publish), write the data files and downloads, and render the site with Hugo
(go tool hugo). data/current, data/downloads and public are put in place at once, by one
atomic rename, only when every step succeeded; after any failure, or if the build is
killed, they are left byte-for-byte as they were, and wco exits 1.

With Chromium installed, every report page, in every language, and the page of every
published filing are printed as PDF (Letter, numbered pages, tagged) and put beside
the page, which links to it; the site is rendered again with them. --pdf=required
fails the build without Chromium (CI sets it), --pdf=off skips the PDFs.`,
		Example: `  wco build                                   # from the embedded sample delivery
  wco build --source .wco/deliveries/2026-11-16T120000Z
  wco build --public /tmp/site                # render somewhere else`,
		Args: noArgs,
		RunE: a.withPipeline(func(cmd *cobra.Command, _ []string, p *pipeline.Pipeline) error {
			out, err := p.Build(cmd.Context())
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "published %d quarters into %s and built the site in %s\n",
				len(out.Publication.Index.Quarters), relToCwd(out.Site.Current()), relToCwd(out.Site.PublicDir))
			a.writePending(cmd, out.Publication.Index.Pending)
			return nil
		}),
	}
	addSourceFlag(cmd)
	addOutputFlags(cmd, true)
	cmd.Flags().String("pdf", string(pipeline.PrintAuto), "print the PDFs of the report and filing pages: auto (when Chromium is installed), required or off")
	return cmd
}
