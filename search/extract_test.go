package search

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ehrbridge/ehrbridge/fhir"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestExtract(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		version fhir.Version
		typ     string
		body    string
		want    []Entry
	}{
		{"patient dstu2", fhir.DSTU2, "Patient", `{"resourceType":"Patient","id":"p1",
			"name":[{"use":"official","family":["Müller","Smith"],"given":["Hugh"],"prefix":["Dr."]}],
			"gender":"male","birthDate":"1980-04-05",
			"identifier":[{"system":"urn:mrn","value":"MRN1"}]}`,
			[]Entry{
				{Param: "birthdate", Type: TypeDate, Low: day(1980, 4, 5), High: day(1980, 4, 6)},
				{Param: "family", Type: TypeString, Value: "muller", Exact: "Müller"},
				{Param: "family", Type: TypeString, Value: "smith", Exact: "Smith"},
				{Param: "gender", Type: TypeToken, Value: "male", System: "http://hl7.org/fhir/administrative-gender"},
				{Param: "given", Type: TypeString, Value: "hugh", Exact: "Hugh"},
				{Param: "identifier", Type: TypeToken, Value: "MRN1", System: "urn:mrn"},
				{Param: "name", Type: TypeString, Value: "dr.", Exact: "Dr."},
				{Param: "name", Type: TypeString, Value: "hugh", Exact: "Hugh"},
				{Param: "name", Type: TypeString, Value: "muller", Exact: "Müller"},
				{Param: "name", Type: TypeString, Value: "smith", Exact: "Smith"},
			}},
		{"patient stu3", fhir.STU3, "Patient", `{"resourceType":"Patient","id":"p1",
			"name":[{"family":"Chauhan","given":["Hugh","J"],"text":"Hugh Chauhan"}],
			"birthDate":"1980"}`,
			[]Entry{
				{Param: "birthdate", Type: TypeDate, Low: day(1980, 1, 1), High: day(1981, 1, 1)},
				{Param: "family", Type: TypeString, Value: "chauhan", Exact: "Chauhan"},
				{Param: "given", Type: TypeString, Value: "hugh", Exact: "Hugh"},
				{Param: "given", Type: TypeString, Value: "j", Exact: "J"},
				{Param: "name", Type: TypeString, Value: "chauhan", Exact: "Chauhan"},
				{Param: "name", Type: TypeString, Value: "hugh", Exact: "Hugh"},
				{Param: "name", Type: TypeString, Value: "hugh chauhan", Exact: "Hugh Chauhan"},
				{Param: "name", Type: TypeString, Value: "j", Exact: "J"},
			}},
		{"observation dstu2", fhir.DSTU2, "Observation", `{"resourceType":"Observation",
			"id":"o1","subject":{"reference":"Patient/p1"},
			"category":{"coding":[{"system":"http://hl7.org/fhir/observation-category","code":"vital-signs"}]},
			"code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},
			"effectiveDateTime":"2024-03-01T10:15:00Z"}`,
			[]Entry{
				{Param: "category", Type: TypeToken, Value: "vital-signs",
					System: "http://hl7.org/fhir/observation-category"},
				{Param: "code", Type: TypeToken, Value: "8867-4", System: "http://loinc.org"},
				{Param: "date", Type: TypeDate,
					Low:  time.Date(2024, 3, 1, 10, 15, 0, 0, time.UTC),
					High: time.Date(2024, 3, 1, 10, 15, 1, 0, time.UTC)},
				{Param: "patient", Type: TypeReference, Value: "Patient/p1"},
				{Param: "subject", Type: TypeReference, Value: "Patient/p1"},
			}},
		{"observation stu3 period", fhir.STU3, "Observation", `{"resourceType":"Observation",
			"id":"o1","subject":{"reference":"https://ehr.example/fhir/Group/g1"},
			"category":[{"coding":[{"code":"vital-signs"}]}],
			"effectivePeriod":{"start":"2024-03-01"}}`,
			[]Entry{
				{Param: "category", Type: TypeToken, Value: "vital-signs"},
				{Param: "date", Type: TypeDate, Low: day(2024, 3, 1)},
				{Param: "subject", Type: TypeReference, Value: "Group/g1"},
			}},
		{"encounter dstu2", fhir.DSTU2, "Encounter", `{"resourceType":"Encounter","id":"e1",
			"patient":{"reference":"Patient/p1"},"period":{"start":"2024-01","end":"2024-02-03"}}`,
			[]Entry{
				{Param: "date", Type: TypeDate, Low: day(2024, 1, 1), High: day(2024, 2, 4)},
				{Param: "patient", Type: TypeReference, Value: "Patient/p1"},
			}},
		{"encounter stu3", fhir.STU3, "Encounter", `{"resourceType":"Encounter","id":"e1",
			"subject":{"reference":"Patient/p1"},"patient":{"reference":"Patient/x"}}`,
			[]Entry{{Param: "patient", Type: TypeReference, Value: "Patient/p1"}}},
		{"coverage dstu2", fhir.DSTU2, "Coverage", `{"resourceType":"Coverage","id":"c1",
			"subscriber":{"reference":"Patient/p1"}}`,
			[]Entry{{Param: "patient", Type: TypeReference, Value: "Patient/p1"}}},
		{"coverage stu3", fhir.STU3, "Coverage", `{"resourceType":"Coverage","id":"c1",
			"beneficiary":{"reference":"Patient/p2"},"subscriber":{"reference":"RelatedPerson/r1"}}`,
			[]Entry{{Param: "patient", Type: TypeReference, Value: "Patient/p2"}}},
		{"contained reference", fhir.STU3, "Condition", `{"resourceType":"Condition","id":"c1",
			"subject":{"reference":"#p"}}`, nil},
		{"not searchable", fhir.STU3, "Practitioner", `{"resourceType":"Practitioner"}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Extract(tt.version, tt.typ, []byte(tt.body))
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("entries mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestExtractErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, typ, body string
	}{
		{"not json", "Patient", `{"resourceType":`},
		{"array", "Patient", `[]`},
		{"wrong type", "Patient", `{"resourceType":"Observation"}`},
		{"bad date", "Patient", `{"resourceType":"Patient","birthDate":"05/04/1980"}`},
		{"number date", "Patient", `{"resourceType":"Patient","birthDate":1980}`},
		{"number name", "Patient", `{"resourceType":"Patient","name":[{"family":7}]}`},
		{"bad period", "Encounter", `{"resourceType":"Encounter","period":{"start":"x"}}`},
		{"number token", "Patient", `{"resourceType":"Patient","gender":1}`},
		{"string reference", "Condition", `{"resourceType":"Condition","subject":"Patient/1"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Extract(fhir.STU3, tt.typ, []byte(tt.body))
			if err == nil {
				t.Fatalf("got no error, want one")
			}
			for _, secret := range []string{"05/04/1980", "1980", "Patient/1"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q contains the value %q", err, secret)
				}
			}
		})
	}
}

func TestNormalizeString(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Müller", "muller"},
		{"MULLER", "muller"},
		{"José  Álvarez", "jose alvarez"},
		{"Zoë", "zoe"},
		{"Øster", "øster"},
		{"  ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			if got := NormalizeString(tt.in); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Token
	}{
		{"vital-signs", Token{Code: "vital-signs"}},
		{"http://loinc.org|8867-4", Token{System: "http://loinc.org", HasSystem: true, Code: "8867-4"}},
		{"|123", Token{HasSystem: true, Code: "123"}},
		{"urn:mrn|", Token{System: "urn:mrn", HasSystem: true}},
		{`a\|b|c\,d`, Token{System: "a|b", HasSystem: true, Code: "c,d"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, ParseToken(tt.in)); diff != "" {
				t.Errorf("token mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
