package records

import (
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
)

// parseContractDatetime reads the contract's datetime forms without
// time.Parse's layout search, which dominated decoding time:
//
//	2026-07-03 14:05[:09]   2026-07-03T14:05:09[Z|-05:00]
//	07/03/2026 2:05 PM      7/3/2026 14:05
//
// It accepts a subset of what time.ParseInLocation accepts with the
// matching layouts, with the same results (FuzzParseDatetime holds it to that).
func parseContractDatetime(s string) (time.Time, bool) {
	if len(s) >= 10 && s[4] == '-' {
		return parseISO(s)
	}
	return parseUS(s)
}

// num reads 1 to max digits at s[i:], returning the value and the next index.
func num(s string, i, minDigits, maxDigits int) (n, next int, ok bool) {
	j := i
	for j < len(s) && j-i < maxDigits && s[j] >= '0' && s[j] <= '9' {
		n = n*10 + int(s[j]-'0')
		j++
	}
	return n, j, j-i >= minDigits
}

func parseISO(s string) (time.Time, bool) {
	y, i, ok := num(s, 0, 4, 4)
	if !ok || i >= len(s) || s[i] != '-' {
		return time.Time{}, false
	}
	mo, i, ok := num(s, i+1, 2, 2)
	if !ok || i >= len(s) || s[i] != '-' {
		return time.Time{}, false
	}
	d, i, ok := num(s, i+1, 2, 2)
	if !ok || i >= len(s) {
		return time.Time{}, false
	}
	tSep := s[i] == 'T'
	if s[i] != ' ' && !tSep {
		return time.Time{}, false
	}
	h, i, ok := num(s, i+1, 1, 2)
	if !ok || i >= len(s) || s[i] != ':' {
		return time.Time{}, false
	}
	mi, i, ok := num(s, i+1, 2, 2)
	if !ok {
		return time.Time{}, false
	}
	sec := 0
	if i < len(s) && s[i] == ':' {
		if sec, i, ok = num(s, i+1, 2, 2); !ok {
			return time.Time{}, false
		}
	} else if tSep {
		return time.Time{}, false // the T form always has seconds
	}
	loc := period.Chicago
	if i < len(s) {
		if !tSep {
			return time.Time{}, false
		}
		switch {
		case s[i] == 'Z' && i+1 == len(s):
			loc = time.UTC
		case (s[i] == '+' || s[i] == '-') && len(s) == i+6 && s[i+3] == ':':
			oh, _, ok1 := num(s, i+1, 2, 2)
			om, _, ok2 := num(s, i+4, 2, 2)
			if !ok1 || !ok2 || oh > 23 || om > 59 {
				return time.Time{}, false
			}
			off := (oh*60 + om) * 60
			if s[i] == '-' {
				off = -off
			}
			loc = time.FixedZone("", off)
		default:
			return time.Time{}, false
		}
	}
	return build(y, mo, d, h, mi, sec, loc)
}

func parseUS(s string) (time.Time, bool) {
	mo, i, ok := num(s, 0, 1, 2)
	if !ok || i >= len(s) || s[i] != '/' {
		return time.Time{}, false
	}
	d, i, ok := num(s, i+1, 1, 2)
	if !ok || i >= len(s) || s[i] != '/' {
		return time.Time{}, false
	}
	y, i, ok := num(s, i+1, 4, 4)
	if !ok || i >= len(s) || s[i] != ' ' {
		return time.Time{}, false
	}
	h, i, ok := num(s, i+1, 1, 2)
	if !ok || i >= len(s) || s[i] != ':' {
		return time.Time{}, false
	}
	mi, i, ok := num(s, i+1, 2, 2)
	if !ok {
		return time.Time{}, false
	}
	switch rest := s[i:]; rest {
	case "":
	case " AM", " PM":
		if h < 1 || h > 12 {
			return time.Time{}, false
		}
		h %= 12
		if rest == " PM" {
			h += 12
		}
	default:
		return time.Time{}, false
	}
	return build(y, mo, d, h, mi, 0, period.Chicago)
}

// build checks the fields' ranges (time.Date would normalize them) and
// makes the time.
func build(y, mo, d, h, mi, sec int, loc *time.Location) (time.Time, bool) {
	if mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(mo), d, h, mi, sec, 0, loc).In(period.Chicago), true
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
