package main

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/chicago-welcoming-city/transparency/tools/internal/pipeline"

	"github.com/chicago-welcoming-city/transparency/tools/internal/verify"
)

func (a *app) verifyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "verify [SITE]",
		Short: "Check the built site before it is published",
		Long: `verify runs every site check on a built site (default: public/) and prints one
summary table; each problem is named by page and rule. It exits 1 when any check
finds a problem or cannot run. No check can be skipped:

  links          every internal link and anchor resolves (htmltest)
  html           every page and stylesheet is valid (the Nu HTML Checker, on Java)
  hosts          nothing on a page or stylesheet loads from another host
  privacy        no canary or shape of personal data in the site or data/
  budget         every page with what it loads within params.verify.page_budget_kb,
                 with a strict Content-Security-Policy
  structure      robots.txt, and a sitemap and a 404 page for every language
  accessibility  axe-core finds no WCAG 2.1 A or AA violation on any page, in Chromium
  network        Chromium requests nothing from another origin on any page

It needs Debian's chromium, Java and npm; the Node packages (vnu-jar, axe-core) are
installed from .ci/package-lock.json, scripts off, when missing. Pages are checked
as served under the site's base URL (baseURL, or HUGO_BASEURL when set).`,
		Example: `  wco build && wco verify
  wco verify /tmp/site --data /tmp/data`,
		Args: cobra.MaximumNArgs(1),
		RunE: a.withPipeline(func(cmd *cobra.Command, args []string, p *pipeline.Pipeline) error {
			cfg, s := p.Config(), p.Site()
			public, data := s.PublicDir, s.DataDir
			if len(args) == 1 {
				public = args[0]
			}
			results, err := verify.Run(cmd.Context(), verify.Options{
				Public:     public,
				Data:       data,
				BaseURL:    cfg.BaseURL,
				Languages:  cfg.Languages,
				PageBudget: cfg.Verify.PageBudgetKB * 1024,
				PDFBudget:  cfg.Verify.PDFBudgetKB * 1024,
				Repo:       cfg.ComponentsDir(),
				Progress:   cmd.ErrOrStderr(),
			})
			if err != nil {
				return err
			}
			return verifyVerdict(cmd.OutOrStdout(), public, results)
		}),
	}
	cmd.Flags().String("data", "", "the data folder scanned for personal data with the site (default: data/ beside config.yaml)")
	return cmd
}

// verifyVerdict writes the report of the checks and fails if any failed.
func verifyVerdict(w io.Writer, public string, results []verify.Result) error {
	failed, err := verify.WriteReport(w, results)
	if err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("verify %s: %d of %d checks failed: nothing may be published from this build", filepath.Clean(public), failed, len(results))
	}
	fmt.Fprintf(w, "all %d checks passed\n", len(results))
	return nil
}
