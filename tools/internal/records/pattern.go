package records

import (
	"fmt"
	"strings"
	"time"
)

// patternTokens translate the date patterns people write in config.yaml
// into Go layouts, longest first so YYYY is not read as YY twice.
var patternTokens = []struct{ token, layout string }{
	{"YYYY", "2006"},
	{"MM", "01"}, {"M", "1"},
	{"DD", "02"}, {"D", "2"},
	{"HH", "15"}, {"H", "15"},
	{"hh", "03"}, {"h", "3"},
	{"mm", "04"},
	{"ss", "05"},
	{"A", "PM"},
}

// patternField names the field each token gives.
var patternField = map[string]string{
	"YYYY": "year", "MM": "month", "M": "month", "DD": "day", "D": "day",
	"HH": "hour", "H": "hour", "hh": "hour", "h": "hour", "mm": "minute", "ss": "second", "A": "AM/PM",
}

// LayoutFromPattern turns a pattern such as "DD.MM.YYYY HH:mm" into a Go
// time layout. Letters outside the tokens are refused, and so is a field
// given twice, minutes or seconds without what precedes them, a 12-hour
// clock without AM/PM and AM/PM with a 24-hour clock, so a typo such as
// hh:MM cannot silently read minutes as months:
//
//	YYYY year · MM/M month · DD/D day · HH/H hour 0–23 · hh/h hour 1–12
//	mm minute · ss second · A AM or PM
func LayoutFromPattern(p string) (string, error) {
	var b strings.Builder
	seen := map[string]int{} // field → times it appears
	for i := 0; i < len(p); {
		matched := false
		for _, t := range patternTokens {
			if strings.HasPrefix(p[i:], t.token) {
				b.WriteString(t.layout)
				i += len(t.token)
				seen[patternField[t.token]]++
				matched = true
				break
			}
		}
		if matched {
			continue
		}
		c := p[i]
		if (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') {
			return "", fmt.Errorf("date pattern %q: %q at position %d is not one of YYYY, MM, M, DD, D, HH, H, hh, h, mm, ss, A", p, string(c), i+1)
		}
		b.WriteByte(c)
		i++
	}
	if seen["year"] == 0 || seen["month"] == 0 || seen["day"] == 0 {
		return "", fmt.Errorf("date pattern %q: it needs a year (YYYY), a month (MM or M) and a day (DD or D)", p)
	}
	for _, f := range []string{"year", "month", "day", "hour", "minute", "second", "AM/PM"} {
		if seen[f] > 1 {
			return "", fmt.Errorf("date pattern %q: the %s appears %d times (minutes are mm, months MM)", p, f, seen[f])
		}
	}
	switch {
	case seen["minute"] > 0 && seen["hour"] == 0:
		return "", fmt.Errorf("date pattern %q: minutes (mm) without an hour (HH or hh)", p)
	case seen["second"] > 0 && seen["minute"] == 0:
		return "", fmt.Errorf("date pattern %q: seconds (ss) without minutes (mm)", p)
	case seen["hour"] > 0 && seen["minute"] == 0:
		return "", fmt.Errorf("date pattern %q: an hour without minutes (mm; MM is the month)", p)
	case strings.Contains(p, "h") && seen["AM/PM"] == 0:
		return "", fmt.Errorf("date pattern %q: a 12-hour clock (hh or h) needs AM or PM (A); use HH for a 24-hour clock", p)
	case seen["AM/PM"] > 0 && !strings.Contains(p, "h"):
		return "", fmt.Errorf("date pattern %q: AM or PM (A) goes with a 12-hour clock (hh or h), not HH", p)
	}
	layout := b.String()
	if _, err := time.Parse(layout, time.Date(2026, 7, 3, 14, 5, 9, 0, time.UTC).Format(layout)); err != nil {
		return "", fmt.Errorf("date pattern %q: %w", p, err)
	}
	return layout, nil
}
