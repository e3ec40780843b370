package sqlite_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"testing"

	"github.com/ehrbridge/ehrbridge/fhir"
	"github.com/ehrbridge/ehrbridge/search"
	"github.com/ehrbridge/ehrbridge/store"
)

const benchPatients = 10_000

var benchFamilies = []string{"Müller", "Chauhan", "Smith", "Nguyen", "García", "Okafor",
	"Kowalski", "Jensen", "Haddad", "Tanaka"}

// benchPatient returns a synthetic STU3 Patient with an MRN, two given
// names and a family name built from the index.
func benchPatient(i int, family string) store.Write {
	id := fmt.Sprintf("pat-%05d", i)
	body := fmt.Sprintf(`{"resourceType":"Patient","id":%q,`+
		`"identifier":[{"type":{"coding":[{"system":"http://hl7.org/fhir/v2/0203","code":"MR"}]},`+
		`"system":"urn:mrn","value":"MRN%05d"}],`+
		`"name":[{"use":"official","family":"%s%d","given":["Given%d","Middle"]}],`+
		`"gender":"female","birthDate":"19%02d-%02d-%02d"}`,
		id, i, family, i%100, i%50, i%100, i%12+1, i%28+1)
	return store.Write{
		Version: fhir.STU3, ResourceType: "Patient", ID: id, Body: json.RawMessage(body),
		Provenance: store.Provenance{Source: "bench", SourceKey: id, Mapping: "bench"},
	}
}

// benchTenant returns a tenant store holding benchPatients patients,
// committed 500 per transaction.
func benchTenant(b *testing.B) store.TenantStore {
	b.Helper()
	s := openStore(b)
	b.Cleanup(func() { s.Close() })
	ts, err := s.Tenant(context.Background(), "bench")
	if err != nil {
		b.Fatal(err)
	}
	for start := 0; start < benchPatients; start += 500 {
		var writes []store.Write
		for i := start; i < start+500; i++ {
			writes = append(writes, benchPatient(i, benchFamilies[i%len(benchFamilies)]))
		}
		if _, err := ts.Commit(context.Background(), store.Commit{Writes: writes}); err != nil {
			b.Fatal(err)
		}
	}
	return ts
}

// BenchmarkCommit measures one commit of one new Patient version plus a
// cursor, on a store that already holds benchPatients patients.
func BenchmarkCommit(b *testing.B) {
	ts := benchTenant(b)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		w := benchPatient(i%benchPatients, fmt.Sprintf("Renamed%d", i))
		c := store.Commit{Writes: []store.Write{w},
			Cursor: &store.CursorUpdate{Name: "bench", Value: fmt.Sprint(i)}}
		if _, err := ts.Commit(ctx, c); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkSearchPatientFamily measures family=chau (a contains match over
// every indexed family name) with the default page size of 50.
func BenchmarkSearchPatientFamily(b *testing.B) {
	ts := benchTenant(b)
	ctx := context.Background()
	q, err := search.Parse(fhir.STU3, "Patient", url.Values{"family": {"chau"}})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		res, err := ts.Search(ctx, fhir.STU3, q)
		if err != nil {
			b.Fatal(err)
		}
		if res.Total != benchPatients/len(benchFamilies) {
			b.Fatalf("got total %d, want %d", res.Total, benchPatients/len(benchFamilies))
		}
	}
}

// BenchmarkRead measures reading one Patient by id.
func BenchmarkRead(b *testing.B) {
	ts := benchTenant(b)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		if _, err := ts.Read(ctx, fhir.STU3, "Patient", fmt.Sprintf("pat-%05d", i%benchPatients)); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
