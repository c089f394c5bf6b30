package publish

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/check"
	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
)

// visaPolicy publishes, of visa requests, the total exactly (by rule) and
// the visa type and crime protected, by quarter.
func visaPolicy() Policy {
	return Policy{"visa_certifications": {
		Statutory:  []Statutory{{Figure: TotalFigure, Clause: "5 ILCS 825/20(a)"}},
		Dimensions: []string{"visa_type", "qualifying_crime"},
	}}
}

// visas is a delivery of visa requests received on 2026-02-03: n U visas
// for domestic violence, and t T visas for trafficking.
func visas(n, t int, late string) *delivery.Delivery {
	d := tiny(nil)
	fsys := d.FS.(fstest.MapFS)
	var b strings.Builder
	b.Write(fsys["visa_certifications.csv"].Data)
	for i := range n + t {
		kind, crime := "U", "DOMESTIC_VIOLENCE"
		if i >= n {
			kind, crime = "T", "TRAFFICKING"
		}
		fmt.Fprintf(&b, "V%d,2026-02-03 10:00,%s,,%s,CERTIFIED,2026-02-20 10:00\n", i, kind, crime)
	}
	b.WriteString(late)
	// A record of the next quarter, so that 2026-Q1 has ended.
	b.WriteString("N1,2026-05-20 10:00,U,,DOMESTIC_VIOLENCE,PENDING,\n")
	fsys["visa_certifications.csv"] = &fstest.MapFile{Data: []byte(b.String())}
	return d
}

// TestARevisionAddingOneRecordRevealsNothing is the attack: a quarter is
// released, then revised with one late record. A reader who compares the
// two versions sees the visa type and crime counts that moved by one: the
// late record's profile. The revision publishes the total exactly (the
// rule asks for it) and withholds every protected breakdown it changes by
// fewer than k records; the audit of the release history finds nothing,
// and catches the leak when a revision is planted that shows it.
func TestARevisionAddingOneRecordRevealsNothing(t *testing.T) {
	t.Parallel()
	opt := Options{Threshold: 11, Key: testKey, Policy: visaPolicy(), Check: check.Options{Now: time.Now()}, Releases: Releases{}}
	ro := opt
	ro.Releasing = []string{"2026-Q1"}
	pub, rep, err := Run(visas(30, 15, ""), ro)
	if err != nil {
		t.Fatal(err, rep)
	}
	r, err := pub.Release("2026-Q1", nil, "", opt)
	if err != nil {
		t.Fatal(err)
	}
	opt.Releases["2026-Q1"] = r
	v1, _ := r.Current().Frozen("visa_certifications")
	if got := publishedCells(v1.Period); len(got) != 2+9 {
		t.Fatalf("version 1 publishes %v; want every cell of both breakdowns", got)
	}

	late := "L1,2026-03-30 10:00,T,,TRAFFICKING,CERTIFIED,2026-04-02 10:00\n"
	vo := opt
	vo.Revising = "2026-Q1"
	pub, rep, err = Run(visas(30, 15, late), vo)
	if err != nil {
		t.Fatal(err, rep)
	}
	r2, err := pub.Release("2026-Q1", r, "one late record", vo)
	if err != nil {
		t.Fatal(err)
	}
	v2, _ := r2.Current().Frozen("visa_certifications")
	if v2.Period.Total.Count == nil || *v2.Period.Total.Count != 46 || v2.Period.TotalClause == "" {
		t.Errorf("the revised total must be exact: %+v", v2.Period.Total)
	}
	for _, b := range v2.Period.Breakdowns {
		if b.Withheld != WithheldRevision {
			t.Errorf("%s: withheld %q; the revision moves it by one record", b.Dimension, b.Withheld)
		}
	}
	wantNothingFound(t)(AuditReleases(Releases{"2026-Q1": r2}, 11))

	// Planted: the revision as it was published before, the true counts.
	planted := *r2
	planted.Versions = slices.Clone(r2.Versions)
	leak := v2
	leak.Period.Breakdowns = slices.Clone(v1.Period.Breakdowns)
	for bi, b := range leak.Period.Breakdowns {
		cells := slices.Clone(b.Cells)
		for ci, c := range cells {
			if c.Value == "T" || c.Value == "TRAFFICKING" {
				n := *c.Count.Count + 1
				cells[ci].Count = Count{Count: &n, Status: Published}
			}
		}
		leak.Period.Breakdowns[bi].Cells = cells
	}
	planted.Versions[1] = Version{Version: 2, Exports: []Frozen{leak}}
	reports, err := AuditReleases(Releases{"2026-Q1": &planted}, 11)
	if err != nil {
		t.Fatal(err)
	}
	var changes []string
	for _, rp := range reports {
		changes = append(changes, rp.Changes...)
	}
	if len(changes) != 2 {
		t.Errorf("the audit of versions found %v; want the visa type and the crime that moved by one", changes)
	}
}

// TestStatutoryFiguresAreExactAtAnySize: a rule's figures are published
// as they are, 1 to k-1 included, while the protected breakdowns of the
// same small quarter are withheld whole.
func TestStatutoryFiguresAreExactAtAnySize(t *testing.T) {
	t.Parallel()
	opt := Options{Threshold: 11, Key: testKey, Policy: visaPolicy(), Check: check.Options{Now: time.Now()}, Releasing: everyPeriod()}
	pub, rep, err := Run(visas(2, 1, ""), opt)
	if err != nil {
		t.Fatal(err, rep)
	}
	q := visaPeriod(pub, "2026-Q1")
	if q.Total.Status != Published || *q.Total.Count != 3 || q.TotalClause != "5 ILCS 825/20(a)" {
		t.Errorf("total %+v (%q); want exactly 3, by its clause", q.Total, q.TotalClause)
	}
	for _, b := range q.Breakdowns {
		if b.Withheld != WithheldSmallGroup {
			t.Errorf("%s withheld %q in a quarter of 3 records", b.Dimension, b.Withheld)
		}
	}
	for name, sys := range pub.Systems {
		if f, err := sys.AuditExact(11); err != nil || len(f) > 0 {
			t.Errorf("%s: %v %v", name, f, err)
		}
	}
}
