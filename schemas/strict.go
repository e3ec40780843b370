package schemas

import (
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/google/fhir/go/fhirversion"
	"github.com/google/fhir/go/jsonformat"
)

// strictParser runs google/fhir's JSON parser (v0.7.4) on STU3 resources,
// as a check independent of the JSON Schemas: it rejects unknown elements,
// malformed primitives, codes outside required value sets, wrong reference
// targets and missing required elements.
//
// NOTE: google/fhir skips its required-element check when a resource has
// type errors, so this layer may report a missing element only after the
// other errors are fixed. The base schema reports both at once.
type strictParser struct {
	unmarshaller *jsonformat.Unmarshaller
}

func newStrictParser() (*strictParser, error) {
	u, err := jsonformat.NewUnmarshaller("UTC", fhirversion.STU3)
	if err != nil {
		return nil, fmt.Errorf("create STU3 parser: %w", err)
	}
	return &strictParser{unmarshaller: u}, nil
}

// issues parses resource and returns its parser errors as issues.
func (p *strictParser) issues(resourceType string, resource []byte) []Issue {
	_, err := p.unmarshaller.Unmarshal(resource)
	if err == nil {
		return nil
	}
	var issues []Issue
	for _, pe := range parserErrors(err) {
		issues = append(issues, parserIssue(resourceType, pe))
	}
	return issues
}

// parserError is the part of a google/fhir unmarshal error that is safe to
// show. google/fhir keeps input values out of Path and Details and puts them
// in a Diagnostics field, which is read here only to recover the name of an
// unknown element.
type parserError struct {
	path        string
	details     string
	diagnostics string
}

// parserErrors reads the errors that google/fhir's Unmarshal returns: an
// UnmarshalErrorList or a single *UnmarshalError, both in an internal
// package, so their exported fields are read by reflection. Any other
// error yields one parserError with no text, since its text may quote input.
func parserErrors(err error) []parserError {
	v := reflect.ValueOf(err)
	var elems []reflect.Value
	switch v.Kind() {
	case reflect.Slice:
		for i := range v.Len() {
			elems = append(elems, v.Index(i))
		}
	case reflect.Pointer:
		elems = append(elems, v)
	}

	var out []parserError
	for _, elem := range elems {
		pe, ok := readParserError(elem)
		if !ok {
			return []parserError{{}}
		}
		out = append(out, pe)
	}
	if len(out) == 0 {
		return []parserError{{}}
	}
	return out
}

func readParserError(v reflect.Value) (parserError, bool) {
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return parserError{}, false
	}
	s := v.Elem()
	path, details, diagnostics := s.FieldByName("Path"), s.FieldByName("Details"), s.FieldByName("Diagnostics")
	for _, f := range []reflect.Value{path, details, diagnostics} {
		if !f.IsValid() || f.Kind() != reflect.String {
			return parserError{}, false
		}
	}
	return parserError{path: path.String(), details: details.String(), diagnostics: diagnostics.String()}, true
}

// elementName matches a quoted JSON key that has the form of a FHIR element
// name, the only diagnostics text used.
var elementName = regexp.MustCompile(`^"(_?[A-Za-z][A-Za-z0-9]{0,63})"$`)

// parserIssue converts one parser error into an issue.
func parserIssue(resourceType string, pe parserError) Issue {
	issue := Issue{Layer: LayerGoogleFHIR, Keyword: "parse"}
	if pe.details == "" {
		issue.Message = "rejected by the strict FHIR parser; the details are withheld " +
			"because they may contain resource values"
		return issue
	}

	segments := pathSegments(resourceType, pe.path)
	details := pe.details
	switch {
	case details == "unknown resource type":
		// google/fhir appends the unknown resourceType value to the path.
		if len(segments) > 0 {
			segments = segments[:len(segments)-1]
		}
		segments = append(segments, "resourceType")
	case details == "unknown field":
		if m := elementName.FindStringSubmatch(pe.diagnostics); m != nil {
			segments = append(segments, m[1])
		}
		details = "unknown element: FHIR STU3 does not define it here; check its spelling " +
			"and the FHIR version"
	case strings.HasPrefix(details, "missing required field "):
		name, err := strconv.Unquote(strings.TrimPrefix(details, "missing required field "))
		if err == nil && elementName.MatchString(strconv.Quote(name)) {
			segments = append(segments, name)
		}
		details = "required element is missing"
	case details == "invalid JSON" && len(segments) > 0:
		// Raised for a value whose JSON type does not fit the element.
		details = "wrong JSON type for this element"
	case strings.HasPrefix(details, "invalid reference to a "):
		// The referenced type comes from the resource, so keep only the allowed ones.
		_, want, _ := strings.Cut(details, ", want ")
		details = "invalid reference target type, want " + want
	default:
		// A few details end in ": <input character>", so drop that part.
		details, _, _ = strings.Cut(details, ": ")
	}

	issue.Pointer = pointer(segments)
	issue.Message = details
	return issue
}

// pathSegments turns a google/fhir path such as
// "Patient.name[0].given[1]" into pointer tokens ["name", "0", "given", "1"].
// The leading resource type is dropped.
func pathSegments(resourceType, path string) []string {
	var segments []string
	for i, part := range strings.Split(path, ".") {
		if part == "" || (i == 0 && part == resourceType) {
			continue
		}
		name, rest, _ := strings.Cut(part, "[")
		if name != "" {
			segments = append(segments, name)
		}
		for rest != "" {
			index, after, _ := strings.Cut(rest, "]")
			if _, err := strconv.Atoi(index); err == nil {
				segments = append(segments, index)
			}
			_, rest, _ = strings.Cut(after, "[")
		}
	}
	return segments
}
