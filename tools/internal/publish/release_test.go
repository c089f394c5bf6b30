package publish

import (
	"encoding/csv"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/check"
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

func audited(t *testing.T, pub *Publication, releases Releases, step string) {
	t.Helper()
	reports, err := Audit(pub.Exports, nil, 11)
	if err == nil {
		var older []AuditReport
		older, err = AuditReleases(releases, 11)
		reports = append(reports, older...)
	}
	if err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	for _, r := range reports {
		if len(r.Findings) > 0 {
			t.Fatalf("%s: %s: %v", step, r.Export, r.Findings)
		}
	}
}

// TestReleasesWithLateRecordsProperty: thin deliveries over eight
// quarters; every ended quarter released in turn; then late records land
// in random released quarters, which are revised. The attacker, over the
// current tables and every superseded version, never narrows a suppressed
// count below the width, and revisions never show a count they once hid.
func TestReleasesWithLateRecordsProperty(t *testing.T) {
	t.Parallel()
	seeds := rand.New(rand.NewPCG(7, 11))
	for trial := range 2 { // a thin delivery and a fuller one, side by side
		seed, rng := seeds.Uint64(), rand.New(rand.NewPCG(seeds.Uint64(), 11))
		t.Run([]string{"thin", "fuller"}[trial], func(t *testing.T) {
			t.Parallel()
			releasesWithLateRecords(t, trial, []int{40, 120}[trial], seed, rng)
		})
	}
}

func releasesWithLateRecords(t *testing.T, trial, rows int, seed uint64, rng *rand.Rand) {
	{
		dir := filepath.Join(t.TempDir(), "d")
		if _, err := synth.Write(dir, synth.Options{Rows: rows, Seed: seed}); err != nil {
			t.Fatal(err)
		}
		opt := Options{Threshold: 11, Key: testKey, Policy: fullPolicy(), Check: check.Options{Now: time.Now()}, Releases: Releases{}}
		publishOnce := func(o Options) *Publication {
			d, err := delivery.Open(dir, nil)
			if err != nil {
				t.Fatal(err)
			}
			pub, _, err := Run(d, o)
			if err != nil {
				t.Fatalf("trial %d: %v", trial, err)
			}
			return pub
		}
		quarters := period.Range(period.Quarter{Year: 2025, Q: 1}, period.Quarter{Year: 2026, Q: 3})
		for _, q := range quarters {
			ro := opt // as wco release: the quarter, and the year with its last quarter
			ro.Releasing = []string{q.String(), fmt.Sprint(q.Year)}
			pub := publishOnce(ro)
			r, err := pub.Release(q.String(), nil, "", opt)
			if err != nil {
				t.Fatal(err)
			}
			opt.Releases[q.String()] = r
			if q.Q == 4 {
				y, err := pub.Release(fmt.Sprint(q.Year), nil, "", opt)
				if err != nil {
					t.Fatal(err)
				}
				opt.Releases[fmt.Sprint(q.Year)] = y
			}
			audited(t, publishOnce(opt), opt.Releases, fmt.Sprintf("trial %d after releasing %s", trial, q))
		}
		// Late records in two random released quarters.
		for i := range 2 {
			q := quarters[rng.IntN(len(quarters))]
			addLate(t, dir, q, 1+rng.IntN(3), fmt.Sprint(trial, i))
			d, _ := delivery.Open(dir, nil)
			if _, _, err := Run(d, opt); !errors.Is(err, ErrReleasedChanged) || !strings.Contains(err.Error(), q.String()) {
				t.Fatalf("trial %d: late records in %s: %v", trial, q, err)
			}
			ro := opt
			ro.Revising = q.String()
			pub := publishOnce(ro)
			if q.Year == 2025 && !slices.Contains(ro.Revised(), "2025") {
				t.Fatalf("revising %s must revise the released year 2025 too", q)
			}
			var r *Release
			for _, p := range ro.Revised() {
				rp, err := pub.Release(p, opt.Releases[p], "late records", ro)
				if err != nil {
					t.Fatal(err)
				}
				if p == q.String() {
					r = rp
				}
				opt.Releases[p] = rp
			}
			for _, v := range r.Versions[:len(r.Versions)-1] {
				for _, old := range v.Exports {
					now, _ := r.Current().Frozen(old.Export)
					forEachCount(old.Period, func(dim, value string, c Count) {
						if !hidden(c.Status) {
							return
						}
						forEachCount(now.Period, func(d2, v2 string, c2 Count) {
							if d2 == dim && v2 == value && !hidden(c2.Status) {
								t.Fatalf("trial %d: %s %s %s=%s shown after being suppressed", trial, q, old.Export, dim, value)
							}
						})
					})
				}
			}
			audited(t, publishOnce(opt), opt.Releases, fmt.Sprintf("trial %d after revising %s", trial, q))
		}
	}
}
