package server

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/ehrbridge/ehrbridge/fhir"
	"github.com/ehrbridge/ehrbridge/store"
)

// Synthetic test data. Both tenants use the same resource ids with
// different content, and tenant B has ids that tenant A lacks.

type testPatient struct {
	id, family, given, gender, birthDate, mrn string
}

type testObservation struct {
	id, patient, date string
}

var (
	patientsA = []testPatient{
		{"p1", "Chau", "Hugh", "male", "1970-01-01", "A-1001"},
		{"p2", "Núñez", "María", "female", "1985-05-05", "A-1002"},
		{"p3", "Chaudhry", "Amir", "male", "1990-09-09", "A-1003"},
	}
	patientsB = []testPatient{
		{"p1", "Zed", "Bravo", "female", "1960-06-06", "B-2001"},
		{"p2", "Chaumont", "Bea", "female", "1970-01-01", "B-2002"},
		{"b9", "Chauvet", "Hugh", "male", "1975-07-07", "B-2009"},
	}
	observationsA = []testObservation{
		{"obs1", "p1", "2026-01-01T10:00:00Z"},
		{"obs2", "p1", "2026-03-01T10:00:00Z"},
		{"obs3", "p1", "2026-02-01T10:00:00Z"},
		{"obs4", "p2", "2026-02-15T10:00:00Z"},
	}
	observationsB = []testObservation{
		{"obs1", "p1", "2025-01-01T10:00:00Z"},
		{"obs2", "p1", "2025-02-01T10:00:00Z"},
		{"obs5", "p1", "2025-03-01T10:00:00Z"},
		{"obs6", "p1", "2025-04-01T10:00:00Z"},
		{"obs7", "p1", "2025-05-01T10:00:00Z"},
	}
)

func patientJSON(v fhir.Version, p testPatient) string {
	family := fmt.Sprintf("%q", p.family)
	if v == fhir.DSTU2 {
		family = "[" + family + "]"
	}
	return fmt.Sprintf(`{"resourceType":"Patient","id":%q,`+
		`"identifier":[{"type":{"coding":[{"system":"http://hl7.org/fhir/v2/0203","code":"MR"}]},`+
		`"system":"urn:oid:2.16.840.1.113883.19.5","value":%q}],`+
		`"name":[{"use":"official","family":%s,"given":[%q]}],"gender":%q,"birthDate":%q,`+
		`"text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">synthetic</div>"}}`,
		p.id, p.mrn, family, p.given, p.gender, p.birthDate)
}

func observationJSON(v fhir.Version, o testObservation) string {
	category := `{"coding":[{"system":"http://hl7.org/fhir/observation-category","code":"vital-signs"}]}`
	if v == fhir.STU3 {
		category = "[" + category + "]"
	}
	return fmt.Sprintf(`{"resourceType":"Observation","id":%q,"status":"final","category":%s,`+
		`"code":{"coding":[{"system":"http://loinc.org","code":"8867-4","display":"Heart rate"}]},`+
		`"subject":{"reference":"Patient/%s"},"effectiveDateTime":%q,`+
		`"valueQuantity":{"value":70,"unit":"/min"}}`, o.id, category, o.patient, o.date)
}

// seed writes the test data of both tenants in both versions.
func seed(t testing.TB, st store.Store) {
	t.Helper()
	data := map[string]struct {
		patients     []testPatient
		observations []testObservation
	}{
		tenantA:  {patientsA, observationsA},
		tenantB:  {patientsB, observationsB},
		tenantS3: {patientsA[:1], nil},
	}
	for tenant, d := range data {
		for _, v := range fhir.Versions {
			var writes []store.Write
			for _, p := range d.patients {
				writes = append(writes, resource(v, patientJSON(v, p)))
			}
			for _, o := range d.observations {
				writes = append(writes, resource(v, observationJSON(v, o)))
			}
			write(t, st, tenant, writes...)
		}
	}
}

// tenantBMarkers are strings that occur only in tenant B's data: MRNs,
// names, observation dates and the ids tenant A lacks.
var tenantBMarkers = []string{
	"B-2001", "B-2002", "B-2009", "Zed", "Bravo", "Chaumont", "Bea", "Chauvet", "1960-06-06",
	"2025-0", `"b9"`, "/b9", `"obs5"`, `"obs6"`, `"obs7"`, "/obs5", "/obs6", "/obs7",
}

// leaksTenantB returns the first tenant B marker found in a JSON body, or
// "". Bundle links are left out, because a self link repeats the caller's
// own search values.
func leaksTenantB(body string) string {
	var v any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		return "unparsable body"
	}
	dropLinks(v)
	data, err := json.Marshal(v)
	if err != nil {
		return "unencodable body"
	}
	for _, m := range tenantBMarkers {
		if strings.Contains(string(data), m) {
			return m
		}
	}
	return ""
}

// dropLinks removes every "link" member of Bundles in v.
func dropLinks(v any) {
	switch x := v.(type) {
	case map[string]any:
		if x["resourceType"] == "Bundle" {
			delete(x, "link")
		}
		for _, child := range x {
			dropLinks(child)
		}
	case []any:
		for _, child := range x {
			dropLinks(child)
		}
	}
}
