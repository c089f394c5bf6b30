package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/chicago-welcoming-city/transparency/tools/internal/config"
	"github.com/chicago-welcoming-city/transparency/tools/internal/pipeline"
)

// usageError is bad usage: a wrong flag, argument or command. Exit 2.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

// app is one run of wco: its environment, which commands read instead of
// the process's, so that tests give each run its own.
type app struct {
	env config.Env
}

// run executes wco with args in the process's environment.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runIn(ctx, config.OSEnv(), args, stdout, stderr)
}

// runIn executes wco with args in environment env, writing output to
// stdout and messages to stderr.
func runIn(ctx context.Context, env config.Env, args []string, stdout, stderr io.Writer) error {
	root := newRoot(&app{env: env})
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err != nil && isUsage(err) {
		return usageError{err}
	}
	return err
}

// newRoot is the wco command with every subcommand.
func newRoot(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:           "wco",
		Short:         "Welcoming City Ordinance transparency toolkit",
		Long:          "wco checks deliveries of the police records system's exports, publishes protected counts\nand builds the static transparency site with Hugo.",
		SilenceUsage:  true,
		SilenceErrors: true,
		// Every command, whether or not it reads config.yaml, refuses a
		// WCO_ variable it does not know: a misspelled setting must not
		// leave its default in force without a word.
		PersistentPreRunE: func(*cobra.Command, []string) error { return config.CheckEnv(a.env) },
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.PersistentFlags().String("config", "", "the project's config.yaml (default: found in this folder or above)")
	root.AddCommand(hugoCmd(), synthCmd(), keyCmd(), a.pullCmd(), a.checkCmd(), a.publishCmd(), a.auditCmd(), a.buildCmd(), a.previewCmd(), a.releaseCmd(), a.reviseCmd(), a.diffCmd(), a.filingCmd(), a.reportCmd(), a.contentCmd(), a.verifyCmd())
	return root
}

// isUsage recognizes cobra's own usage errors, which it does not type.
func isUsage(err error) bool {
	var u usageError
	if errors.As(err, &u) {
		return true
	}
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand", "required flag", "invalid argument"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Errorf("%s takes no arguments, got %q", cmd.CommandPath(), args)}
	}
	return nil
}

// loadConfig reads the configuration with the run's environment and the
// command's flags on top.
func (a *app) loadConfig(cmd *cobra.Command) (*config.Config, error) {
	path, _ := cmd.Flags().GetString("config")
	if path == "" {
		var err error
		if path, err = config.Find("."); err != nil {
			return nil, err
		}
	}
	return config.Load(path, a.env, cmd.Flags())
}

// pipeline is the path a command runs: the configuration, and the
// delivery and outputs its flags name.
func (a *app) pipeline(cmd *cobra.Command) (*pipeline.Pipeline, error) {
	cfg, err := a.loadConfig(cmd)
	if err != nil {
		return nil, err
	}
	flag := func(name string) string {
		if cmd.Flags().Lookup(name) == nil {
			return ""
		}
		v, _ := cmd.Flags().GetString(name)
		return v
	}
	var print pipeline.PrintMode
	if cmd.Flags().Lookup("pdf") != nil {
		if print, err = pipeline.ParsePrintMode(flag("pdf")); err != nil {
			return nil, usageError{err}
		}
	}
	sample := false
	if cmd.Flags().Lookup("sample") != nil {
		sample, _ = cmd.Flags().GetBool("sample")
	}
	var exportedAt time.Time
	if s := flag("exported-at"); s != "" {
		if exportedAt, err = time.Parse(time.RFC3339, s); err != nil {
			return nil, usageError{fmt.Errorf("--exported-at %q: write a time as 2026-11-16T06:00:00-06:00", s)}
		}
	}
	return pipeline.New(cfg, pipeline.Options{
		ExportedAt:  exportedAt,
		Source:      flag("source"),
		DataDir:     flag("data"),
		PublicDir:   flag("public"),
		Log:         cmd.ErrOrStderr(),
		Print:       print,
		AllowSample: sample,
	}), nil
}

// withPipeline is a command's RunE that is given the pipeline its flags
// and the configuration name.
func (a *app) withPipeline(run func(cmd *cobra.Command, args []string, p *pipeline.Pipeline) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		p, err := a.pipeline(cmd)
		if err != nil {
			return err
		}
		// What a killed command left half written is finished first.
		if err := p.Recover(); err != nil {
			return err
		}
		return run(cmd, args, p)
	}
}

// group is a command that only holds others, such as wco report.
func group(use, short string, cmds ...*cobra.Command) *cobra.Command {
	cmd := &cobra.Command{Use: use, Short: short}
	cmd.AddCommand(cmds...)
	return cmd
}

// addSourceFlag adds --source to a command that reads a delivery.
func addSourceFlag(cmd *cobra.Command) {
	cmd.Flags().String("source", "", "the delivery: a folder, latest (the newest in the deliveries store), or an https:// URL pulled into the store first (default: the embedded sample delivery)")
	cmd.Flags().String("exported-at", "", "when a delivery without a manifest.json was exported, as 2026-11-16T06:00:00-06:00 (default: params.deliveries.exported_at); never guessed from the records")
}

// addThresholdFlag adds --threshold, which sets params.disclosure.threshold.
func addThresholdFlag(cmd *cobra.Command) {
	cmd.Flags().Int("threshold", 0, "disclosure threshold: counts from 1 to threshold-1 are not published (default: params.disclosure.threshold)")
}

// addOutputFlags adds the flags naming where data files and the site go.
func addOutputFlags(cmd *cobra.Command, withSite bool) {
	addThresholdFlag(cmd)
	cmd.Flags().String("data", "", "the data folder; the build replaces its current/ subfolder (default: data/ beside config.yaml)")
	if withSite {
		cmd.Flags().String("public", "", "where the built site goes, replaced whole (default: public/ beside config.yaml)")
	}
}

func relToCwd(p string) string {
	wd, err := os.Getwd()
	if err != nil {
		return p
	}
	if r, err := filepath.Rel(wd, p); err == nil && !filepath.IsAbs(r) && len(r) < len(p) {
		return r
	}
	return p
}
