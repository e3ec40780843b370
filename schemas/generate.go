package schemas

// The DSTU2 base schema is generated from google/fhir's DSTU2 descriptors,
// because no published package holds a DSTU2 JSON Schema.
//go:generate go run ./internal/gen -release dstu2 -out fhir/dstu2/fhir.schema.json.gz
