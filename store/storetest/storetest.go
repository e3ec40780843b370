// Package storetest holds the contract tests that every store.Store
// implementation runs, so the SQLite and PostgreSQL stores behave the same.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ehrbridge/ehrbridge/fhir"
	"github.com/ehrbridge/ehrbridge/store"
)

// Run runs the contract tests. open returns a new, empty store for each test
// and the test closes it.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("Versions", func(t *testing.T) { testVersions(t, open) })
	t.Run("Meta", func(t *testing.T) { testMeta(t, open) })
	t.Run("Stale", func(t *testing.T) { testStale(t, open) })
	t.Run("Atomicity", func(t *testing.T) { testAtomicity(t, open) })
	t.Run("InvalidWrites", func(t *testing.T) { testInvalidWrites(t, open) })
	t.Run("Cursor", func(t *testing.T) { testCursor(t, open) })
	t.Run("DeadLetters", func(t *testing.T) { testDeadLetters(t, open) })
	t.Run("VersionIsolation", func(t *testing.T) { testVersionIsolation(t, open) })
	t.Run("InvalidTenant", func(t *testing.T) { testInvalidTenant(t, open) })
	t.Run("TenantIsolation", func(t *testing.T) { testTenantIsolation(t, open) })
	t.Run("Search", func(t *testing.T) { testSearch(t, open) })
	t.Run("SearchPaging", func(t *testing.T) { testSearchPaging(t, open) })
	t.Run("DefaultOrder", func(t *testing.T) { testDefaultOrder(t, open) })
}

// tenantOf opens a fresh store and returns one tenant of it.
func tenantOf(t *testing.T, open func(t *testing.T) store.Store) store.TenantStore {
	t.Helper()
	s := open(t)
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	ts, err := s.Tenant(context.Background(), "tenant-a")
	if err != nil {
		t.Fatalf("open tenant: %v", err)
	}
	return ts
}

func write(v fhir.Version, typ, id, body string) store.Write {
	return store.Write{
		Version: v, ResourceType: typ, ID: id, Body: json.RawMessage(body),
		Provenance: store.Provenance{Source: "test", SourceKey: typ + "/" + id, Mapping: "m"},
	}
}

func patient(v fhir.Version, id, family string) store.Write {
	return write(v, "Patient", id,
		fmt.Sprintf(`{"resourceType":"Patient","id":%q,"name":[{"family":%q}]}`, id, family))
}

func commit(t *testing.T, ts store.TenantStore, writes ...store.Write) store.CommitResult {
	t.Helper()
	res, err := ts.Commit(context.Background(), store.Commit{Writes: writes})
	if err != nil {
		t.Fatalf("commit: %v", err)
	}
	return res
}

func read(t *testing.T, ts store.TenantStore, v fhir.Version, typ, id string) store.Resource {
	t.Helper()
	r, err := ts.Read(context.Background(), v, typ, id)
	if err != nil {
		t.Fatalf("read %s/%s: %v", typ, id, err)
	}
	return r
}

func testVersions(t *testing.T, open func(t *testing.T) store.Store) {
	ts := tenantOf(t, open)
	v := fhir.STU3
	steps := []struct {
		name        string
		write       store.Write
		want        store.CommitResult
		wantVersion string
	}{
		{"create", patient(v, "p1", "Smith"), store.CommitResult{Created: 1}, "1"},
		{"same content", patient(v, "p1", "Smith"), store.CommitResult{Unchanged: 1}, "1"},
		{"same content other spacing", write(v, "Patient", "p1",
			`{ "resourceType": "Patient", "id": "p1", "name": [ {"family": "Smith"} ] }`),
			store.CommitResult{Unchanged: 1}, "1"},
		{"update", patient(v, "p1", "Smyth"), store.CommitResult{Updated: 1}, "2"},
		{"update again", patient(v, "p1", "Smith"), store.CommitResult{Updated: 1}, "3"},
	}
	var lastUpdated time.Time
	for _, step := range steps {
		got := commit(t, ts, step.write)
		if diff := cmp.Diff(step.want, got); diff != "" {
			t.Errorf("%s: result mismatch (-want +got):\n%s", step.name, diff)
		}
		r := read(t, ts, v, "Patient", "p1")
		if r.VersionID != step.wantVersion {
			t.Errorf("%s: got versionId %s, want %s", step.name, r.VersionID, step.wantVersion)
		}
		if got.Unchanged == 1 && !r.LastUpdated.Equal(lastUpdated) {
			t.Errorf("%s: got lastUpdated %v, want unchanged %v", step.name, r.LastUpdated,
				lastUpdated)
		}
		if got.Updated == 1 && !r.LastUpdated.After(lastUpdated) {
			t.Errorf("%s: got lastUpdated %v, want after %v", step.name, r.LastUpdated,
				lastUpdated)
		}
		lastUpdated = r.LastUpdated
	}

	both := commit(t, ts, patient(v, "p2", "Jones"), patient(v, "p1", "Smith"))
	if diff := cmp.Diff(store.CommitResult{Created: 1, Unchanged: 1}, both); diff != "" {
		t.Errorf("two writes: result mismatch (-want +got):\n%s", diff)
	}
}

func testMeta(t *testing.T, open func(t *testing.T) store.Store) {
	ts := tenantOf(t, open)
	body := `{"gender":"female","id":"p1","resourceType":"Patient","birthDate":"1980-04-05"}`
	commit(t, ts, write(fhir.DSTU2, "Patient", "p1", body))
	r := read(t, ts, fhir.DSTU2, "Patient", "p1")

	if r.ResourceType != "Patient" || r.ID != "p1" || r.VersionID != "1" {
		t.Errorf("got %s/%s version %s, want Patient/p1 version 1", r.ResourceType, r.ID,
			r.VersionID)
	}
	if r.LastUpdated.Location() != time.UTC || r.LastUpdated.Nanosecond()%1e6 != 0 {
		t.Errorf("got lastUpdated %v, want UTC with millisecond precision", r.LastUpdated)
	}
	if age := time.Since(r.LastUpdated); age < -time.Minute || age > time.Minute {
		t.Errorf("got lastUpdated %v, want close to now", r.LastUpdated)
	}
	want := `{"resourceType":"Patient","id":"p1","meta":{"versionId":"1","lastUpdated":"` +
		r.LastUpdated.Format("2006-01-02T15:04:05.000Z07:00") +
		`"},"gender":"female","birthDate":"1980-04-05"}`
	if string(r.Body) != want {
		t.Errorf("got body %s, want %s", r.Body, want)
	}
}

func testStale(t *testing.T, open func(t *testing.T) store.Store) {
	ts := tenantOf(t, open)
	v := fhir.STU3
	at := func(w store.Write, tm time.Time) store.Write {
		w.Provenance.SourceTime = tm
		return w
	}
	t1 := time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)
	t2 := t1.Add(time.Hour)
	steps := []struct {
		name       string
		write      store.Write
		want       store.CommitResult
		wantFamily string
	}{
		{"create at t2", at(patient(v, "p1", "Newer"), t2), store.CommitResult{Created: 1}, "Newer"},
		{"older source time", at(patient(v, "p1", "Older"), t1), store.CommitResult{Stale: 1},
			"Newer"},
		{"same source time", at(patient(v, "p1", "Same"), t2), store.CommitResult{Updated: 1},
			"Same"},
		{"unknown source time", patient(v, "p1", "Unknown"), store.CommitResult{Updated: 1},
			"Unknown"},
		{"older after unknown", at(patient(v, "p1", "Old"), t1), store.CommitResult{Updated: 1},
			"Old"},
		{"identical but older", at(patient(v, "p1", "Old"), t1.Add(-time.Hour)),
			store.CommitResult{Unchanged: 1}, "Old"},
	}
	for _, step := range steps {
		got := commit(t, ts, step.write)
		if diff := cmp.Diff(step.want, got); diff != "" {
			t.Errorf("%s: result mismatch (-want +got):\n%s", step.name, diff)
		}
		if family := familyOf(t, read(t, ts, v, "Patient", "p1")); family != step.wantFamily {
			t.Errorf("%s: got family %s, want %s", step.name, family, step.wantFamily)
		}
	}
}

func familyOf(t *testing.T, r store.Resource) string {
	t.Helper()
	var p struct {
		Name []struct {
			Family json.RawMessage `json:"family"`
		} `json:"name"`
	}
	if err := json.Unmarshal(r.Body, &p); err != nil || len(p.Name) == 0 {
		t.Fatalf("decode stored patient: %v", err)
	}
	var family string
	if err := json.Unmarshal(p.Name[0].Family, &family); err != nil {
		t.Fatalf("decode family: %v", err)
	}
	return family
}

func testAtomicity(t *testing.T, open func(t *testing.T) store.Store) {
	ts := tenantOf(t, open)
	ctx := context.Background()
	v := fhir.STU3
	commit(t, ts, patient(v, "p0", "Before"))

	bad := patient(v, "p2", "Bad")
	bad.ID = "other"
	_, err := ts.Commit(ctx, store.Commit{
		Writes: []store.Write{patient(v, "p1", "Good"), patient(v, "p0", "Changed"), bad},
		Cursor: &store.CursorUpdate{Name: "feed", Value: "42"},
	})
	if !errors.Is(err, store.ErrInvalidWrite) {
		t.Fatalf("got error %v, want ErrInvalidWrite", err)
	}
	if _, err := ts.Read(ctx, v, "Patient", "p1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("read p1 after failed commit: got %v, want ErrNotFound", err)
	}
	if family := familyOf(t, read(t, ts, v, "Patient", "p0")); family != "Before" {
		t.Errorf("p0 after failed commit: got family %s, want Before", family)
	}
	if value, ok, err := ts.Cursor(ctx, "feed"); err != nil || ok {
		t.Errorf("cursor after failed commit: got %q, %v, %v, want none", value, ok, err)
	}
	if r := read(t, ts, v, "Patient", "p0"); r.VersionID != "1" {
		t.Errorf("p0 after failed commit: got version %s, want 1", r.VersionID)
	}
}

func testInvalidWrites(t *testing.T, open func(t *testing.T) store.Store) {
	ts := tenantOf(t, open)
	v := fhir.STU3
	tests := []struct {
		name  string
		write store.Write
	}{
		{"type mismatch", write(v, "Observation", "p1", `{"resourceType":"Patient","id":"p1"}`)},
		{"id mismatch", write(v, "Patient", "p1", `{"resourceType":"Patient","id":"p2"}`)},
		{"missing id", write(v, "Patient", "p1", `{"resourceType":"Patient"}`)},
		{"not json", write(v, "Patient", "p1", `{"resourceType":"Patient",`)},
		{"array body", write(v, "Patient", "p1", `[]`)},
		{"bad id", write(v, "Patient", "../p1", `{"resourceType":"Patient","id":"../p1"}`)},
		{"bad version", write("r4", "Patient", "p1", `{"resourceType":"Patient","id":"p1"}`)},
		{"bad date", write(v, "Patient", "p1",
			`{"resourceType":"Patient","id":"p1","birthDate":"yesterday"}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ts.Commit(context.Background(), store.Commit{Writes: []store.Write{tt.write}})
			if !errors.Is(err, store.ErrInvalidWrite) {
				t.Errorf("got error %v, want ErrInvalidWrite", err)
			}
		})
	}
}

func testCursor(t *testing.T, open func(t *testing.T) store.Store) {
	ts := tenantOf(t, open)
	ctx := context.Background()
	if _, ok, err := ts.Cursor(ctx, "sql:patients"); err != nil || ok {
		t.Fatalf("unset cursor: got ok %v, error %v, want false and none", ok, err)
	}
	for _, value := range []string{"2024-03-01T10:00:00Z/17", "2024-03-02T00:00:00Z/3", ""} {
		_, err := ts.Commit(ctx, store.Commit{
			Writes: []store.Write{patient(fhir.STU3, "p1", "Smith")},
			Cursor: &store.CursorUpdate{Name: "sql:patients", Value: value},
		})
		if err != nil {
			t.Fatalf("commit: %v", err)
		}
		got, ok, err := ts.Cursor(ctx, "sql:patients")
		if err != nil || !ok || got != value {
			t.Errorf("got cursor %q (ok %v, error %v), want %q", got, ok, err, value)
		}
	}
	if _, ok, _ := ts.Cursor(ctx, "other"); ok {
		t.Errorf("other cursor: got ok true, want false")
	}
	_, err := ts.Commit(ctx, store.Commit{Cursor: &store.CursorUpdate{Name: ""}})
	if !errors.Is(err, store.ErrInvalidWrite) {
		t.Errorf("empty cursor name: got %v, want ErrInvalidWrite", err)
	}
}

func testDeadLetters(t *testing.T, open func(t *testing.T) store.Store) {
	ts := tenantOf(t, open)
	ctx := context.Background()
	received := time.Date(2024, 3, 1, 10, 0, 0, 123e6, time.UTC)
	letters := []store.DeadLetter{
		{Source: "hl7-feed", SourceKey: "stream:1", Reason: "PID-7 invalid date (length 6)",
			Payload: []byte("MSH|^~\\&|synthetic"), ReceivedAt: received},
		{Source: "sample-ehr", SourceKey: "patients/2", Reason: "missing name",
			Payload: []byte(`{"id":2}`), ReceivedAt: received.Add(time.Second)},
		{Source: "sample-ehr", SourceKey: "patients/3", Reason: "missing gender"},
	}
	for _, d := range letters {
		if err := ts.AddDeadLetter(ctx, d); err != nil {
			t.Fatalf("add dead letter: %v", err)
		}
	}

	got, err := ts.DeadLetters(ctx, 0)
	if err != nil {
		t.Fatalf("list dead letters: %v", err)
	}
	if len(got) != 3 {
		t.Fatalf("got %d dead letters, want 3", len(got))
	}

	ignore := cmp.Options{
		cmp.FilterPath(func(p cmp.Path) bool {
			return p.Last().String() == ".ID" || p.Last().String() == ".ReceivedAt"
		}, cmp.Ignore()),
	}
	wantFirst := letters[:2]
	if diff := cmp.Diff(wantFirst, got[:2], ignore); diff != "" {
		t.Errorf("dead letters mismatch (-want +got):\n%s", diff)
	}
	if !got[0].ReceivedAt.Equal(received) {
		t.Errorf("got receivedAt %v, want %v", got[0].ReceivedAt, received)
	}
	if got[2].ReceivedAt.IsZero() {
		t.Errorf("got zero receivedAt, want the time of AddDeadLetter")
	}
	if !(got[0].ID < got[1].ID && got[1].ID < got[2].ID) {
		t.Errorf("got ids %d, %d, %d, want increasing", got[0].ID, got[1].ID, got[2].ID)
	}

	limited, err := ts.DeadLetters(ctx, 2)
	if err != nil || len(limited) != 2 || limited[0].SourceKey != "stream:1" {
		t.Errorf("limit 2: got %d letters (error %v), want the 2 oldest", len(limited), err)
	}

	// The same payload rejected again from the same source is listed once,
	// with the newer key and reason.
	again := letters[0]
	again.SourceKey, again.Reason = "stream:9", "PID-7 invalid date (length 7)"
	if err := ts.AddDeadLetter(ctx, again); err != nil {
		t.Fatalf("add repeated dead letter: %v", err)
	}
	other := letters[0]
	other.Source = "other-feed"
	if err := ts.AddDeadLetter(ctx, other); err != nil {
		t.Fatalf("add dead letter from another source: %v", err)
	}
	got, err = ts.DeadLetters(ctx, 0)
	if err != nil {
		t.Fatalf("list dead letters: %v", err)
	}
	if len(got) != 4 {
		t.Fatalf("after a repeat: got %d dead letters, want 4", len(got))
	}
	if got[0].SourceKey != "stream:9" || got[0].Reason != again.Reason {
		t.Errorf("repeated dead letter: got key %q reason %q, want %q and %q",
			got[0].SourceKey, got[0].Reason, again.SourceKey, again.Reason)
	}
}

func testVersionIsolation(t *testing.T, open func(t *testing.T) store.Store) {
	ts := tenantOf(t, open)
	ctx := context.Background()
	commit(t, ts, write(fhir.DSTU2, "Patient", "p1",
		`{"resourceType":"Patient","id":"p1","name":[{"family":["Dstu"]}]}`))
	if _, err := ts.Read(ctx, fhir.STU3, "Patient", "p1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("STU3 read of DSTU2 resource: got %v, want ErrNotFound", err)
	}
	if _, err := ts.Read(ctx, fhir.DSTU2, "Observation", "p1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("read with other type: got %v, want ErrNotFound", err)
	}
	res := searchOK(t, ts, fhir.STU3, "Patient", "")
	if res.Total != 0 {
		t.Errorf("STU3 search: got total %d, want 0", res.Total)
	}
	res = searchOK(t, ts, fhir.DSTU2, "Patient", "family=dstu")
	if res.Total != 1 {
		t.Errorf("DSTU2 search: got total %d, want 1", res.Total)
	}
}

func testInvalidTenant(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	defer s.Close()
	valid := []string{"tenant-a", "0f8fad5b-d9cb-469f-a165-70867728950e", "a", "1"}
	for _, id := range valid {
		if _, err := s.Tenant(context.Background(), id); err != nil {
			t.Errorf("tenant %q: got error %v, want none", id, err)
		}
	}
	invalid := []string{"", "..", "../x", "a/b", "A", "0F8FAD5B-D9CB-469F-A165-70867728950E",
		"-a", "a b", "a.db", "a\x00", string(make([]byte, 64)), "é"}
	for _, id := range invalid {
		if _, err := s.Tenant(context.Background(), id); !errors.Is(err, store.ErrInvalidTenant) {
			t.Errorf("tenant %q: got error %v, want ErrInvalidTenant", id, err)
		}
	}
}
