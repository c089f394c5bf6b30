package publish

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
)

// TestAReleaseHoldsNothingUnpublished is the attack on fingerprints: a
// release file held a keyed hash of every true count behind its tables
// (raw districts, charge classes, day histograms), so that whoever had,
// or guessed, the key could try every possible record of a one-record
// quarter and find the one that matched. A release file now holds what
// the site publishes, and nothing else: two deliveries whose one record of
// the quarter differs only in what is not published give the same release,
// byte for byte but for the delivery's own checksum.
func TestAReleaseHoldsNothingUnpublished(t *testing.T) {
	t.Parallel()
	release := func(beat, agency, charge string) string {
		d := tiny(nil)
		fsys := d.FS.(fstest.MapFS)
		var b strings.Builder
		b.Write(fsys["detainer_log.csv"].Data)
		fmt.Fprintf(&b, "D1,2026-02-03 10:00,DETAINER,%s,%s,%s,2026-02-04 10:00,RELEASED,2026-02-05 10:00,\n", agency, beat, charge)
		b.WriteString("N1,2026-05-20 10:00,DETAINER,ICE,,FELONY,,RELEASED,2026-05-21 10:00,\n")
		fsys["detainer_log.csv"] = &fstest.MapFile{Data: []byte(b.String())}
		opt := opts(Policy{"detainer_log": {
			Statutory:  []Statutory{{Figure: TotalFigure, Clause: "MCC 2-173-069(b)"}},
			Dimensions: []string{"district", "issuing_agency", "charge_class", "bail_posted"},
			Breakdowns: map[string]BreakdownPolicy{"district": {Period: KindYear}},
		}}, time.Date(2026, 6, 1, 0, 0, 0, 0, period.Chicago))
		h, err := count(t, d, opt, CountOptions{}).Freeze(Releases{}, []period.Period{period.Quarter{Year: 2026, Q: 1}.Period()}, "", time.Date(2026, 5, 16, 0, 0, 0, 0, period.Chicago))
		if err != nil {
			t.Fatal(err)
		}
		v := h["2026-Q1"].Current()
		v.Delivery = DeliveryMeta{} // the checksum of the delivery's files
		b2, _ := json.Marshal(v)
		return string(b2)
	}
	a := release("1234", "ICE", "FELONY")
	if b := release("0611", "CBP", "MISDEMEANOR"); a != b {
		t.Errorf("two releases of a quarter whose one record differs only in what is not published differ:\n%s\n%s", a, b)
	}
	for _, word := range []string{"fingerprint", "hmac", "1234", "0611"} {
		if strings.Contains(strings.ToLower(a), strings.ToLower(word)) {
			t.Errorf("the release holds %q: %s", word, a)
		}
	}
}
