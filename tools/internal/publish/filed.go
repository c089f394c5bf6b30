package publish

import (
	"fmt"
	"slices"

	"github.com/chicago-welcoming-city/transparency/tools/internal/filing"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
)

// Filed is how a period's table meets one list of a statutory filing:
// how many of the table's records the list holds, and the others by the
// value the list leaves out (the log's 145 requests: 98 detainers and
// administrative warrants, which the quarterly filing lists; 41
// notification requests; 6 judicial warrants). A report total and a
// filing that count different things are reconciled on the page, from
// one definition: the list's own filter in package filing.
//
// Every number of it is a published count or a sum of them, so it tells
// a reader nothing the tables do not; where the filing itself is
// published with the period, its rows are counted too (the detainers of
// the list transferred to federal custody), and must agree.
type Filed struct {
	Filing string `json:"filing"` // filing.Quarterly or filing.Annual
	List   string `json:"list"`   // the list's id in the filing
	Clause string `json:"clause"`
	// Count is how many of the table's records the list holds.
	Count int `json:"count"`
	// Others are the table's records the list does not hold, by the
	// value that leaves them out; empty when the list holds them all.
	Others []FiledCount `json:"others"`
	// Published says the filing is published with the period: its page
	// and lists are on the site.
	Published bool `json:"published"`
	// Tallies are, for a published filing, how many rows of the list
	// have each value its columns tell of (transferred to federal
	// custody: 3; to ICE: 2).
	Tallies []FiledCount `json:"tallies"`
}

// FiledCount is a count of records with one value of a dimension.
type FiledCount struct {
	Dimension string `json:"dimension"`
	Value     string `json:"value"`
	Count     int    `json:"count"`
}

// filed reconciles a published period of an export with every list of
// the filing due for it that draws on the export. A list whose records
// the published counts do not give exactly (a protected breakdown) is
// left out: its count would tell more than the tables. published are the
// filings published with the period, if any; a list of one that does
// not hold the count the tables give is an error, since one of the two
// would be wrong. A quarter still open has none.
func filed(export string, p Period, published []*filing.Filing) ([]Filed, error) {
	if p.Provisional {
		return nil, nil // no filing is due for a quarter still open
	}
	per, err := period.ParsePeriod(p.Period)
	if err != nil {
		return nil, err
	}
	kind := filing.For(per)
	var out []Filed
	for _, s := range kind.Sections {
		if s.Export != export {
			continue
		}
		f := Filed{Filing: kind.ID, List: s.ID, Clause: s.Clause, Others: []FiledCount{}, Tallies: []FiledCount{}}
		n, others, ok := listCount(export, p, s.Filter)
		if !ok {
			continue
		}
		f.Count, f.Others = n, others
		if rows, ok := publishedList(published, kind.ID, s.ID); ok {
			// The published list's rows, read with the list's definition.
			s.Rows = rows
			got, err := s.Count(per, -1, "")
			if err != nil {
				return nil, err
			}
			if got != n {
				return nil, fmt.Errorf("%s %s: the filing's list %s holds %d records, the published counts %d", export, p.Period, s.ID, got, n)
			}
			f.Published = true
			for col, c := range s.Columns {
				for _, v := range columnValues(export, c) {
					m, err := s.Count(per, col, v)
					if err != nil {
						return nil, err
					}
					f.Tallies = append(f.Tallies, FiledCount{Dimension: c.Dimension, Value: v, Count: m})
				}
			}
		}
		out = append(out, f)
	}
	return out, nil
}

// listCount is how many records of p a list with filter holds, and how
// many it leaves out by value, from published counts alone: the total
// for a list of every record; else the filter's cells or, when those are
// not all published, the cell of a dimension the catalog links to
// exactly those values (the requests from the Department of Homeland
// Security are those of ICE, CBP and HSI).
func listCount(export string, p Period, filter filing.Filter) (int, []FiledCount, bool) {
	if len(filter.Values) == 0 {
		if p.Total.Status != Published || p.Total.Count == nil {
			return 0, nil, false
		}
		return *p.Total.Count, []FiledCount{}, true
	}
	if n, others, ok := cellsCount(p, filter.Dimension, filter.Values); ok {
		return n, others, true
	}
	dims, _ := catalogOf(export)
	for _, d := range dims {
		for _, l := range d.Links {
			if l.Bound || l.AtLeast || l.Dimension != filter.Dimension || !sameSet(l.Values, filter.Values) {
				continue
			}
			if n, others, ok := cellsCount(p, d.ID, []string{l.Value}); ok {
				return n, others, true
			}
		}
	}
	return 0, nil, false
}

// cellsCount sums the published cells of dim with values, and lists the
// dimension's other cells; false unless every cell of the breakdown is
// published with its count.
func cellsCount(p Period, dim string, values []string) (int, []FiledCount, bool) {
	i := slices.IndexFunc(p.Breakdowns, func(b Breakdown) bool { return b.Dimension == dim })
	if i < 0 || p.Breakdowns[i].Withheld != "" {
		return 0, nil, false
	}
	n, others := 0, []FiledCount{}
	for _, c := range p.Breakdowns[i].Cells {
		if c.Count.Status != Published || c.Count.Count == nil {
			return 0, nil, false
		}
		if slices.Contains(values, c.Value) {
			n += *c.Count.Count
		} else {
			others = append(others, FiledCount{Dimension: dim, Value: c.Value, Count: *c.Count.Count})
		}
	}
	return n, others, true
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// publishedList finds the rows of a list of a published filing.
func publishedList(fs []*filing.Filing, id, list string) ([][]string, bool) {
	for _, f := range fs {
		if f.ID != id {
			continue
		}
		for _, s := range f.Sections {
			if s.ID == list {
				return s.Rows, true
			}
		}
	}
	return nil, false
}

// columnValues are the dimension values a column of a list tells of, in
// the dimension's order (none for a column that tells of none).
func columnValues(export string, c filing.Column) []string {
	d, ok := LookupDimension(export, c.Dimension)
	if !ok {
		return nil
	}
	words := c.Words()
	var out []string
	for _, v := range d.Values {
		if slices.Contains(words, v) {
			out = append(out, v)
		}
	}
	return out
}
