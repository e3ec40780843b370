package schemas

import (
	"bytes"
	"compress/gzip"
	"embed"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/ehrbridge/ehrbridge/fhir"
)

// files holds the base schemas and the client profiles. A profile is the
// file profiles/<version>/<ResourceType>.schema.json: adding one file adds
// a profile, with no code change.
//
//go:embed fhir/dstu2/fhir.schema.json.gz fhir/stu3/fhir.schema.json.gz profiles
var files embed.FS

// schemaBaseURL prefixes the URL under which each embedded schema is
// registered with the compiler. Nothing is fetched from it.
const schemaBaseURL = "https://github.com/ehrbridge/ehrbridge/schemas/"

const profileSuffix = ".schema.json"

// versionSchemas holds the schemas of one FHIR version.
type versionSchemas struct {
	version fhir.Version
	label   string // "DSTU2" or "STU3", for messages
	baseURL string
	draft   *jsonschema.Draft
	// profiles maps a resource type to its profile's parsed JSON.
	profiles map[string]any

	loadOnce sync.Once
	loadErr  error
	types    []string
	typeSet  map[string]bool
	compiled compiledSchemas
}

// newVersionSchemas reads the profiles of ver. The base schema, which is
// large, is read on first use.
func newVersionSchemas(ver fhir.Version) (*versionSchemas, error) {
	vs := &versionSchemas{
		version:  ver,
		label:    strings.ToUpper(string(ver)),
		baseURL:  schemaBaseURL + "fhir/" + string(ver) + "/fhir.schema.json",
		profiles: map[string]any{},
	}
	// The official STU3 schema is draft-04 but names its meta-schema under a
	// non-standard "schema" key, so the compiler cannot detect the draft.
	// The generated DSTU2 schema and the profiles declare draft-07 with
	// "$schema", which overrides this default.
	vs.draft = jsonschema.Draft7
	if ver == fhir.STU3 {
		vs.draft = jsonschema.Draft4
	}

	dir := "profiles/" + string(ver)
	entries, err := fs.ReadDir(files, dir)
	if err != nil {
		return nil, fmt.Errorf("read profiles of %s: %w", ver, err)
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, profileSuffix) {
			continue
		}
		doc, err := readJSON(path.Join(dir, name), false)
		if err != nil {
			return nil, err
		}
		vs.profiles[strings.TrimSuffix(name, profileSuffix)] = doc
	}
	return vs, nil
}

// load reads the base schema and registers it and the profiles with a new
// compiler, once.
func (vs *versionSchemas) load() error {
	vs.loadOnce.Do(func() {
		vs.loadErr = vs.doLoad()
	})
	return vs.loadErr
}

func (vs *versionSchemas) doLoad() error {
	file := "fhir/" + string(vs.version) + "/fhir.schema.json.gz"
	doc, err := readJSON(file, true)
	if err != nil {
		return err
	}
	types, err := resourceTypesOf(doc)
	if err != nil {
		return fmt.Errorf("read %s: %w", file, err)
	}
	shallowResourceList(doc, types)

	c := jsonschema.NewCompiler()
	c.DefaultDraft(vs.draft)
	if err := c.AddResource(vs.baseURL, doc); err != nil {
		return fmt.Errorf("add schema %s: %w", file, err)
	}
	for resourceType, profile := range vs.profiles {
		if !slices.Contains(types, resourceType) {
			return fmt.Errorf("profile %s of %s: unknown resource type", resourceType, vs.version)
		}
		if err := c.AddResource(vs.profileURL(resourceType), profile); err != nil {
			return fmt.Errorf("add profile %s of %s: %w", resourceType, vs.version, err)
		}
	}

	vs.types = types
	vs.typeSet = map[string]bool{}
	for _, t := range types {
		vs.typeSet[t] = true
	}
	vs.compiled.compiler = c
	return nil
}

func (vs *versionSchemas) profileURL(resourceType string) string {
	return schemaBaseURL + "profiles/" + string(vs.version) + "/" + resourceType + profileSuffix
}

// shallowResourceList replaces the ResourceList definition, which checks a
// contained resource or bundle entry against its resource type, with a
// check of its resourceType alone. Every resource can contain every other,
// so with the full definition the first resource compiled would compile
// all of them, and jsonschema v6.0.3 takes time quadratic in the number of
// subschemas compiled at once (seconds here). The Validator checks nested
// resources itself, against their own definitions (see nestedResources).
func shallowResourceList(doc any, types []string) {
	defs, _ := lookupPointer(doc, "/definitions").(map[string]any)
	defs["ResourceList"] = map[string]any{
		"type":     "object",
		"required": []any{"resourceType"},
		"properties": map[string]any{
			"resourceType": map[string]any{"type": "string", "enum": toAny(types)},
		},
	}
}

// validate runs the base schema on the resource and on every resource
// nested in it, then the profile, when there is one, on the resource.
func (vs *versionSchemas) validate(resourceType string, instance any) ([]Issue, error) {
	issues, err := vs.validateBase(nil, resourceType, instance)
	if err != nil {
		return nil, err
	}

	if _, ok := vs.profiles[resourceType]; !ok {
		return issues, nil
	}
	profile, err := vs.compiled.get(cacheKey{LayerProfile, resourceType}, vs.profileURL(resourceType))
	if err != nil {
		return nil, err
	}
	return append(issues, schemaIssues(LayerProfile, vs, nil, profile.Validate(instance))...), nil
}

// validateBase checks one resource at location against the base definition
// of its type, then each resource nested in it.
func (vs *versionSchemas) validateBase(location []string, resourceType string, instance any) ([]Issue, error) {
	base, err := vs.compiled.get(cacheKey{LayerBase, resourceType},
		vs.baseURL+"#/definitions/"+resourceType)
	if err != nil {
		return nil, err
	}
	issues := schemaIssues(LayerBase, vs, location, base.Validate(instance))

	for _, n := range nestedResources(instance) {
		if !vs.typeSet[n.resourceType] {
			continue // the shallow ResourceList reports the unknown type
		}
		nestedIssues, err := vs.validateBase(concat(location, n.location), n.resourceType, n.value)
		if err != nil {
			return nil, err
		}
		issues = append(issues, nestedIssues...)
	}
	return issues, nil
}

// resourceTypesOf lists the concrete resource types of a base schema from its
// ResourceList definition: a oneOf of references in the official STU3
// schema, an enum of resourceType values in the generated DSTU2 schema.
func resourceTypesOf(doc any) ([]string, error) {
	list, _ := lookupPointer(doc, "/definitions/ResourceList").(map[string]any)
	if list == nil {
		return nil, fmt.Errorf("missing definition ResourceList")
	}

	var types []string
	for _, branch := range asSlice(list["oneOf"]) {
		ref, _ := lookupPointer(branch, "/$ref").(string)
		name := strings.TrimPrefix(ref, "#/definitions/")
		// The official STU3 list also names the abstract base types, which
		// no resource instance can have as its resourceType.
		if name != "Resource" && name != "DomainResource" {
			types = append(types, name)
		}
	}
	for _, name := range asSlice(lookupPointer(list, "/properties/resourceType/enum")) {
		types = append(types, name.(string))
	}
	if len(types) == 0 {
		return nil, fmt.Errorf("definition ResourceList lists no resource types")
	}
	slices.Sort(types)
	return slices.Compact(types), nil
}

// readJSON decodes an embedded JSON file, gunzipping it first if asked.
func readJSON(name string, gzipped bool) (any, error) {
	data, err := files.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	var r io.Reader = bytes.NewReader(data)
	if gzipped {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		defer zr.Close()
		r = zr
	}
	doc, err := jsonschema.UnmarshalJSON(r)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", name, err)
	}
	return doc, nil
}

// lookupPointer resolves a JSON pointer in a decoded document, returning
// nil when a step is missing.
func lookupPointer(doc any, pointer string) any {
	if pointer == "" {
		return doc
	}
	for _, token := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		token = strings.ReplaceAll(strings.ReplaceAll(token, "~1", "/"), "~0", "~")
		switch node := doc.(type) {
		case map[string]any:
			doc = node[token]
		case []any:
			i, err := strconv.Atoi(token)
			if err != nil || i < 0 || i >= len(node) {
				return nil
			}
			doc = node[i]
		default:
			return nil
		}
	}
	return doc
}

func toAny(items []string) []any {
	out := make([]any, len(items))
	for i, s := range items {
		out[i] = s
	}
	return out
}

func concat(a, b []string) []string {
	return append(slices.Clip(a), b...)
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}
