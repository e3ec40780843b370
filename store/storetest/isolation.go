package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/ehrbridge/ehrbridge/fhir"
	"github.com/ehrbridge/ehrbridge/store"
)

func mustMarshal(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// testTenantIsolation stores resources with the same ids and different
// content in two tenants and checks that each tenant reads only its own.
func testTenantIsolation(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	defer s.Close()
	ctx := context.Background()
	a, err := s.Tenant(ctx, "tenant-a")
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Tenant(ctx, "0f8fad5b-d9cb-469f-a165-70867728950e")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range fhir.Versions {
		commit(t, a, patient(v, "p1", "Alpha"), patient(v, "p2", "Alpha"))
		commit(t, b, patient(v, "p1", "Beta"))
	}
	_, err = a.Commit(ctx, store.Commit{Cursor: &store.CursorUpdate{Name: "feed", Value: "7"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.AddDeadLetter(ctx, store.DeadLetter{Source: "s", SourceKey: "k"}); err != nil {
		t.Fatal(err)
	}

	for _, v := range fhir.Versions {
		t.Run(string(v), func(t *testing.T) {
			checkTenant(t, a, v, "Alpha", 2)
			checkTenant(t, b, v, "Beta", 1)
			if _, err := b.Read(ctx, v, "Patient", "p2"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("tenant b read of p2: got %v, want ErrNotFound", err)
			}
			if res := searchOK(t, b, v, "Patient", "_id=p2"); res.Total != 0 {
				t.Errorf("tenant b _id=p2: got total %d, want 0", res.Total)
			}
			if res := searchOK(t, b, v, "Patient", "family=alpha"); res.Total != 0 {
				t.Errorf("tenant b family=alpha: got total %d, want 0", res.Total)
			}
			if res := searchOK(t, a, v, "Patient", "family=beta&_count=0"); res.Total != 0 {
				t.Errorf("tenant a family=beta: got total %d, want 0", res.Total)
			}
		})
	}
	if _, ok, _ := b.Cursor(ctx, "feed"); ok {
		t.Errorf("tenant b: got tenant a's cursor, want none")
	}
	if letters, _ := b.DeadLetters(ctx, 0); len(letters) != 0 {
		t.Errorf("tenant b: got %d dead letters, want 0", len(letters))
	}
}

func checkTenant(t *testing.T, ts store.TenantStore, v fhir.Version, family string, total int) {
	t.Helper()
	if got := familyOf(t, read(t, ts, v, "Patient", "p1")); got != family {
		t.Errorf("read p1: got family %s, want %s", got, family)
	}
	res := searchOK(t, ts, v, "Patient", "")
	if res.Total != total || len(res.Resources) != total {
		t.Errorf("all patients: got total %d with %d resources, want %d", res.Total,
			len(res.Resources), total)
	}
	for _, r := range res.Resources {
		if got := familyOf(t, r); got != family {
			t.Errorf("search result %s: got family %s, want %s", r.ID, got, family)
		}
	}
	res = searchOK(t, ts, v, "Patient", "_id=p1")
	if res.Total != 1 || familyOf(t, res.Resources[0]) != family {
		t.Errorf("_id=p1: got total %d, want 1 with family %s", res.Total, family)
	}
}
