package check

import (
	"fmt"
	"io"
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
	"github.com/chicago-welcoming-city/transparency/tools/internal/records"
)

// Report is the outcome of checking a whole delivery.
type Report struct {
	Origin         string
	Files          []*FileReport
	MaxInvalidRows int // invalid rows allowed, from Options
	// Interrupted is why the check stopped before the end (a signal, a
	// deadline); nil when it read everything.
	Interrupted error
}

// InvalidRows is the number of invalid rows across the delivery.
func (r *Report) InvalidRows() int {
	n := 0
	for _, f := range r.Files {
		n += f.InvalidRows
	}
	return n
}

// Failed reports whether the check failed: any problem with a whole file,
// or more invalid rows than allowed.
func (r *Report) Failed() bool {
	return r.Interrupted != nil || slices.ContainsFunc(r.Files, (*FileReport).fileFailed) || r.InvalidRows() > r.MaxInvalidRows
}

// Excluded reports the invalid rows left out of a passing check, by file;
// empty when none were.
func (r *Report) Excluded() map[string]int {
	out := map[string]int{}
	if r.Failed() {
		return out
	}
	for _, f := range r.Files {
		if f.InvalidRows > 0 {
			out[f.File] = f.InvalidRows
		}
	}
	return out
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
	if r.Interrupted != nil {
		return fmt.Errorf("check delivery %s: stopped before the end (%w); nothing was published", r.Origin, r.Interrupted)
	}
	n := 0
	for _, f := range r.Files {
		for k, c := range f.ByKind {
			if !k.Warning() {
				n += c
			}
		}
	}
	if inv := r.InvalidRows(); inv > 0 && r.MaxInvalidRows > 0 && !slices.ContainsFunc(r.Files, (*FileReport).fileFailed) {
		return fmt.Errorf("check delivery %s: %d invalid rows, more than params.check.max_invalid_rows (%d) allows; nothing was published", r.Origin, inv, r.MaxInvalidRows)
	}
	return fmt.Errorf("check delivery %s: %d problem(s); nothing was published", r.Origin, n)
}

// Delivery checks the four exports of d and calls visit for every valid
// row. The exports are read at the same time, as many as there are
// processors: visit is called concurrently for different exports, never
// for the same one. The report lists the files in contract order.
func Delivery(d *delivery.Delivery, opt Options, visit func(contract.Export, records.Record)) *Report {
	exports := contract.Exports()
	rep := &Report{Origin: d.Origin, MaxInvalidRows: opt.MaxInvalidRows, Files: make([]*FileReport, len(exports))}
	sem := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))
	var wg sync.WaitGroup
	for i, e := range exports {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			rep.Files[i] = File(d, e, opt, visit)
		}()
	}
	wg.Wait()
	rep.Interrupted = opt.ctx().Err()
	return rep
}

// File checks one export of d with its typed row, calling visit for every
// valid row.
func File(d *delivery.Delivery, e contract.Export, opt Options, visit func(contract.Export, records.Record)) *FileReport {
	switch e.Name {
	case "detainer_log":
		return Export(d, e, opt, func(r records.Detainer) { visit(e, r) })
	case "assistance_requests":
		return Export(d, e, opt, func(r records.Assistance) { visit(e, r) })
	case "federal_incidents":
		return Export(d, e, opt, func(r records.Incident) { visit(e, r) })
	case "visa_certifications":
		return Export(d, e, opt, func(r records.Visa) { visit(e, r) })
	}
	panic("check: no typed row for export " + e.Name)
}

// WriteMapping prints, per file, where each contract column is read from:
// the file's header, a constant, or nothing (the column is unknown).
func (r *Report) WriteMapping(w io.Writer) error {
	for _, f := range r.Files {
		if len(f.Mapping) == 0 {
			continue
		}
		fmt.Fprintf(w, "%s reads:\n", f.File)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, s := range f.Mapping {
			from := fmt.Sprintf("column %q", s.From)
			switch {
			case s.Derived != "":
				from = s.Derived
			case s.Generated:
				from = "a generated id: a keyed hash of the row's identifying columns (params.exports generated_id), never published"
			case s.NotSupplied:
				from = "nothing: the system does not supply it (params.exports not_supplied), so it is unknown"
			case s.Constant != "":
				from = fmt.Sprintf("the constant %q", s.Constant)
			case s.From == "":
				from = "nothing: not in the file"
			}
			if s.Values > 0 {
				from += fmt.Sprintf(", through a value map of %d", s.Values)
			}
			if s.Conditions > 0 {
				from += fmt.Sprintf(", and %d when another column has a code", s.Conditions)
			}
			if s.Default != "" {
				from += ", an empty cell read as the default " + s.Default
			}
			fmt.Fprintf(tw, "  %s\t← %s\n", s.Column, from)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	fmt.Fprintln(w)
	return nil
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
			if k.Warning() {
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
		for _, col := range slices.Sorted(maps.Keys(f.Values)) {
			var parts []string
			cv := f.Values[col]
			for _, v := range cv.Shown {
				parts = append(parts, fmt.Sprintf("%q ×%d", v.Value, v.Count))
			}
			if cv.Withheld > 0 {
				parts = append(parts, fmt.Sprintf("%d other distinct value(s), each too rare to show", cv.Withheld))
			}
			fmt.Fprintf(w, "  offending values of %s: %s\n", col, strings.Join(parts, "; "))
		}
		fmt.Fprintln(w)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "file\tencoding\trows read\tvalid\tinvalid\tproblems by kind\n")
	for _, f := range r.Files {
		var kinds []string
		for _, k := range slices.Sorted(maps.Keys(f.ByKind)) {
			kinds = append(kinds, fmt.Sprintf("%s %d", k, f.ByKind[k]))
		}
		if len(kinds) == 0 {
			kinds = []string{"none"}
		}
		if f.NotDelivered {
			kinds = []string{"not delivered by the records system (the configuration says so): published as not reported"}
		}
		enc := string(f.Encoding)
		if enc == "" {
			enc = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%s\n", f.File, enc, f.RowsRead, f.RowsValid, f.InvalidRows, strings.Join(kinds, ", "))
		for _, c := range f.Children {
			// A child file's rows are parts of the main file's records.
			fmt.Fprintf(tw, "  + %s\t%s\t%d\t-\t-\t%s, joined: %d row(s) of no record, %d with no key\n", c.File, c.Encoding, c.Rows, c.Name, c.Orphans, c.NoKey)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, f := range r.Files {
		if f.BeforeReporting > 0 {
			fmt.Fprintf(w, "%s: %d valid record(s) dated before the quarter of %s, when reporting of this export began: read and counted, published in no table; the publication's notes will say so (to publish the system's history, set params.exports.<export>.first_quarter)\n", f.File, f.BeforeReporting, f.Since.Format(time.DateOnly))
		}
	}
	if ex := r.Excluded(); len(ex) > 0 {
		fmt.Fprintf(w, "%d invalid row(s) left out, as params.check.max_invalid_rows (%d) allows; the publication's notes will say so\n", r.InvalidRows(), r.MaxInvalidRows)
	}
	return nil
}
