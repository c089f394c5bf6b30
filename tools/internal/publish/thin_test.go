package publish_test

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/check"
	"github.com/chicago-welcoming-city/transparency/tools/internal/config"
	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
	"github.com/chicago-welcoming-city/transparency/tools/internal/publish"
	"github.com/chicago-welcoming-city/transparency/tools/internal/records"
	"github.com/chicago-welcoming-city/transparency/tools/internal/synth"
)

// TestThinProfileEndToEnd publishes Chicago-sized volumes (5 to 40
// records per quarter per export) under the policy in config.yaml, with
// every ended period released. Every statutory figure of every closed
// quarter and year is published, and equals a count made here from the
// files themselves; no protected breakdown describes fewer than k
// records; and the attacker, over every table, narrows nothing.
func TestThinProfileEndToEnd(t *testing.T) {
	t.Parallel()
	cfg, err := config.Load(filepath.Join("..", "..", "..", "config.yaml"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	k := cfg.Disclosure.Threshold
	for _, rows := range []int{60, 150} { // about 7 and 19 records per quarter
		dir := t.TempDir()
		if _, err := synth.Write(dir, synth.Options{Rows: rows, Seed: uint64(rows)}); err != nil {
			t.Fatal(err)
		}
		d, err := delivery.Open(dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		m, _ := cfg.Mappings()
		opt := publish.Options{Threshold: k, Policy: cfg.Publication, Groupings: cfg.Groupings, DaysAfterQuarter: cfg.Releases.DaysAfterQuarter,
			Filings: cfg.Filings, Check: check.Options{Mappings: m, Now: time.Now()}}
		c, history, rep, err := publish.OnTime(d, opt, publish.Releases{})
		if err != nil {
			t.Fatalf("%d rows: %v %v", rows, err, rep)
		}
		pub, err := c.Publish(history)
		if err != nil {
			t.Fatal(err)
		}
		matched := statutoryExact(t, cfg, dir, pub, fmt.Sprintf("%d rows", rows))
		hidden, cells := 0, 0
		for _, e := range pub.Exports {
			for _, p := range e.Periods {
				for _, b := range p.Breakdowns {
					for _, c := range b.Cells {
						cells++
						if c.Count.Count == nil {
							hidden++
						} else if b.Clause == "" && *c.Count.Count > 0 && *c.Count.Count < k {
							t.Errorf("%d rows: %s %s %s=%s: protected count %d published", rows, e.Export, p.Period, b.Dimension, c.Value, *c.Count.Count)
						}
					}
				}
			}
		}
		reports, err := publish.Audit(pub.Releases(), pub.Exports, k)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range reports {
			if r.Failed() {
				t.Errorf("%d rows: %s %s: %v %v", rows, r.Release, r.Export, r.Findings, r.Problems)
			}
		}
		if matched < 50 {
			t.Errorf("%d rows: only %d statutory counts compared with the files", rows, matched)
		}
		t.Logf("%d rows: %d statutory counts compared with the files, all exact; %d of %d breakdown cells hidden", rows, matched, hidden, cells)
	}
}

// recount counts an export's file by quarter and year, independently of
// the publisher: the total, and the statutory breakdowns' plain columns.
func recount(t *testing.T, dir, export string) map[string]map[string]int {
	t.Helper()
	e, _ := contract.Lookup(export)
	f, err := os.Open(filepath.Join(dir, e.File()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	out := map[string]map[string]int{}
	for _, r := range rows[1:] {
		when, err := records.ParseDatetime(r[col[e.DateColumn]])
		if err != nil {
			t.Fatalf("%s: %v", export, err)
		}
		q := period.Of(when)
		for _, p := range []string{q.String(), fmt.Sprint(q.Year)} {
			if out[p] == nil {
				out[p] = map[string]int{}
			}
			out[p][""]++
			for _, c := range []string{"request_type", "disposition", "response", "decision", "use_of_force", "referred_to_sao"} {
				if i, ok := col[c]; ok {
					v := r[i]
					if v == "" {
						v = "UNKNOWN"
					}
					out[p][c+"="+records.NormalizeCode(v)]++
				}
			}
		}
	}
	return out
}
