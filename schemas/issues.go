package schemas

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// maxListedCodes bounds the codes an enum message lists.
const maxListedCodes = 8

// schemaIssues turns a jsonschema validation error into issues. Messages
// are built from the error kind's schema-side fields (expected type,
// allowed codes, pattern) and never from its Got fields or its Error text,
// which quote the instance value.
//
// location is the JSON pointer tokens of the validated value within the
// resource, nil for the resource itself.
func schemaIssues(layer string, vs *versionSchemas, location []string, err error) []Issue {
	if err == nil {
		return nil
	}
	var verr *jsonschema.ValidationError
	if !errors.As(err, &verr) {
		// Only instance errors are expected here; anything else is reported
		// without its text, which could carry a value.
		return []Issue{{Layer: layer, Keyword: "validate", Message: "validation failed"}}
	}
	w := issueWalker{layer: layer, vs: vs, location: location}
	w.walk(verr)
	return w.issues
}

type issueWalker struct {
	layer    string
	vs       *versionSchemas
	location []string
	issues   []Issue
}

func (w *issueWalker) walk(e *jsonschema.ValidationError) {
	switch k := e.ErrorKind.(type) {
	case *kind.AnyOf, *kind.OneOf:
		w.alternatives(e)
		return
	case *kind.Contains:
		// The causes explain why each entry failed, but one issue on the
		// array reads better than one per entry.
		w.add(e, w.pointer(e), "contains", "no entry has the required content", e.SchemaURL)
		return
	case *kind.Required:
		for _, name := range k.Missing {
			at := e.SchemaURL + "/properties/" + escapeToken(name)
			if w.description(at) == "" {
				at = e.SchemaURL
			}
			w.add(e, w.pointerTo(e, name), "required", "required element is missing", at)
		}
		return
	case *kind.AdditionalProperties:
		for _, name := range k.Properties {
			w.add(e, w.pointerTo(e, name), "additionalProperties",
				"unknown element: FHIR "+w.vs.label+" does not define it here; "+
					"check its spelling and the FHIR version", "")
		}
		return
	}

	if len(e.Causes) > 0 {
		for _, cause := range e.Causes {
			w.walk(cause)
		}
		return
	}
	keyword, message := describeKind(e)
	w.add(e, w.pointer(e), keyword, message, e.SchemaURL)
}

// alternatives reports a failed anyOf or oneOf as one issue. When every
// alternative only misses an element, the message names those elements
// ("give one of effectiveDateTime, effectivePeriod").
func (w *issueWalker) alternatives(e *jsonschema.ValidationError) {
	keyword := "anyOf"
	if _, ok := e.ErrorKind.(*kind.OneOf); ok {
		keyword = "oneOf"
	}

	var missing []string
	for _, cause := range e.Causes {
		names, ok := onlyMissing(cause)
		if !ok {
			missing = nil
			break
		}
		missing = append(missing, names...)
	}
	ptr := w.pointer(e)
	message := "matches none of the allowed alternatives"
	if len(missing) > 0 {
		// Point at the first alternative, where the element belongs.
		ptr = w.pointerTo(e, missing[0])
		keyword = "required"
		message = "required element is missing: give one of " + strings.Join(missing, ", ")
	} else if oneOf, ok := e.ErrorKind.(*kind.OneOf); ok && len(oneOf.Subschemas) > 1 {
		message = "matches more than one of the allowed alternatives, want exactly one"
	}
	w.add(e, ptr, keyword, message, e.SchemaURL)
}

// onlyMissing returns the element names of e when e, through any wrapping,
// is only a required-element failure.
func onlyMissing(e *jsonschema.ValidationError) ([]string, bool) {
	if k, ok := e.ErrorKind.(*kind.Required); ok {
		return k.Missing, true
	}
	if len(e.Causes) != 1 {
		return nil, false
	}
	return onlyMissing(e.Causes[0])
}

// add appends an issue. descriptionAt is the schema location whose
// "description" explains the rule, which profiles use to say what the
// client needs; "" means none.
func (w *issueWalker) add(e *jsonschema.ValidationError, ptr, keyword, message, descriptionAt string) {
	if w.layer == LayerProfile {
		if d := w.description(descriptionAt); d != "" {
			message += "; " + d
		}
	}
	w.issues = append(w.issues, Issue{
		Layer:   w.layer,
		Pointer: ptr,
		Keyword: keyword,
		Message: message,
		Schema:  strings.TrimPrefix(e.SchemaURL, schemaBaseURL),
	})
}

// description returns the "description" of the profile schema at url.
func (w *issueWalker) description(url string) string {
	base, fragment, _ := strings.Cut(url, "#")
	for resourceType, doc := range w.vs.profiles {
		if w.vs.profileURL(resourceType) == base {
			d, _ := lookupPointer(doc, fragment).(map[string]any)
			text, _ := d["description"].(string)
			return text
		}
	}
	return ""
}

// describeKind returns the keyword and message of a leaf error.
func describeKind(e *jsonschema.ValidationError) (string, string) {
	switch k := e.ErrorKind.(type) {
	case *kind.Type:
		return "type", fmt.Sprintf("wrong JSON type: got %s, want %s", k.Got, strings.Join(k.Want, " or "))
	case *kind.Enum:
		return "enum", "invalid code: want " + listValues(k.Want)
	case *kind.Const:
		return "const", "invalid value: want " + display(k.Want)
	case *kind.Pattern:
		return "pattern", patternMessage(e.SchemaURL, k.Want)
	case *kind.Format:
		return "format", "invalid format: not a valid " + k.Want
	case *kind.MinItems:
		return "minItems", fmt.Sprintf("too few entries: want at least %d", k.Want)
	case *kind.MaxItems:
		return "maxItems", fmt.Sprintf("too many entries: want at most %d", k.Want)
	case *kind.MinLength:
		return "minLength", fmt.Sprintf("too short: want at least %d characters", k.Want)
	case *kind.MaxLength:
		return "maxLength", fmt.Sprintf("too long: want at most %d characters", k.Want)
	case *kind.Minimum:
		return "minimum", "number too small: want at least " + k.Want.RatString()
	case *kind.Maximum:
		return "maximum", "number too large: want at most " + k.Want.RatString()
	case *kind.ExclusiveMinimum:
		return "exclusiveMinimum", "number too small: want more than " + k.Want.RatString()
	case *kind.ExclusiveMaximum:
		return "exclusiveMaximum", "number too large: want less than " + k.Want.RatString()
	case *kind.FalseSchema:
		if strings.Contains(e.SchemaURL, "/dependencies/") {
			return "dependencies", "only one type of a choice element may be given: remove the others"
		}
		return "false", "element not allowed here"
	case *kind.Not:
		return "not", "matches a form that is not allowed here"
	case *kind.UniqueItems:
		return "uniqueItems", "entries must be unique"
	}
	keyword := "schema"
	if path := e.ErrorKind.KeywordPath(); len(path) > 0 {
		keyword = path[0]
	}
	return keyword, "failed the " + keyword + " rule"
}

// patternMessage names what a pattern checks where the schema location
// shows it: a reference's target types or a FHIR primitive type.
func patternMessage(schemaURL, pattern string) string {
	_, fragment, _ := strings.Cut(schemaURL, "#")
	name, _, _ := strings.Cut(strings.TrimPrefix(fragment, "/definitions/"), "/")
	if targets, ok := strings.CutPrefix(name, "Reference_"); ok {
		return "invalid reference: the target must be a " +
			strings.ReplaceAll(targets, "_", " or ") + " (type/id), a URN or #id of a contained resource"
	}
	if fragment == "/definitions/"+name {
		return "invalid format for the FHIR type " + name + ": does not match the pattern " + pattern
	}
	return "invalid format: does not match the pattern " + pattern
}

// listValues formats allowed schema values, with long lists cut short.
func listValues(values []any) string {
	var parts []string
	for i, v := range values {
		if i == maxListedCodes {
			parts = append(parts, fmt.Sprintf("... (%d codes)", len(values)))
			break
		}
		parts = append(parts, display(v))
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "one of " + strings.Join(parts, ", ")
}

// display formats a schema value (never an instance value) for a message.
func display(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	data, err := json.Marshal(v)
	if err != nil {
		return "the schema's value"
	}
	return string(data)
}

// pointer returns the JSON pointer of the value e is about.
func (w *issueWalker) pointer(e *jsonschema.ValidationError) string {
	return pointer(concat(w.location, e.InstanceLocation))
}

// pointerTo returns the JSON pointer of the member name of the object that
// e is about.
func (w *issueWalker) pointerTo(e *jsonschema.ValidationError, name string) string {
	return w.pointer(e) + "/" + escapeToken(name)
}

// pointer encodes an instance location as a JSON pointer.
func pointer(location []string) string {
	var b strings.Builder
	for _, token := range location {
		b.WriteByte('/')
		b.WriteString(escapeToken(token))
	}
	return b.String()
}

func escapeToken(token string) string {
	return strings.ReplaceAll(strings.ReplaceAll(token, "~", "~0"), "/", "~1")
}
