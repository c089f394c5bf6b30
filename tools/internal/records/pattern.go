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

// LayoutFromPattern turns a pattern such as "DD.MM.YYYY HH:mm" into a Go
// time layout. Letters outside the tokens are refused, so a typo cannot
// silently read dates wrong:
//
//	YYYY year · MM/M month · DD/D day · HH/H hour 0–23 · hh/h hour 1–12
//	mm minute · ss second · A AM or PM
func LayoutFromPattern(p string) (string, error) {
	var b strings.Builder
	hasY, hasM, hasD := false, false, false
	for i := 0; i < len(p); {
		matched := false
		for _, t := range patternTokens {
			if strings.HasPrefix(p[i:], t.token) {
				b.WriteString(t.layout)
				i += len(t.token)
				hasY = hasY || t.token == "YYYY"
				hasM = hasM || t.token == "MM" || t.token == "M"
				hasD = hasD || t.token == "DD" || t.token == "D"
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
	if !hasY || !hasM || !hasD {
		return "", fmt.Errorf("date pattern %q: it needs a year (YYYY), a month (MM or M) and a day (DD or D)", p)
	}
	layout := b.String()
	if _, err := time.Parse(layout, time.Date(2026, 7, 3, 14, 5, 9, 0, time.UTC).Format(layout)); err != nil {
		return "", fmt.Errorf("date pattern %q: %w", p, err)
	}
	return layout, nil
}
