package publish

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// TestRecordsBeforeReportingAreNamed: valid records dated before an
// export's reporting began used to vanish without a word. The check
// reports them, and the publication's notes say how many, and from when
// the tables count.
func TestRecordsBeforeReportingAreNamed(t *testing.T) {
	t.Parallel()
	d := tiny(map[string]int{"2026-Q1": 20})
	fsys := d.FS.(fstest.MapFS)
	var b strings.Builder
	b.Write(fsys["federal_incidents.csv"].Data)
	for i, day := range []string{"2025-05-03", "2025-08-09", "2025-12-30", "2026-02-10"} {
		fmt.Fprintf(&b, "I%d,%s 10:00,%s 12:00,1234,ICE_ERO,3,Y,Y,N,,0,N,1,0,,N,,,Y\n", i, day, day)
	}
	fsys["federal_incidents.csv"] = &fstest.MapFile{Data: []byte(b.String())}
	c, rep, err := CountDelivery(d, dated(t, d, opts(fullPolicy(), time.Now())), CountOptions{})
	if err != nil {
		t.Fatal(err, rep)
	}
	pub, err := c.Publish(Releases{})
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := rep.Write(&out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "federal_incidents.csv: 3 valid record(s) dated before the quarter of 2026-01-31") {
		t.Errorf("the check does not report the records before reporting began:\n%s", out.String())
	}
	found := false
	for _, n := range pub.Index.Notes {
		if n.Kind == "before_reporting" {
			found = true
			if n.Export != "federal_incidents" || n.Rows != 3 || n.Since != "2026-01-01" {
				t.Errorf("note %+v; want 3 federal incidents before 2026-01-01", n)
			}
		}
	}
	if !found {
		t.Errorf("no note names the records before reporting began: %+v", pub.Index.Notes)
	}
}
