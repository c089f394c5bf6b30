package publish_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/attacker"
	"github.com/chicago-welcoming-city/transparency/tools/internal/check"
	"github.com/chicago-welcoming-city/transparency/tools/internal/config"
	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
	"github.com/chicago-welcoming-city/transparency/tools/internal/publish"
	"github.com/chicago-welcoming-city/transparency/tools/internal/synth"
)

// TestEveryNightPublishes is the property of the engine: whatever the
// data are, every night publishes, every figure a rule requires is exact,
// and nothing anyone has published lets a reader narrow a protected count.
//
// Each run is a deployment under the policy in config.yaml: a random
// delivery (5 to 500 records per quarter per export) that grows night by
// night as a records system does (AsOf), over a run of nights around the
// turn of the year, when a year closes and its last quarter comes due. On
// each night, by chance: records of a released quarter are entered late;
// staff release the next quarter that is due (late, sometimes), revising
// first any quarter of its year that is pending; or revise what is
// pending. Every night the publication must succeed; its statutory figures
// must equal counts made here from the night's files (for a period whose
// revision is pending, the version in force); wco's audit must find
// nothing after every release; and an attacker written apart from it
// (integer programming with scipy's HiGHS) must find nothing over the
// whole history.
//
// go test runs three runs of a few nights; WCO_PROPERTY=full (set by
// .ci/run) runs enough runs that their nights cover every day from 20
// December to 31 March, and more with WCO_PROPERTY_RUNS.
func TestEveryNightPublishes(t *testing.T) {
	t.Parallel()
	cfg, err := config.Load(filepath.Join("..", "..", "..", "config.yaml"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	type window struct{ first, last time.Time }
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 6, 0, 0, 0, period.Chicago) }
	windows := []window{
		{day(2026, 12, 30), day(2027, 1, 2)},   // a year closes
		{day(2027, 2, 13), day(2027, 2, 16)},   // its last quarter comes due
		{day(2026, 12, 20), day(2026, 12, 21)}, // before it closes
	}
	if os.Getenv("WCO_PROPERTY") == "full" {
		windows = nil
		for d := day(2026, 12, 20); !d.After(day(2027, 3, 31)); d = d.AddDate(0, 0, 22) {
			last := d.AddDate(0, 0, 21)
			if last.After(day(2027, 3, 31)) {
				last = day(2027, 3, 31)
			}
			windows = append(windows, window{d, last})
		}
		extra, _ := strconv.Atoi(os.Getenv("WCO_PROPERTY_RUNS"))
		rng := rand.New(rand.NewPCG(5, 5))
		for range extra {
			d := day(2026, 12, 20).AddDate(0, 0, rng.IntN(80))
			windows = append(windows, window{d, d.AddDate(0, 0, 3+rng.IntN(5))})
		}
	}
	for i, w := range windows {
		t.Run(fmt.Sprintf("%s-%s", w.first.Format("0102"), w.last.Format("0102")), func(t *testing.T) {
			t.Parallel()
			nights(t, cfg, uint64(i+1), w.first, w.last)
		})
	}
}

// stats are what a run did, for its log.
type stats struct {
	nights, releases, revisions, pendingNights, exact, attacked int
}

func nights(t *testing.T, cfg *config.Config, seed uint64, first, last time.Time) {
	rng := rand.New(rand.NewPCG(seed, 99))
	perQuarter := 5 + rng.IntN(496)
	if seed%3 == 0 {
		perQuarter = 5 + rng.IntN(16) // thin: most counts small
	}
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, period.Chicago)
	quarters := len(period.Range(period.Of(start), period.Of(last)))
	master := filepath.Join(t.TempDir(), "master")
	if _, err := synth.Write(master, synth.Options{Rows: perQuarter * quarters, Seed: seed, Start: start, ExportedAt: last}); err != nil {
		t.Fatal(err)
	}
	m, _ := cfg.Mappings()
	opt := publish.Options{Threshold: cfg.Disclosure.Threshold, Policy: cfg.Publication, Groupings: cfg.Groupings,
		DaysAfterQuarter: cfg.Releases.DaysAfterQuarter, Filings: cfg.Filings, Key: []byte(testKey)}
	k := opt.Threshold
	var st stats
	var history publish.Releases
	snapshot := func(night time.Time, prepare ...period.Period) (*publish.Counted, string) {
		t.Helper()
		dir := filepath.Join(t.TempDir(), night.Format("20060102"))
		if err := synth.AsOf(master, dir, night); err != nil {
			t.Fatal(err)
		}
		d, err := delivery.Open(dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		o := opt
		o.Check = check.Options{Mappings: m, Now: night}
		if history == nil {
			// The deployment released every quarter on its due date until
			// the first night.
			c, h, rep, err := publish.OnTime(d, o, publish.Releases{})
			if err != nil {
				t.Fatalf("%s: %v %v", night.Format(time.DateOnly), err, rep)
			}
			history = h
			return c, dir
		}
		c, rep, err := publish.CountDelivery(d, o, publish.CountOptions{Prepare: prepare})
		if err != nil {
			t.Fatalf("%s: %v %v", night.Format(time.DateOnly), err, rep)
		}
		return c, dir
	}
	audit := func(what string, c *publish.Counted) {
		t.Helper()
		pub, err := c.Publish(history)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		reports, err := publish.Audit(history, pub.Exports, k)
		if err != nil {
			t.Fatalf("%s: audit: %v", what, err)
		}
		for _, r := range reports {
			if r.Failed() {
				t.Fatalf("%s: the audit finds, at %s, %s: %v %v", what, r.Release, r.Export, r.Findings, r.Problems)
			}
		}
	}
	freeze := func(c *publish.Counted, night time.Time, ps []period.Period, reason string) {
		t.Helper()
		var err error
		if history, err = c.Freeze(history, ps, reason, night.Add(time.Hour)); err != nil {
			t.Fatalf("%s: freeze %v: %v", night.Format(time.DateOnly), ps, err)
		}
		audit(fmt.Sprintf("%s after freezing %v", night.Format(time.DateOnly), ps), c)
	}
	for night := first; !night.After(last); night = night.AddDate(0, 0, 1) {
		st.nights++
		when := night.Format(time.DateOnly)
		// Late records of a released quarter, entered tonight.
		if history != nil && rng.IntN(3) == 0 {
			var released []period.Quarter
			for p := range history {
				if q, err := period.Parse(p); err == nil {
					released = append(released, q)
				}
			}
			if len(released) > 0 {
				slices.SortFunc(released, func(a, b period.Quarter) int { return a.Start().Compare(b.Start()) })
				q := released[rng.IntN(len(released))]
				export := contract.Exports()[rng.IntN(4)].Name
				if _, err := synth.AddLate(master, export, q, 1+rng.IntN(3), night.Add(-time.Hour), fmt.Sprint(seed, when), nil); err != nil {
					t.Fatal(err)
				}
			}
		}
		c, dir := snapshot(night)
		pub, err := c.Publish(history)
		if err != nil {
			t.Fatalf("%s: the night does not publish: %v", when, err)
		}
		if len(pub.Index.Pending) > 0 {
			st.pendingNights++
		}
		st.exact += statutoryExact(t, cfg, dir, pub, when)
		// Staff, by chance: revise what is pending, or release what is due.
		pendingQuarters := map[string]bool{}
		for _, p := range pub.Index.Pending {
			pendingQuarters[p.Period] = true
		}
		switch r := rng.IntN(4); {
		case r == 0 && len(pendingQuarters) > 0:
			ps := revisionOf(pendingQuarters, history)
			c2, _ := snapshot(night, ps...)
			freeze(c2, night, ps, "records entered late")
			st.revisions++
		case r <= 2:
			q, ok := nextDue(c, history, cfg.Releases.DaysAfterQuarter, night, rng.IntN(2) == 0)
			if !ok {
				break
			}
			ps := []period.Period{q.Period()}
			y := q.Period().YearOf()
			all := c.CoversYear(y)
			for _, o := range y.Quarters() {
				all = all && (o == q || history[o.String()] != nil)
			}
			if all {
				// A year adds up its quarters as released: staff revise
				// the pending ones first, as wco release says.
				var pend []period.Period
				for _, o := range y.Quarters() {
					if pendingQuarters[o.String()] {
						pend = append(pend, o.Period())
					}
				}
				if len(pend) > 0 {
					c2, _ := snapshot(night, pend...)
					freeze(c2, night.Add(-time.Minute), pend, "records entered late")
					st.revisions++
				}
				ps = append(ps, y)
			}
			c2, _ := snapshot(night, ps...)
			freeze(c2, night, ps, "")
			st.releases++
		}
	}
	// The attacker written apart from wco, over the whole history.
	attacker.Require(t)
	dir := t.TempDir()
	if d := os.Getenv("WCO_KEEP_HISTORY"); d != "" {
		dir = filepath.Join(d, fmt.Sprint(seed))
		os.MkdirAll(dir, 0o755)
	}
	path := filepath.Join(dir, publish.HistoryFile)
	if err := publish.WriteHistory(path, history); err != nil {
		t.Fatal(err)
	}
	if err := publish.WriteFilings(filepath.Join(dir, publish.FilingsFile), publish.Filings{Filings: history.Filings()}); err != nil {
		t.Fatal(err)
	}
	r, err := attacker.Run(path, "", k)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range r.Findings {
		t.Errorf("the independent attacker finds %s", f)
	}
	st.attacked = r.Targets
	t.Logf("%d records a quarter: %d nights (%d with a revision pending), %d releases, %d revisions, %d statutory figures exact, %d hidden counts and changes attacked independently over %d releases",
		perQuarter, st.nights, st.pendingNights, st.releases, st.revisions, st.exact, st.attacked, r.Events)
}

// revisionOf is what staff revise for the pending quarters: them, and each
// released year of theirs with every pending quarter of it.
func revisionOf(pending map[string]bool, history publish.Releases) []period.Period {
	var out []period.Period
	for _, p := range slices.Sorted(func(yield func(string) bool) {
		for k := range pending {
			if !yield(k) {
				return
			}
		}
	}) {
		per, err := period.ParsePeriod(p)
		if err != nil || per.IsYear() {
			continue
		}
		out = append(out, per)
		if y := per.YearOf(); history[y.String()] != nil && !slices.Contains(out, y) {
			out = append(out, y)
		}
	}
	return out
}

// nextDue is the oldest closed quarter not released, if it is due (or,
// with early, whenever it has ended).
func nextDue(c *publish.Counted, history publish.Releases, days int, night time.Time, early bool) (period.Quarter, bool) {
	for _, q := range c.Quarters() {
		if history[q.String()] != nil || !c.Closed(q.Period()) {
			continue
		}
		return q, early || !night.Before(q.Due(days))
	}
	return period.Quarter{}, false
}

// statutoryExact holds every figure a rule requires of every closed period
// to the night's files, counted here; a period whose revision is pending
// shows its version in force. It returns how many figures it compared.
func statutoryExact(t *testing.T, cfg *config.Config, dir string, pub *publish.Publication, night string) int {
	t.Helper()
	pending := map[string]bool{}
	for _, p := range pub.Index.Pending {
		pending[p.Period+" "+p.Export] = true
	}
	n := 0
	for _, e := range pub.Exports {
		truth := recount(t, dir, e.Export)
		for _, p := range e.Periods {
			if p.Provisional || pending[p.Period+" "+e.Export] {
				continue
			}
			for _, s := range cfg.Publication[e.Export].Statutory {
				if len(s.Periods) > 0 && !slices.Contains(s.Periods, p.Kind) {
					continue
				}
				if s.Figure == publish.TotalFigure {
					n++
					if p.Total.Count == nil || *p.Total.Count != truth[p.Period][""] || p.TotalClause == "" {
						t.Errorf("%s: %s %s total %+v, want exactly %d", night, e.Export, p.Period, p.Total, truth[p.Period][""])
					}
					continue
				}
				i := slices.IndexFunc(p.Breakdowns, func(b publish.Breakdown) bool { return b.Dimension == s.Figure })
				if i < 0 || p.Breakdowns[i].Clause != s.Clause {
					t.Errorf("%s: %s %s: statutory %s missing or without its clause", night, e.Export, p.Period, s.Figure)
					continue
				}
				for _, c := range p.Breakdowns[i].Cells {
					if want, ok := truth[p.Period][s.Figure+"="+c.Value]; ok || c.Count.Count == nil {
						n++
						if c.Count.Count == nil || *c.Count.Count != want {
							t.Errorf("%s: %s %s %s=%s is %+v, the files say %d", night, e.Export, p.Period, s.Figure, c.Value, c.Count, want)
						}
					}
				}
			}
		}
	}
	return n
}

const testKey = "wcok1_amfbcga7eywtio2cjfifoxtfnrzxvamir6lj3jflwk44br6o2xoa_uiehaxy" // made of fixed bytes: a test key, not a secret
