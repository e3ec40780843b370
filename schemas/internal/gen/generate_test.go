package main

import (
	"compress/gzip"
	"encoding/json"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// officialSTU3 is the official STU3 JSON Schema that the generator's STU3
// output is checked against.
const officialSTU3 = "../../fhir/stu3/fhir.schema.json.gz"

// crossCheckResources must agree with the official schema, including every
// backbone element, with no entry in knownDifferences.
var crossCheckResources = []string{"Patient", "Observation", "Encounter", "Condition"}

// knownDifferences lists definitions where the generated STU3 schema and the
// official one disagree, with the reason the generated one is kept.
var knownDifferences = map[string]string{
	"Binary": "the official schema gives Binary the extension element; " +
		"Binary derives from Resource, not DomainResource, so it has none",
	"Bundle": "the official schema gives Bundle the extension element; " +
		"Bundle derives from Resource, not DomainResource, so it has none",
	"Parameters": "the official schema gives Parameters the extension element but no " +
		"resourceType; Parameters derives from Resource and is sent with a resourceType",
	"Element": "the official schema allows _id; an element id is a plain string " +
		"with no extensions of its own",
	"Dosage": "the official schema names the choice types by profile " +
		"(doseSimpleQuantity); FHIR JSON names them by data type (doseQuantity)",
	"MedicationAdministration_Dosage": "the official schema names the choice " +
		"type rateSimpleQuantity; FHIR JSON names it by data type (rateQuantity)",
	"DataRequirement_CodeFilter": "parts of data types are Elements, " +
		"which have no modifierExtension",
	"DataRequirement_DateFilter":   "parts of data types are Elements, which have no modifierExtension",
	"ElementDefinition_Base":       "parts of data types are Elements, which have no modifierExtension",
	"ElementDefinition_Constraint": "parts of data types are Elements, which have no modifierExtension",
	"ElementDefinition_Mapping":    "parts of data types are Elements, which have no modifierExtension",
	"ElementDefinition_Slicing":    "parts of data types are Elements, which have no modifierExtension",
	"Timing_Repeat":                "parts of data types are Elements, which have no modifierExtension",
	"ElementDefinition_Example": "parts of data types have no modifierExtension, and the " +
		"official schema allows every data type in value[x], where STU3's open-type list " +
		"has no uuid, Dosage, ContactDetail and so on",
	"ElementDefinition": "the official schema allows every data type in " +
		"defaultValue[x], fixed[x] and pattern[x], beyond STU3's open-type list",
	"Extension": "the official schema allows every data type in value[x], " +
		"beyond STU3's open-type list",
	"Parameters_Parameter": "the official schema allows every data type in value[x], " +
		"beyond STU3's open-type list",
	"Task_Output": "the official schema allows every data type in value[x], " +
		"beyond STU3's open-type list",
}

// shape is the part of a definition that the cross-check compares.
type shape struct {
	Properties []string
	Required   []string
}

func TestGenerateMatchesOfficialSTU3(t *testing.T) {
	t.Parallel()
	official := loadDefinitions(t, officialSTU3)
	doc, err := generate(releases["stu3"])
	if err != nil {
		t.Fatalf("generate stu3: %v", err)
	}
	generated := reencode(t, doc)["definitions"].(map[string]any)

	for _, name := range commonDefinitions(official, generated) {
		t.Run(name, func(t *testing.T) {
			want := officialShape(official, name)
			got := generatedShape(generated[name].(map[string]any))
			diff := cmp.Diff(want, got)
			reason, known := knownDifferences[name]
			switch {
			case diff != "" && !known:
				t.Errorf("definition %s differs from the official schema (-official +generated):\n%s",
					name, diff)
			case diff == "" && known:
				t.Errorf("definition %s now matches the official schema; remove it from "+
					"knownDifferences (%s)", name, reason)
			}
		})
	}
}

func TestGenerateCoversBackboneElements(t *testing.T) {
	t.Parallel()
	official := loadDefinitions(t, officialSTU3)
	doc, err := generate(releases["stu3"])
	if err != nil {
		t.Fatalf("generate stu3: %v", err)
	}
	generated := reencode(t, doc)["definitions"].(map[string]any)

	for _, resource := range crossCheckResources {
		t.Run(resource, func(t *testing.T) {
			want := withPrefix(official, resource)
			got := withPrefix(generated, resource)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("definitions of %s differ (-official +generated):\n%s", resource, diff)
			}
			for _, name := range got {
				if reason, ok := knownDifferences[name]; ok {
					t.Errorf("got %s in knownDifferences (%s), want it to match", name, reason)
				}
			}
		})
	}
}

func TestGenerateDSTU2(t *testing.T) {
	t.Parallel()
	doc, err := generate(releases["dstu2"])
	if err != nil {
		t.Fatalf("generate dstu2: %v", err)
	}
	defs := reencode(t, doc)["definitions"].(map[string]any)

	tests := []struct {
		name string
		path []string
		want any
	}{
		{"patient resourceType", []string{"Patient", "properties", "resourceType", "const"}, "Patient"},
		{"family is a list", []string{"HumanName", "properties", "family", "type"}, "array"},
		{"category is one concept", []string{"Observation", "properties", "category", "$ref"},
			"#/definitions/CodeableConcept"},
		{"observation requires code", []string{"Observation", "required"}, []any{"resourceType", "code"}},
		{"effective choice", []string{"Observation", "properties", "effectiveDateTime", "$ref"},
			"#/definitions/dateTime"},
		{"complex types are closed", []string{"Observation", "additionalProperties"}, false},
		{"date pattern anchored", []string{"date", "pattern"},
			"^(?:-?[0-9]{4}(-(0[1-9]|1[0-2])(-(0[0-9]|[1-2][0-9]|3[0-1]))?)?)$"},
		{"gender codes", []string{"AdministrativeGenderCode", "enum"},
			[]any{"male", "female", "other", "unknown"}},
		{"contained resources", []string{"Patient", "properties", "contained", "items", "$ref"},
			"#/definitions/ResourceList"},
		{"div has no extensions", []string{"Narrative", "properties", "_div"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := lookup(defs, tt.path)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s: got %v, want %v", strings.Join(tt.path, "."), got, tt.want)
			}
		})
	}
}

func TestGenerateDeterministic(t *testing.T) {
	t.Parallel()
	first, err := generate(releases["dstu2"])
	if err != nil {
		t.Fatalf("generate dstu2: %v", err)
	}
	second, err := generate(releases["dstu2"])
	if err != nil {
		t.Fatalf("generate dstu2: %v", err)
	}
	a, _ := json.Marshal(first)
	b, _ := json.Marshal(second)
	if string(a) != string(b) {
		t.Errorf("got two different documents from the same descriptors, want identical output")
	}
}

func loadDefinitions(t *testing.T, path string) map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open official schema: %v", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("read official schema: %v", err)
	}
	var doc map[string]any
	if err := json.NewDecoder(zr).Decode(&doc); err != nil {
		t.Fatalf("decode official schema: %v", err)
	}
	return doc["definitions"].(map[string]any)
}

// reencode turns the generator's typed maps into plain decoded JSON.
func reencode(t *testing.T, doc schema) map[string]any {
	t.Helper()
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatalf("encode schema: %v", err)
	}
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("decode schema: %v", err)
	}
	return out
}

// commonDefinitions returns the object definitions both schemas have,
// leaving out ResourceList, which is this generator's own construct.
func commonDefinitions(official, generated map[string]any) []string {
	var names []string
	for name := range official {
		def, ok := generated[name].(map[string]any)
		if !ok || name == resourceListName || def["properties"] == nil {
			continue
		}
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// officialShape collects a definition's properties and required elements,
// following the allOf and $ref chain through which the official schema
// inherits from Element, Resource and DomainResource.
func officialShape(defs map[string]any, name string) shape {
	props := map[string]bool{}
	required := map[string]bool{}
	var walk func(def map[string]any)
	walk = func(def map[string]any) {
		if r, ok := def["$ref"].(string); ok {
			walk(defs[strings.TrimPrefix(r, "#/definitions/")].(map[string]any))
			return
		}
		for _, part := range asList(def["allOf"]) {
			walk(part.(map[string]any))
		}
		for p := range asMap(def["properties"]) {
			props[p] = true
		}
		for _, r := range asList(def["required"]) {
			required[r.(string)] = true
		}
	}
	walk(defs[name].(map[string]any))
	return shape{Properties: sortedKeys(props), Required: sortedKeys(required)}
}

// generatedShape reads a generated definition. Required primitives and
// choices sit in allOf/anyOf, as the official schema leaves them out of
// "required", so only the plain "required" list is compared.
func generatedShape(def map[string]any) shape {
	props := map[string]bool{}
	for p := range asMap(def["properties"]) {
		props[p] = true
	}
	required := map[string]bool{}
	for _, r := range asList(def["required"]) {
		required[r.(string)] = true
	}
	return shape{Properties: sortedKeys(props), Required: sortedKeys(required)}
}

func withPrefix(defs map[string]any, resource string) []string {
	var names []string
	for name := range defs {
		if name == resource || strings.HasPrefix(name, resource+"_") {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

func lookup(v any, path []string) any {
	for _, key := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[key]
	}
	return v
}

func asList(v any) []any {
	list, _ := v.([]any)
	return list
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func sortedKeys(set map[string]bool) []string {
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
