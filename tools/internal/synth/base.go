package synth

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
)

// style is how an export's source system writes its file.
type style struct {
	datetime string // Go layout for datetimes
	date     string // Go layout for dates
	crlf     bool   // CRLF line ends
	bom      bool   // UTF-8 byte-order mark
}

type generator interface {
	style() style
	// rows makes rows [from, from+n) as a slice of the export's row struct.
	rows(from, n int) any
}

func newGen(export string, opt Options, rng *rand.Rand) generator {
	switch export {
	case "detainer_log":
		return &detainerGen{newBase(rng, opt, opt.Start, "DL", 1.0, 2.2)}
	case "assistance_requests":
		return &assistanceGen{newBase(rng, opt, opt.Start, "AR", 1.0, 3.0)}
	case "federal_incidents":
		start := opt.Start
		if start.Before(OrderSigned) && !opt.History {
			start = OrderSigned
		}
		return &incidentGen{newBase(rng, opt, start, "FI", 1.0, 1.0)}
	case "visa_certifications":
		return &visaGen{newBase(rng, opt, opt.Start, "VC", 0.5, 1.0)}
	}
	panic("synth: no generator for export " + export)
}

// base holds what every export's generator shares.
type base struct {
	rng    *rand.Rand
	opt    Options
	code   string      // two letters naming the export in canaries
	days   []time.Time // days records may fall on
	cum    []float64   // cumulative day weights
	serial int         // canary counter
}

// Month weights: more activity in the warm months.
var seasonal = [12]float64{0.8, 0.8, 0.9, 1.0, 1.1, 1.2, 1.25, 1.2, 1.1, 1.0, 0.9, 0.85}

// newBase prepares day weights from start to the export time. seasonality
// scales the seasonal swing; surge multiplies September to November 2025,
// the months of the federal "Operation Midway Blitz".
func newBase(rng *rand.Rand, opt Options, start time.Time, code string, seasonality, surge float64) base {
	b := base{rng: rng, opt: opt, code: code}
	total := 0.0
	for d := start; d.Before(opt.ExportedAt); d = d.AddDate(0, 0, 1) {
		w := 1 + seasonality*(seasonal[d.Month()-1]-1)
		if d.Year() == 2025 && d.Month() >= time.September && d.Month() <= time.November {
			w *= surge
		}
		if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
			w *= 0.7
		}
		total += w
		b.days = append(b.days, d)
		b.cum = append(b.cum, total)
	}
	return b
}

// when picks a datetime before the export time, weighted by day.
func (b *base) when() time.Time {
	i := sort.SearchFloat64s(b.cum, b.rng.Float64()*b.cum[len(b.cum)-1])
	d := b.days[min(i, len(b.days)-1)]
	t := time.Date(d.Year(), d.Month(), d.Day(), b.rng.IntN(24), b.rng.IntN(60), b.rng.IntN(60), 0, period.Chicago)
	if !t.Before(b.opt.ExportedAt) {
		t = b.opt.ExportedAt.Add(-time.Duration(1+b.rng.IntN(3600)) * time.Second)
	}
	return t
}

// after returns t plus a random duration in [lo, hi), or false when that
// falls after the export time (the event has not happened yet).
func (b *base) after(t time.Time, lo, hi time.Duration) (time.Time, bool) {
	u := t.Add(lo + time.Duration(b.rng.Int64N(int64(hi-lo))))
	return u, u.Before(b.opt.ExportedAt)
}

// District weights, aligned with contract.ValidDistricts: heavy on the
// near-southwest and northwest sides, very thin in a few districts.
var districtWeights = []int{3, 2, 2, 3, 1, 2, 2, 9, 10, 12, 4, 6, 5, 1, 2, 6, 3, 4, 1, 1, 2, 7}

// beat picks a beat in a weighted district; one in twenty is unknown.
func (b *base) beat() string {
	if b.rng.IntN(20) == 0 {
		return pick(b.rng, []string{"", "0"}, []int{1, 1})
	}
	d := contract.ValidDistricts[weighted(b.rng, districtWeights)]
	return fmt.Sprint(d*100 + (1+b.rng.IntN(3))*10 + 1 + b.rng.IntN(4))
}

// canary returns a string no output may contain, unique in the delivery.
func (b *base) canary() string {
	b.serial++
	return fmt.Sprintf("%s%s%06d", Canary, b.code, b.serial)
}

var (
	fakeFirst = []string{"Testy", "Fakey", "Sample", "Dummy", "Placeholder", "Nobody", "Example", "Mock", "Fictional", "Madeup"}
	fakeLast  = []string{"McTestface", "Notreal", "Personson", "Fakename", "Imaginary", "Synthetic", "Pretend", "Nonesuch"}
)

// name returns an obviously fake name with its canary.
func (b *base) name() string {
	return fmt.Sprintf("%s %s %s", fakeFirst[b.rng.IntN(len(fakeFirst))], fakeLast[b.rng.IntN(len(fakeLast))], b.canary())
}

// birthDate returns a date of birth between 1950 and 2006.
func (b *base) birthDate(layout string) string {
	return time.Date(1950+b.rng.IntN(57), time.Month(1+b.rng.IntN(12)), 1+b.rng.IntN(28), 0, 0, 0, 0, period.Chicago).Format(layout)
}

var textParts = []string{
	"Synthetic record for testing only.",
	"Subject stated \"this is not real\".",
	"Follow-up requested by watch commander.",
	"No further information.",
	"Supervisor notified, see attached \"form\".",
}

// text returns free text; one in three has a quoted newline.
func (b *base) text() string {
	parts := []string{textParts[b.rng.IntN(len(textParts))], b.canary()}
	if b.rng.IntN(3) == 0 {
		parts = append(parts, "\n"+textParts[b.rng.IntN(len(textParts))])
	}
	return strings.Join(parts, " ")
}

// weighted picks an index with probability proportional to its weight.
func weighted(rng *rand.Rand, weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := rng.IntN(total)
	for i, w := range weights {
		if n < w {
			return i
		}
		n -= w
	}
	return len(weights) - 1
}

// pick chooses a value with probability proportional to its weight.
func pick(rng *rand.Rand, values []string, weights []int) string {
	return values[weighted(rng, weights)]
}

func formatOr(t time.Time, ok bool, layout string) string {
	if !ok {
		return ""
	}
	return t.Format(layout)
}
