package publish

import (
	"slices"
	"testing"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/check"
	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
	"github.com/chicago-welcoming-city/transparency/tools/internal/records"
)

// testKey keys the ledgers' pseudonyms in tests.
var testKey = []byte("wcok1_amfbcga7eywtio2cjfifoxtfnrzxvamir6lj3jflwk44br6o2xoa_uiehaxy") // made of fixed bytes: a test key, not a secret

// opts are the options of the tests' publications, read as of now.
func opts(policy Policy, now time.Time) Options {
	return Options{Threshold: 11, Key: testKey, Policy: policy, DaysAfterQuarter: 45, Check: check.Options{Now: now}}
}

// dated gives a fixture without a manifest the export time staff would
// give it (wco never guesses one): the moment of its latest record.
func dated(t *testing.T, d *delivery.Delivery, opt Options) Options {
	t.Helper()
	if d.Manifest != nil || !opt.ExportedAt.IsZero() {
		return opt
	}
	rep := check.Delivery(d, opt.Check, func(contract.Export, records.Record) {})
	opt.ExportedAt = rep.Latest()
	return opt
}

// count counts d with co, failing the test on any problem.
func count(t *testing.T, d *delivery.Delivery, opt Options, co CountOptions) *Counted {
	t.Helper()
	opt = dated(t, d, opt)
	c, rep, err := CountDelivery(d, opt, co)
	if err != nil {
		t.Fatalf("count: %v (%v)", err, rep)
	}
	return c
}

// releaseAll releases every closed quarter of d on its due date (OnTime),
// then publishes.
func releaseAll(t *testing.T, d *delivery.Delivery, opt Options) (*Publication, Releases) {
	t.Helper()
	opt = dated(t, d, opt)
	c, h, rep, err := OnTime(d, opt, Releases{})
	if err != nil {
		t.Fatalf("%v (%v)", err, rep)
	}
	pub, err := c.Publish(h)
	if err != nil {
		t.Fatal(err)
	}
	return pub, h
}

// run releases every closed quarter of d, the day after it ends, under
// the full policy, read on 2026-11-01.
func run(t *testing.T, d *delivery.Delivery) *Publication {
	t.Helper()
	opt := opts(fullPolicy(), time.Date(2026, 11, 1, 0, 0, 0, 0, period.Chicago))
	opt.DaysAfterQuarter = 1
	pub, _ := releaseAll(t, d, opt)
	return pub
}

// withTotals is policy with every export's total required exactly.
func withTotals(policy Policy) Policy {
	out := Policy{}
	for e, ep := range policy {
		ep.Statutory = append(slices.Clone(ep.Statutory), Statutory{Figure: TotalFigure, Clause: "a rule"})
		out[e] = ep
	}
	return out
}

// wantNothingFound fails the test on any audit finding or problem.
func wantNothingFound(t *testing.T) func([]AuditReport, error) {
	return func(reports []AuditReport, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range reports {
			if r.Failed() {
				t.Errorf("%s %s: %v %v", r.Release, r.Export, r.Findings, r.Problems)
			}
		}
	}
}

// audit attacks the publication's history and tables.
func audit(pub *Publication) ([]AuditReport, error) {
	return Audit(pub.Releases(), pub.Exports, 11)
}

// exportPeriod is an export's table of one period.
func exportPeriod(pub *Publication, export, key string) Period {
	for _, e := range pub.Exports {
		if e.Export != export {
			continue
		}
		i := slices.IndexFunc(e.Periods, func(p Period) bool { return p.Period == key })
		if i >= 0 {
			return e.Periods[i]
		}
	}
	return Period{}
}

// cellOf is one cell of a period's breakdown.
func cellOf(p Period, dim, value string) Count {
	for _, b := range p.Breakdowns {
		if b.Dimension != dim {
			continue
		}
		for _, c := range b.Cells {
			if c.Value == value {
				return c.Count
			}
		}
	}
	return Count{Status: "missing"}
}
