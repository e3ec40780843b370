package transform_test

import (
	"os"
	"testing"

	"github.com/ehrbridge/ehrbridge/adapters/hl7"
	"github.com/ehrbridge/ehrbridge/fhir"
	"github.com/ehrbridge/ehrbridge/mappings"
	"github.com/ehrbridge/ehrbridge/transform"
)

// BenchmarkMapORU maps the ORU^R01 fixture (two vital-sign OBX segments)
// to Observations in both versions, parsing included.
func BenchmarkMapORU(b *testing.B) {
	set, err := transform.Load(mappings.FS, "hl7v2")
	if err != nil {
		b.Fatal(err)
	}
	data, err := os.ReadFile("../testdata/hl7/oru_r01.hl7")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		msg, err := hl7.Parse(data)
		if err != nil {
			b.Fatal(err)
		}
		for _, m := range set.ForMessage(msg.Type()) {
			if _, err := m.MapMessage(msg, fhir.Versions); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkMapPatientRow maps one sample EHR patient row in both versions.
func BenchmarkMapPatientRow(b *testing.B) {
	set, err := transform.Load(mappings.FS, "sample-ehr")
	if err != nil {
		b.Fatal(err)
	}
	var patient *transform.Mapping
	for _, m := range set.Mappings() {
		if m.ResourceType == "Patient" {
			patient = m
		}
	}
	row := map[string]any{"id": int64(1), "mrn": "MRN000001", "prefix": "Ms.", "given_name": "Zoë",
		"middle_name": "Anne", "family_name": "Smith-Jones", "suffix": nil, "sex": "F",
		"birth_date": "1962-07-04", "phone": "555-0100", "address_line1": "1 Main St",
		"address_line2": nil, "city": "Springfield", "state": "IL", "postal_code": "62704",
		"updated_at": "2024-01-02 03:04:05", "pcp_npi": "1234567893", "pcp_prefix": "Dr.",
		"pcp_given": "Chidi", "pcp_family": "Okafor", "pcp_suffix": nil}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := patient.MapRow(row, fhir.Versions); err != nil {
			b.Fatal(err)
		}
	}
}
