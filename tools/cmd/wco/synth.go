package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
	"github.com/chicago-welcoming-city/transparency/tools/internal/synth"
)

func synthCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "synth --out DIR [--rows N] [--seed S]",
		Short: "Write a synthetic delivery of the four exports",
		Long: `synth writes a synthetic delivery: the four exports of the contract, N rows each,
and manifest.json. The same seed gives the same bytes. Every value is fake; every
personal-data text field holds a unique string starting with ` + synth.Canary + `, so
tests can prove that none reaches any output.`,
		Example: `  # the embedded sample delivery is made this way
  wco synth --rows 900 --seed 2026 --out tools/sample/delivery

  # a large delivery for benchmarks
  wco synth --rows 1000000 --seed 1 --out /tmp/big`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out, _ := cmd.Flags().GetString("out")
			rows, _ := cmd.Flags().GetInt("rows")
			seed, _ := cmd.Flags().GetUint64("seed")
			startS, _ := cmd.Flags().GetString("start")
			exportedS, _ := cmd.Flags().GetString("exported-at")
			if out == "" {
				return usageError{fmt.Errorf("synth needs --out DIR")}
			}
			if rows < 0 {
				return usageError{fmt.Errorf("--rows %d: give zero or more rows", rows)}
			}
			start, err := time.ParseInLocation(time.DateOnly, startS, period.Chicago)
			if err != nil {
				return usageError{fmt.Errorf("--start %q: use the form 2025-01-01", startS)}
			}
			exported, err := time.Parse(time.RFC3339, exportedS)
			if err != nil {
				return usageError{fmt.Errorf("--exported-at %q: use RFC 3339, such as 2026-11-16T06:00:00-06:00", exportedS)}
			}
			m, err := synth.Write(out, synth.Options{Rows: rows, Seed: seed, Start: start, ExportedAt: exported})
			if err != nil {
				return fmt.Errorf("synth: %w", err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %d exports of %d rows each and %s to %s\n", len(m.Files), rows, "manifest.json", out)
			return nil
		},
	}
	cmd.Flags().String("out", "", "folder to write the delivery into (created if needed)")
	cmd.Flags().Int("rows", 900, "rows in each export")
	cmd.Flags().Uint64("seed", 1, "random seed; the same seed gives the same files")
	cmd.Flags().String("start", synth.DefaultStart.Format(time.DateOnly), "first day records may fall on")
	cmd.Flags().String("exported-at", synth.DefaultExportedAt.Format(time.RFC3339), "the delivery's export time; no record is later")
	return cmd
}
