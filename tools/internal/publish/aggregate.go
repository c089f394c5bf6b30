package publish

import (
	"slices"

	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
	"github.com/chicago-welcoming-city/transparency/tools/internal/records"
)

// maxDays bounds the day histograms of median measures; longer waits
// count in the last bucket.
const maxDays = 3650

// aggregate holds an export's counts per quarter as rows stream by: memory
// grows with the number of quarters, dimensions and values, never with rows.
type aggregate struct {
	export      contract.Export
	dims        []Dimension
	measures    []Measure
	pubDims     []bool           // the policy lets dims[i] be published
	pubMeasures []bool           // the policy lets measures[i] be published
	index       []map[string]int // per dimension: value → position
	quarters    map[period.Quarter]*counts
}

type counts struct {
	total int
	dims  [][]int // [dimension][value]
	hist  [][]int // [measure][days], for medians only
}

func newAggregate(e contract.Export, dims []Dimension, ms []Measure, policy ExportPolicy) *aggregate {
	a := &aggregate{export: e, dims: dims, measures: ms, quarters: map[period.Quarter]*counts{}}
	for _, d := range dims {
		a.pubDims = append(a.pubDims, keep(policy.Dimensions, d.ID))
	}
	for _, m := range ms {
		a.pubMeasures = append(a.pubMeasures, keep(policy.Measures, m.ID))
	}
	for _, d := range dims {
		idx := make(map[string]int, len(d.Values))
		for i, v := range d.Values {
			idx[v] = i
		}
		a.index = append(a.index, idx)
	}
	return a
}

func (a *aggregate) quarter(q period.Quarter) *counts {
	c := a.quarters[q]
	if c == nil {
		c = a.newCounts()
		a.quarters[q] = c
	}
	return c
}

// newCounts returns zero counts shaped for the export's dimensions and
// measures.
func (a *aggregate) newCounts() *counts {
	c := &counts{dims: make([][]int, len(a.dims)), hist: make([][]int, len(a.measures))}
	for i, d := range a.dims {
		c.dims[i] = make([]int, len(d.Values))
	}
	for i, m := range a.measures {
		if m.days != nil {
			c.hist[i] = make([]int, maxDays+1)
		}
	}
	return c
}

// add counts one valid record.
func (a *aggregate) add(r records.Record) {
	c := a.quarter(period.Of(r.When().Time))
	c.total++
	// A value outside a dimension's list cannot reach here: the check
	// rejected unknown codes, and derived values are closed lists.
	for i, d := range a.dims {
		if !d.Multi {
			c.dims[i][a.index[i][d.one(r)]]++
			continue
		}
		for _, v := range d.many(r) {
			if j, ok := a.index[i][v]; ok {
				c.dims[i][j]++
			}
		}
	}
	for i, m := range a.measures {
		if m.days == nil {
			continue
		}
		if d, ok := m.days(r); ok {
			c.hist[i][min(max(d, 0), maxDays)]++
		}
	}
}

// sum adds up counts over quarters (a year).
func (a *aggregate) sum(qs []period.Quarter) *counts {
	out := a.newCounts()
	for _, q := range qs {
		c := a.quarters[q]
		if c == nil {
			continue
		}
		out.total += c.total
		for i := range c.dims {
			for j, n := range c.dims[i] {
				out.dims[i][j] += n
			}
		}
		for i := range c.hist {
			for j, n := range c.hist[i] {
				out.hist[i][j] += n
			}
		}
	}
	return out
}

// median returns the median of a day histogram and how many records it
// holds; an even count gives the mean of the two middle values.
func median(hist []int) (float64, int) {
	n := 0
	for _, c := range hist {
		n += c
	}
	if n == 0 {
		return 0, 0
	}
	at := func(k int) int { // the k-th smallest, 0-based
		for d, c := range hist {
			if k < c {
				return d
			}
			k -= c
		}
		return len(hist) - 1
	}
	if n%2 == 1 {
		return float64(at(n / 2)), n
	}
	return float64(at(n/2-1)+at(n/2)) / 2, n
}

// keep reports whether an item of the catalog is in the allowed list.
func keep(allowed []string, id string) bool { return slices.Contains(allowed, id) }
