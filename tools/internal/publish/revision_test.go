package publish

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
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
// rule asks for it) and withholds what would tell the change; the audit of
// the history finds nothing, and catches the leak when a revision is
// planted that shows it.
func TestARevisionAddingOneRecordRevealsNothing(t *testing.T) {
	t.Parallel()
	opt := opts(visaPolicy(), time.Now())
	q1 := []period.Period{period.Quarter{Year: 2026, Q: 1}.Period()}
	h, err := count(t, visas(30, 15, ""), opt, CountOptions{}).Freeze(Releases{}, q1, "", time.Date(2026, 5, 16, 0, 0, 0, 0, period.Chicago))
	if err != nil {
		t.Fatal(err)
	}
	v1, _ := h["2026-Q1"].Current().Frozen("visa_certifications")
	if got := publishedCells(v1.Period); len(got) != 2+9 {
		t.Fatalf("version 1 publishes %v; want every cell of both breakdowns", got)
	}
	late := "L1,2026-03-30 10:00,T,,TRAFFICKING,CERTIFIED,2026-04-02 10:00\n"
	c := count(t, visas(30, 15, late), opt, CountOptions{})
	h2, err := c.Freeze(h, q1, "one late record", time.Date(2026, 6, 1, 0, 0, 0, 0, period.Chicago))
	if err != nil {
		t.Fatal(err)
	}
	v2, _ := h2["2026-Q1"].Current().Frozen("visa_certifications")
	if v2.Period.Total.Count == nil || *v2.Period.Total.Count != 46 || v2.Period.TotalClause == "" {
		t.Errorf("the revised total must be exact: %+v", v2.Period.Total)
	}
	for _, v := range []string{"T", "TRAFFICKING"} {
		for _, b := range []string{"visa_type", "qualifying_crime"} {
			if cell := cellOf(v2.Period, b, v); cell.Status == Published || cell.Status == Suppressed {
				t.Errorf("%s=%s is %s in the revision: beside version 1's count it tells the late record's", b, v, cell.Status)
			}
		}
	}
	pub, err := c.Publish(h2)
	if err != nil {
		t.Fatal(err)
	}
	wantNothingFound(t)(audit(pub))

	// Planted: the revision as it would be published with the true counts.
	planted := h2.Clone()
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
	pv := planted["2026-Q1"].Versions[1]
	pv.Exports = []Frozen{leak}
	planted["2026-Q1"].Versions[1] = pv
	reports, err := Audit(planted, nil, 11)
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, rp := range reports {
		for _, f := range rp.Findings {
			found = append(found, f.Key)
		}
	}
	if !slices.Contains(found, "visa_certifications 2026-Q1 change v1→v2 visa_type=T") || !slices.Contains(found, "visa_certifications 2026-Q1 change v1→v2 qualifying_crime=TRAFFICKING") {
		t.Errorf("the audit of versions found %v; want the visa type and the crime that moved by one", found)
	}
}

// TestStatutoryFiguresAreExactAtAnySize: a rule's figures are published
// as they are, 1 to k-1 included, while the protected breakdowns of the
// same small quarter are withheld whole.
func TestStatutoryFiguresAreExactAtAnySize(t *testing.T) {
	t.Parallel()
	pub, _ := releaseAll(t, visas(2, 1, ""), opts(visaPolicy(), time.Now()))
	q := visaPeriod(pub, "2026-Q1")
	if q.Total.Status != Published || *q.Total.Count != 3 || q.TotalClause != "5 ILCS 825/20(a)" {
		t.Errorf("total %+v (%q); want exactly 3, by its clause", q.Total, q.TotalClause)
	}
	for _, b := range q.Breakdowns {
		if b.Withheld != WithheldSmallGroup {
			t.Errorf("%s withheld %q in a quarter of 3 records", b.Dimension, b.Withheld)
		}
	}
	wantNothingFound(t)(audit(pub))
}
