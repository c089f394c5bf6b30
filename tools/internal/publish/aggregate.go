package publish

import (
	"slices"
	"time"

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
	pubDims     []bool // the policy lets dims[i] be published
	pubMeasures []bool // the policy lets measures[i] be published
	policy      ExportPolicy
	// since is the first quarter the export reports (zero: its first with
	// records); ruleFrom the first its rule requires anything of (zero:
	// every one).
	since, ruleFrom period.Quarter
	index           []map[string]int // per dimension: value → position
	quarters        map[period.Quarter]*counts
	// months hold the counts per calendar month too, for the open
	// quarter, which publishes only the months that have ended.
	months map[month]*counts
}

// month is a calendar month in Chicago.
type month struct {
	year int
	m    time.Month
}

func monthOf(t time.Time) month {
	t = t.In(period.Chicago)
	return month{t.Year(), t.Month()}
}

// start is the month's first instant.
func (m month) start() time.Time { return time.Date(m.year, m.m, 1, 0, 0, 0, 0, period.Chicago) }

type counts struct {
	total int
	dims  [][]int // [dimension][value]
	hist  [][]int // [measure][days], for medians only
}

func newAggregate(e contract.Export, dims []Dimension, ms []Measure, policy ExportPolicy) *aggregate {
	a := &aggregate{export: e, dims: dims, measures: ms, policy: policy, quarters: map[period.Quarter]*counts{}, months: map[month]*counts{}}
	for _, d := range dims {
		a.pubDims = append(a.pubDims, slices.Contains(policy.Dimensions, d.ID))
	}
	for _, m := range ms {
		a.pubMeasures = append(a.pubMeasures, slices.Contains(policy.Measures, m.ID))
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

// add counts one valid record, in its quarter and in its month.
func (a *aggregate) add(r records.Record) {
	t := r.When().Time
	q, m := a.quarters[period.Of(t)], a.months[monthOf(t)]
	if q == nil {
		q = a.newCounts()
		a.quarters[period.Of(t)] = q
	}
	if m == nil {
		m = a.newCounts()
		a.months[monthOf(t)] = m
	}
	q.addRecord(a, r)
	m.addRecord(a, r)
}

func (c *counts) addRecord(a *aggregate, r records.Record) {
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
	var cs []*counts
	for _, q := range qs {
		cs = append(cs, a.quarters[q])
	}
	return a.combine(cs)
}

// through adds up the months of quarter q that began before cutoff: what
// the open quarter publishes.
func (a *aggregate) through(q period.Quarter, cutoff month) *counts {
	var cs []*counts
	for m := (month{q.Year, time.Month(3*q.Q - 2)}); m.start().Before(cutoff.start()) && m.start().Before(q.End()); m = (month{m.year, m.m + 1}) {
		cs = append(cs, a.months[m])
	}
	return a.combine(cs)
}

func (a *aggregate) combine(cs []*counts) *counts {
	out := a.newCounts()
	for _, c := range cs {
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
