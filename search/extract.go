package search

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ehrbridge/ehrbridge/fhir"
)

// Entry is one value of one search parameter of a resource, in the form a
// store indexes it.
type Entry struct {
	Param string
	Type  ParamType
	// Value is the matched text: NormalizeString of the text for string
	// parameters, the code or identifier value for tokens, and "Type/id"
	// for references.
	Value string
	// Exact is the text as written, for the :exact modifier of string
	// parameters. Empty for other types.
	Exact string
	// System is the token's code system or identifier namespace, empty when
	// the element has none.
	System string
	// Low and High are the half-open range [Low, High) of a date value. A
	// zero Low is an open start and a zero High an open end (a Period
	// without start or end).
	Low  time.Time
	High time.Time
}

// Extract returns the search index entries of a resource, in parameter-name
// order without duplicates. A resource type with no search parameters yields
// none. Errors name the element path, never its value.
func Extract(v fhir.Version, resourceType string, resource []byte) ([]Entry, error) {
	defs := registry[v][resourceType]
	if defs == nil {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(resource))
	dec.UseNumber()
	var root map[string]any
	if err := dec.Decode(&root); err != nil || root == nil {
		return nil, fmt.Errorf("extract search values of %s: invalid JSON object", resourceType)
	}
	if root["resourceType"] != resourceType {
		return nil, fmt.Errorf("extract search values: resourceType is not %s", resourceType)
	}

	names := make([]string, 0, len(defs))
	for name := range defs {
		names = append(names, name)
	}
	slices.Sort(names)

	var entries []Entry
	for _, name := range names {
		def := defs[name]
		for _, path := range def.Paths {
			found, err := extractPath(def, path, walk(root, strings.Split(path, ".")))
			if err != nil {
				return nil, fmt.Errorf("extract %s search value from %s.%s: %w",
					def.Name, resourceType, path, err)
			}
			entries = appendNew(entries, found...)
		}
	}
	return entries, nil
}

func appendNew(entries []Entry, found ...Entry) []Entry {
	for _, e := range found {
		if !slices.Contains(entries, e) {
			entries = append(entries, e)
		}
	}
	return entries
}

// walk returns the elements at path below node, flattening arrays at every
// step.
func walk(node any, path []string) []any {
	if list, ok := node.([]any); ok {
		var out []any
		for _, item := range list {
			out = append(out, walk(item, path)...)
		}
		return out
	}
	if node == nil {
		return nil
	}
	if len(path) == 0 {
		return []any{node}
	}
	obj, ok := node.(map[string]any)
	if !ok {
		return nil
	}
	return walk(obj[path[0]], path[1:])
}

func extractPath(def ParamDef, path string, elements []any) ([]Entry, error) {
	var out []Entry
	for _, el := range elements {
		var found []Entry
		var err error
		switch def.Type {
		case TypeString:
			found, err = stringEntries(def, el)
		case TypeToken:
			found, err = tokenEntries(def, el)
		case TypeDate:
			found, err = dateEntries(def, el)
		case TypeReference:
			found, err = referenceEntries(def, el)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, found...)
	}
	return out, nil
}

// skippedNameKeys are HumanName members that are not part of the name text.
var skippedNameKeys = map[string]bool{"use": true, "period": true, "extension": true, "id": true}

// stringEntries indexes a string, or every text part of a complex element
// such as a HumanName (family, given, prefix, suffix, text).
func stringEntries(def ParamDef, el any) ([]Entry, error) {
	switch x := el.(type) {
	case string:
		norm := NormalizeString(x)
		if norm == "" {
			return nil, nil
		}
		return []Entry{{Param: def.Name, Type: TypeString, Value: norm, Exact: x}}, nil
	case []any:
		var out []Entry
		for _, item := range x {
			found, err := stringEntries(def, item)
			if err != nil {
				return nil, err
			}
			out = append(out, found...)
		}
		return out, nil
	case map[string]any:
		var out []Entry
		for key, item := range x {
			if skippedNameKeys[key] || strings.HasPrefix(key, "_") {
				continue
			}
			found, err := stringEntries(def, item)
			if err != nil {
				return nil, err
			}
			out = append(out, found...)
		}
		slices.SortFunc(out, func(a, b Entry) int { return strings.Compare(a.Exact, b.Exact) })
		return out, nil
	}
	return nil, fmt.Errorf("expected a string or an object of strings")
}

// tokenEntries indexes a code, a Coding, each coding of a CodeableConcept,
// or an Identifier.
func tokenEntries(def ParamDef, el any) ([]Entry, error) {
	if code, ok := el.(string); ok {
		return []Entry{{Param: def.Name, Type: TypeToken, Value: code, System: def.CodeSystem}}, nil
	}
	obj, ok := el.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("expected a code, Coding, CodeableConcept or Identifier")
	}
	if codings, ok := obj["coding"]; ok {
		var out []Entry
		for _, c := range walk(codings, nil) {
			found, err := tokenEntries(def, c)
			if err != nil {
				return nil, err
			}
			out = append(out, found...)
		}
		return out, nil
	}
	system, _ := obj["system"].(string)
	code, ok := obj["code"].(string)
	if !ok {
		code, _ = obj["value"].(string) // Identifier
	}
	if code == "" {
		return nil, nil
	}
	return []Entry{{Param: def.Name, Type: TypeToken, Value: code, System: system}}, nil
}

// dateEntries indexes a date, dateTime or instant, or a Period.
func dateEntries(def ParamDef, el any) ([]Entry, error) {
	var low, high time.Time
	var err error
	switch x := el.(type) {
	case string:
		low, high, err = parseDateRange(x)
	case map[string]any:
		low, high, err = periodRange(x)
	default:
		err = errDate
	}
	if err != nil {
		return nil, fmt.Errorf("expected a FHIR date, dateTime, instant or Period")
	}
	return []Entry{{Param: def.Name, Type: TypeDate, Low: low, High: high}}, nil
}

func periodRange(period map[string]any) (low, high time.Time, err error) {
	if start, ok := period["start"]; ok {
		s, isString := start.(string)
		if !isString {
			return low, high, errDate
		}
		if low, _, err = parseDateRange(s); err != nil {
			return low, high, err
		}
	}
	if end, ok := period["end"]; ok {
		s, isString := end.(string)
		if !isString {
			return low, high, errDate
		}
		if _, high, err = parseDateRange(s); err != nil {
			return low, high, err
		}
	}
	return low, high, nil
}

// referenceEntries indexes a Reference as "Type/id". References to
// contained resources, urn: references and references to other types than
// the parameter's target cannot match a search value and are skipped.
func referenceEntries(def ParamDef, el any) ([]Entry, error) {
	obj, ok := el.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("expected a Reference")
	}
	ref, _ := obj["reference"].(string)
	typ, id, reason := splitReference(ref)
	if reason != "" || typ == "" || (def.Target != "" && typ != def.Target) {
		return nil, nil
	}
	return []Entry{{Param: def.Name, Type: TypeReference, Value: typ + "/" + id}}, nil
}
