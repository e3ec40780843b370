package search

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ehrbridge/ehrbridge/fhir"
)

// Paging limits applied by Parse.
const (
	DefaultCount = 50  // page size when the request has no _count
	MaxCount     = 500 // larger _count values are lowered to this
	// MaxOffset bounds _offset so a store never has to skip an unbounded
	// number of rows for one page.
	MaxOffset = 1_000_000
)

// Input limits that keep one request from building an oversized query.
const (
	maxClauses    = 50
	maxValues     = 100 // alternatives in one clause
	maxValueBytes = 256
)

// Error reports a search parameter that Parse rejected. Param names the
// parameter as the request spelled it (empty for a problem with the whole
// request) and Reason states the expected form. Neither contains a value.
type Error struct {
	Param  string
	Reason string
}

func (e *Error) Error() string {
	if e.Param == "" {
		return "invalid search: " + e.Reason
	}
	return fmt.Sprintf("invalid search parameter %s: %s", e.Param, e.Reason)
}

// Reasons used in Error. They are constants, or built from the parameter
// table by sortReason and codeReason, so no reason can carry a request value.
const (
	reasonType       = "the resource type is not searchable in this FHIR version"
	reasonUnknown    = "unknown search parameter for this resource type"
	reasonModifier   = "unsupported modifier for this parameter"
	reasonEmpty      = "missing value: expected at least one non-empty value"
	reasonTooLong    = "value too long: expected at most 256 bytes per value"
	reasonUTF8       = "invalid UTF-8: expected the value percent-encoded as UTF-8"
	reasonTooMany    = "too many values: expected at most 100 comma-separated values"
	reasonClauses    = "too many parameters: expected at most 50 search parameters"
	reasonOnce       = "repeated parameter: expected it once"
	reasonCount      = "expected a non-negative integer"
	reasonOffset     = "expected a non-negative integer of at most 1000000"
	reasonSortSpell  = "conflicting sort parameters: use either _sort, _sort:asc or _sort:desc"
	reasonSortRepeat = "a parameter is sorted on twice"
	reasonOffsetAlt  = "conflicting paging parameters: use either _offset or _getpagesoffset"
	reasonID         = "expected a resource id of 1 to 64 letters, digits, '-' or '.'"
	reasonString     = "expected text with at least one letter or digit"
	reasonToken      = "expected code, system|code, |code or system|"
	reasonDate       = "expected a date as YYYY, YYYY-MM, YYYY-MM-DD or a dateTime " +
		"such as 2024-03-01T10:00:00Z, optionally prefixed by eq, ne, lt, gt, le, ge, sa, eb or ap"
	reasonReference = "expected id, Type/id or an absolute URL ending in Type/id"
	reasonTarget    = "expected a reference to the parameter's target resource type"
)

// reasons lists every Reason that Parse can return.
var reasons = append([]string{
	reasonType, reasonUnknown, reasonModifier, reasonEmpty, reasonTooLong, reasonUTF8,
	reasonTooMany, reasonClauses, reasonOnce, reasonCount, reasonOffset, reasonSortSpell,
	reasonSortRepeat, reasonOffsetAlt, reasonID, reasonString, reasonToken, reasonDate,
	reasonReference, reasonTarget,
}, tableReasons()...)

// fixedCodes lists, by resource type and parameter name, the codes of token
// parameters bound to a required value set. A code outside the set can match
// nothing, so Parse rejects it instead of returning an empty result. The
// AdministrativeGender codes are the same in DSTU2 and STU3.
var fixedCodes = map[string]map[string][]string{
	"Patient": {"gender": {"male", "female", "other", "unknown"}},
}

// codeReason returns the Reason for a code outside a fixed code set.
func codeReason(codes []string) string {
	return "expected one of the codes " + strings.Join(codes, ", ")
}

// sortReason returns the Reason for a _sort value that names a parameter
// the resource type cannot be sorted by. It lists the sortable parameters.
func sortReason(v fhir.Version, resourceType string) string {
	var sortable []string
	for name, def := range registry[v][resourceType] {
		if def.Sortable {
			sortable = append(sortable, name)
		}
	}
	if len(sortable) == 0 {
		return resourceType + " has no sortable parameters: remove _sort"
	}
	slices.Sort(sortable)
	return "expected a comma-separated list of sortable parameters (" +
		strings.Join(sortable, ", ") + "), each optionally prefixed by -"
}

// tableReasons returns the Reasons built from the parameter table.
func tableReasons() []string {
	var out []string
	for v, types := range registry {
		for resourceType := range types {
			out = append(out, sortReason(v, resourceType))
		}
	}
	for _, params := range fixedCodes {
		for _, codes := range params {
			out = append(out, codeReason(codes))
		}
	}
	return out
}

var (
	idRE       = regexp.MustCompile(`^[A-Za-z0-9\-.]{1,64}$`)
	typeRE     = regexp.MustCompile(`^[A-Z][A-Za-z]{1,63}$`)
	paramKeyRE = regexp.MustCompile(`^[A-Za-z0-9_.:\-]{1,64}$`)
)

// ignoredParams are accepted and have no effect on the query: the response
// format is the server's concern.
var ignoredParams = map[string]bool{"_format": true, "_pretty": true}

// Parse validates the search parameters of one request and returns the
// query. A comma in a value separates alternatives (OR) and a repeated
// parameter adds a clause (AND). Any parameter or value it cannot apply
// exactly is rejected with an *Error.
func Parse(v fhir.Version, resourceType string, params url.Values) (Query, error) {
	if registry[v][resourceType] == nil {
		return Query{}, &Error{Reason: reasonType}
	}
	q := Query{ResourceType: resourceType, Count: DefaultCount}
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	slices.Sort(keys)

	var sortKeys []string
	for _, key := range keys {
		name, modifier, _ := strings.Cut(key, ":")
		values := params[key]
		var err error
		switch {
		case ignoredParams[name]:
		case name == "_count":
			q.Count, err = parseCount(key, modifier, values)
		case name == "_offset" || name == "_getpagesoffset":
			err = parseOffset(&q, key, modifier, values, params)
		case name == "_sort":
			sortKeys = append(sortKeys, key)
		default:
			err = parseClauses(&q, v, key, values)
		}
		if err != nil {
			return Query{}, err
		}
	}
	if err := parseSort(&q, v, sortKeys, params); err != nil {
		return Query{}, err
	}
	if len(q.Clauses) > maxClauses {
		return Query{}, &Error{Reason: reasonClauses}
	}
	slices.SortStableFunc(q.Clauses, func(a, b Clause) int {
		return strings.Compare(a.key(), b.key())
	})
	return q, nil
}

// key returns the clause's parameter name as written in a request.
func (c Clause) key() string {
	if c.Modifier == "" {
		return c.Param
	}
	return c.Param + ":" + c.Modifier
}

// safeKey returns a request's parameter name for an Error, or a placeholder
// when the name contains characters no parameter name has.
func safeKey(key string) string {
	if paramKeyRE.MatchString(key) {
		return key
	}
	return "(invalid name)"
}

func singleInt(key, modifier string, values []string, reason string, max int) (int, error) {
	if modifier != "" {
		return 0, &Error{Param: safeKey(key), Reason: reasonModifier}
	}
	if len(values) != 1 {
		return 0, &Error{Param: key, Reason: reasonOnce}
	}
	n, err := strconv.Atoi(values[0])
	if err != nil || n < 0 || n > max {
		return 0, &Error{Param: key, Reason: reason}
	}
	return n, nil
}

func parseCount(key, modifier string, values []string) (int, error) {
	n, err := singleInt(key, modifier, values, reasonCount, 1<<31-1)
	return min(n, MaxCount), err
}

func parseOffset(q *Query, key, modifier string, values []string, params url.Values) error {
	if params.Has("_offset") && params.Has("_getpagesoffset") {
		return &Error{Param: "_offset", Reason: reasonOffsetAlt}
	}
	n, err := singleInt(key, modifier, values, reasonOffset, MaxOffset)
	q.Offset = n
	return err
}

// parseSort reads _sort=a,-b (STU3) or _sort:asc=a and _sort:desc=a (DSTU2).
func parseSort(q *Query, v fhir.Version, keys []string, params url.Values) error {
	if len(keys) == 0 {
		return nil
	}
	if len(keys) > 1 {
		return &Error{Param: "_sort", Reason: reasonSortSpell}
	}
	key := keys[0]
	_, modifier, _ := strings.Cut(key, ":")
	if modifier != "" && modifier != "asc" && modifier != "desc" {
		return &Error{Param: safeKey(key), Reason: reasonModifier}
	}
	if len(params[key]) != 1 {
		return &Error{Param: key, Reason: reasonOnce}
	}
	seen := map[string]bool{}
	for _, part := range strings.Split(params[key][0], ",") {
		sk := SortKey{Param: part, Descending: modifier == "desc"}
		if modifier == "" && strings.HasPrefix(part, "-") {
			sk = SortKey{Param: part[1:], Descending: true}
		}
		def, ok := Lookup(v, q.ResourceType, sk.Param)
		if !ok || !def.Sortable {
			return &Error{Param: key, Reason: sortReason(v, q.ResourceType)}
		}
		if seen[sk.Param] {
			return &Error{Param: key, Reason: reasonSortRepeat}
		}
		seen[sk.Param] = true
		q.Sort = append(q.Sort, sk)
	}
	return nil
}

// parseClauses adds one clause per occurrence of the parameter.
func parseClauses(q *Query, v fhir.Version, key string, values []string) error {
	name, modifier, _ := strings.Cut(key, ":")
	if name == "id" {
		name = "_id"
	}
	def, ok := Lookup(v, q.ResourceType, name)
	if !ok {
		return &Error{Param: safeKey(key), Reason: reasonUnknown}
	}
	if !modifierAllowed(def, modifier) {
		return &Error{Param: safeKey(key), Reason: reasonModifier}
	}
	if len(q.Clauses)+len(values) > maxClauses {
		return &Error{Reason: reasonClauses}
	}
	for _, raw := range values {
		c := Clause{Param: name, Modifier: modifier}
		parts := splitValues(raw)
		if len(parts) > maxValues {
			return &Error{Param: key, Reason: reasonTooMany}
		}
		for _, part := range parts {
			value, reason := parseValue(def, part)
			if reason == "" {
				reason = checkCode(fixedCodes[q.ResourceType][name], value)
			}
			if reason != "" {
				return &Error{Param: key, Reason: reason}
			}
			c.Values = append(c.Values, value)
		}
		q.Clauses = append(q.Clauses, c)
	}
	return nil
}

// checkCode returns the reason a token value's code is not one of codes, or
// "" when it is, when the value has no code (system|), or when codes is nil.
func checkCode(codes []string, value string) string {
	code := ParseToken(value).Code
	if codes == nil || code == "" || slices.Contains(codes, code) {
		return ""
	}
	return codeReason(codes)
}

func modifierAllowed(def ParamDef, modifier string) bool {
	if modifier == "" {
		return true
	}
	return def.Type == TypeString && (modifier == "contains" || modifier == "exact")
}

// parseValue checks one alternative and returns it in canonical form, or
// the reason it is invalid.
func parseValue(def ParamDef, value string) (string, string) {
	if value == "" {
		return "", reasonEmpty
	}
	if len(value) > maxValueBytes {
		return "", reasonTooLong
	}
	if !utf8.ValidString(value) {
		return "", reasonUTF8
	}
	if def.Name == "_id" {
		if !idRE.MatchString(value) {
			return "", reasonID
		}
		return value, ""
	}
	switch def.Type {
	case TypeString:
		if NormalizeString(Unescape(value)) == "" {
			return "", reasonString
		}
		return value, ""
	case TypeToken:
		t := ParseToken(value)
		if t.Code == "" && t.System == "" {
			return "", reasonToken
		}
		return value, ""
	case TypeDate:
		if _, err := ParseDate(value); err != nil {
			return "", reasonDate
		}
		return value, ""
	case TypeReference:
		return parseReference(def, value)
	}
	return "", reasonUnknown
}

// parseReference returns "Type/id" for an id, a relative or an absolute
// reference, or the bare id when the parameter has no target type.
func parseReference(def ParamDef, value string) (string, string) {
	typ, id, reason := splitReference(value)
	if reason != "" {
		return "", reason
	}
	switch {
	case def.Target != "" && typ != "" && typ != def.Target:
		return "", reasonTarget
	case def.Target != "":
		return def.Target + "/" + id, ""
	case typ == "":
		return id, ""
	}
	return typ + "/" + id, ""
}

func splitReference(value string) (typ, id, reason string) {
	path := value
	if strings.Contains(value, "://") {
		u, err := url.Parse(value)
		if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return "", "", reasonReference
		}
		path = strings.TrimSuffix(u.Path, "/")
		if i := strings.Index(path, "/_history/"); i >= 0 {
			path = path[:i]
		}
		segments := strings.Split(path, "/")
		if len(segments) < 2 {
			return "", "", reasonReference
		}
		path = strings.Join(segments[len(segments)-2:], "/")
	}
	typ, id, found := strings.Cut(path, "/")
	if !found {
		typ, id = "", path
	}
	if (found && !typeRE.MatchString(typ)) || !idRE.MatchString(id) {
		return "", "", reasonReference
	}
	return typ, id, ""
}

// Encode returns the query as request parameters in canonical form: _id for
// id, _sort=-date for every sort spelling, and _count and _offset spelled out.
// Parse of the result returns the same query, which makes it suitable for
// self and next links.
func (q Query) Encode() url.Values {
	values := url.Values{}
	for _, c := range q.Clauses {
		values.Add(c.key(), strings.Join(c.Values, ","))
	}
	if len(q.Sort) > 0 {
		keys := make([]string, len(q.Sort))
		for i, s := range q.Sort {
			keys[i] = s.Param
			if s.Descending {
				keys[i] = "-" + s.Param
			}
		}
		values.Set("_sort", strings.Join(keys, ","))
	}
	values.Set("_count", strconv.Itoa(q.Count))
	if q.Offset > 0 {
		values.Set("_offset", strconv.Itoa(q.Offset))
	}
	return values
}
