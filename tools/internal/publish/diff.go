package publish

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// FigureChange is one published figure that two publications show differently:
// a count whose number or status changes, or a period one of them lacks.
// It compares only what is published, never the counts behind it.
type FigureChange struct {
	Export string
	Period string
	Figure string // "total", "dimension=value", or a measure
	Old    string // as the first publication shows it
	New    string
}

// Diff lists, export by export and period by period, every figure old and
// new show differently, in the order of new's tables (old's periods that
// new lacks come last).
func Diff(old, new []ExportTables) []FigureChange {
	var out []FigureChange
	byExport := map[string]ExportTables{}
	for _, t := range old {
		byExport[t.Export] = t
	}
	for _, nt := range new {
		ot := byExport[nt.Export]
		olds := map[string]Period{}
		for _, p := range ot.Periods {
			olds[p.Period] = p
		}
		for _, np := range nt.Periods {
			op, ok := olds[np.Period]
			delete(olds, np.Period)
			if !ok {
				out = append(out, FigureChange{Export: nt.Export, Period: np.Period, Figure: "total", Old: "not in the tables", New: reviewText(np.Total)})
				continue
			}
			out = append(out, diffPeriod(nt.Export, op, np)...)
		}
		for _, op := range ot.Periods {
			if _, gone := olds[op.Period]; gone {
				out = append(out, FigureChange{Export: nt.Export, Period: op.Period, Figure: "total", Old: reviewText(op.Total), New: "not in the tables"})
			}
		}
	}
	return out
}

func diffPeriod(export string, op, np Period) []FigureChange {
	var out []FigureChange
	add := func(figure, o, n string) {
		if o != n {
			out = append(out, FigureChange{Export: export, Period: np.Period, Figure: figure, Old: o, New: n})
		}
	}
	add("total", reviewText(op.Total), reviewText(np.Total))
	cells := func(p Period) map[string]string {
		m := map[string]string{}
		for _, b := range p.Breakdowns {
			for _, c := range b.Cells {
				m[b.Dimension+"="+c.Value] = reviewText(c.Count)
			}
		}
		return m
	}
	oc, nc := cells(op), cells(np)
	for _, b := range np.Breakdowns {
		for _, c := range b.Cells {
			key := b.Dimension + "=" + c.Value
			o, ok := oc[key]
			if !ok {
				o = "not in the tables"
			}
			add(key, o, nc[key])
			delete(oc, key)
		}
	}
	for _, key := range sortedKeys(oc) {
		add(key, oc[key], "not in the tables")
	}
	figs := func(p Period) map[string]string {
		m := map[string]string{}
		for _, f := range p.Figures {
			m[f.Measure] = figureText(f)
		}
		return m
	}
	of, nf := figs(op), figs(np)
	for _, f := range np.Figures {
		o, ok := of[f.Measure]
		if !ok {
			o = "not in the tables"
		}
		add(f.Measure, o, nf[f.Measure])
		delete(of, f.Measure)
	}
	for _, m := range sortedKeys(of) {
		add(m, of[m], "not in the tables")
	}
	return out
}

// statusText is how the review shows a value that is not a number.
var statusText = map[string]string{
	Suppressed:    "not shown (1 or more)",
	Withheld:      "withheld",
	NotApplicable: "not applicable",
	NotReported:   "not reported",
}

// reasonText says, for the review, why a number is not shown (Reasons).
var reasonText = map[string]string{
	ReasonPrivacy:       "to protect the people in the records",
	WithheldSmallGroup:  "its table describes too few records",
	WithheldProvisional: "the quarter is still open",
	WithheldUnreleased:  "not released yet",
	WithheldRevision:    "beside the earlier version it would tell of the records the revision changed",
	WithheldLinked:      "the exact figures would give it away",
	ReasonNotCounted:    "no month of the quarter has ended",
	ReasonYearsOnly:     "published for calendar years only",
	ReasonNotReported:   "the export came with no records",
}

// hiddenText is a number that is not shown, with why.
func hiddenText(status, reason string) string {
	t, ok := statusText[status]
	if !ok {
		t = status
	}
	if r := reasonText[reason]; r != "" && reason != status {
		t += ": " + r
	}
	return t
}

func reviewText(c Count) string {
	if c.Status == Published && c.Count != nil {
		return strconv.Itoa(*c.Count)
	}
	return hiddenText(c.Status, c.Reason)
}

func figureText(f Figure) string {
	if f.Status == Published && f.Value != nil {
		v := strconv.FormatFloat(*f.Value, 'f', -1, 64)
		if f.Unit == UnitPercent {
			return v + "%"
		}
		return v + " " + f.Unit
	}
	return hiddenText(f.Status, f.Reason)
}

// Labels are the site's interface strings in one language (its i18n
// file), which name exports, breakdowns, values and measures in the
// review as the pages do.
type Labels map[string]string

// valueLabelKeys are the values whose label depends on their breakdown;
// layouts/_partials/report/value-label.html holds the same list.
var valueLabelKeys = map[string]string{
	"charge_class/NONE": "value_no_charge",
	"dhs_request/Y":     "value_dhs_y",
	"dhs_request/N":     "value_dhs_n",
}

// or is the label of key, or fallback when there is none.
func (l Labels) or(key, fallback string) string {
	if v := strings.TrimSpace(l[key]); v != "" {
		return v
	}
	return fallback
}

// export names an export as the pages do.
func (l Labels) export(name string) string { return l.or("export_"+name, name) }

// figure names a figure of the review ("total", "dimension=value", or a
// measure) as the pages do: "What happened to the person: Released".
func (l Labels) figure(f string) string {
	if f == TotalFigure {
		return l.or("report_total", f)
	}
	dim, value, ok := strings.Cut(f, "=")
	if !ok {
		return l.or("measure_"+f, f)
	}
	v := l.or(valueLabelKeys[dim+"/"+value], l.or("value_"+strings.ToLower(value), value))
	if _, err := strconv.Atoi(value); err == nil && dim == "district" {
		v = strings.ReplaceAll(l.or("report_district", "District {{ .District }}"), "{{ .District }}", value)
	}
	return l.or("dim_"+dim, dim) + ": " + v
}

// WriteDiff writes changes as a Markdown table a person reads in a pull
// request, or a sentence when nothing changes; labels name the exports
// and figures as the pages do (a figure without a label keeps its code).
func WriteDiff(w io.Writer, changes []FigureChange, labels Labels) error {
	if len(changes) == 0 {
		_, err := fmt.Fprintln(w, "No published figure changes.")
		return err
	}
	var b strings.Builder
	exports := map[string]bool{}
	for _, c := range changes {
		exports[c.Export] = true
	}
	cell := strings.NewReplacer("|", "\\|", "\n", " ")
	fmt.Fprintf(&b, "%d published figure(s) change, in %d export(s):\n\n", len(changes), len(exports))
	b.WriteString("| records | period | figure | was | now |\n|---|---|---|---|---|\n")
	for _, c := range changes {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", cell.Replace(labels.export(c.Export)), c.Period, cell.Replace(labels.figure(c.Figure)), c.Old, c.New)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
