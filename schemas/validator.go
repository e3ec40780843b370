package schemas

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/ehrbridge/ehrbridge/fhir"
)

// Validator checks FHIR resources against the base schema of their version,
// the client profile of their resource type and, for STU3, google/fhir's
// strict JSON parser. Schemas are compiled on first use per version and
// resource type, then cached. A Validator is safe for concurrent use.
type Validator struct {
	versions map[fhir.Version]*versionSchemas
	strict   *strictParser
}

// NewValidator returns a Validator over the embedded base schemas and
// client profiles. It reads the profiles but compiles nothing, so it
// returns quickly. Each schema is compiled by the first Validate call that
// needs it.
func NewValidator() (*Validator, error) {
	v := &Validator{versions: map[fhir.Version]*versionSchemas{}}
	for _, ver := range fhir.Versions {
		vs, err := newVersionSchemas(ver)
		if err != nil {
			return nil, fmt.Errorf("new validator: %w", err)
		}
		v.versions[ver] = vs
	}

	strict, err := newStrictParser()
	if err != nil {
		return nil, fmt.Errorf("new validator: %w", err)
	}
	v.strict = strict
	return v, nil
}

// Validate checks one resource, given as FHIR JSON, for FHIR version ver. It
// returns nil when every layer accepts the resource, or a *ValidationError
// that lists every issue found. Other errors mean that ver is not supported
// or that an embedded schema failed to load, which is a build defect.
func (v *Validator) Validate(ver fhir.Version, resource []byte) error {
	vs, ok := v.versions[ver]
	if !ok {
		return fmt.Errorf("validate: unsupported FHIR version %q: use dstu2 or stu3", ver)
	}
	if err := vs.load(); err != nil {
		return err
	}

	instance, err := jsonschema.UnmarshalJSON(bytes.NewReader(resource))
	if err != nil {
		return &ValidationError{Issues: []Issue{invalidJSONIssue(err)}}
	}
	resourceType, issue := resourceTypeOf(instance, vs)
	if issue != nil {
		return &ValidationError{ResourceType: resourceType, Issues: []Issue{*issue}}
	}

	issues, err := vs.validate(resourceType, instance)
	if err != nil {
		return err
	}
	if ver == fhir.STU3 {
		issues = append(issues, v.strict.issues(resourceType, resource)...)
	}
	if len(issues) == 0 {
		return nil
	}
	sortIssues(issues)
	return &ValidationError{ResourceType: resourceType, Issues: issues}
}

// ResourceTypes returns the resource types that the base schema of ver
// defines, sorted, or nil for an unsupported version.
func (v *Validator) ResourceTypes(ver fhir.Version) []string {
	vs, ok := v.versions[ver]
	if !ok || vs.load() != nil {
		return nil
	}
	return slices.Clone(vs.types)
}

// ProfiledTypes returns the resource types that have a client profile for
// ver, sorted.
func (v *Validator) ProfiledTypes(ver fhir.Version) []string {
	vs, ok := v.versions[ver]
	if !ok {
		return nil
	}
	var types []string
	for t := range vs.profiles {
		types = append(types, t)
	}
	slices.Sort(types)
	return types
}

// resourceTypeOf reads the resourceType of a decoded resource and checks
// that the base schema defines it. The issue is non-nil when it does not.
func resourceTypeOf(instance any, vs *versionSchemas) (string, *Issue) {
	obj, ok := instance.(map[string]any)
	if !ok {
		return "", &Issue{
			Layer:   LayerBase,
			Keyword: "type",
			Message: "a FHIR resource must be a JSON object, got " + jsonType(instance),
		}
	}
	raw, present := obj["resourceType"]
	if !present {
		return "", &Issue{
			Layer: LayerBase, Pointer: "/resourceType", Keyword: "required",
			Message: "required element is missing: every FHIR resource names its resourceType",
		}
	}
	name, _ := raw.(string)
	if !vs.typeSet[name] {
		return "", &Issue{
			Layer: LayerBase, Pointer: "/resourceType", Keyword: "enum",
			Message: "unknown resource type for FHIR " + vs.label +
				": use a resource type name of that version, such as Patient",
		}
	}
	return name, nil
}

// invalidJSONIssue describes a JSON syntax error by its byte offset only,
// because encoding/json's messages quote the offending input.
func invalidJSONIssue(err error) Issue {
	msg := "invalid JSON: the resource must be one JSON object"
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		msg = fmt.Sprintf("invalid JSON at byte offset %d", syntax.Offset)
	}
	return Issue{Layer: LayerBase, Keyword: "json", Message: msg}
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

var layerOrder = map[string]int{LayerBase: 0, LayerProfile: 1, LayerGoogleFHIR: 2}

// sortIssues orders issues by layer, then pointer, keeping the order in
// which each layer reported issues at the same pointer.
func sortIssues(issues []Issue) {
	slices.SortStableFunc(issues, func(a, b Issue) int {
		if c := cmp.Compare(layerOrder[a.Layer], layerOrder[b.Layer]); c != 0 {
			return c
		}
		return cmp.Compare(a.Pointer, b.Pointer)
	})
}

// cacheKey names one compiled schema of a version.
type cacheKey struct {
	layer        string
	resourceType string
}

// compiledSchemas is a cache of compiled schemas with a compiler that fills
// it. jsonschema's Compiler is not safe for concurrent use, so compiling
// takes the mutex. A compiled *jsonschema.Schema is read-only and is
// shared by all goroutines.
type compiledSchemas struct {
	mu       sync.Mutex
	compiler *jsonschema.Compiler
	cache    sync.Map // cacheKey -> *jsonschema.Schema
}

func (c *compiledSchemas) get(key cacheKey, url string) (*jsonschema.Schema, error) {
	if s, ok := c.cache.Load(key); ok {
		return s.(*jsonschema.Schema), nil
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.cache.Load(key); ok {
		return s.(*jsonschema.Schema), nil
	}
	s, err := c.compiler.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("compile schema %s: %w", url, err)
	}
	c.cache.Store(key, s)
	return s, nil
}
