package search

import (
	"errors"
	"net/url"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ehrbridge/ehrbridge/fhir"
)

// FuzzParse checks that Parse never panics, that every error is an *Error
// with one of the fixed reasons (so it cannot echo a value), and that an
// accepted query survives Encode and Parse unchanged.
func FuzzParse(f *testing.F) {
	seeds := []string{
		"given=hugh&family=chau",
		"family:contains=M%C3%BCller&_count=5",
		"family:exact=Smith,Jones&name=a\\,b",
		"_id=p1,p2&id=p3",
		"identifier=urn:mrn|123&identifier=|5&gender=female",
		"birthdate=ge1980-04&birthdate=lt1990&birthdate=ap2001-02-03T04:05:06.7%2B01:00",
		"patient=https://ehr.example/fhir/Patient/123/_history/2&category=vital-signs",
		"subject=Patient/1,7&code=http://loinc.org|8867-4&_sort=-date",
		"_sort:desc=date&_count=0&_getpagesoffset=10",
		"_offset=5&_format=json&_pretty=true",
		"unknown=1", "_count=x", "family=", "birthdate=eq", "patient=Group/1",
	}
	for _, s := range seeds {
		f.Add(s, false, "Patient")
		f.Add(s, true, "Observation")
	}
	f.Fuzz(func(t *testing.T, query string, dstu2 bool, typ string) {
		params, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		v := fhir.STU3
		if dstu2 {
			v = fhir.DSTU2
		}
		q, err := Parse(v, typ, params)
		if err != nil {
			checkError(t, err, params)
			return
		}
		again, err := Parse(v, typ, q.Encode())
		if err != nil {
			t.Fatalf("parse of Encode: got error %v, want none", err)
		}
		if diff := cmp.Diff(q, again); diff != "" {
			t.Fatalf("Encode round trip mismatch (-want +got):\n%s", diff)
		}
	})
}

func checkError(t *testing.T, err error, params url.Values) {
	t.Helper()
	var se *Error
	if !errors.As(err, &se) {
		t.Fatalf("got error type %T, want *Error", err)
	}
	if !slices.Contains(reasons, se.Reason) {
		t.Fatalf("got reason %q, want one of the fixed reasons", se.Reason)
	}
	if se.Param != "(invalid name)" && se.Param != "" {
		if _, ok := params[se.Param]; !ok && se.Param != "_offset" && se.Param != "_sort" {
			t.Fatalf("got param %q, want a parameter name of the request", se.Param)
		}
	}
}
