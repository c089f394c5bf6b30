package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"path/filepath"
	"slices"

	"github.com/chicago-welcoming-city/transparency/tools/internal/commit"
	"github.com/chicago-welcoming-city/transparency/tools/internal/filing"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
	"github.com/chicago-welcoming-city/transparency/tools/internal/publish"
)

// FilingOutput is what Filing wrote.
type FilingOutput struct {
	Filing *filing.Filing
	// Files are the paths written: a CSV per list, and the PDF when one
	// was printed.
	Files []string
}

// Filing checks the delivery and writes the filing due for per into out:
// each list as CSV and, as Options.Print says, the filing as PDF,
// printed from its page in a build stage that is never put in place. It
// writes the filing whatever params.filings publishes, and nothing else:
// the site and the data folder are untouched. On any problem nothing is
// written.
func (p *Pipeline) Filing(ctx context.Context, per period.Period, out string) (*FilingOutput, error) {
	opt, err := p.PublishOptions(ctx)
	if err != nil {
		return nil, err
	}
	d, err := p.Open(ctx)
	if err != nil {
		return nil, err
	}
	f, rep, err := publish.PrepareFiling(d, per, opt)
	if rep != nil && rep.Failed() {
		_ = rep.Write(p.opt.Log)
	}
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(p.opt.Log, "checked %s: %s\n", d.Origin, RowsSummary(rep))

	type file struct {
		name string
		data []byte
	}
	var files []file
	var listed []publish.DownloadFile
	for _, s := range f.Sections {
		b := s.CSV()
		sum := sha256.Sum256(b)
		files = append(files, file{f.Name(s.ID, "csv"), b})
		listed = append(listed, publish.DownloadFile{Path: f.Name(s.ID, "csv"), Bytes: len(b), SHA256: hex.EncodeToString(sum[:])})
	}
	if p.printing() {
		b, err := p.printFiling(ctx, f, listed, opt)
		if err != nil {
			return nil, err
		}
		if b != nil {
			files = append(files, file{f.Name("", "pdf"), b})
		}
	}

	// The lists and the PDF appear together, or none of them.
	set, err := commit.New(p.JournalDir())
	if err != nil {
		return nil, err
	}
	defer set.Abandon()
	res := &FilingOutput{Filing: f}
	for _, fl := range files {
		dst := filepath.Join(out, fl.name)
		if err := set.Write(dst, fl.data, 0o644); err != nil {
			return nil, fmt.Errorf("write %s: %w", dst, err)
		}
		res.Files = append(res.Files, dst)
	}
	if err := set.Commit(); err != nil {
		return nil, err
	}
	return res, nil
}

// printFiling renders the site with f as the filing in force for its
// period, its lists named as the files beside the PDF, in a stage that is
// never put in place, and prints f's page. With PrintAuto and no Chromium
// it returns no PDF.
func (p *Pipeline) printFiling(ctx context.Context, f *filing.Filing, listed []publish.DownloadFile, opt publish.Options) ([]byte, error) {
	// The delivery passed its check in Filing already: the stage's own
	// check would say so twice.
	quiet := *p
	quiet.opt.Log = io.Discard
	b, err := quiet.stage(ctx, true)
	if err != nil {
		return nil, err
	}
	defer b.Stage.Close()
	path := filepath.Join(b.Stage.DataDir(), publish.FilingsFile)
	fs, err := publish.LoadFilings(b.Stage.DataDir())
	if err != nil {
		return nil, err
	}
	fs.Filings = slices.DeleteFunc(fs.Filings, func(x publish.PublishedFiling) bool { return x.ID == f.ID && x.Period == f.Period })
	v := 0
	if r := b.Publication.Releases()[f.Period]; r != nil {
		v = r.Current().Version
	}
	fs.Filings = append(fs.Filings, publish.PublishedFiling{Filing: *f, Version: v, Current: true, Files: listed})
	if err := publish.WriteFilings(path, fs); err != nil {
		return nil, err
	}
	// Hugo's summary of a page rendered only to be printed is of no use to
	// the reader of wco filing's output; its messages come with an error.
	if err := b.Stage.Render(ctx, io.Discard); err != nil {
		return nil, err
	}
	pr, err := p.printer(ctx, b.Stage.PublicDir())
	if pr == nil || err != nil {
		return nil, err
	}
	defer pr.Close()
	// The files it names are beside it, not on the site: no links.
	return pr.Print(p.basePath()+"filings/"+f.ID+"/"+f.Slug+"/", pdfOptions(filingFooter(f), b.Publication.Index.Meta.Delivery.ExportedAt, ""))
}
