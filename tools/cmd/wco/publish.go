package main

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"
)

func publishCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "publish [--source DIR]",
		Short: "Check a delivery and write the public data files",
		Long: `publish checks a delivery and, only if it passes, writes the public data files
into data/current: per export, the records per quarter, with counts from 1 to
threshold-1 suppressed. data/current is replaced whole, by rename, only once every
file is written; on any failure it is left exactly as it was.`,
		Example: `  wco publish
  wco publish --source .wco/deliveries/2026-11-16T120000Z --threshold 11`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b, err := stageFromSource(cmd)
			if err != nil {
				return err
			}
			defer b.stage.Close()
			if err := b.stage.Commit(false); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "published %d quarters into %s\n", len(b.pub.Index.Quarters), relToCwd(filepath.Join(b.site.DataDir, b.site.DataSub)))
			return nil
		},
	}
	addSourceFlag(cmd)
	addOutputFlags(cmd, false)
	return cmd
}
