package search

import (
	"errors"
	"regexp"
	"strconv"
	"time"
)

// Date search prefixes. A value without a prefix means PrefixEq.
const (
	PrefixEq = "eq" // the resource's range lies within the value's range
	PrefixNe = "ne" // the resource's range does not lie within the value's range
	PrefixGt = "gt" // the resource's range ends after the value's range
	PrefixLt = "lt" // the resource's range starts before the value's range
	PrefixGe = "ge" // gt or eq
	PrefixLe = "le" // lt or eq
	PrefixSa = "sa" // the resource's range starts at or after the value's range ends
	PrefixEb = "eb" // the resource's range ends at or before the value's range starts
	PrefixAp = "ap" // the ranges overlap once the value's range is widened, see ApproxRange
)

var datePrefixes = []string{
	PrefixEq, PrefixNe, PrefixGt, PrefixLt, PrefixGe, PrefixLe, PrefixSa, PrefixEb, PrefixAp,
}

// DateValue is a parsed date search value: the prefix and the half-open
// range [Low, High) implied by the value's precision. "1980-04" has Low
// 1980-04-01T00:00Z and High 1980-05-01T00:00Z.
type DateValue struct {
	Prefix string
	Low    time.Time
	High   time.Time
}

// ApproxRange returns the range the ap prefix compares with: the value's
// range widened on both sides by 10% of the time between the value and now,
// so "ap2010" tolerates more than "ap" on last week's date. FHIR leaves the
// tolerance to the server, and 10% is this implementation's choice.
func (d DateValue) ApproxRange(now time.Time) (low, high time.Time) {
	gap := now.Sub(d.Low)
	if gap < 0 {
		gap = -gap
	}
	widen := gap / 10
	return d.Low.Add(-widen), d.High.Add(widen)
}

var errDate = errors.New("invalid date")

// ParseDate parses a date search value of a Clause, with an optional prefix
// such as "ge". A time without an offset, and a date without a time, are
// taken as UTC.
func ParseDate(value string) (DateValue, error) {
	prefix := PrefixEq
	if len(value) >= 2 {
		for _, p := range datePrefixes {
			if value[:2] == p {
				prefix, value = p, value[2:]
				break
			}
		}
	}
	low, high, err := parseDateRange(value)
	if err != nil {
		return DateValue{}, err
	}
	return DateValue{Prefix: prefix, Low: low, High: high}, nil
}

// dateRE matches FHIR date, dateTime and instant values and the partial
// forms search allows (a time with minutes only, no offset).
var dateRE = regexp.MustCompile(`^(\d{4})(?:-(\d{2})(?:-(\d{2})` +
	`(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$`)

// parseDateRange returns the half-open range [low, high) that a date,
// dateTime or instant value covers at its precision.
func parseDateRange(s string) (low, high time.Time, err error) {
	m := dateRE.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, time.Time{}, errDate
	}
	n := func(i int) int { v, _ := strconv.Atoi(m[i]); return v }
	year, month, day := n(1), 1, 1
	if year < 1 {
		return time.Time{}, time.Time{}, errDate
	}
	if m[2] != "" {
		month = n(2)
		if month < 1 || month > 12 {
			return time.Time{}, time.Time{}, errDate
		}
	}
	if m[3] != "" {
		day = n(3)
		if day < 1 || day > daysIn(year, time.Month(month)) {
			return time.Time{}, time.Time{}, errDate
		}
	}
	if m[4] == "" {
		low = time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
		switch {
		case m[3] != "":
			return low, low.AddDate(0, 0, 1), nil
		case m[2] != "":
			return low, low.AddDate(0, 1, 0), nil
		}
		return low, low.AddDate(1, 0, 0), nil
	}
	return parseTimeRange(m, year, month, day)
}

func parseTimeRange(m []string, year, month, day int) (low, high time.Time, err error) {
	n := func(i int) int { v, _ := strconv.Atoi(m[i]); return v }
	hour, minute, sec, nsec := n(4), n(5), 0, 0
	step := time.Minute
	if m[6] != "" {
		sec, step = n(6), time.Second
	}
	if frac := m[7]; frac != "" {
		digits := len(frac)
		nsec = n(7)
		step = time.Duration(1)
		for i := digits; i < 9; i++ {
			nsec *= 10
			step *= 10
		}
	}
	if hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, time.Time{}, errDate
	}
	loc, err := parseZone(m[8])
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	low = time.Date(year, time.Month(month), day, hour, minute, sec, nsec, loc).UTC()
	return low, low.Add(step), nil
}

func parseZone(s string) (*time.Location, error) {
	if s == "" || s == "Z" {
		return time.UTC, nil
	}
	h, _ := strconv.Atoi(s[1:3])
	mm, _ := strconv.Atoi(s[4:6])
	if h > 14 || mm > 59 {
		return nil, errDate
	}
	secs := h*3600 + mm*60
	if s[0] == '-' {
		secs = -secs
	}
	return time.FixedZone("", secs), nil
}

func daysIn(year int, month time.Month) int {
	return time.Date(year, month+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
