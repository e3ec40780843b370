package search

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ehrbridge/ehrbridge/fhir"
)

// ParamType is the FHIR search parameter type, which decides how values are
// parsed, indexed and matched.
type ParamType string

// The search parameter types ehrbridge supports.
const (
	TypeString    ParamType = "string"
	TypeToken     ParamType = "token"
	TypeDate      ParamType = "date"
	TypeReference ParamType = "reference"
)

// ParamDef describes one search parameter of one resource type in one FHIR
// version.
type ParamDef struct {
	Name          string
	Type          ParamType
	Documentation string
	// Paths lists the indexed elements as dot-separated element names.
	// Arrays are flattened at every step, so "name.family" covers both the
	// DSTU2 array of strings and the STU3 single string. Empty for _id,
	// which stores match against the resource id itself.
	Paths []string
	// Target is the resource type a reference parameter points to, such as
	// "Patient" for patient. Only references to it are indexed, and a bare id
	// in a search value means Target/id. Empty when any type is allowed.
	Target string
	// Sortable reports whether _sort accepts the parameter.
	Sortable bool
	// CodeSystem is the system of a token element that is a bare code, such
	// as administrative-gender for Patient.gender, so system|code searches
	// match it.
	CodeSystem string
}

// definition is one row of the parameter table. A version missing from paths
// does not have the parameter (or the resource type).
type definition struct {
	resource string
	name     string
	typ      ParamType
	doc      string
	paths    map[fhir.Version][]string
	target   string
	sortable bool
	system   string // code system of a bare code element
}

// both returns the same paths for DSTU2 and STU3.
func both(paths ...string) map[fhir.Version][]string {
	return map[fhir.Version][]string{fhir.DSTU2: paths, fhir.STU3: paths}
}

// perVersion returns different paths for DSTU2 and STU3.
func perVersion(dstu2, stu3 []string) map[fhir.Version][]string {
	m := map[fhir.Version][]string{}
	if dstu2 != nil {
		m[fhir.DSTU2] = dstu2
	}
	if stu3 != nil {
		m[fhir.STU3] = stu3
	}
	return m
}

// only returns paths for a single version.
func only(v fhir.Version, paths ...string) map[fhir.Version][]string {
	return map[fhir.Version][]string{v: paths}
}

const (
	docPatientRef = "The patient the resource is about: an id, Patient/id or an absolute URL " +
		"ending in Patient/id."
	docDate = "A date or dateTime, optionally prefixed by eq, ne, lt, gt, le, ge, sa, eb or ap. " +
		"A partial date such as 1980 or 1980-04 covers its whole year or month."
)

// definitions is the table of every served search parameter. Every resource
// type also gets _id (added by buildRegistry).
var definitions = []definition{
	{resource: "Patient", name: "family", typ: TypeString, paths: both("name.family"),
		doc: "Family name contains the value, ignoring case and accents."},
	{resource: "Patient", name: "given", typ: TypeString, paths: both("name.given"),
		doc: "A given name contains the value, ignoring case and accents."},
	{resource: "Patient", name: "name", typ: TypeString, paths: both("name"),
		doc: "Any part of a name (family, given, prefix, suffix, text) contains the value, " +
			"ignoring case and accents."},
	{resource: "Patient", name: "birthdate", typ: TypeDate, paths: both("birthDate"),
		doc: "Date of birth. " + docDate},
	{resource: "Patient", name: "gender", typ: TypeToken, paths: both("gender"),
		system: "http://hl7.org/fhir/administrative-gender",
		doc:    "Administrative gender code: male, female, other or unknown."},
	{resource: "Patient", name: "identifier", typ: TypeToken, paths: both("identifier"),
		doc: "An identifier such as the MRN, as value, system|value or |value."},

	{resource: "Observation", name: "patient", typ: TypeReference, target: "Patient",
		paths: both("subject"), doc: docPatientRef},
	{resource: "Observation", name: "subject", typ: TypeReference, paths: both("subject"),
		doc: "The subject of the observation, as Type/id or an absolute URL."},
	{resource: "Observation", name: "category", typ: TypeToken, paths: both("category"),
		doc: "Category code, as code or system|code, e.g. vital-signs."},
	{resource: "Observation", name: "code", typ: TypeToken, paths: both("code"),
		doc: "Observation code, as code or system|code, e.g. http://loinc.org|8867-4."},
	{resource: "Observation", name: "date", typ: TypeDate, sortable: true,
		paths: both("effectiveDateTime", "effectivePeriod"),
		doc:   "Clinically relevant time (effective[x]). " + docDate},

	{resource: "Encounter", name: "patient", typ: TypeReference, target: "Patient",
		paths: perVersion([]string{"patient"}, []string{"subject"}), doc: docPatientRef},
	{resource: "Encounter", name: "date", typ: TypeDate, sortable: true, paths: both("period"),
		doc: "The encounter period. " + docDate},

	{resource: "Condition", name: "patient", typ: TypeReference, target: "Patient",
		paths: perVersion([]string{"patient"}, []string{"subject"}), doc: docPatientRef},

	{resource: "AllergyIntolerance", name: "patient", typ: TypeReference, target: "Patient",
		paths: both("patient"), doc: docPatientRef},

	{resource: "MedicationOrder", name: "patient", typ: TypeReference, target: "Patient",
		paths: only(fhir.DSTU2, "patient"), doc: docPatientRef},
	{resource: "MedicationRequest", name: "patient", typ: TypeReference, target: "Patient",
		paths: only(fhir.STU3, "subject"), doc: docPatientRef},

	// Neither base specification defines Coverage.patient, so ehrbridge
	// defines it over the references that name the covered patient.
	{resource: "Coverage", name: "patient", typ: TypeReference, target: "Patient",
		paths: perVersion([]string{"subscriber", "beneficiary"}, []string{"beneficiary", "subscriber"}),
		doc:   "The covered patient (beneficiary or subscriber): " + docPatientRef},

	{resource: "Location", name: "_id", typ: TypeToken, paths: both(),
		doc: "The logical id of the resource."},
}

// registry maps version, resource type and parameter name to its definition.
var registry = buildRegistry(definitions)

func buildRegistry(defs []definition) map[fhir.Version]map[string]map[string]ParamDef {
	reg := map[fhir.Version]map[string]map[string]ParamDef{}
	for _, d := range defs {
		for v, paths := range d.paths {
			if reg[v] == nil {
				reg[v] = map[string]map[string]ParamDef{}
			}
			types := reg[v]
			if types[d.resource] == nil {
				types[d.resource] = map[string]ParamDef{"_id": {
					Name: "_id", Type: TypeToken, Documentation: "The logical id of the resource.",
				}}
			}
			if _, dup := types[d.resource][d.name]; dup && d.name != "_id" {
				panic(fmt.Sprintf("search: duplicate parameter %s %s.%s", v, d.resource, d.name))
			}
			if d.name == "_id" {
				continue
			}
			types[d.resource][d.name] = ParamDef{
				Name: d.name, Type: d.typ, Documentation: d.doc,
				Paths: paths, Target: d.target, Sortable: d.sortable, CodeSystem: d.system,
			}
		}
	}
	return reg
}

// Lookup returns the definition of one search parameter, and false when the
// version and resource type do not have it.
func Lookup(v fhir.Version, resourceType, name string) (ParamDef, bool) {
	d, ok := registry[v][resourceType][name]
	return d, ok
}

// Params lists the search parameters of a resource type in a FHIR version,
// sorted by name, for the capability statement. It returns nil for a type
// that is not searchable.
func Params(v fhir.Version, resourceType string) []ParamDef {
	defs := registry[v][resourceType]
	if defs == nil {
		return nil
	}
	out := make([]ParamDef, 0, len(defs))
	for _, d := range defs {
		d.Paths = slices.Clone(d.Paths)
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b ParamDef) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// ResourceTypes lists the searchable resource types of a FHIR version, sorted.
func ResourceTypes(v fhir.Version) []string {
	types := make([]string, 0, len(registry[v]))
	for t := range registry[v] {
		types = append(types, t)
	}
	slices.Sort(types)
	return types
}
