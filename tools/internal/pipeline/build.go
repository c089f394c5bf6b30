package pipeline

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/chicago-welcoming-city/transparency/tools/internal/publish"
	"github.com/chicago-welcoming-city/transparency/tools/internal/site"
)

// Staged is a checked delivery's publication, written into a build stage
// that the caller closes.
type Staged struct {
	Site        site.Site
	Publication *publish.Publication
	Stage       *site.Stage
}

// Stage checks the delivery, computes its publication and writes its data
// files, downloads and data dictionary into a new build stage. Nothing
// outside the stage is written.
func (p *Pipeline) Stage(ctx context.Context) (*Staged, error) {
	return p.stage(ctx, false)
}

// stage is Stage, or, with scratch, a stage that is never put in place and
// takes no lock (site.NewScratch).
func (p *Pipeline) stage(ctx context.Context, scratch bool) (*Staged, error) {
	pub, err := p.Publication(ctx)
	if err != nil {
		return nil, err
	}
	s := p.Site()
	newStage := s.NewStage
	if scratch {
		newStage = s.NewScratch
	}
	st, err := newStage()
	if err != nil {
		return nil, err
	}
	if err := p.write(pub, st); err != nil {
		st.Close()
		return nil, err
	}
	return &Staged{Site: s, Publication: pub, Stage: st}, nil
}

func (p *Pipeline) write(pub *publish.Publication, st *site.Stage) error {
	if err := pub.WriteDir(st.DataDir()); err != nil {
		return fmt.Errorf("write data files: %w", err)
	}
	// The history the publication shows, beside its tables: what the
	// audit attacks, from the published files alone.
	if err := publish.WriteHistory(filepath.Join(st.DataDir(), publish.HistoryFile), pub.Releases()); err != nil {
		return fmt.Errorf("write %s: %w", publish.HistoryFile, err)
	}
	idx, err := pub.WriteDownloads(st.DownloadsDir(), p.cfg.Downloads.License)
	if err == nil {
		err = publish.WriteIndex(filepath.Join(st.DataDir(), publish.DownloadsIndexFile), idx)
	}
	if err == nil {
		err = publish.WriteFilings(filepath.Join(st.DataDir(), publish.FilingsFile), idx.Filings)
	}
	if err == nil {
		dict := publish.MakeDictionary(pub.Index.Meta, p.cfg.Publication, p.cfg.Groupings, p.cfg.Disclosure.Threshold, p.cfg.Reading())
		err = publish.WriteDictionary(filepath.Join(st.DataDir(), publish.DictionaryFile), dict)
	}
	if err != nil {
		return fmt.Errorf("write downloads: %w", err)
	}
	pres, err := publish.MakePresentation(pub.Index.Meta, p.cfg.Publication, p.cfg.Disclosure.Threshold)
	if err == nil {
		err = publish.WritePresentation(filepath.Join(st.DataDir(), publish.PresentationFile), pres)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", publish.PresentationFile, err)
	}
	return nil
}

// Outcome is what a publish or a build put in place.
type Outcome struct {
	Site        site.Site
	Publication *publish.Publication
}

// Publish checks the delivery and puts its data files and downloads in
// place, all at once, keeping the site that is in place.
func (p *Pipeline) Publish(ctx context.Context) (*Outcome, error) {
	return p.commit(ctx, false)
}

// Build checks the delivery, renders the site from its publication and
// puts data files, downloads and site in place, all at once, only when
// every step succeeded.
func (p *Pipeline) Build(ctx context.Context) (*Outcome, error) {
	return p.commit(ctx, true)
}

func (p *Pipeline) commit(ctx context.Context, withSite bool) (*Outcome, error) {
	b, err := p.Stage(ctx)
	if err != nil {
		return nil, err
	}
	defer b.Stage.Close()
	if withSite {
		// The PDF plan is in the data before the one render, so the pages
		// link their PDFs; the PDFs are then printed from the rendered
		// pages, or reused where nothing they are printed from changed.
		plan, err := p.planPrints(b.Stage)
		if err != nil {
			return nil, err
		}
		if err := b.Stage.Render(ctx, p.opt.Log); err != nil {
			return nil, err
		}
		if len(plan) > 0 {
			if err := p.printSite(ctx, b.Stage, plan, b.Publication.Index.Meta.Delivery.ExportedAt); err != nil {
				return nil, err
			}
		}
	}
	if err := b.Stage.Commit(withSite); err != nil {
		return nil, err
	}
	return &Outcome{Site: b.Site, Publication: b.Publication}, nil
}

// Preview serves the site from the delivery's publication with Hugo's
// local server until ctx ends, from a stage that is never put in place.
func (p *Pipeline) Preview(ctx context.Context, bind string, port int) error {
	b, err := p.Stage(ctx)
	if err != nil {
		return err
	}
	defer b.Stage.Close()
	fmt.Fprintf(p.opt.Log, "previewing at http://%s:%d/ (Ctrl-C to stop)\n", bind, port)
	return b.Stage.Serve(ctx, bind, port, p.opt.Log)
}

// Audit attacks what is in place, from the published files alone: the
// history the tables in data/current were published with (history.json
// beside them), release by release, then the tables themselves, with the
// protection width of the configuration.
func (p *Pipeline) Audit() ([]publish.AuditReport, error) {
	dir := p.Site().Current()
	tables, err := publish.LoadTables(dir)
	if err != nil {
		return nil, err
	}
	history, err := publish.LoadHistory(dir)
	if err != nil {
		return nil, err
	}
	return publish.Audit(history, tables, p.cfg.Disclosure.Threshold)
}
