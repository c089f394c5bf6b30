package publish

import (
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/check"
	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
)

// OnTime is the history of a deployment that released every quarter of
// delivery d on its due date (Options.DaysAfterQuarter after its last day),
// oldest first, each year with the last of its quarters: history, then a
// release, made by Freeze as wco release makes one, for every quarter past
// its due date that history does not hold. It is how the embedded sample,
// which has no release files, is published: as ordinary history, with no
// special case in the engine. It returns the counts it was made from,
// which a second reading of the records prepares the filings of.
func OnTime(d *delivery.Delivery, opt Options, history Releases) (*Counted, Releases, *check.Report, error) {
	first, rep, err := CountDelivery(d, opt, CountOptions{})
	if err != nil {
		return nil, nil, rep, err
	}
	type release struct {
		at      time.Time
		periods []period.Period
	}
	var plan []release
	var prepare []period.Period
	released := map[string]bool{}
	for k := range history {
		released[k] = true
	}
	for _, q := range first.Quarters() {
		// Released at noon on the day it is due.
		at := q.Due(opt.DaysAfterQuarter).Add(12 * time.Hour)
		if released[q.String()] || !first.Closed(q.Period()) || first.AsOf.Before(at) {
			continue
		}
		r := release{at: at, periods: []period.Period{q.Period()}}
		released[q.String()] = true
		if y := q.Period().YearOf(); !released[y.String()] && first.CoversYear(y) {
			all := true
			for _, yq := range y.Quarters() {
				all = all && released[yq.String()]
			}
			if all {
				r.periods = append(r.periods, y)
				released[y.String()] = true
			}
		}
		plan = append(plan, r)
		prepare = append(prepare, r.periods...)
	}
	if len(plan) == 0 {
		return first, history, rep, nil
	}
	c, rep, err := CountDelivery(d, opt, CountOptions{Prepare: prepare})
	if err != nil {
		return nil, nil, rep, err
	}
	for _, r := range plan {
		if history, err = c.Freeze(history, r.periods, "", r.at); err != nil {
			return nil, nil, rep, err
		}
	}
	return c, history, rep, nil
}
