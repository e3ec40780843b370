package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// parameterValueTypes lists the value[x] elements of a Parameters parameter
// that a search accepts, each turned into the text of a URL search value.
var parameterValueTypes = map[string]func(json.RawMessage) (string, bool){
	"valueString":   jsonString,
	"valueCode":     jsonString,
	"valueUri":      jsonString,
	"valueDate":     jsonString,
	"valueDateTime": jsonString,
	"valueToken":    jsonString,
	"valueInteger":  jsonInteger,
	"valueBoolean":  jsonBoolean,
}

// msgValueTypes names the accepted value types in error diagnostics.
const msgValueTypes = "valueString, valueCode, valueUri, valueDate, valueDateTime, " +
	"valueToken, valueInteger or valueBoolean"

// ignoredParameterElements are elements of a parameter that do not change
// its meaning. Every other element except name and value[x], such as part,
// resource or modifierExtension, rejects the entry.
var ignoredParameterElements = map[string]bool{"id": true, "extension": true}

// parametersResource is the part of a Parameters resource that a search
// reads.
type parametersResource struct {
	ResourceType string            `json:"resourceType"`
	Parameter    []json.RawMessage `json:"parameter"`
}

// addParameters adds the parameters of the Parameters resource of a POST
// Type/_search batch entry to the search parameters from its URL. A
// repeated name adds a clause, as in a URL. A resource that is not a
// Parameters, or a parameter that cannot be read as a search value, rejects
// the entry, so that no parameter is dropped and the search never widens.
func addParameters(params url.Values, resource json.RawMessage) error {
	if !hasResource(resource) {
		return nil
	}
	var p parametersResource
	if err := json.Unmarshal(resource, &p); err != nil || p.ResourceType != "Parameters" {
		return newError(http.StatusBadRequest, issueInvalid,
			"the resource of a POST _search batch entry must be a Parameters resource")
	}
	for i, raw := range p.Parameter {
		name, value, err := searchParameter(i, raw)
		if err != nil {
			return err
		}
		params.Add(name, value)
	}
	return nil
}

// searchParameter returns the name and text value of Parameters.parameter[i].
// Diagnostics name the parameter by index, because its name and value are
// request text.
func searchParameter(i int, raw json.RawMessage) (name, value string, err error) {
	at := fmt.Sprintf("Parameters.parameter[%d]", i)
	invalid := func(msg string) error { return newError(http.StatusBadRequest, issueInvalid, at+" "+msg) }

	var elements map[string]json.RawMessage
	if err := json.Unmarshal(raw, &elements); err != nil || elements == nil {
		return "", "", invalid("is not a JSON object: send {\"name\": ..., \"valueString\": ...}")
	}
	found := 0
	for key, v := range elements {
		switch convert, ok := parameterValueTypes[key]; {
		case key == "name":
			if s, ok := jsonString(v); ok {
				name = s
			}
		case ok:
			found++
			text, valid := convert(v)
			if !valid {
				return "", "", invalid("has a " + key + " of the wrong JSON type")
			}
			value = text
		case ignoredParameterElements[key]:
		default:
			return "", "", newError(http.StatusBadRequest, issueNotSupported,
				at+" has an element that a search does not support: give only name and one of "+msgValueTypes)
		}
	}
	switch {
	case name == "":
		return "", "", invalid("has no name: set name to the search parameter")
	case found != 1:
		return "", "", invalid("must have exactly one value: use one of " + msgValueTypes)
	}
	return name, value, nil
}

// hasResource reports whether a batch entry carries a resource.
func hasResource(resource json.RawMessage) bool {
	trimmed := bytes.TrimSpace(resource)
	return len(trimmed) > 0 && !bytes.Equal(trimmed, []byte("null"))
}

func jsonString(v json.RawMessage) (string, bool) {
	var s string
	if bytes.Equal(bytes.TrimSpace(v), []byte("null")) || json.Unmarshal(v, &s) != nil {
		return "", false
	}
	return s, true
}

func jsonInteger(v json.RawMessage) (string, bool) {
	var n int64
	if bytes.Equal(bytes.TrimSpace(v), []byte("null")) || json.Unmarshal(v, &n) != nil {
		return "", false
	}
	return strconv.FormatInt(n, 10), true
}

func jsonBoolean(v json.RawMessage) (string, bool) {
	var b bool
	if bytes.Equal(bytes.TrimSpace(v), []byte("null")) || json.Unmarshal(v, &b) != nil {
		return "", false
	}
	return strconv.FormatBool(b), true
}
