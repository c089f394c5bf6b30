package publish

import (
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
	"github.com/chicago-welcoming-city/transparency/tools/internal/synth"
)

// addLate appends n copies of detainer_log rows received in quarter q,
// under new ids, as late entries; it drops the manifest they break.
func addLate(t *testing.T, dir string, q period.Quarter, n int, tag string) {
	t.Helper()
	path := filepath.Join(dir, "detainer_log.csv")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	var late [][]string
	for _, r := range recs[1:] {
		when, err := time.ParseInLocation("01/02/2006 3:04 PM", r[1], period.Chicago)
		if err == nil && period.Of(when) == q && len(late) < n {
			c := append([]string(nil), r...)
			c[0] = fmt.Sprintf("DL-LATE-%s-%d", tag, len(late))
			late = append(late, c)
		}
	}
	out, _ := os.Create(path)
	w := csv.NewWriter(out)
	w.WriteAll(append(recs, late...))
	out.Close()
	os.Remove(filepath.Join(dir, "manifest.json"))
}

// TestReleasesWithLateRecordsProperty: thin deliveries over eight
// quarters; every ended quarter released in turn; then late records land
// in random released quarters. Nightly, the released versions stay in
// force and the late records are named as pending; each pending quarter
// is then revised, with its year. The audit, replaying every release over
// every version, never finds a count narrowed or a change proved.
func TestReleasesWithLateRecordsProperty(t *testing.T) {
	t.Parallel()
	seeds := rand.New(rand.NewPCG(7, 11))
	for trial := range 2 { // a thin delivery and a fuller one, side by side
		seed, rng := seeds.Uint64(), rand.New(rand.NewPCG(seeds.Uint64(), 11))
		t.Run([]string{"thin", "fuller"}[trial], func(t *testing.T) {
			t.Parallel()
			releasesWithLateRecords(t, []int{40, 120}[trial], seed, rng)
		})
	}
}

func releasesWithLateRecords(t *testing.T, rows int, seed uint64, rng *rand.Rand) {
	dir := filepath.Join(t.TempDir(), "d")
	m, err := synth.Write(dir, synth.Options{Rows: rows, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	opt := opts(withTotals(fullPolicy()), time.Now())
	// Late records drop the manifest; the delivery keeps its export time.
	opt.ExportedAt = m.ExportedAt
	counted := func(prepare ...period.Period) *Counted {
		d, err := delivery.Open(dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		return count(t, d, opt, CountOptions{Prepare: prepare})
	}
	at := time.Date(2025, 5, 1, 0, 0, 0, 0, period.Chicago)
	h := Releases{}
	freeze := func(c *Counted, ps []period.Period, reason string) {
		t.Helper()
		at = at.Add(24 * time.Hour)
		var err error
		if h, err = c.Freeze(h, ps, reason, at); err != nil {
			t.Fatalf("freeze %v: %v", ps, err)
		}
		pub, err := c.Publish(h)
		if err != nil {
			t.Fatal(err)
		}
		wantNothingFound(t)(audit(pub))
	}
	quarters := period.Range(period.Quarter{Year: 2025, Q: 1}, period.Quarter{Year: 2026, Q: 3})
	for _, q := range quarters {
		ps := []period.Period{q.Period()}
		if q.Q == 4 {
			ps = append(ps, q.Period().YearOf())
		}
		freeze(counted(ps...), ps, "")
	}
	// Late records in two random released quarters.
	for i := range 2 {
		q := quarters[rng.IntN(len(quarters))]
		addLate(t, dir, q, 1+rng.IntN(3), fmt.Sprint(i))
		ps := []period.Period{q.Period()}
		if h[q.Period().YearOf().String()] != nil {
			ps = append(ps, q.Period().YearOf())
		}
		c := counted(ps...)
		nightly, err := c.Publish(h)
		if err != nil {
			t.Fatalf("a nightly run with late records in %s: %v", q, err)
		}
		pending := map[string]bool{}
		for _, p := range nightly.Index.Pending {
			pending[p.Period] = true
		}
		if !pending[q.String()] {
			t.Fatalf("late records in %s are not pending: %+v", q, nightly.Index.Pending)
		}
		wantNothingFound(t)(audit(nightly))
		freeze(c, ps, "late records")
		if after, _ := c.Publish(h); len(after.Index.Pending) != 0 {
			t.Fatalf("still pending after the revision: %+v", after.Index.Pending)
		}
	}
}
