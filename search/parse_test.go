package search

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ehrbridge/ehrbridge/fhir"
)

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		version fhir.Version
		typ     string
		query   string
		want    Query
	}{
		{"defaults", fhir.STU3, "Patient", "",
			Query{ResourceType: "Patient", Count: 50}},
		{"id alias", fhir.STU3, "Patient", "id=p1",
			Query{ResourceType: "Patient", Count: 50,
				Clauses: []Clause{{Param: "_id", Values: []string{"p1"}}}}},
		{"id or", fhir.DSTU2, "Patient", "_id=p1,p-2.x",
			Query{ResourceType: "Patient", Count: 50,
				Clauses: []Clause{{Param: "_id", Values: []string{"p1", "p-2.x"}}}}},
		{"family contains dstu2", fhir.DSTU2, "Patient", "family:contains=chau&given=hugh",
			Query{ResourceType: "Patient", Count: 50, Clauses: []Clause{
				{Param: "family", Modifier: "contains", Values: []string{"chau"}},
				{Param: "given", Values: []string{"hugh"}},
			}}},
		{"family exact", fhir.STU3, "Patient", "family:exact=M%C3%BCller",
			Query{ResourceType: "Patient", Count: 50, Clauses: []Clause{
				{Param: "family", Modifier: "exact", Values: []string{"Müller"}},
			}}},
		{"repeated is and", fhir.STU3, "Patient", "name=a&name=b,c",
			Query{ResourceType: "Patient", Count: 50, Clauses: []Clause{
				{Param: "name", Values: []string{"a"}},
				{Param: "name", Values: []string{"b", "c"}},
			}}},
		{"escaped comma", fhir.STU3, "Patient", `family=a\,b`,
			Query{ResourceType: "Patient", Count: 50, Clauses: []Clause{
				{Param: "family", Values: []string{`a\,b`}},
			}}},
		{"birthdate prefixes", fhir.STU3, "Patient", "birthdate=ge1980&birthdate=lt1980-04",
			Query{ResourceType: "Patient", Count: 50, Clauses: []Clause{
				{Param: "birthdate", Values: []string{"ge1980"}},
				{Param: "birthdate", Values: []string{"lt1980-04"}},
			}}},
		{"identifier forms", fhir.STU3, "Patient", "identifier=123,urn:mrn|123,|123",
			Query{ResourceType: "Patient", Count: 50, Clauses: []Clause{
				{Param: "identifier", Values: []string{"123", "urn:mrn|123", "|123"}},
			}}},
		{"patient id", fhir.STU3, "Observation", "patient=123&category=vital-signs",
			Query{ResourceType: "Observation", Count: 50, Clauses: []Clause{
				{Param: "category", Values: []string{"vital-signs"}},
				{Param: "patient", Values: []string{"Patient/123"}},
			}}},
		{"patient url", fhir.DSTU2, "Observation",
			"patient=" + url.QueryEscape("https://ehr.example/fhir/Patient/123/_history/4"),
			Query{ResourceType: "Observation", Count: 50, Clauses: []Clause{
				{Param: "patient", Values: []string{"Patient/123"}},
			}}},
		{"subject forms", fhir.STU3, "Observation", "subject=Patient/1,7",
			Query{ResourceType: "Observation", Count: 50, Clauses: []Clause{
				{Param: "subject", Values: []string{"Patient/1", "7"}},
			}}},
		{"sort stu3", fhir.STU3, "Observation", "_sort=-date&_count=3",
			Query{ResourceType: "Observation", Count: 3,
				Sort: []SortKey{{Param: "date", Descending: true}}}},
		{"sort desc dstu2", fhir.DSTU2, "Observation", "_sort:desc=date",
			Query{ResourceType: "Observation", Count: 50,
				Sort: []SortKey{{Param: "date", Descending: true}}}},
		{"sort asc dstu2", fhir.DSTU2, "Encounter", "_sort:asc=date&patient=1",
			Query{ResourceType: "Encounter", Count: 50,
				Clauses: []Clause{{Param: "patient", Values: []string{"Patient/1"}}},
				Sort:    []SortKey{{Param: "date"}}}},
		{"count zero", fhir.STU3, "Patient", "_count=0",
			Query{ResourceType: "Patient", Count: 0}},
		{"count capped", fhir.STU3, "Patient", "_count=100000",
			Query{ResourceType: "Patient", Count: 500}},
		{"offset", fhir.STU3, "Patient", "_offset=20",
			Query{ResourceType: "Patient", Count: 50, Offset: 20}},
		{"getpagesoffset", fhir.DSTU2, "Patient", "_getpagesoffset=7",
			Query{ResourceType: "Patient", Count: 50, Offset: 7}},
		{"format ignored", fhir.STU3, "Patient", "_format=json&_pretty=true",
			Query{ResourceType: "Patient", Count: 50}},
		{"coverage patient", fhir.DSTU2, "Coverage", "patient=Patient/9",
			Query{ResourceType: "Coverage", Count: 50, Clauses: []Clause{
				{Param: "patient", Values: []string{"Patient/9"}},
			}}},
		{"gender codes", fhir.STU3, "Patient", "gender=male,female,other,unknown",
			Query{ResourceType: "Patient", Count: 50, Clauses: []Clause{
				{Param: "gender", Values: []string{"male", "female", "other", "unknown"}},
			}}},
		{"gender system", fhir.DSTU2, "Patient", "gender=http://hl7.org/fhir/administrative-gender|female",
			Query{ResourceType: "Patient", Count: 50, Clauses: []Clause{
				{Param: "gender", Values: []string{"http://hl7.org/fhir/administrative-gender|female"}},
			}}},
		{"location id", fhir.STU3, "Location", "_id=loc1",
			Query{ResourceType: "Location", Count: 50, Clauses: []Clause{
				{Param: "_id", Values: []string{"loc1"}},
			}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			params, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Parse(tt.version, tt.typ, params)
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("query mismatch (-want +got):\n%s", diff)
			}
			again, err := Parse(tt.version, tt.typ, got.Encode())
			if err != nil {
				t.Fatalf("parse of Encode: got error %v, want none", err)
			}
			if diff := cmp.Diff(got, again); diff != "" {
				t.Errorf("Encode round trip mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		version    fhir.Version
		typ        string
		query      string
		wantParam  string
		wantReason string
	}{
		{"unknown type", fhir.STU3, "Practitioner", "", "", reasonType},
		{"medication order stu3", fhir.STU3, "MedicationOrder", "", "", reasonType},
		{"medication request dstu2", fhir.DSTU2, "MedicationRequest", "", "", reasonType},
		{"unknown param", fhir.STU3, "Patient", "address=x", "address", reasonUnknown},
		{"unprintable param", fhir.STU3, "Patient", "a%20b=x", "(invalid name)", reasonUnknown},
		{"token modifier", fhir.STU3, "Patient", "gender:text=f", "gender:text", reasonModifier},
		{"string modifier", fhir.STU3, "Patient", "family:missing=true", "family:missing",
			reasonModifier},
		{"empty value", fhir.STU3, "Patient", "family=", "family", reasonEmpty},
		{"empty alternative", fhir.STU3, "Patient", "family=a,", "family", reasonEmpty},
		{"blank string", fhir.STU3, "Patient", "given=%20%20", "given", reasonString},
		{"bad date", fhir.STU3, "Patient", "birthdate=1980-13", "birthdate", reasonDate},
		{"bad day", fhir.STU3, "Patient", "birthdate=1981-02-29", "birthdate", reasonDate},
		{"bad prefix", fhir.STU3, "Patient", "birthdate=xx1980", "birthdate", reasonDate},
		{"bad date format", fhir.STU3, "Patient", "birthdate=04/05/1980", "birthdate",
			reasonDate},
		{"bad token", fhir.STU3, "Patient", "identifier=|", "identifier", reasonToken},
		{"bad id", fhir.STU3, "Patient", "_id=a/b", "_id", reasonID},
		{"long id", fhir.STU3, "Patient", "_id=" + strings.Repeat("a", 65), "_id", reasonID},
		{"wrong target", fhir.STU3, "Observation", "patient=Group/1", "patient", reasonTarget},
		{"bad reference", fhir.STU3, "Observation", "patient=a/b/c", "patient",
			reasonReference},
		{"bad count", fhir.STU3, "Patient", "_count=-1", "_count", reasonCount},
		{"count text", fhir.STU3, "Patient", "_count=ten", "_count", reasonCount},
		{"count twice", fhir.STU3, "Patient", "_count=1&_count=2", "_count", reasonOnce},
		{"bad offset", fhir.STU3, "Patient", "_offset=-3", "_offset", reasonOffset},
		{"both offsets", fhir.STU3, "Patient", "_offset=1&_getpagesoffset=1", "_offset",
			reasonOffsetAlt},
		{"sort unknown", fhir.STU3, "Observation", "_sort=code", "_sort",
			"expected a comma-separated list of sortable parameters (date), each optionally prefixed by -"},
		{"sort patient", fhir.STU3, "Patient", "_sort=family", "_sort",
			"Patient has no sortable parameters: remove _sort"},
		{"gender not a code", fhir.STU3, "Patient", "gender=robot", "gender",
			"expected one of the codes male, female, other, unknown"},
		{"gender alternative", fhir.DSTU2, "Patient", "gender=male,Female", "gender",
			"expected one of the codes male, female, other, unknown"},
		{"gender with system", fhir.STU3, "Patient",
			"gender=http://hl7.org/fhir/administrative-gender|robot", "gender",
			"expected one of the codes male, female, other, unknown"},
		{"string invalid UTF-8", fhir.STU3, "Patient", "given=%FF%FE", "given", reasonUTF8},
		{"token invalid UTF-8", fhir.STU3, "Patient", "identifier=%C3", "identifier", reasonUTF8},
		{"sort spellings", fhir.DSTU2, "Observation", "_sort=date&_sort:desc=date", "_sort",
			reasonSortSpell},
		{"sort repeated", fhir.STU3, "Observation", "_sort=date,-date", "_sort",
			reasonSortRepeat},
		{"sort modifier", fhir.STU3, "Observation", "_sort:up=date", "_sort:up",
			reasonModifier},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			params, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Parse(tt.version, tt.typ, params)
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("got error %v, want *Error", err)
			}
			if se.Param != tt.wantParam {
				t.Errorf("got param %q, want %q", se.Param, tt.wantParam)
			}
			if se.Reason != tt.wantReason {
				t.Errorf("got reason %q, want %q", se.Reason, tt.wantReason)
			}
		})
	}
}

func TestParseLimits(t *testing.T) {
	t.Parallel()
	many := url.Values{}
	for range 51 {
		many.Add("family", "a")
	}
	if _, err := Parse(fhir.STU3, "Patient", many); err == nil {
		t.Errorf("51 clauses: got no error, want one")
	}
	long := url.Values{"family": {strings.Repeat("a", 257)}}
	var se *Error
	if _, err := Parse(fhir.STU3, "Patient", long); !errors.As(err, &se) ||
		se.Reason != reasonTooLong {
		t.Errorf("long value: got %v, want reason %q", err, reasonTooLong)
	}
}

func TestParamsAndTypes(t *testing.T) {
	t.Parallel()
	wantSTU3 := []string{"AllergyIntolerance", "Condition", "Coverage", "Encounter",
		"Location", "MedicationRequest", "Observation", "Patient"}
	if diff := cmp.Diff(wantSTU3, ResourceTypes(fhir.STU3)); diff != "" {
		t.Errorf("STU3 types mismatch (-want +got):\n%s", diff)
	}
	wantDSTU2 := []string{"AllergyIntolerance", "Condition", "Coverage", "Encounter",
		"Location", "MedicationOrder", "Observation", "Patient"}
	if diff := cmp.Diff(wantDSTU2, ResourceTypes(fhir.DSTU2)); diff != "" {
		t.Errorf("DSTU2 types mismatch (-want +got):\n%s", diff)
	}
	var names []string
	for _, p := range Params(fhir.STU3, "Patient") {
		names = append(names, p.Name)
		if p.Documentation == "" {
			t.Errorf("param %s: got empty documentation, want text", p.Name)
		}
	}
	want := []string{"_id", "birthdate", "family", "gender", "given", "identifier", "name"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("Patient params mismatch (-want +got):\n%s", diff)
	}
	if p, _ := Lookup(fhir.STU3, "Encounter", "patient"); p.Paths[0] != "subject" {
		t.Errorf("STU3 Encounter.patient: got path %v, want subject", p.Paths)
	}
	if p, _ := Lookup(fhir.DSTU2, "Encounter", "patient"); p.Paths[0] != "patient" {
		t.Errorf("DSTU2 Encounter.patient: got path %v, want patient", p.Paths)
	}
}
