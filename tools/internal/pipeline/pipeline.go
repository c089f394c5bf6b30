// Package pipeline assembles the toolkit's path from a delivery to a site:
// open the delivery (a folder, the newest in the deliveries store, an
// https:// URL pulled into the store first, or the embedded sample), check
// it, compute and protect its publication, write the data files and
// downloads into a build stage, render the site and put it all in place at
// once. Releases and revisions of a period are computed here too.
//
// The commands of wco only turn flags into Options and print what a step
// returns; every rule of the path lives here, where it is tested without
// the command line.
package pipeline

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/check"
	"github.com/chicago-welcoming-city/transparency/tools/internal/commit"
	"github.com/chicago-welcoming-city/transparency/tools/internal/config"
	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
	"github.com/chicago-welcoming-city/transparency/tools/internal/publish"
	"github.com/chicago-welcoming-city/transparency/tools/internal/pull"
	"github.com/chicago-welcoming-city/transparency/tools/internal/records"
	"github.com/chicago-welcoming-city/transparency/tools/internal/site"
	"github.com/chicago-welcoming-city/transparency/tools/sample"
)

// Options are the choices a run makes beyond the configuration.
type Options struct {
	// Source is the delivery: a folder, "latest" (the newest in the
	// deliveries store), an https:// URL pulled into the store first, or
	// empty for the embedded sample delivery.
	Source string
	// DataDir is the data folder (default: data/ beside config.yaml);
	// a build replaces its current/ and downloads/.
	DataDir string
	// PublicDir is where the built site goes (default: public/ beside
	// config.yaml).
	PublicDir string
	// Log receives progress, the check's report of a failed delivery
	// and Hugo's messages; nil discards them.
	Log io.Writer
	// Renderer renders the site; nil is Hugo.
	Renderer site.Renderer
	// Now is the time a delivery without a manifest may hold no datetime
	// after; zero is the time of the run.
	Now time.Time
	// Print says whether a build prints its report and filing pages as
	// PDF, and Filing its filing; empty is PrintOff.
	Print PrintMode
	// Chromium is the browser that prints; empty finds Debian's.
	Chromium string
	// ExportedAt is when a delivery without a manifest was exported
	// (--exported-at); zero: params.deliveries.exported_at, or none.
	ExportedAt time.Time
	// AllowSample lets a release or revision be made of the embedded
	// sample delivery, which is synthetic: only when asked (--sample).
	AllowSample bool
}

// Pipeline is the path from a delivery to a site, for one configuration.
type Pipeline struct {
	cfg *config.Config
	opt Options
}

// New is the pipeline of cfg with o.
func New(cfg *config.Config, o Options) *Pipeline {
	if o.Log == nil {
		o.Log = io.Discard
	}
	for _, d := range []*string{&o.DataDir, &o.PublicDir} {
		if *d != "" {
			if a, err := filepath.Abs(*d); err == nil {
				*d = a
			}
		}
	}
	return &Pipeline{cfg: cfg, opt: o}
}

// Config is the pipeline's configuration.
func (p *Pipeline) Config() *config.Config { return p.cfg }

// Site describes the site and where a build writes.
func (p *Pipeline) Site() site.Site {
	s := site.Site{
		Dir:        p.cfg.ComponentsDir(),
		ConfigFile: p.cfg.Path,
		DataDir:    p.opt.DataDir,
		PublicDir:  p.opt.PublicDir,
		// The settings the templates read, as in effect (file, variables
		// and flags), over config.yaml's.
		Params: map[string]any{
			"disclosure": map[string]any{"threshold": p.cfg.Disclosure.Threshold},
			"releases":   map[string]any{"days_after_quarter": p.cfg.Releases.DaysAfterQuarter},
			"project":    map[string]any{"source": p.cfg.Project.Source},
			"downloads":  map[string]any{"license": map[string]any{"name": p.cfg.Downloads.License.Name, "title": p.cfg.Downloads.License.Title, "path": p.cfg.Downloads.License.Path}},
		},
		Renderer: p.opt.Renderer,
	}
	if s.DataDir == "" {
		s.DataDir = filepath.Join(p.cfg.SiteDir(), "data")
	}
	if s.PublicDir == "" {
		s.PublicDir = filepath.Join(p.cfg.SiteDir(), "public")
	}
	if p.cfg.BaseURLFromEnv {
		s.BaseURL = p.cfg.BaseURL
	}
	return s
}

// StoreDir is the deliveries store; a relative path is taken from the site.
func (p *Pipeline) StoreDir() string {
	if filepath.IsAbs(p.cfg.Deliveries.Store) {
		return p.cfg.Deliveries.Store
	}
	return filepath.Join(p.cfg.SiteDir(), p.cfg.Deliveries.Store)
}

// ReleasesDir holds the release files: data/releases.
func (p *Pipeline) ReleasesDir() string {
	return filepath.Join(p.Site().DataDir, publish.ReleasesDir)
}

// JournalDir is where the sets of files a command writes keep their
// journal (package commit): .wco/journal beside the data folder.
func (p *Pipeline) JournalDir() string { return p.Site().JournalDir() }

// Recover finishes what a killed command left half written: its writes are
// then all in place, or none of them (package commit). Every command runs
// it first.
func (p *Pipeline) Recover() error {
	if err := commit.Recover(p.JournalDir()); err != nil {
		return fmt.Errorf("%w: the journal is in %s", err, p.JournalDir())
	}
	return nil
}

// Pull pulls source into the deliveries store.
func (p *Pipeline) Pull(ctx context.Context, source string) (*pull.Result, error) {
	exports, err := p.cfg.Mappings()
	if err != nil {
		return nil, err
	}
	return pull.Pull(ctx, source, pull.Options{
		Exports:      exports,
		Store:        p.StoreDir(),
		Keep:         p.cfg.Deliveries.Keep,
		Token:        p.cfg.SourceToken,
		Progress:     p.opt.Log,
		MaxFileBytes: p.cfg.Deliveries.MaxFileBytes,
		Journal:      p.JournalDir(),
		Limits:       p.cfg.Limits(),
	})
}

// Open opens the delivery named by Options.Source; a URL is pulled into the
// deliveries store first, and read from there.
func (p *Pipeline) Open(ctx context.Context) (*delivery.Delivery, error) {
	source := p.opt.Source
	if source == "latest" {
		dir, err := pull.Latest(p.StoreDir())
		if err != nil {
			return nil, err
		}
		source = dir
	}
	if pull.IsURL(source) {
		res, err := p.Pull(ctx, source)
		if err != nil {
			return nil, err
		}
		source = res.Dir
	}
	d, err := delivery.Open(source, sample.FS())
	if err != nil {
		return nil, err
	}
	if d.Manifest != nil {
		for _, name := range d.Manifest.NotDelivered {
			if _, err := contract.Lookup(name); err != nil {
				return nil, fmt.Errorf("%s: manifest.json: not_delivered names %q, which is not an export of the contract", d.Origin, name)
			}
		}
	}
	return d, nil
}

// CheckOptions are the check settings from configuration (validated by
// config.Load); a delivery without a manifest may hold no datetime later
// than Options.Now.
func (p *Pipeline) CheckOptions(ctx context.Context) check.Options {
	m, _ := p.cfg.Mappings()
	now := p.opt.Now
	if at := p.ExportedAt(); !at.IsZero() {
		now = at
	}
	if now.IsZero() {
		now = time.Now()
	}
	return check.Options{
		Mappings:       m,
		MaxProblems:    p.cfg.Check.MaxProblems,
		MaxInvalidRows: p.cfg.Check.MaxInvalidRows,
		EchoMin:        p.cfg.Check.EchoMinCount,
		Now:            now,
		Limits:         p.cfg.Limits(),
		MaxInflated:    p.cfg.Deliveries.MaxFileBytes,
		Context:        ctx,
	}
}

// ExportedAt is when a delivery without a manifest was exported, as staff
// give it: --exported-at, else params.deliveries.exported_at; zero when
// neither says.
func (p *Pipeline) ExportedAt() time.Time {
	if !p.opt.ExportedAt.IsZero() {
		return p.opt.ExportedAt
	}
	t, _ := time.Parse(time.RFC3339, p.cfg.Deliveries.ExportedAt)
	return t
}

// Check opens the delivery and checks it, without publishing anything.
func (p *Pipeline) Check(ctx context.Context) (*delivery.Delivery, *check.Report, error) {
	d, err := p.Open(ctx)
	if err != nil {
		return nil, nil, err
	}
	return d, check.Delivery(d, p.CheckOptions(ctx), func(contract.Export, records.Record) {}), nil
}

// PublishOptions are the publication settings from configuration.
func (p *Pipeline) PublishOptions(ctx context.Context) (publish.Options, error) {
	return publish.Options{
		Threshold:        p.cfg.Disclosure.Threshold,
		Check:            p.CheckOptions(ctx),
		Policy:           p.cfg.Publication,
		Groupings:        p.cfg.Groupings,
		DaysAfterQuarter: p.cfg.Releases.DaysAfterQuarter,
		ConfigHash:       p.cfg.Hash(),
		Key:              []byte(p.cfg.PseudonymKey),
		Filings:          p.cfg.Filings,
		ExportedAt:       p.ExportedAt(),
	}, nil
}

// History is the published history: the release files in data/releases.
func (p *Pipeline) History() (publish.Releases, error) {
	return publish.LoadReleases(p.ReleasesDir())
}

// count checks and counts the delivery, preparing what co asks for; a
// failed check's report goes to the log.
func (p *Pipeline) count(ctx context.Context, d *delivery.Delivery, co publish.CountOptions) (*publish.Counted, error) {
	opt, err := p.PublishOptions(ctx)
	if err != nil {
		return nil, err
	}
	c, rep, err := publish.CountDelivery(d, opt, co)
	if rep != nil && rep.Failed() {
		_ = rep.Write(p.opt.Log)
	}
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(p.opt.Log, "checked %s: %s\n", d.Origin, RowsSummary(rep))
	return c, nil
}

// Publication checks the delivery and computes what it publishes with
// the published history. The embedded sample, which has no release files
// of its own, is published with the history of a deployment that
// released each of its quarters on its due date (SampleHistory).
func (p *Pipeline) Publication(ctx context.Context) (*publish.Publication, error) {
	d, err := p.Open(ctx)
	if err != nil {
		return nil, err
	}
	history, err := p.History()
	if err != nil {
		return nil, err
	}
	var c *publish.Counted
	if d.Sample {
		c, history, err = p.SampleHistory(ctx, d, history)
	} else {
		c, err = p.count(ctx, d, publish.CountOptions{})
	}
	if err != nil {
		return nil, err
	}
	return c.Publish(history)
}

// RowsSummary says how many files and valid rows a check read.
func RowsSummary(rep *check.Report) string {
	rows := 0
	for _, f := range rep.Files {
		rows += f.RowsValid
	}
	return fmt.Sprintf("%d files, %d valid rows", len(rep.Files), rows)
}
