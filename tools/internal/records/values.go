package records

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
)

// Value errors. They never carry the offending value: the caller decides,
// from the contract, whether a value may be echoed.
var (
	ErrDatetime = errors.New("not a datetime in a form the contract allows")
	ErrDate     = errors.New("not a date in a form the contract allows")
	ErrFlag     = errors.New("not a flag (Y, N, YES, NO, TRUE, FALSE, 1 or 0)")
	ErrCount    = errors.New("not a whole number of zero or more")
	ErrBeat     = errors.New("not a CPD beat of 3 or 4 digits")
	ErrDistrict = errors.New("not a CPD district (valid: 1–12, 14–20, 22, 24, 25)")

	ErrDistrictNumber = errors.New("not a district number")
)

// ContractDatetimeLayouts are the datetime forms of contract v1 as Go
// layouts, all Chicago local time unless an offset is given. Go's "1" and
// "2" accept one or two digits, as does "15".
var ContractDatetimeLayouts = []string{
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04:05Z07:00",
	"1/2/2006 3:04 PM",
	"1/2/2006 15:04",
}

// ContractDateLayouts are the date forms of contract v1.
var ContractDateLayouts = []string{"2006-01-02", "1/2/2006"}

// Parser reads one file's values: the contract's forms first, then the
// extra forms its mapping in config.yaml allows.
type Parser struct {
	DatetimeLayouts []string // extra datetime layouts (Go form)
	DateLayouts     []string // extra date layouts (Go form)
	BeatIsDistrict  bool     // the file's beat column holds district numbers
	// UnknownLocations are the system's codes for "location unknown"
	// (3100, 5100 for units outside the districts), read as unknown.
	UnknownLocations []string
	// FormerLocations read the codes of districts that no longer exist
	// (merged in 2012) as today's district: a whole beat code first, else
	// its district number.
	FormerLocations map[string]int
}

// Datetime reads a datetime in a contract form or an extra layout.
func (p *Parser) Datetime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, ok := parseContractDatetime(s); ok {
		return t, nil
	}
	if p != nil {
		for _, layout := range p.DatetimeLayouts {
			if t, err := time.ParseInLocation(layout, s, period.Chicago); err == nil {
				return t.In(period.Chicago), nil
			}
		}
	}
	return time.Time{}, ErrDatetime
}

// Date reads a date in a contract form or an extra layout, as midnight in Chicago.
func (p *Parser) Date(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range ContractDateLayouts {
		if t, err := time.ParseInLocation(layout, s, period.Chicago); err == nil {
			return t, nil
		}
	}
	if p != nil {
		for _, layout := range p.DateLayouts {
			if t, err := time.ParseInLocation(layout, s, period.Chicago); err == nil {
				return t, nil
			}
		}
	}
	return time.Time{}, ErrDate
}

// Beat reads a beat column: a CPD beat, or a district number when the
// mapping says the file gives districts directly.
func (p *Parser) Beat(s string) (beat, district int, ok bool, err error) {
	if p != nil && len(p.UnknownLocations) > 0 && slices.Contains(p.UnknownLocations, trimPointZero(strings.TrimSpace(s))) {
		return 0, 0, false, nil
	}
	if p == nil || !p.BeatIsDistrict {
		beat, district, ok, err = ParseBeat(s)
	} else {
		beat, district, ok, err = ParseDistrict(s)
	}
	if errors.Is(err, ErrDistrict) && p != nil && len(p.FormerLocations) > 0 {
		code := trimPointZero(strings.TrimSpace(s))
		if len(code) == 3 && code[0] == '0' && p.BeatIsDistrict {
			code = code[1:]
		}
		if d, found := p.FormerLocations[code]; found {
			return beat, d, true, nil
		}
		if d, found := p.FormerLocations[strconv.Itoa(district)]; found {
			return beat, d, true, nil
		}
	}
	return beat, district, ok, err
}

// ParseDatetime reads a datetime in one of the contract's forms.
func ParseDatetime(s string) (time.Time, error) { return (*Parser)(nil).Datetime(s) }

// ParseDate reads a date in one of the contract's forms, as midnight in Chicago.
func ParseDate(s string) (time.Time, error) { return (*Parser)(nil).Date(s) }

// ParseFlag reads a flag; ok is false for an empty value (unknown).
func ParseFlag(s string) (value, ok bool, err error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "":
		return false, false, nil
	case "Y", "YES", "TRUE", "1":
		return true, true, nil
	case "N", "NO", "FALSE", "0":
		return false, true, nil
	}
	return false, false, ErrFlag
}

// ParseCount reads a whole number ≥ 0, allowing the spurious ".0" some
// exports add. ok is false for an empty value.
func ParseCount(s string) (n int, ok bool, err error) {
	s = trimPointZero(strings.TrimSpace(s))
	if s == "" {
		return 0, false, nil
	}
	n, err = strconv.Atoi(s)
	if err != nil || n < 0 || s[0] == '+' {
		return 0, false, ErrCount
	}
	return n, true, nil
}

// ParseBeat reads a CPD beat and returns its district. Beat 0 or empty means
// the location is unknown: ok is false.
func ParseBeat(s string) (beat, district int, ok bool, err error) {
	s = trimPointZero(strings.TrimSpace(s))
	if s == "" || s == "0" {
		return 0, 0, false, nil
	}
	if len(s) < 3 || len(s) > 4 {
		return 0, 0, false, ErrBeat
	}
	beat, err = strconv.Atoi(s)
	if err != nil || beat <= 0 {
		return 0, 0, false, ErrBeat
	}
	district = beat / 100
	if !contract.IsDistrict(district) {
		return beat, district, false, fmt.Errorf("%w (district %d)", ErrDistrict, district)
	}
	return beat, district, true, nil
}

// ParseDistrict reads a district number given directly (1–25, with an
// optional ".0", zero-padded to three digits or not); 0 or empty means
// the location is unknown. beat is 0.
func ParseDistrict(s string) (beat, district int, ok bool, err error) {
	s = trimPointZero(strings.TrimSpace(s))
	if s == "" || s == "0" {
		return 0, 0, false, nil
	}
	// Zero-padded, as the City's data portal writes them: 010 is district 10.
	if len(s) == 3 && s[0] == '0' {
		s = s[1:]
	}
	district, err = strconv.Atoi(s)
	if err != nil || len(s) > 2 || s[0] == '+' || s[0] == '-' {
		return 0, 0, false, ErrDistrictNumber
	}
	if !contract.IsDistrict(district) {
		return 0, district, false, fmt.Errorf("%w (district %d)", ErrDistrict, district)
	}
	return 0, district, true, nil
}

// NormalizeCode trims and upper-cases a code value.
func NormalizeCode(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// NormalizeID trims a record id and drops a spurious ".0" from numeric ids.
func NormalizeID(s string) string { return trimPointZero(strings.TrimSpace(s)) }

func trimPointZero(s string) string {
	if t, ok := strings.CutSuffix(s, ".0"); ok && t != "" && isDigits(t) {
		return t
	}
	return s
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
