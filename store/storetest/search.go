package storetest

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ehrbridge/ehrbridge/fhir"
	"github.com/ehrbridge/ehrbridge/search"
	"github.com/ehrbridge/ehrbridge/store"
)

// searchOK parses query with search.Parse and runs it.
func searchOK(t *testing.T, ts store.TenantStore, v fhir.Version, typ, query string,
) store.SearchResult {
	t.Helper()
	params, err := url.ParseQuery(query)
	if err != nil {
		t.Fatalf("parse query: %v", err)
	}
	q, err := search.Parse(v, typ, params)
	if err != nil {
		t.Fatalf("search.Parse(%s): %v", query, err)
	}
	res, err := ts.Search(context.Background(), v, q)
	if err != nil {
		t.Fatalf("search %s?%s: %v", typ, query, err)
	}
	return res
}

func ids(res store.SearchResult) []string {
	out := []string{}
	for _, r := range res.Resources {
		out = append(out, r.ID)
	}
	return out
}

// humanName returns a HumanName in the version's shape: DSTU2 family is an
// array of strings, STU3 family is one string.
func humanName(v fhir.Version, family string, given ...string) string {
	name := map[string]any{"given": given}
	if v == fhir.DSTU2 {
		name["family"] = []string{family}
	} else {
		name["family"] = family
	}
	return mustMarshal(name)
}

// category returns an Observation category in the version's shape: DSTU2
// has one CodeableConcept, STU3 a list.
func category(v fhir.Version, code string) string {
	cc := fmt.Sprintf(`{"coding":[{"system":"http://hl7.org/fhir/observation-category",`+
		`"code":%q}]}`, code)
	if v == fhir.DSTU2 {
		return cc
	}
	return "[" + cc + "]"
}

// patientRef returns the element name that references the patient.
func patientRef(v fhir.Version, dstu2, stu3 string) string {
	if v == fhir.DSTU2 {
		return dstu2
	}
	return stu3
}

func medicationType(v fhir.Version) string {
	if v == fhir.DSTU2 {
		return "MedicationOrder"
	}
	return "MedicationRequest"
}

// fixture returns the synthetic search fixture of one version.
func fixture(v fhir.Version) []store.Write {
	p := func(id, name, extra string) store.Write {
		return write(v, "Patient", id, fmt.Sprintf(
			`{"resourceType":"Patient","id":%q,"name":[%s]%s}`, id, name, extra))
	}
	obs := func(id, patientID, cat, code, effective string) store.Write {
		return write(v, "Observation", id, fmt.Sprintf(`{"resourceType":"Observation","id":%q,`+
			`"status":"final","category":%s,"code":{"coding":[{"system":"http://loinc.org",`+
			`"code":%q}]},"subject":{"reference":"Patient/%s"},%s}`,
			id, category(v, cat), code, patientID, effective))
	}
	enc := func(id, patientID, period string) store.Write {
		return write(v, "Encounter", id, fmt.Sprintf(
			`{"resourceType":"Encounter","id":%q,"status":"finished","%s":{"reference":"Patient/%s"},`+
				`"period":%s}`, id, patientRef(v, "patient", "subject"), patientID, period))
	}
	ref := func(typ, id, element string) store.Write {
		return write(v, typ, id, fmt.Sprintf(`{"resourceType":%q,"id":%q,"%s":{"reference":`+
			`"Patient/p1"}}`, typ, id, element))
	}
	return []store.Write{
		p("p1", humanName(v, "Müller", "Hugh"), `,"gender":"male","birthDate":"1980-04-05",`+
			`"identifier":[{"system":"urn:mrn","value":"M1"}]`),
		p("p2", humanName(v, "Chauhan", "Hugh", "Anil"), `,"gender":"male",`+
			`"birthDate":"1975-12-31","identifier":[{"system":"urn:mrn","value":"M2"},`+
			`{"system":"urn:other","value":"X9"}]`),
		p("p3", humanName(v, "Mac_Lee", "Zoë"), `,"gender":"female","birthDate":"1980-11-20"`),
		p("p4", `{"prefix":["Dr"],"family":`+familyJSON(v, "Macalee")+`}`,
			`,"gender":"female","birthDate":"1990","identifier":[{"value":"M4"}]`),
		obs("o1", "p1", "vital-signs", "8867-4", `"effectiveDateTime":"2024-03-01T10:00:00Z"`),
		obs("o2", "p1", "vital-signs", "8480-6", `"effectiveDateTime":"2024-03-02T09:00:00+01:00"`),
		obs("o3", "p1", "laboratory", "2345-7",
			`"effectivePeriod":{"start":"2024-02-28","end":"2024-02-28T12:00:00Z"}`),
		obs("o4", "p2", "vital-signs", "8867-4", `"effectiveDateTime":"2024-03-03"`),
		enc("e1", "p1", `{"start":"2024-01-01T08:00:00Z","end":"2024-01-02T08:00:00Z"}`),
		enc("e2", "p1", `{"start":"2024-03-01T08:00:00Z"}`),
		enc("e3", "p2", `{"start":"2024-03-05T08:00:00Z"}`),
		ref("Condition", "c1", patientRef(v, "patient", "subject")),
		ref("AllergyIntolerance", "a1", "patient"),
		ref(medicationType(v), "m1", patientRef(v, "patient", "subject")),
		ref("Coverage", "cov1", patientRef(v, "subscriber", "beneficiary")),
		write(v, "Location", "l1", `{"resourceType":"Location","id":"l1","name":"Ward 1"}`),
	}
}

func familyJSON(v fhir.Version, family string) string {
	if v == fhir.DSTU2 {
		return mustMarshal([]string{family})
	}
	return mustMarshal(family)
}

// searchCases are run against the fixture in both versions. typ "Medication"
// stands for MedicationOrder (DSTU2) or MedicationRequest (STU3). When
// ordered is false the ids are compared as a set.
var searchCases = []struct {
	name    string
	typ     string
	query   string
	want    []string
	ordered bool
}{
	{"all patients", "Patient", "", []string{"p1", "p2", "p3", "p4"}, false},
	{"id", "Patient", "_id=p1,p3", []string{"p1", "p3"}, false},
	{"id alias", "Patient", "id=p2", []string{"p2"}, false},
	{"id unknown", "Patient", "_id=nobody", []string{}, false},
	{"family accent", "Patient", "family=muller", []string{"p1"}, false},
	{"family upper accent", "Patient", "family=M%C3%9CLLER", []string{"p1"}, false},
	{"family contains", "Patient", "family=chau", []string{"p2"}, false},
	{"family contains modifier", "Patient", "family:contains=HAUH", []string{"p2"}, false},
	{"family exact", "Patient", "family:exact=M%C3%BCller", []string{"p1"}, false},
	{"family exact case", "Patient", "family:exact=m%C3%BCller", []string{}, false},
	{"family underscore literal", "Patient", "family=c_l", []string{"p3"}, false},
	{"family percent literal", "Patient", "family=mac%25", []string{}, false},
	{"family or", "Patient", "family=muller,chau", []string{"p1", "p2"}, false},
	{"given", "Patient", "given=hugh", []string{"p1", "p2"}, false},
	{"given accent", "Patient", "given=zoe", []string{"p3"}, false},
	{"given and family", "Patient", "given=hugh&family=chau", []string{"p2"}, false},
	{"name prefix part", "Patient", "name=dr", []string{"p4"}, false},
	{"name family part", "Patient", "name=macal", []string{"p4"}, false},
	{"name and name", "Patient", "name=hugh&name=anil", []string{"p2"}, false},
	{"birthdate year", "Patient", "birthdate=1980", []string{"p1", "p3"}, false},
	{"birthdate month", "Patient", "birthdate=1980-04", []string{"p1"}, false},
	{"birthdate day", "Patient", "birthdate=1980-04-05", []string{"p1"}, false},
	{"birthdate eq", "Patient", "birthdate=eq1980-04-05", []string{"p1"}, false},
	{"birthdate ne", "Patient", "birthdate=ne1980", []string{"p2", "p4"}, false},
	{"birthdate lt", "Patient", "birthdate=lt1980", []string{"p2"}, false},
	{"birthdate le", "Patient", "birthdate=le1980-04-05", []string{"p1", "p2"}, false},
	{"birthdate gt", "Patient", "birthdate=gt1980-04-05", []string{"p3", "p4"}, false},
	{"birthdate ge", "Patient", "birthdate=ge1980-06", []string{"p3", "p4"}, false},
	{"birthdate sa", "Patient", "birthdate=sa1980-04-05", []string{"p3", "p4"}, false},
	{"birthdate eb", "Patient", "birthdate=eb1980-04-05", []string{"p2"}, false},
	{"birthdate year vs day", "Patient", "birthdate=1990-06-01", []string{}, false},
	{"birthdate range", "Patient", "birthdate=ge1976&birthdate=lt1981", []string{"p1", "p3"},
		false},
	{"gender", "Patient", "gender=female", []string{"p3", "p4"}, false},
	{"gender or", "Patient", "gender=female,male", []string{"p1", "p2", "p3", "p4"}, false},
	{"gender with system", "Patient", "gender=http://hl7.org/fhir/administrative-gender|female", []string{"p3", "p4"}, false},
	{"gender other system", "Patient", "gender=http://example.org/sex|female", []string{}, false},
	{"identifier value", "Patient", "identifier=M1", []string{"p1"}, false},
	{"identifier second", "Patient", "identifier=X9", []string{"p2"}, false},
	{"identifier system", "Patient", "identifier=urn:mrn|M2", []string{"p2"}, false},
	{"identifier wrong system", "Patient", "identifier=urn:other|M2", []string{}, false},
	{"identifier no system", "Patient", "identifier=|M4", []string{"p4"}, false},
	{"identifier no system miss", "Patient", "identifier=|M1", []string{}, false},
	{"identifier system only", "Patient", "identifier=urn:mrn|", []string{"p1", "p2"}, false},

	{"obs patient id", "Observation", "patient=p1", []string{"o1", "o2", "o3"}, false},
	{"obs patient ref", "Observation", "patient=Patient/p2", []string{"o4"}, false},
	{"obs patient url", "Observation",
		"patient=https%3A%2F%2Fehr.example%2Ffhir%2FPatient%2Fp1", []string{"o1", "o2", "o3"},
		false},
	{"obs subject ref", "Observation", "subject=Patient/p2", []string{"o4"}, false},
	{"obs subject bare", "Observation", "subject=p2", []string{"o4"}, false},
	{"obs vital signs", "Observation", "patient=p1&category=vital-signs",
		[]string{"o1", "o2"}, false},
	{"obs category system", "Observation",
		"category=http://hl7.org/fhir/observation-category|vital-signs",
		[]string{"o1", "o2", "o4"}, false},
	{"obs code system", "Observation", "code=http://loinc.org|8867-4", []string{"o1", "o4"},
		false},
	{"obs code", "Observation", "code=8480-6", []string{"o2"}, false},
	{"obs date month", "Observation", "date=2024-03", []string{"o1", "o2", "o4"}, false},
	{"obs date day offset", "Observation", "date=2024-03-02", []string{"o2"}, false},
	{"obs date not gt itself", "Observation", "date=gt2024-03-02T08:00:00Z", []string{"o4"}, false},
	{"obs date ge", "Observation", "date=ge2024-03-02", []string{"o2", "o4"}, false},
	{"obs date lt", "Observation", "date=lt2024-03-01", []string{"o3"}, false},
	{"obs date gt", "Observation", "date=gt2024-03-02T07:59:59Z", []string{"o2", "o4"}, false},
	{"obs date sa", "Observation", "date=sa2024-03-01", []string{"o2", "o4"}, false},
	{"obs date eb", "Observation", "date=eb2024-03-01", []string{"o3"}, false},
	{"obs date period eq", "Observation", "date=2024-02-28", []string{"o3"}, false},
	{"obs date ap", "Observation", "date=ap2024-03-02", []string{"o1", "o2", "o3", "o4"}, false},
	{"obs sort desc stu3", "Observation", "patient=p1&_sort=-date",
		[]string{"o2", "o1", "o3"}, true},
	{"obs sort desc dstu2", "Observation", "patient=p1&_sort:desc=date",
		[]string{"o2", "o1", "o3"}, true},
	{"obs sort asc", "Observation", "_sort=date", []string{"o3", "o1", "o2", "o4"}, true},
	{"obs sort asc dstu2", "Observation", "_sort:asc=date", []string{"o3", "o1", "o2", "o4"},
		true},

	{"encounter latest", "Encounter", "patient=p1&_sort:desc=date&_count=1",
		[]string{"e2"}, true},
	{"encounter all", "Encounter", "patient=p1&_sort=date", []string{"e1", "e2"}, true},
	{"encounter date", "Encounter", "date=2024-01-01", []string{}, false},
	{"encounter date ge", "Encounter", "date=ge2024-03", []string{"e2", "e3"}, false},
	{"condition", "Condition", "patient=p1", []string{"c1"}, false},
	{"condition other", "Condition", "patient=p2", []string{}, false},
	{"allergy", "AllergyIntolerance", "patient=p1", []string{"a1"}, false},
	{"medication", "Medication", "patient=p1&_count=10", []string{"m1"}, false},
	{"coverage", "Coverage", "patient=p1", []string{"cov1"}, false},
	{"location", "Location", "_id=l1", []string{"l1"}, false},
}

func commitFixture(t *testing.T, ts store.TenantStore, v fhir.Version) {
	t.Helper()
	for _, w := range fixture(v) {
		commit(t, ts, w)
	}
}

func testSearch(t *testing.T, open func(t *testing.T) store.Store) {
	ts := tenantOf(t, open)
	for _, v := range fhir.Versions {
		commitFixture(t, ts, v)
	}
	for _, v := range fhir.Versions {
		for _, tt := range searchCases {
			t.Run(string(v)+" "+tt.name, func(t *testing.T) {
				typ := tt.typ
				if typ == "Medication" {
					typ = medicationType(v)
				}
				res := searchOK(t, ts, v, typ, tt.query)
				got := ids(res)
				want := slices.Clone(tt.want)
				if !tt.ordered {
					slices.Sort(got)
					slices.Sort(want)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("ids mismatch (-want +got):\n%s", diff)
				}
				if !tt.ordered && res.Total != len(tt.want) {
					t.Errorf("got total %d, want %d", res.Total, len(tt.want))
				}
				for _, r := range res.Resources {
					if r.ResourceType != typ || r.VersionID != "1" || len(r.Body) == 0 {
						t.Errorf("got resource %s/%s version %s, want %s with version 1 and a body",
							r.ResourceType, r.ID, r.VersionID, typ)
					}
				}
			})
		}
	}
}

func testSearchPaging(t *testing.T, open func(t *testing.T) store.Store) {
	ts := tenantOf(t, open)
	v := fhir.STU3
	commitFixture(t, ts, v)
	tests := []struct {
		name      string
		query     string
		wantTotal int
		want      []string
	}{
		{"first page", "patient=p1&_sort=-date&_count=2", 3, []string{"o2", "o1"}},
		{"second page", "patient=p1&_sort=-date&_count=2&_offset=2", 3, []string{"o3"}},
		{"dstu2 offset", "patient=p1&_sort=-date&_count=2&_getpagesoffset=1", 3,
			[]string{"o1", "o3"}},
		{"past the end", "patient=p1&_count=2&_offset=5", 3, []string{}},
		{"count zero", "patient=p1&_count=0", 3, []string{}},
		{"count zero no match", "patient=nobody&_count=0", 0, []string{}},
		{"asc pages", "_sort=date&_count=3&_offset=1", 4, []string{"o1", "o2", "o4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := searchOK(t, ts, v, "Observation", tt.query)
			if res.Total != tt.wantTotal {
				t.Errorf("got total %d, want %d", res.Total, tt.wantTotal)
			}
			if diff := cmp.Diff(tt.want, ids(res)); diff != "" {
				t.Errorf("ids mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// testDefaultOrder checks the order without _sort: lastUpdated descending,
// then id ascending.
func testDefaultOrder(t *testing.T, open func(t *testing.T) store.Store) {
	ts := tenantOf(t, open)
	v := fhir.STU3
	for _, id := range []string{"b", "a", "d", "c"} {
		commit(t, ts, patient(v, id, "Same"))
	}
	commit(t, ts, patient(v, "a", "Changed"))
	res := searchOK(t, ts, v, "Patient", "family=a")
	if res.Total != 4 || len(res.Resources) != 4 {
		t.Fatalf("got total %d with %d resources, want 4", res.Total, len(res.Resources))
	}
	if res.Resources[0].ID != "a" {
		t.Errorf("got first id %s, want a (updated last)", res.Resources[0].ID)
	}
	sorted := slices.IsSortedFunc(res.Resources, func(x, y store.Resource) int {
		if c := y.LastUpdated.Compare(x.LastUpdated); c != 0 {
			return c
		}
		return strings.Compare(x.ID, y.ID)
	})
	if !sorted {
		t.Errorf("got order %v, want lastUpdated descending then id", ids(res))
	}
}
