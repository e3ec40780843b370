package sqlpoll

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
)

// cursorTimeLayout is RFC 3339 in UTC with exactly nine fraction digits. The
// fixed width makes the text sort in time order, which RFC3339Nano (trailing
// zeros trimmed) does not: "05Z" sorts after "05.5Z".
const cursorTimeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// CursorText returns the canonical text of a cursor or key value: a time in
// UTC as RFC 3339 with nine fraction digits (2024-05-01T10:15:00.000000000Z),
// a number in decimal, a string or []byte unchanged.
//
// PostgreSQL reads the time text back exactly for timestamptz and timestamp
// columns (microsecond precision). SQLite compares text as text. A timestamp
// column declared TEXT returns its stored text, which round-trips unchanged.
// A column declared DATETIME, TIMESTAMP or DATE comes back as a time, so its
// stored text must use this same layout for :cursor comparisons to hold.
func CursorText(v any) string {
	switch v := v.(type) {
	case time.Time:
		return v.UTC().Format(cursorTimeLayout)
	case string:
		return v
	case []byte:
		return string(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case int:
		return strconv.Itoa(v)
	case int32:
		return strconv.FormatInt(int64(v), 10)
	case uint64:
		return strconv.FormatUint(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(v), 'f', -1, 32)
	case bool:
		return strconv.FormatBool(v)
	default:
		return fmt.Sprint(v)
	}
}

// sqliteTimeLayout is SQLite's own timestamp text (the output of datetime()
// and CURRENT_TIMESTAMP), with the fraction only when it is non-zero.
const sqliteTimeLayout = "2006-01-02 15:04:05.999999999"

// bindValue returns the value to bind as :cursor for the driver. Integer text
// is bound as an integer, so SQLite compares it as a number even where no
// column affinity converts it. Text that is not exactly an integer's canonical
// form, such as "007", stays a string. For SQLite, a time cursor is bound in
// SQLite's timestamp text, "YYYY-MM-DD HH:MM:SS" in UTC, because SQLite
// compares the bound text with the stored text character by character.
func bindValue(cursor, driver string) any {
	n, err := strconv.ParseInt(cursor, 10, 64)
	if err == nil && strconv.FormatInt(n, 10) == cursor {
		return n
	}
	if driver == "sqlite" {
		if t, err := time.Parse(time.RFC3339Nano, cursor); err == nil {
			return t.UTC().Format(sqliteTimeLayout)
		}
	}
	return cursor
}

// cursorTracker computes each row's safe cursor and checks the rows' order.
type cursorTracker struct {
	start    string
	seen     bool
	lastText string
	last     any
	safe     string
}

func newCursorTracker(start string) *cursorTracker {
	return &cursorTracker{start: start, safe: start}
}

// next takes the next row's cursor value and returns the row's safe cursor:
// the previous distinct cursor value, or the start cursor within the first
// tie group.
func (t *cursorTracker) next(value any) (string, error) {
	text := CursorText(value)
	if !t.seen {
		t.seen = true
		if startValue, ok := parseLike(t.start, value); ok {
			if c, ok := compareValues(value, startValue); ok && c < 0 {
				return "", errors.New("cursor value sorts below the start cursor: the query's comparison with " +
					":cursor disagrees with the cursor's canonical text; store the column in that format " +
					"or compare it as a typed value")
			}
		}
	} else if text != t.lastText {
		if c, ok := compareValues(value, t.last); ok && c < 0 {
			return "", errors.New("rows are not in ascending cursor order: order the query by the cursor column first")
		}
		t.safe = t.lastText
	}
	t.lastText = text
	t.last = value
	return t.safe, nil
}

// parseLike parses cursor text into the type of example, when it can.
func parseLike(text string, example any) (any, bool) {
	switch example.(type) {
	case time.Time:
		v, err := time.Parse(time.RFC3339Nano, text)
		return v, err == nil
	case int64, int, int32, uint64:
		v, err := strconv.ParseInt(text, 10, 64)
		return v, err == nil
	case float64, float32:
		v, err := strconv.ParseFloat(text, 64)
		return v, err == nil
	}
	return nil, false
}

// compareValues orders two times or two numbers. It reports false for other
// types, because the database's collation, not Go's byte order, orders text.
func compareValues(a, b any) (int, bool) {
	if at, ok := a.(time.Time); ok {
		bt, ok := b.(time.Time)
		if !ok {
			return 0, false
		}
		return at.Compare(bt), true
	}
	if ai, ok := a.(int64); ok {
		if bi, ok := b.(int64); ok {
			return cmp.Compare(ai, bi), true
		}
	}
	af, aok := number(a)
	bf, bok := number(b)
	if !aok || !bok {
		return 0, false
	}
	return cmp.Compare(af, bf), true
}

func number(v any) (float64, bool) {
	switch v := v.(type) {
	case int64:
		return float64(v), true
	case int:
		return float64(v), true
	case int32:
		return float64(v), true
	case uint64:
		return float64(v), true
	case float64:
		return v, !math.IsNaN(v)
	case float32:
		return float64(v), true
	}
	return 0, false
}
