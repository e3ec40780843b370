package schemas

import (
	"strconv"
	"strings"
)

// The layers of validation that an Issue can come from.
const (
	LayerBase       = "base"        // the FHIR JSON Schema of the resource's version
	LayerProfile    = "profile"     // the client profile of the resource type
	LayerGoogleFHIR = "google-fhir" // google/fhir's strict JSON parser (STU3 only)
)

// ValidationError lists every reason a resource failed validation. Its
// messages name element locations and broken rules, never values from the
// resource, so it is safe to log and to return to clients.
type ValidationError struct {
	// ResourceType is the resource's resourceType, or empty when the input
	// has none or is not a JSON object.
	ResourceType string
	// Issues holds one entry per problem, ordered by layer, then pointer.
	Issues []Issue
}

// Issue is one validation problem.
type Issue struct {
	// Layer is LayerBase, LayerProfile or LayerGoogleFHIR.
	Layer string
	// Pointer is a JSON pointer (RFC 6901) to the element in the resource,
	// "" for the resource itself. For a missing element it points to where
	// that element belongs.
	Pointer string
	// Keyword is the JSON Schema keyword that failed ("required", "type",
	// "pattern", ...), or a short kind for parser issues ("parse").
	Keyword string
	// Message states what is wrong and how to fix it, without instance values.
	Message string
	// Schema is the location of the schema object whose keyword failed,
	// such as "fhir/dstu2/fhir.schema.json#/definitions/HumanName/properties/family",
	// or "" for parser issues.
	Schema string
}

// Error returns one line per issue, as "pointer: message (layer)", under a
// first line naming the resource type and the number of issues.
func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("invalid FHIR resource")
	if e.ResourceType != "" {
		b.WriteString(" ")
		b.WriteString(e.ResourceType)
	}
	b.WriteString(": ")
	b.WriteString(plural(len(e.Issues), "issue"))
	for _, is := range e.Issues {
		b.WriteString("\n")
		b.WriteString(is.String())
	}
	return b.String()
}

// String formats the issue as "pointer: message (layer)", with "/" standing
// for the resource itself.
func (is Issue) String() string {
	pointer := is.Pointer
	if pointer == "" {
		pointer = "/"
	}
	return pointer + ": " + is.Message + " (" + is.Layer + ")"
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
