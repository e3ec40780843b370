package main

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	apb "github.com/google/fhir/go/proto/google/fhir/proto/annotations_go_proto"
	d2datatypes "github.com/google/fhir/go/proto/google/fhir/proto/dstu2/datatypes_go_proto"
	d2resources "github.com/google/fhir/go/proto/google/fhir/proto/dstu2/resources_go_proto"
	s3datatypes "github.com/google/fhir/go/proto/google/fhir/proto/stu3/datatypes_go_proto"
	s3resources "github.com/google/fhir/go/proto/google/fhir/proto/stu3/resources_go_proto"
)

// release names the descriptors that describe one FHIR release.
type release struct {
	name      string
	fhir      string // FHIR version number, for the schema's description
	contained protoreflect.MessageDescriptor
	datatypes protoreflect.FileDescriptor
}

// releases lists the FHIR releases the generator can read, by flag value.
var releases = map[string]release{
	"dstu2": {
		name:      "dstu2",
		fhir:      "1.0.2",
		contained: (&d2resources.ContainedResource{}).ProtoReflect().Descriptor(),
		datatypes: d2datatypes.File_proto_google_fhir_proto_dstu2_datatypes_proto,
	},
	"stu3": {
		name:      "stu3",
		fhir:      "3.0.1",
		contained: (&s3resources.ContainedResource{}).ProtoReflect().Descriptor(),
		datatypes: s3datatypes.File_proto_google_fhir_proto_stu3_datatypes_proto,
	},
}

// resourceListName is the definition that accepts any resource, chosen by
// its resourceType. Contained resources and bundle entries use it.
const resourceListName = "ResourceList"

// maxExclusiveChoice is the largest choice element whose types are made
// mutually exclusive in the schema. The rule costs a subschema per pair of
// types, and the open-type value[x] of Extension and ElementDefinition has
// about 40 types. With those pairs the DSTU2 schema has about twice as many
// subschemas, and jsonschema v6.0.3 compiles in time that grows with the
// square of the subschemas compiled at once.
//
// NOTE: A value[x] with more types than this may carry two of them and
// still pass the DSTU2 base schema.
const maxExclusiveChoice = 12

// elementListName is the definition of the "_name" companion of a
// repeating primitive element.
const elementListName = "ElementList"

// elementName is the definition of the "_name" companion of a primitive
// element, which holds its id and extensions.
const elementName = "Element"

type schema = map[string]any

// generator turns the FHIR protocol-buffer descriptors of one release into
// JSON Schema definitions. Definitions are produced on demand from a queue,
// so only types reachable from a resource or data type are written.
type generator struct {
	rel     release
	pkg     protoreflect.FullName
	defs    map[string]schema
	queued  map[protoreflect.FullName]bool
	pending []protoreflect.MessageDescriptor
}

// generate builds the whole draft-07 schema document for rel.
func generate(rel release) (schema, error) {
	g := &generator{
		rel:    rel,
		pkg:    rel.datatypes.Package(),
		defs:   map[string]schema{},
		queued: map[protoreflect.FullName]bool{},
	}

	resources := g.resourceTypes()
	g.defs[resourceListName] = resourceList(resources)
	g.defs[elementName] = g.element()
	// A null entry keeps "_given" aligned with "given" where only some
	// repetitions have extensions.
	g.defs[elementListName] = arrayOf(schema{"anyOf": []any{ref(elementName), schema{"type": "null"}}})

	messages := rel.datatypes.Messages()
	for i := range messages.Len() {
		md := messages.Get(i)
		if structureKind(md) != apb.StructureDefinitionKindValue_KIND_UNKNOWN {
			g.enqueue(md)
		}
	}
	fields := rel.contained.Fields()
	for i := range fields.Len() {
		g.enqueue(fields.Get(i).Message())
	}

	for len(g.pending) > 0 {
		md := g.pending[0]
		g.pending = g.pending[1:]
		def, err := g.definition(md)
		if err != nil {
			return nil, fmt.Errorf("generate %s: %w", md.FullName(), err)
		}
		g.defs[g.defName(md)] = def
	}

	defs := schema{}
	for name, def := range g.defs {
		defs[name] = def
	}
	return schema{
		"$schema": "http://json-schema.org/draft-07/schema#",
		"$id":     "https://github.com/ehrbridge/ehrbridge/schemas/fhir/" + rel.name + "/fhir.schema.json",
		"description": "FHIR " + rel.fhir + " resources and data types, generated from the " +
			"protocol-buffer descriptors of github.com/google/fhir/go v0.7.4. " +
			"Validate a resource against #/definitions/<resourceType>.",
		"definitions": defs,
	}, nil
}

// resourceTypes returns the names of every resource in the release, sorted.
func (g *generator) resourceTypes() []string {
	var names []string
	fields := g.rel.contained.Fields()
	for i := range fields.Len() {
		names = append(names, string(fields.Get(i).Message().Name()))
	}
	sort.Strings(names)
	return names
}

// resourceList accepts an object whose resourceType names a known resource
// and checks it against that resource's definition. An if/then per type
// keeps error locations precise, where a oneOf would report every branch.
func resourceList(resources []string) schema {
	var branches []any
	for _, name := range resources {
		branches = append(branches, schema{
			"if": schema{
				"required":   []string{"resourceType"},
				"properties": schema{"resourceType": schema{"const": name}},
			},
			"then": ref(name),
		})
	}
	return schema{
		"type":     "object",
		"required": []string{"resourceType"},
		"properties": schema{
			"resourceType": schema{"type": "string", "enum": resources},
		},
		"allOf": branches,
	}
}

// element is the definition of a primitive element's id and extensions.
func (g *generator) element() schema {
	extension := g.rel.datatypes.Messages().ByName("Extension")
	g.enqueue(extension)
	return schema{
		"type": "object",
		"properties": schema{
			"id":        schema{"type": "string"},
			"extension": arrayOf(ref(g.defName(extension))),
		},
		"additionalProperties": false,
	}
}

func (g *generator) enqueue(md protoreflect.MessageDescriptor) {
	if g.queued[md.FullName()] || md.FullName() == g.rel.contained.FullName() {
		return
	}
	g.queued[md.FullName()] = true
	g.pending = append(g.pending, md)
}

// defName returns the definition name of a message: the resource or data
// type name, a primitive's FHIR name ("date", "string"), or the
// underscore-joined path of a nested message ("Patient_Contact"), which is
// the naming of the official FHIR JSON Schema.
func (g *generator) defName(md protoreflect.MessageDescriptor) string {
	if md.FullName() == g.rel.contained.FullName() {
		return resourceListName
	}
	if structureKind(md) == apb.StructureDefinitionKindValue_KIND_PRIMITIVE_TYPE && !isCode(md) {
		url := proto.GetExtension(md.Options(), apb.E_FhirStructureDefinitionUrl).(string)
		if i := strings.LastIndexByte(url, '/'); i >= 0 && i < len(url)-1 {
			return url[i+1:]
		}
	}
	rel := strings.TrimPrefix(string(md.FullName()), string(md.ParentFile().Package())+".")
	return strings.ReplaceAll(rel, ".", "_")
}

// definition returns the schema of one message: a JSON primitive for FHIR
// primitive types and codes, an object for everything else.
func (g *generator) definition(md protoreflect.MessageDescriptor) (schema, error) {
	if structureKind(md) == apb.StructureDefinitionKindValue_KIND_PRIMITIVE_TYPE {
		return primitive(md)
	}
	if md.Name() == "Reference" && md.ParentFile().Package() == g.pkg {
		return g.reference(md), nil
	}
	return g.object(md)
}

// object returns the schema of a resource, complex type or backbone element.
func (g *generator) object(md protoreflect.MessageDescriptor) (schema, error) {
	props := schema{}
	var required []string
	var allOf []any
	dependencies := schema{}

	if structureKind(md) == apb.StructureDefinitionKindValue_KIND_RESOURCE {
		props["resourceType"] = schema{"const": string(md.Name())}
		required = append(required, "resourceType")
	}

	fields := md.Fields()
	for i := range fields.Len() {
		f := fields.Get(i)
		if f.Kind() != protoreflect.MessageKind {
			return nil, fmt.Errorf("field %s: unexpected kind %s in a FHIR element", f.Name(), f.Kind())
		}
		name := f.JSONName()
		isRequired := requirement(f) == apb.Requirement_REQUIRED_BY_FHIR

		if isChoice(f.Message()) {
			options := g.addChoice(props, f)
			if len(options) <= maxExclusiveChoice {
				for _, option := range options {
					dependencies[option] = excludeOthers(option, options)
				}
			}
			if isRequired {
				allOf = append(allOf, anyRequired(options))
			}
			continue
		}

		g.addField(props, f)
		switch {
		case !isRequired:
		case hasCompanion(f.Message()):
			allOf = append(allOf, anyRequired([]string{name, "_" + name}))
		default:
			required = append(required, name)
		}
	}

	def := schema{
		"type":                 "object",
		"properties":           props,
		"additionalProperties": false,
	}
	if len(required) > 0 {
		def["required"] = required
	}
	if len(allOf) > 0 {
		def["allOf"] = allOf
	}
	if len(dependencies) > 0 {
		def["dependencies"] = dependencies
	}
	return def, nil
}

// addField adds the property for a non-choice field, plus the "_name"
// companion when the field is a primitive.
func (g *generator) addField(props schema, f protoreflect.FieldDescriptor) {
	md := f.Message()
	g.enqueue(md)
	value := g.valueSchema(f, md)
	name := f.JSONName()

	if f.IsList() {
		props[name] = arrayOf(value)
	} else {
		props[name] = value
	}
	if !hasCompanion(md) {
		return
	}
	if f.IsList() {
		props["_"+name] = ref(elementListName)
	} else {
		props["_"+name] = ref(elementName)
	}
}

// addChoice adds one property per type of a choice element, named the FHIR
// way (value[x] becomes valueQuantity, valueString, ...), and returns them.
func (g *generator) addChoice(props schema, f protoreflect.FieldDescriptor) []string {
	var names []string
	options := f.Message().Fields()
	for i := range options.Len() {
		option := options.Get(i)
		md := option.Message()
		g.enqueue(md)
		name := f.JSONName() + upperFirst(option.JSONName())
		props[name] = g.valueSchema(option, md)
		if hasCompanion(md) {
			props["_"+name] = ref(elementName)
		}
		names = append(names, name)
	}
	return names
}

// valueSchema returns the schema of one value of field f, which is a
// reference to md's definition, narrowed to the allowed target resource
// types when f is a Reference.
func (g *generator) valueSchema(f protoreflect.FieldDescriptor, md protoreflect.MessageDescriptor) schema {
	target := ref(g.defName(md))
	targets := validReferenceTypes(f)
	if md.Name() != "Reference" || len(targets) == 0 || allowsAny(targets) {
		return target
	}

	// One definition per set of target types keeps the schema small.
	name := g.defName(md) + "_" + strings.Join(targets, "_")
	if _, ok := g.defs[name]; !ok {
		g.defs[name] = schema{"allOf": []any{target, schema{
			"properties": schema{"reference": schema{"pattern": referencePattern(targets)}},
		}}}
	}
	return ref(name)
}

// reference returns the Reference definition. The protocol buffer splits
// Reference.reference into one typed id field per resource type, but in
// JSON it is one string.
func (g *generator) reference(md protoreflect.MessageDescriptor) schema {
	props := schema{
		"reference":  schema{"type": "string"},
		"_reference": ref(elementName),
	}
	fields := md.Fields()
	for i := range fields.Len() {
		f := fields.Get(i)
		if f.ContainingOneof() != nil {
			continue
		}
		g.addField(props, f)
	}
	return schema{"type": "object", "properties": props, "additionalProperties": false}
}

// allowsAny reports whether a reference may point to any resource type.
func allowsAny(targets []string) bool {
	return slices.Contains(targets, "Any") || slices.Contains(targets, "Resource")
}

// referencePattern matches a reference to one of the given resource types
// (relative or absolute), a contained resource ("#id") or a URN.
func referencePattern(targets []string) string {
	const id = `[A-Za-z0-9\-\.]{1,64}`
	types := strings.Join(targets, "|")
	return `^(#.*|urn:.*|(.*/)?(` + types + `)/` + id + `(/_history/` + id + `)?)$`
}

// primitive returns the JSON form of a FHIR primitive or code.
func primitive(md protoreflect.MessageDescriptor) (schema, error) {
	value := md.Fields().ByName("value")
	if value != nil && value.Kind() == protoreflect.EnumKind {
		return schema{"type": "string", "enum": codes(value.Enum())}, nil
	}

	switch md.Name() {
	case "Boolean":
		return schema{"type": "boolean"}, nil
	case "Integer":
		return schema{"type": "integer"}, nil
	case "UnsignedInt":
		return schema{"type": "integer", "minimum": 0}, nil
	case "PositiveInt":
		return schema{"type": "integer", "minimum": 1}, nil
	case "Decimal":
		return schema{"type": "number"}, nil
	}

	def := schema{"type": "string"}
	if regex := proto.GetExtension(md.Options(), apb.E_ValueRegex).(string); regex != "" {
		// JSON Schema patterns match anywhere in the string, so anchor them.
		def["pattern"] = "^(?:" + regex + ")$"
	}
	return def, nil
}

// codes returns the FHIR codes of a code enum: the original code where the
// descriptor records one, otherwise the enum name in lower case with
// hyphens, which is how google/fhir's JSON parser reads them.
func codes(ed protoreflect.EnumDescriptor) []string {
	var out []string
	values := ed.Values()
	for i := range values.Len() {
		v := values.Get(i)
		if v.Number() == 0 {
			continue // INVALID_UNINITIALIZED is no code
		}
		code := proto.GetExtension(v.Options(), apb.E_FhirOriginalCode).(string)
		if code == "" {
			code = strings.ReplaceAll(strings.ToLower(string(v.Name())), "_", "-")
		}
		out = append(out, code)
	}
	return out
}

// excludeOthers returns the schema that forbids every other type of a
// choice element once option is present, because FHIR allows one.
func excludeOthers(option string, options []string) schema {
	props := schema{}
	for _, other := range options {
		if other != option {
			props[other] = false
		}
	}
	return schema{"properties": props}
}

// anyRequired requires at least one of names.
func anyRequired(names []string) schema {
	var branches []any
	for _, n := range names {
		branches = append(branches, schema{"required": []string{n}})
	}
	return schema{"anyOf": branches}
}

func ref(name string) schema {
	return schema{"$ref": "#/definitions/" + name}
}

func arrayOf(items schema) schema {
	// FHIR JSON never carries an empty array.
	return schema{"type": "array", "items": items, "minItems": 1}
}

func structureKind(md protoreflect.MessageDescriptor) apb.StructureDefinitionKindValue {
	return proto.GetExtension(md.Options(), apb.E_StructureDefinitionKind).(apb.StructureDefinitionKindValue)
}

func isPrimitive(md protoreflect.MessageDescriptor) bool {
	return structureKind(md) == apb.StructureDefinitionKindValue_KIND_PRIMITIVE_TYPE
}

// hasCompanion reports whether an element of type md may carry a "_name"
// object with its id and extensions. Narrative.div (xhtml) cannot.
func hasCompanion(md protoreflect.MessageDescriptor) bool {
	return isPrimitive(md) && md.Name() != "Xhtml"
}

// isCode reports whether md is a code bound to a value set, stored as an enum.
func isCode(md protoreflect.MessageDescriptor) bool {
	value := md.Fields().ByName("value")
	return value != nil && value.Kind() == protoreflect.EnumKind
}

func isChoice(md protoreflect.MessageDescriptor) bool {
	return proto.GetExtension(md.Options(), apb.E_IsChoiceType).(bool)
}

func requirement(f protoreflect.FieldDescriptor) apb.Requirement {
	return proto.GetExtension(f.Options(), apb.E_ValidationRequirement).(apb.Requirement)
}

func validReferenceTypes(f protoreflect.FieldDescriptor) []string {
	return proto.GetExtension(f.Options(), apb.E_ValidReferenceType).([]string)
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
