package check

import (
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
	"github.com/chicago-welcoming-city/transparency/tools/internal/records"
)

// ChildReport is what the check read of one child file of an export.
type ChildReport struct {
	Name     string // the child's name in the configuration
	File     string // its file in the delivery
	SHA256   string
	Encoding records.Encoding
	records.ChildStats
}

// readChildren reads the main file's keys, then each child file of the
// export into mapping.Joined, as streams: memory holds a word per main
// record and derived column, never a child file. Problems are the child
// file's own (fail sets File to the main file's; each is given its own).
// False means a file could not be read and the export fails.
func readChildren(d *delivery.Delivery, e contract.Export, mapping records.Mapping, rep *FileReport, opt Options, main string, fail func(Problem)) bool {
	hint := "params.exports." + e.Name
	keys, err := openText(d, main, rep.Encoding, opt)
	if err != nil {
		fail(Problem{Kind: MissingFile, Detail: "cannot read the file: " + err.Error()})
		return false
	}
	err = mapping.Joined.ReadKeys(keys, opt.Limits)
	keys.Close()
	if err != nil {
		var le *records.LimitError
		if errors.As(err, &le) {
			fail(Problem{Line: le.Line, Kind: OverLimit, Detail: le.Error(), Hint: "ask for the export again; if its rows really are this large, raise params.check." + le.Key})
			return false
		}
		fail(Problem{Line: 1, Kind: MissingColumn, Detail: err.Error(), Hint: "name the main file's column under " + hint + ".parent_key"})
		return false
	}
	for _, c := range mapping.Children {
		file, err := delivery.FindExport(d.FS, c.File, "")
		if err != nil {
			fail(Problem{Kind: MissingFile, Detail: fmt.Sprintf("the child file %s (%s): %v", c.Name, c.File, err), Hint: "deliver it, or correct " + hint + ".children." + c.Name + ".file"})
			return false
		}
		child := func(p Problem) {
			p.File = file
			rep.add(p, opt.MaxProblems)
		}
		sum, _, utf8ok, _, head, err := scanBytes(opt.ctx(), d.FS, file, opt.MaxInflated)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) || delivery.IsRefused(err) {
				child(Problem{Kind: MissingFile, Detail: "the file is refused or missing: " + err.Error(), Hint: "a delivery holds only plain files inside its folder"})
			} else {
				child(Problem{Kind: BadEncoding, Detail: err.Error(), Hint: "send the file uncompressed, or compressed whole with gzip"})
			}
			return false
		}
		if what, h := sniff(head); what != "" {
			child(Problem{Line: 1, Kind: BadEncoding, Detail: "the file is " + what + ", not a CSV text file", Hint: h})
			return false
		}
		cr := ChildReport{Name: c.Name, File: file, SHA256: sum}
		var encOK bool
		if cr.Encoding, encOK = fileEncoding(mapping.Encoding, utf8ok); !encOK {
			child(Problem{Kind: BadEncoding, Detail: "the file is not valid UTF-8", Hint: "export it as UTF-8, or set " + hint + ".encoding to windows-1252 or auto"})
			return false
		}
		text, err := openText(d, file, cr.Encoding, opt)
		if err != nil {
			child(Problem{Kind: MissingFile, Detail: "cannot read the file: " + err.Error()})
			return false
		}
		cr.ChildStats, err = mapping.Joined.ReadChild(c, file, text, opt.Limits, func(p records.ChildProblem) {
			child(Problem{Line: p.Line, Column: p.Column, Kind: UnknownCode, Value: clip(p.Value), Detail: p.Detail, Hint: "map it under " + hint + ".derived, or to \"\" if it is not one of them"})
		})
		text.Close()
		if err != nil {
			var le *records.LimitError
			switch {
			case opt.ctx().Err() != nil:
			case errors.As(err, &le):
				child(Problem{Line: le.Line, Kind: OverLimit, Detail: le.Error(), Hint: "ask for the export again; if its rows really are this large, raise params.check." + le.Key})
			case errors.Is(err, records.ErrEmptyFile):
				child(Problem{Kind: EmptyFile, Detail: "the file is empty", Hint: "a file needs at least its header row; ask for the export again"})
			default:
				child(Problem{Line: 1, Kind: BadHeader, Detail: err.Error(), Hint: "check that the file is comma-separated CSV with a header row, and " + hint + ".children and .derived name its columns"})
			}
			return false
		}
		if cr.Orphans > 0 || cr.NoKey > 0 {
			child(Problem{Kind: OrphanRows, Detail: fmt.Sprintf("%d row(s) have a key no record of %s has, and %d no key: they count in no figure", cr.Orphans, main, cr.NoKey), Hint: "ask the records system why; a full snapshot joins every row"})
		}
		if d.Manifest != nil {
			checkManifest(d.Manifest, file, cr.Rows, sum, child)
		}
		rep.Children = append(rep.Children, cr)
	}
	return true
}

// openText opens a file of the delivery as text: decompressed, decoded,
// and stopped by the check's context.
func openText(d *delivery.Delivery, file string, enc records.Encoding, opt Options) (io.ReadCloser, error) {
	raw, err := d.FS.Open(file)
	if err != nil {
		return nil, err
	}
	f, err := delivery.Inflate(raw, file, opt.MaxInflated)
	if err != nil {
		raw.Close()
		return nil, err
	}
	return struct {
		io.Reader
		io.Closer
	}{records.Decode(delivery.ReadContext(opt.ctx(), f), enc), raw}, nil
}
