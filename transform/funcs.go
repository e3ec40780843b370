package transform

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// functionNames lists the functions every mapping expression can call,
// besides the expr language's own builtins. The HL7 functions exist only in
// hl7v2 mappings.
var (
	commonFunctions = []string{
		"stable_id", "lookup", "decimal", "coalesce", "name_text",
		"fhir_date", "fhir_datetime", "hl7_date", "hl7_datetime", "reference", "ucum",
	}
	hl7Functions = []string{"hl7", "hl7_all", "hl7_find", "hl7_is_null", "hl7_segments"}
)

// errNotNumeric and friends are the value problems a function reports.
// They never include the offending value, which may be patient data.
var (
	errNotNumeric = errors.New("value is not a decimal number")
)

// stableID derives a FHIR id from source keys: the same keys always give the
// same id, so a re-sync updates a resource instead of duplicating it. The id
// is 32 hex digits of the SHA-256 of the keys.
func stableID(parts ...any) (string, error) {
	h := sha256.New()
	for i, p := range parts {
		s := scalarText(p)
		if s == "" {
			return "", fmt.Errorf("stable_id: key %d is empty: the record lacks a key that the id rule needs", i+1)
		}
		h.Write([]byte(s))
		h.Write([]byte{0x1f})
	}
	return hex.EncodeToString(h.Sum(nil)[:16]), nil
}

// scalarText renders a scalar source value as text; nil becomes "".
func scalarText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	case json.Number:
		return x.String()
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	}
	return fmt.Sprint(v)
}

// decimal turns a source value into a JSON number, keeping its digits
// exactly as written (FHIR decimals keep their precision: "37.0" stays
// "37.0"). Empty input gives nil, so the element is left out.
func decimal(v any) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case int, int64, float64:
		return json.Number(scalarText(x)), nil
	}
	s := strings.TrimSpace(scalarText(v))
	if s == "" {
		return nil, nil
	}
	if !isDecimal(s) {
		return nil, fmt.Errorf("decimal: %w", errNotNumeric)
	}
	return json.Number(jsonDecimal(s)), nil
}

// jsonDecimal rewrites a decimal accepted by isDecimal into JSON number
// syntax: no "+" sign, no leading zeros, digits on both sides of the point.
// The digits after the point are kept as written.
func jsonDecimal(s string) string {
	sign := ""
	if s[0] == '+' || s[0] == '-' {
		if s[0] == '-' {
			sign = "-"
		}
		s = s[1:]
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	intPart = strings.TrimLeft(intPart, "0")
	if intPart == "" {
		intPart = "0"
	}
	if !hasDot || frac == "" {
		return sign + intPart
	}
	return sign + intPart + "." + frac
}

// isDecimal reports whether s is a plain decimal: optional sign, digits,
// optional fraction. Exponents, "NaN" and "Inf" are rejected.
func isDecimal(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == '+' || s[0] == '-' {
		s = s[1:]
	}
	digits, dot := 0, false
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot:
			dot = true
		default:
			return false
		}
	}
	return digits > 0
}

// coalesce returns the first argument that is not nil or empty text.
func coalesce(values ...any) any {
	for _, v := range values {
		if v == nil {
			continue
		}
		if s, ok := v.(string); ok && strings.TrimSpace(s) == "" {
			continue
		}
		return v
	}
	return nil
}

// nameText joins the non-empty parts with single spaces, for display
// strings such as "Dr. Ana María Soto".
func nameText(parts ...any) string {
	words := make([]string, 0, len(parts))
	for _, p := range parts {
		if list, ok := p.([]any); ok {
			words = append(words, nameText(list...))
			continue
		}
		if s := strings.TrimSpace(scalarText(p)); s != "" {
			words = append(words, s)
		}
	}
	return strings.TrimSpace(strings.Join(words, " "))
}

// reference builds a FHIR Reference to type/id, with an optional display.
// An empty id gives nil, so the element is left out.
func reference(resourceType string, id any, display ...any) (any, error) {
	idText := scalarText(id)
	if idText == "" {
		return nil, nil
	}
	ref := newObject()
	ref.set("reference", resourceType+"/"+idText)
	if len(display) > 0 {
		if d := strings.TrimSpace(scalarText(display[0])); d != "" {
			ref.set("display", d)
		}
	}
	return ref, nil
}

// fhirDate renders a SQL date or timestamp as a FHIR date (YYYY-MM-DD).
// Text already in FHIR date form (YYYY, YYYY-MM, YYYY-MM-DD) is kept with
// its precision.
func fhirDate(v any) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case time.Time:
		return x.Format("2006-01-02"), nil
	}
	s := strings.TrimSpace(scalarText(v))
	if s == "" {
		return nil, nil
	}
	for _, layout := range []string{"2006-01-02", "2006-01", "2006"} {
		if _, err := time.Parse(layout, s); err == nil {
			return s, nil
		}
	}
	if t, err := parseSQLTime(s); err == nil {
		return t.Format("2006-01-02"), nil
	}
	return nil, errors.New("fhir_date: value is not a date (want YYYY-MM-DD or a SQL date/timestamp)")
}

// fhirDateTime renders a SQL timestamp as a FHIR dateTime with its offset.
// A timestamp without a zone is read in loc, the source's configured time
// zone.
func fhirDateTime(v any, loc *time.Location) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case time.Time:
		return formatDateTime(x), nil
	}
	s := strings.TrimSpace(scalarText(v))
	if s == "" {
		return nil, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", s, loc); err == nil {
		return t.Format("2006-01-02"), nil
	}
	t, err := parseSQLTimeIn(s, loc)
	if err != nil {
		return nil, errors.New("fhir_datetime: value is not a timestamp (want RFC 3339 or YYYY-MM-DD HH:MM:SS)")
	}
	return formatDateTime(t), nil
}

func formatDateTime(t time.Time) string {
	if t.Location() == time.UTC {
		return t.Format("2006-01-02T15:04:05.999999999Z")
	}
	return t.Format("2006-01-02T15:04:05.999999999-07:00")
}

var sqlTimeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999-07",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
}

func parseSQLTime(s string) (time.Time, error) { return parseSQLTimeIn(s, time.UTC) }

func parseSQLTimeIn(s string, loc *time.Location) (time.Time, error) {
	for _, layout := range sqlTimeLayouts {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New("not a timestamp")
}

// ucumUnits maps unit spellings common in EHR tables and HL7 OBX-6 to UCUM
// codes. Units already in UCUM map to themselves.
var ucumUnits = map[string]string{
	"bpm": "/min", "beats/min": "/min", "/min": "/min", "breaths/min": "/min", "min-1": "/min",
	"mmhg": "mm[Hg]", "mm hg": "mm[Hg]", "mm[hg]": "mm[Hg]",
	"c": "Cel", "cel": "Cel", "degc": "Cel", "deg c": "Cel", "°c": "Cel",
	"f": "[degF]", "degf": "[degF]", "[degf]": "[degF]", "°f": "[degF]",
	"kg": "kg", "g": "g", "lb": "[lb_av]", "lbs": "[lb_av]", "[lb_av]": "[lb_av]",
	"cm": "cm", "m": "m", "in": "[in_i]", "[in_i]": "[in_i]",
	"%": "%", "kg/m2": "kg/m2", "kg/m^2": "kg/m2",
}

// ucum returns the UCUM code for a unit spelling, or nil when the unit is
// unknown (so the mapping leaves `code` out rather than guess).
func ucum(unit any) any {
	u := strings.TrimSpace(scalarText(unit))
	if u == "" {
		return nil
	}
	if code, ok := ucumUnits[strings.ToLower(u)]; ok {
		return code
	}
	return nil
}
