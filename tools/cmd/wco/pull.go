package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/chicago-welcoming-city/transparency/tools/internal/pipeline"
)

func (a *app) pullCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "pull --source DIR|https://...",
		Short: "Copy a delivery into the local deliveries store",
		Long: `pull copies a delivery into the deliveries store (params.deliveries.store, git-ignored),
one folder per delivery named by its export time in UTC, such as 2026-11-16T120000Z.

Over HTTPS it sends the bearer token in WCO_SOURCE_TOKEN; plain http is refused except
to this machine. Timeouts, dropped connections and server errors are retried with
backoff. Every file is downloaded under a temporary name and kept only when complete
and, when the delivery has a manifest.json, matching its row count and sha256. Pulling
a delivery that is already in the store does nothing. Only the newest
params.deliveries.keep deliveries are kept.`,
		Example: `  WCO_SOURCE_TOKEN=... wco pull --source https://records.example.gov/exports/latest/
  wco pull --source /mnt/share/exports/2026-11-16
  wco check --source .wco/deliveries/2026-11-16T120000Z`,
		Args: noArgs,
		RunE: a.withPipeline(func(cmd *cobra.Command, _ []string, p *pipeline.Pipeline) error {
			source, _ := cmd.Flags().GetString("source")
			if source == "" {
				return usageError{fmt.Errorf("pull needs --source DIR or --source https://...")}
			}
			res, err := p.Pull(cmd.Context(), source)
			if err != nil {
				return err
			}
			dir := relToCwd(res.Dir)
			if res.NoOp {
				fmt.Fprintf(cmd.OutOrStdout(), "already in the store: %s\n", dir)
				return nil
			}
			fmt.Fprintf(cmd.OutOrStdout(), "pulled %d files (%.1f MB) into %s\n", len(res.Files), float64(res.Bytes)/(1<<20), dir)
			for _, old := range res.Pruned {
				fmt.Fprintf(cmd.OutOrStdout(), "removed older delivery %s (keeping %d)\n", old, p.Config().Deliveries.Keep)
			}
			return nil
		}),
	}
	addSourceFlag(cmd)
	return cmd
}
