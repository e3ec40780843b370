package hl7

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// Precision is how much of a timestamp the sender gave.
type Precision uint8

// Precisions of an HL7 timestamp, from the coarsest. Fractional seconds
// have PrecisionSecond and a non-zero [Time.FractionDigits].
const (
	PrecisionYear Precision = iota + 1
	PrecisionMonth
	PrecisionDay
	PrecisionHour
	PrecisionMinute
	PrecisionSecond
)

// String returns the lowercase name of the precision, such as "day".
func (p Precision) String() string {
	switch p {
	case PrecisionYear:
		return "year"
	case PrecisionMonth:
		return "month"
	case PrecisionDay:
		return "day"
	case PrecisionHour:
		return "hour"
	case PrecisionMinute:
		return "minute"
	case PrecisionSecond:
		return "second"
	}
	return "unknown"
}

// Time is an HL7 v2 timestamp (data types DTM, TS and DT) with the
// precision the sender gave and its UTC offset, if any. Its zero value has
// no precision and reports IsZero.
type Time struct {
	year, month, day, hour, minute, second int
	nanosecond                             int
	fractionDigits                         int // 0 to 4
	precision                              Precision
	hasOffset                              bool
	offset                                 int // seconds east of UTC
}

// maxOffsetHours bounds the UTC offset. The zones in use today range from
// -12:00 to +14:00.
const maxOffsetHours = 14

// ParseTime parses an HL7 v2 timestamp:
//
//	YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ]
//
// The value must be as the message defines it: digits only, no separators
// or spaces. A "^" and what follows are ignored, because the HL7 v2.3 TS
// type carries the degree of precision as component 2. The date must exist
// (2023-02-29 is rejected), hours run 00-23, minutes and seconds 00-59, and
// the offset is +HHMM or -HHMM with hours up to 14. Errors wrap
// [ErrInvalidTime] and name the part that is wrong, never the whole value.
func ParseTime(s string) (Time, error) {
	if i := strings.IndexByte(s, '^'); i >= 0 {
		s = s[:i]
	}
	if s == "" {
		return Time{}, fmt.Errorf("hl7: %w: value is empty", ErrInvalidTime)
	}

	var t Time
	body := s
	if i := strings.IndexAny(s, "+-"); i >= 0 {
		body = s[:i]
		if err := t.parseOffset(s[i:]); err != nil {
			return Time{}, err
		}
	}
	digits, fraction, hasFraction := strings.Cut(body, ".")
	if err := t.parseDigits(digits); err != nil {
		return Time{}, err
	}
	if hasFraction {
		if err := t.parseFraction(fraction); err != nil {
			return Time{}, err
		}
	}
	if err := t.checkRanges(); err != nil {
		return Time{}, err
	}
	return t, nil
}

// parseDigits reads YYYY[MM[DD[HH[MM[SS]]]]].
func (t *Time) parseDigits(digits string) error {
	if !allDigits(digits) {
		return fmt.Errorf("hl7: %w: date and time must be digits only", ErrInvalidTime)
	}
	switch len(digits) {
	case 4, 6, 8, 10, 12, 14:
	default:
		return fmt.Errorf("hl7: %w: date and time must have 4, 6, 8, 10, 12 or 14 digits",
			ErrInvalidTime)
	}

	t.year, _ = strconv.Atoi(digits[:4])
	t.month, t.day = 1, 1
	parts := []*int{&t.month, &t.day, &t.hour, &t.minute, &t.second}
	for i := 0; 4+2*i < len(digits); i++ {
		*parts[i], _ = strconv.Atoi(digits[4+2*i : 6+2*i])
	}
	t.precision = Precision((len(digits)-4)/2) + PrecisionYear
	return nil
}

// parseFraction reads the digits after the decimal point of the seconds.
func (t *Time) parseFraction(fraction string) error {
	if t.precision != PrecisionSecond {
		return fmt.Errorf("hl7: %w: fractional seconds need seconds before them",
			ErrInvalidTime)
	}
	if len(fraction) < 1 || len(fraction) > 4 || !allDigits(fraction) {
		return fmt.Errorf("hl7: %w: fractional seconds must have 1 to 4 digits",
			ErrInvalidTime)
	}
	n, _ := strconv.Atoi(fraction)
	for i := len(fraction); i < 9; i++ {
		n *= 10
	}
	t.nanosecond = n
	t.fractionDigits = len(fraction)
	return nil
}

// parseOffset reads +HHMM or -HHMM.
func (t *Time) parseOffset(zone string) error {
	if len(zone) != 5 || !allDigits(zone[1:]) {
		return fmt.Errorf("hl7: %w: offset must be +HHMM or -HHMM", ErrInvalidTime)
	}
	hours, _ := strconv.Atoi(zone[1:3])
	minutes, _ := strconv.Atoi(zone[3:5])
	if hours > maxOffsetHours {
		return fmt.Errorf("hl7: %w: offset hours (%d) out of range 00-14", ErrInvalidTime, hours)
	}
	if hours == maxOffsetHours && minutes > 0 {
		return fmt.Errorf("hl7: %w: offset is beyond 14 hours", ErrInvalidTime)
	}
	if minutes > 59 {
		return fmt.Errorf("hl7: %w: offset minutes (%d) out of range 00-59", ErrInvalidTime,
			minutes)
	}
	t.offset = hours*3600 + minutes*60
	if zone[0] == '-' {
		t.offset = -t.offset
	}
	t.hasOffset = true
	return nil
}

// checkRanges rejects dates that do not exist and times out of range.
func (t *Time) checkRanges() error {
	switch {
	case t.year == 0:
		return fmt.Errorf("hl7: %w: year 0 does not exist", ErrInvalidTime)
	case t.month < 1 || t.month > 12:
		return fmt.Errorf("hl7: %w: invalid month (%d)", ErrInvalidTime, t.month)
	case t.day < 1 || t.day > daysIn(t.year, t.month):
		return fmt.Errorf("hl7: %w: invalid day (%d) for its month", ErrInvalidTime, t.day)
	case t.hour > 23:
		return fmt.Errorf("hl7: %w: invalid hour (%d)", ErrInvalidTime, t.hour)
	case t.minute > 59:
		return fmt.Errorf("hl7: %w: invalid minute (%d)", ErrInvalidTime, t.minute)
	case t.second > 59:
		return fmt.Errorf("hl7: %w: invalid second (%d)", ErrInvalidTime, t.second)
	}
	return nil
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// IsZero reports whether t is the zero Time, which no successful
// [ParseTime] returns.
func (t Time) IsZero() bool { return t.precision == 0 }

// Precision returns how much of the timestamp the sender gave.
func (t Time) Precision() Precision { return t.precision }

// FractionDigits returns the number of digits of fractional seconds given,
// from 0 to 4.
func (t Time) FractionDigits() int { return t.fractionDigits }

// HasOffset reports whether the timestamp carried a UTC offset.
func (t Time) HasOffset() bool { return t.hasOffset }

// Offset returns the UTC offset in seconds east of UTC, or 0 when the
// timestamp carried none.
func (t Time) Offset() int { return t.offset }

// Time returns the start of the timestamp's precision as a time.Time, such
// as January 1, 00:00 for a year. It is in the timestamp's offset, or in UTC
// when the timestamp carried none; [Time.TimeIn] takes the sender's zone.
func (t Time) Time() time.Time { return t.TimeIn(time.UTC) }

// TimeIn is like [Time.Time] but reads a timestamp without an offset as a
// wall clock time in loc. A nil loc means UTC. As with time.Date, a wall
// time that loc skips or repeats at a daylight saving change maps to one of
// the instants around it.
func (t Time) TimeIn(loc *time.Location) time.Time {
	switch {
	case t.hasOffset:
		loc = time.FixedZone("", t.offset)
	case loc == nil:
		loc = time.UTC
	}
	return time.Date(t.year, time.Month(t.month), t.day, t.hour, t.minute, t.second,
		t.nanosecond, loc)
}

// FHIRDate returns the date part in the FHIR date format, keeping the
// precision up to the day: "2024", "2024-03" or "2024-03-15". It returns ""
// for the zero Time.
func (t Time) FHIRDate() string {
	switch {
	case t.precision == 0:
		return ""
	case t.precision == PrecisionYear:
		return fmt.Sprintf("%04d", t.year)
	case t.precision == PrecisionMonth:
		return fmt.Sprintf("%04d-%02d", t.year, t.month)
	}
	return fmt.Sprintf("%04d-%02d-%02d", t.year, t.month, t.day)
}

// FHIRDateTime returns the timestamp in the FHIR dateTime format. A
// timestamp of year, month or day precision keeps it ("2024-03"), as FHIR
// allows. FHIR requires seconds and an offset once hours are given, so a
// timestamp with a time of day is written to the second, with missing
// minutes and seconds as 00 and fractional seconds kept with the digits
// given. The offset is the timestamp's own, or else loc's offset at that
// time (UTC for a nil loc), written as +hh:mm or -hh:mm (+00:00 for UTC).
func (t Time) FHIRDateTime(loc *time.Location) string {
	if t.precision <= PrecisionDay {
		return t.FHIRDate()
	}
	wall := t.TimeIn(loc)
	var b strings.Builder
	b.WriteString(wall.Format("2006-01-02T15:04:05"))
	if t.fractionDigits > 0 {
		fraction := wall.Nanosecond()
		for i := t.fractionDigits; i < 9; i++ {
			fraction /= 10
		}
		fmt.Fprintf(&b, ".%0*d", t.fractionDigits, fraction)
	}
	b.WriteString(wall.Format("-07:00"))
	return b.String()
}

// String returns the timestamp in the HL7 form it was parsed from, with its
// precision and offset. An offset of -0000 is written as +0000.
func (t Time) String() string {
	if t.precision == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%04d", t.year)
	parts := []int{t.month, t.day, t.hour, t.minute, t.second}
	for i := 0; i < int(t.precision-PrecisionYear); i++ {
		fmt.Fprintf(&b, "%02d", parts[i])
	}
	if t.fractionDigits > 0 {
		fraction := t.nanosecond
		for i := t.fractionDigits; i < 9; i++ {
			fraction /= 10
		}
		fmt.Fprintf(&b, ".%0*d", t.fractionDigits, fraction)
	}
	if t.hasOffset {
		sign, offset := '+', t.offset
		if offset < 0 {
			sign, offset = '-', -offset
		}
		fmt.Fprintf(&b, "%c%02d%02d", sign, offset/3600, offset%3600/60)
	}
	return b.String()
}

// LogValue returns only the precision, because a timestamp may be a birth
// date.
func (t Time) LogValue() slog.Value {
	return slog.GroupValue(slog.String("precision", t.precision.String()))
}
