package check

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
	"github.com/chicago-welcoming-city/transparency/tools/internal/records"
)

// Report is the outcome of checking a whole delivery.
type Report struct {
	Origin string
	Files  []*FileReport
}

// Failed reports whether any file has a problem that is not a warning.
func (r *Report) Failed() bool {
	return slices.ContainsFunc(r.Files, (*FileReport).Failed)
}

// Latest is the latest record datetime across the delivery.
func (r *Report) Latest() time.Time {
	var t time.Time
	for _, f := range r.Files {
		if f.Latest.After(t) {
			t = f.Latest
		}
	}
	return t
}

// Err returns an error summarizing a failed report, or nil.
func (r *Report) Err() error {
	if !r.Failed() {
		return nil
	}
	n := 0
	for _, f := range r.Files {
		for k, c := range f.ByKind {
			if k != UnknownColumn {
				n += c
			}
		}
	}
	return fmt.Errorf("check delivery %s: %d problem(s); nothing was published", r.Origin, n)
}

// Delivery checks the four exports of d in contract order and calls visit
// for every valid row.
func Delivery(d *delivery.Delivery, opt Options, visit func(contract.Export, records.Record)) *Report {
	rep := &Report{Origin: d.Origin}
	for _, e := range contract.Exports() {
		var fr *FileReport
		switch e.Name {
		case "detainer_log":
			fr = Export(d, e, opt, func(r records.Detainer) { visit(e, r) })
		case "assistance_requests":
			fr = Export(d, e, opt, func(r records.Assistance) { visit(e, r) })
		case "federal_incidents":
			fr = Export(d, e, opt, func(r records.Incident) { visit(e, r) })
		case "visa_certifications":
			fr = Export(d, e, opt, func(r records.Visa) { visit(e, r) })
		default:
			panic("check: no typed row for export " + e.Name)
		}
		rep.Files = append(rep.Files, fr)
	}
	return rep
}

// Write prints every problem grouped by file and kind, then a summary table
// per file.
func (r *Report) Write(w io.Writer) error {
	for _, f := range r.Files {
		if len(f.Problems) == 0 {
			continue
		}
		fmt.Fprintf(w, "%s\n", f.File)
		kinds := slices.Sorted(maps.Keys(f.ByKind))
		for _, k := range kinds {
			label := "problem"
			if k == UnknownColumn {
				label = "warning"
			}
			fmt.Fprintf(w, "  %s: %d %s(s)\n", k, f.ByKind[k], label)
			for _, p := range f.Problems {
				if p.Kind == k {
					fmt.Fprintf(w, "    %s\n", p.Error())
				}
			}
		}
		if f.Dropped > 0 {
			fmt.Fprintf(w, "  … and %d more problem(s) not shown\n", f.Dropped)
		}
		fmt.Fprintln(w)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "file\trows read\tvalid\tproblems\twarnings\t\n")
	for _, f := range r.Files {
		problems, warnings := 0, 0
		for k, n := range f.ByKind {
			if k == UnknownColumn {
				warnings += n
			} else {
				problems += n
			}
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t\n", f.File, f.RowsRead, f.RowsValid, problems, warnings)
	}
	return tw.Flush()
}
