package main

import (
	"github.com/spf13/cobra"

	"github.com/chicago-welcoming-city/transparency/tools/internal/pipeline"
)

func (a *app) previewCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "preview [--source DIR] [--port N]",
		Short: "Serve the site from a delivery on localhost, touching nothing",
		Long: `preview checks a delivery, computes its publication in a scratch folder and serves
the site from it with Hugo's local server, reloading as you edit content or layouts.
It never changes data/current or public/. Stop it with Ctrl-C.`,
		Example: `  wco preview                          # http://127.0.0.1:1313/
  wco preview --source .wco/deliveries/2026-11-16T120000Z --port 8080`,
		Args: noArgs,
		RunE: a.withPipeline(func(cmd *cobra.Command, _ []string, p *pipeline.Pipeline) error {
			bind, _ := cmd.Flags().GetString("bind")
			port, _ := cmd.Flags().GetInt("port")
			return p.Preview(cmd.Context(), bind, port)
		}),
	}
	addSourceFlag(cmd)
	addOutputFlags(cmd, false)
	cmd.Flags().String("bind", "127.0.0.1", "address to serve on")
	cmd.Flags().Int("port", 1313, "port to serve on")
	return cmd
}
