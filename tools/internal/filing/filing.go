// Package filing prepares the reports the law has the Chicago Police
// Department file, from the same delivery and checks as the site:
//
//   - the quarterly compliance report of the Welcoming City Ordinance
//     (MCC 2-173-069) to the Mayor and the Inspector General: the
//     notifications to OEMC of requests for assistance with civil
//     immigration enforcement, and each immigration detainer and
//     administrative warrant received, whether the person was transferred
//     to federal custody, and to which agency;
//   - the annual report to the Illinois Attorney General (5 ILCS 805/25(a)
//     and the VOICES Act, 5 ILCS 825/20): each request of the Department of
//     Homeland Security and how it was handled, each detainer or civil
//     immigration warrant with its dates and outcome, and each U or T visa
//     certification request with its dates, or the certification that
//     there were none.
//
// A filing is a list of records, one row each, holding exactly the fields
// its clause names. Rows are built from dates and contract codes only: the
// typed rows of package records do not even read names, identifiers or
// free text, so none can reach a filing. Rows are sorted by their content,
// never by record id, and numbered.
//
// A filing is written as one CSV per list and as a JSON data file that the
// site's filing layout renders, for print, as the PDF a person signs.
package filing

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
	"github.com/chicago-welcoming-city/transparency/tools/internal/records"
)

// The filings' ids, also the first part of their file names.
const (
	Quarterly = "mcc-2-173-069"
	Annual    = "ilcs-805-25"
)

// MaxRows bounds one list of a filing: a delivery that puts more records in
// one period is refused rather than held in memory (the largest real list
// has had tens of rows).
const MaxRows = 100_000

// A Kind is a filing the law requires: for which period, to whom, and its
// lists.
type Kind struct {
	ID         string
	Title      string
	Authority  string // the law that requires it
	To         string // to whom it is sent
	Filer      string
	PeriodKind string // quarter or year
	Sections   []Section
}

// A Section is one list of a filing.
type Section struct {
	ID      string   `json:"id"`
	Export  string   `json:"export"`
	Title   string   `json:"title"`
	Clause  string   `json:"clause"`
	Filter  Filter   `json:"-"`
	Columns []Column `json:"columns"`
	// None is the certification a filing gives instead of an empty list.
	None string `json:"none"`
	// Rows are the list, each row a value per column, sorted.
	Rows [][]string `json:"rows"`
	row  func(records.Record) ([]string, bool)
}

// A Filter names the records of an export a list holds, by a dimension of
// the publication's catalog: request types DETAINER and ADMIN_WARRANT.
// An empty filter holds every record.
type Filter struct {
	Dimension string
	Values    []string
}

// A Column is one field of a list, with the clause that names it.
type Column struct {
	Name   string `json:"name"`
	Clause string `json:"clause"`
	// Date marks the date a record was received, which places its row in
	// a quarter.
	Date bool `json:"-"`
	// Dimension is the catalog dimension the column tells of, for the
	// audit: each word in Cells is one value of it; or, with Present, a
	// filled cell means that value and, with Absent, an empty one that.
	Dimension string            `json:"-"`
	Cells     map[string]string `json:"-"`
	Present   string            `json:"-"`
	Absent    string            `json:"-"`
}

// Value is the dimension value a cell of the column stands for, if any.
func (c Column) Value(cell string) (string, bool) {
	switch {
	case c.Dimension == "":
		return "", false
	case c.Cells != nil:
		v, ok := c.Cells[cell]
		return v, ok
	case cell != "":
		return c.Present, c.Present != ""
	default:
		return c.Absent, c.Absent != ""
	}
}

// Kinds lists the filings, quarterly first.
func Kinds() []Kind {
	out := make([]Kind, len(kinds))
	for i, k := range kinds {
		out[i] = k.clone()
	}
	return out
}

// Lookup finds a filing by id.
func Lookup(id string) (Kind, bool) {
	i := slices.IndexFunc(kinds, func(k Kind) bool { return k.ID == id })
	if i < 0 {
		return Kind{}, false
	}
	return kinds[i].clone(), true
}

// For returns the filing due for a period: the quarterly report for a
// quarter, the annual one for a year.
func For(p period.Period) Kind {
	k, _ := Lookup(map[string]string{"quarter": Quarterly, "year": Annual}[p.Kind()])
	return k
}

func (k Kind) clone() Kind {
	k.Sections = slices.Clone(k.Sections)
	for i := range k.Sections {
		k.Sections[i].Rows = nil
	}
	return k
}

// A Filing is one period's filing, as sent and, where the policy says so,
// as published.
type Filing struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Authority string `json:"authority"`
	To        string `json:"to"`
	Filer     string `json:"filer"`
	Period    string `json:"period"` // 2026-Q3 or 2025
	Slug      string `json:"slug"`   // 2026-q3 or 2025
	Start     string `json:"start"`
	End       string `json:"end"`
	// Due is when the filing is due: the quarterly report the configured
	// days after its quarter, the annual one on March 1.
	Due string `json:"due"`
	// Prepared is the day the delivery it is made from was exported.
	Prepared string    `json:"prepared"`
	Sections []Section `json:"sections"`
	// Certification is what the person who signs the filing certifies.
	Certification string `json:"certification"`
}

// A Collector gathers a filing's rows as a check visits records.
type Collector struct {
	f   *Filing
	p   period.Period
	k   Kind
	err []error // per section
}

// NewCollector starts a filing of kind k for period p; daysAfterQuarter is
// when a quarterly report is due.
func NewCollector(k Kind, p period.Period, daysAfterQuarter int) (*Collector, error) {
	if k.PeriodKind != p.Kind() {
		return nil, fmt.Errorf("the %s is a %s report, not one for %s", k.Title, k.PeriodKind, p)
	}
	due := time.Date(p.Year+1, time.March, 1, 0, 0, 0, 0, period.Chicago)
	if q, ok := p.Quarter(); ok {
		due = q.Due(daysAfterQuarter)
	}
	f := &Filing{
		ID: k.ID, Title: k.Title, Authority: k.Authority, To: k.To, Filer: k.Filer,
		Period: p.String(), Slug: p.Slug(),
		Start: p.Start().Format(time.DateOnly), End: p.End().AddDate(0, 0, -1).Format(time.DateOnly),
		Due:           due.Format(time.DateOnly),
		Sections:      slices.Clone(k.Sections),
		Certification: fmt.Sprintf("I certify that this report of the %s for %s is complete and accurate to the best of my knowledge, and that it contains no name or other personally identifying information.", k.Filer, p),
	}
	for i := range f.Sections {
		f.Sections[i].Rows = [][]string{}
	}
	return &Collector{f: f, p: p, k: k, err: make([]error, len(f.Sections))}, nil
}

// Visit adds a record to the lists it belongs in. It may be called
// concurrently for different exports, never for one export.
func (c *Collector) Visit(e contract.Export, r records.Record) {
	if !c.p.Contains(r.When().Time) {
		return
	}
	for i := range c.f.Sections {
		s := &c.f.Sections[i]
		if s.Export != e.Name || c.err[i] != nil {
			continue
		}
		row, ok := s.row(r)
		if !ok {
			continue
		}
		if len(s.Rows) >= MaxRows {
			c.err[i] = fmt.Errorf("%s: more than %d records in one list of the %s for %s: check the delivery", e.File(), MaxRows, c.k.Title, c.p)
			continue
		}
		s.Rows = append(s.Rows, row)
	}
}

// Filing returns the filing, its lists sorted; prepared is the day the
// delivery was exported.
func (c *Collector) Filing(prepared time.Time) (*Filing, error) {
	if err := errors.Join(c.err...); err != nil {
		return nil, err
	}
	f := *c.f
	f.Sections = slices.Clone(c.f.Sections)
	for i := range f.Sections {
		rows := slices.Clone(f.Sections[i].Rows)
		slices.SortFunc(rows, func(a, b []string) int { return slices.Compare(a, b) })
		f.Sections[i].Rows = rows
	}
	if !prepared.IsZero() {
		f.Prepared = prepared.In(period.Chicago).Format(time.DateOnly)
	}
	return &f, nil
}

// Name is a file name of the filing: 2026-q3-mcc-2-173-069.pdf, or, for a
// list, 2026-q3-mcc-2-173-069-detainers.csv. The period comes first: after
// the clause's number it would read as a telephone number
// (173-069-2026), which the site's privacy scan rightly stops.
func (f *Filing) Name(section, ext string) string {
	if section == "" {
		return fmt.Sprintf("%s-%s.%s", f.Slug, f.ID, ext)
	}
	return fmt.Sprintf("%s-%s-%s.%s", f.Slug, f.ID, section, ext)
}

// CSV is one list as CSV: a numbered row per record under a header of the
// column names, each followed by its clause; an empty list is its header
// alone (the certification of none is in the filing's PDF).
func (s Section) CSV() []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.UseCRLF = true
	header := []string{"No."}
	for _, c := range s.Columns {
		header = append(header, fmt.Sprintf("%s (%s)", c.Name, c.Clause))
	}
	_ = w.Write(header)
	for i, r := range s.Rows {
		_ = w.Write(append([]string{fmt.Sprint(i + 1)}, r...))
	}
	w.Flush()
	return b.Bytes()
}

// Count is how many rows of a list fall in a period with the given value of
// column col (every row when col is negative).
func (s Section) Count(p period.Period, col int, value string) (int, error) {
	n := 0
	date := slices.IndexFunc(s.Columns, func(c Column) bool { return c.Date })
	for _, r := range s.Rows {
		if len(r) != len(s.Columns) {
			return 0, fmt.Errorf("%s: a row has %d fields, not %d", s.ID, len(r), len(s.Columns))
		}
		t, err := time.ParseInLocation(time.DateOnly, r[date], period.Chicago)
		if err != nil {
			return 0, fmt.Errorf("%s: %q is not a date", s.ID, r[date])
		}
		if !p.Contains(t) {
			continue
		}
		if col < 0 {
			n++
		} else if v, ok := s.Columns[col].Value(r[col]); ok && v == value {
			n++
		}
	}
	return n, nil
}

// Words lists a column's distinct dimension values in display order.
func (c Column) Words() []string {
	var out []string
	switch {
	case c.Cells != nil:
		for _, v := range c.Cells {
			out = append(out, v)
		}
	default:
		for _, v := range []string{c.Present, c.Absent} {
			if v != "" {
				out = append(out, v)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
