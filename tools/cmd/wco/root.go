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

	"github.com/chicago-welcoming-city/transparency/tools/internal/check"
	"github.com/chicago-welcoming-city/transparency/tools/internal/config"
	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
	"github.com/chicago-welcoming-city/transparency/tools/internal/publish"
	"github.com/chicago-welcoming-city/transparency/tools/internal/pull"
	"github.com/chicago-welcoming-city/transparency/tools/internal/site"
	"github.com/chicago-welcoming-city/transparency/tools/sample"
)

// usageError is bad usage: a wrong flag, argument or command. Exit 2.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

// run executes wco with args, writing output to stdout and messages to stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	root := &cobra.Command{
		Use:           "wco",
		Short:         "Welcoming City Ordinance transparency toolkit",
		Long:          "wco checks deliveries of the police records system's exports, publishes protected counts\nand builds the static transparency site with Hugo.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.PersistentFlags().String("config", "", "the project's config.yaml (default: found in this folder or above)")
	root.AddCommand(synthCmd(), pullCmd(), checkCmd(), publishCmd(), auditCmd(), buildCmd(), previewCmd(), releaseCmd(), reviseCmd(), reportCmd(), contentCmd(), verifyCmd())
	err := root.ExecuteContext(ctx)
	if err != nil && isUsage(err) {
		return usageError{err}
	}
	return err
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

// loadConfig reads the configuration with the command's flags on top.
func loadConfig(cmd *cobra.Command) (*config.Config, error) {
	path, _ := cmd.Flags().GetString("config")
	if path == "" {
		var err error
		if path, err = config.Find("."); err != nil {
			return nil, err
		}
	}
	return config.Load(path, cmd.Flags())
}

// addSourceFlag adds --source to a command that reads a delivery.
func addSourceFlag(cmd *cobra.Command) {
	cmd.Flags().String("source", "", "the delivery: a folder, latest (the newest in the deliveries store), or an https:// URL pulled into the store first (default: the embedded sample delivery)")
}

// openSource opens the delivery named by --source; a URL is pulled into
// the deliveries store first, and read from there.
func openSource(cmd *cobra.Command, cfg *config.Config) (*delivery.Delivery, error) {
	source, _ := cmd.Flags().GetString("source")
	if source == "latest" {
		dir, err := pull.Latest(storeDir(cfg))
		if err != nil {
			return nil, err
		}
		source = dir
	}
	if pull.IsURL(source) {
		res, err := pullInto(cmd, cfg, source)
		if err != nil {
			return nil, err
		}
		source = res.Dir
	}
	return delivery.Open(source, sample.FS())
}

// storeDir is the deliveries store, relative paths taken from the site.
func storeDir(cfg *config.Config) string {
	if filepath.IsAbs(cfg.Deliveries.Store) {
		return cfg.Deliveries.Store
	}
	return filepath.Join(cfg.SiteDir(), cfg.Deliveries.Store)
}

// pullInto pulls source into the configured deliveries store.
func pullInto(cmd *cobra.Command, cfg *config.Config, source string) (*pull.Result, error) {
	return pull.Pull(cmd.Context(), source, pull.Options{
		Store:        storeDir(cfg),
		Keep:         cfg.Deliveries.Keep,
		Token:        cfg.SourceToken,
		Progress:     cmd.ErrOrStderr(),
		MaxFileBytes: cfg.Deliveries.MaxFileBytes,
		Limits:       cfg.Limits(),
	})
}

// addOutputFlags adds the flags naming where data files and the site go.
func addOutputFlags(cmd *cobra.Command, withSite bool) {
	cmd.Flags().Int("threshold", 11, "disclosure threshold: counts from 1 to threshold-1 are not published (default from config)")
	cmd.Flags().String("data", "", "the data folder; the build replaces its current/ subfolder (default: data/ beside config.yaml)")
	if withSite {
		cmd.Flags().String("public", "", "where the built site goes, replaced whole (default: public/ beside config.yaml)")
	}
}

// siteFor describes the site and its outputs for a command.
func siteFor(cmd *cobra.Command, cfg *config.Config) site.Site {
	s := site.Site{
		Dir:          cfg.SiteDir(),
		ConfigFile:   cfg.Path,
		DataDir:      filepath.Join(cfg.SiteDir(), "data"),
		DataSub:      publish.DataSubdir,
		DownloadsSub: publish.DownloadsSubdir,
		PublicDir:    filepath.Join(cfg.SiteDir(), "public"),
		Params:       map[string]any{"disclosure": map[string]any{"threshold": cfg.Disclosure.Threshold}},
	}
	if d, _ := cmd.Flags().GetString("data"); d != "" {
		s.DataDir = absPath(d)
	}
	if cmd.Flags().Lookup("public") != nil {
		if p, _ := cmd.Flags().GetString("public"); p != "" {
			s.PublicDir = absPath(p)
		}
	}
	return s
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// publishOptions are the publication settings from configuration, with
// the releases in the data folder.
func publishOptions(cmd *cobra.Command, cfg *config.Config) (publish.Options, error) {
	s := siteFor(cmd, cfg)
	releases, err := publish.LoadReleases(filepath.Join(s.DataDir, publish.ReleasesDir))
	if err != nil {
		return publish.Options{}, err
	}
	return publish.Options{
		Threshold:        cfg.Disclosure.Threshold,
		Check:            checkOptions(cmd, cfg),
		Policy:           cfg.Publication,
		Groupings:        cfg.Groupings,
		DaysAfterQuarter: cfg.Releases.DaysAfterQuarter,
		ConfigHash:       cfg.Hash(),
		Key:              []byte(cfg.PseudonymKey),
		Releases:         releases,
	}, nil
}

// publication checks the delivery and computes what it publishes; on a
// failed check it prints the report and returns the error.
func publication(cmd *cobra.Command, cfg *config.Config) (*publish.Publication, error) {
	opt, err := publishOptions(cmd, cfg)
	if err != nil {
		return nil, err
	}
	return publicationWith(cmd, cfg, opt)
}

// publicationWith is publication with given options.
func publicationWith(cmd *cobra.Command, cfg *config.Config, opt publish.Options) (*publish.Publication, error) {
	d, err := openSource(cmd, cfg)
	if err != nil {
		return nil, err
	}
	pub, rep, err := publish.Run(d, opt)
	if rep != nil && rep.Failed() {
		_ = rep.Write(cmd.ErrOrStderr())
	}
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "checked %s: %s\n", d.Origin, rowsSummary(rep))
	return pub, nil
}

// checkOptions are the check settings from configuration (already
// validated by Load); a delivery without a manifest may hold no datetime
// later than now.
func checkOptions(cmd *cobra.Command, cfg *config.Config) check.Options {
	m, _ := cfg.Mappings()
	return check.Options{Mappings: m, MaxProblems: cfg.Check.MaxProblems, MaxInvalidRows: cfg.Check.MaxInvalidRows, EchoMin: cfg.Check.EchoMinCount, Now: time.Now(), Limits: cfg.Limits(), MaxInflated: cfg.Deliveries.MaxFileBytes, Context: cmd.Context()}
}

func rowsSummary(rep *check.Report) string {
	rows := 0
	for _, f := range rep.Files {
		rows += f.RowsValid
	}
	return fmt.Sprintf("%d files, %d valid rows", len(rep.Files), rows)
}

// staged is a checked delivery's publication, written into a build stage.
type staged struct {
	site  site.Site
	pub   *publish.Publication
	stage *site.Stage // the caller closes it
}

// stageFromSource loads the configuration, checks the delivery named by
// --source, computes its publication and writes its data files into a new
// build stage. Nothing outside the stage is written.
func stageFromSource(cmd *cobra.Command) (*staged, error) {
	cfg, err := loadConfig(cmd)
	if err != nil {
		return nil, err
	}
	pub, err := publication(cmd, cfg)
	if err != nil {
		return nil, err
	}
	s := siteFor(cmd, cfg)
	st, err := s.NewStage()
	if err != nil {
		return nil, err
	}
	if err := pub.WriteDir(st.DataDir()); err != nil {
		st.Close()
		return nil, fmt.Errorf("write data files: %w", err)
	}
	idx, err := pub.WriteDownloads(st.DownloadsDir(), cfg.Downloads.License)
	if err == nil {
		err = publish.WriteIndex(filepath.Join(st.DataDir(), publish.DownloadsIndexFile), idx)
	}
	if err == nil {
		err = publish.WriteDictionary(filepath.Join(st.DataDir(), publish.DictionaryFile), publish.MakeDictionary(pub.Index.Meta, cfg.Publication, cfg.Groupings, cfg.Disclosure.Threshold, cfg.NotSupplied()))
	}
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("write downloads: %w", err)
	}
	return &staged{site: s, pub: pub, stage: st}, nil
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
