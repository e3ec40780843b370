package sqlite_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/ehrbridge/ehrbridge/fhir"
	"github.com/ehrbridge/ehrbridge/search"

	"github.com/ehrbridge/ehrbridge/store"
	"github.com/ehrbridge/ehrbridge/store/sqlite"
	"github.com/ehrbridge/ehrbridge/store/storetest"
)

func openStore(t testing.TB) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(t.TempDir(), sqlite.Options{})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	return s
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openStore(t) })
}

func TestTenantFileAndWAL(t *testing.T) {
	dir := t.TempDir()
	s, err := sqlite.Open(dir, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	first, err := s.Tenant(ctx, "tenant-a")
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.Tenant(ctx, "tenant-a")
	if err != nil {
		t.Fatal(err)
	}
	if first != again {
		t.Errorf("got a new tenant store on the second call, want the cached one")
	}

	db, err := sql.Open("sqlite", filepath.Join(dir, "tenant-a.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var mode string
	var version int
	if err := db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" {
		t.Errorf("got journal_mode %s, want wal", mode)
	}
	if err := db.QueryRow("PRAGMA user_version").Scan(&version); err != nil {
		t.Fatal(err)
	}
	if version != 3 {
		t.Errorf("got user_version %d, want 3", version)
	}
}

func TestReopenKeepsData(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	for i, wantVersion := range []string{"1", "2"} {
		s, err := sqlite.Open(dir, sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		ts, err := s.Tenant(ctx, "tenant-a")
		if err != nil {
			t.Fatal(err)
		}
		_, err = ts.Commit(ctx, store.Commit{Writes: []store.Write{{
			Version: fhir.STU3, ResourceType: "Patient", ID: "p1",
			Body: json.RawMessage(fmt.Sprintf(`{"resourceType":"Patient","id":"p1","gender":%q}`,
				[]string{"male", "female"}[i])),
		}}})
		if err != nil {
			t.Fatal(err)
		}
		r, err := ts.Read(ctx, fhir.STU3, "Patient", "p1")
		if err != nil {
			t.Fatal(err)
		}
		if r.VersionID != wantVersion {
			t.Errorf("open %d: got version %s, want %s", i+1, r.VersionID, wantVersion)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestNewerSchemaRejected(t *testing.T) {
	dir := t.TempDir()
	db, err := sql.Open("sqlite", filepath.Join(dir, "tenant-a.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err := sqlite.Open(dir, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Tenant(context.Background(), "tenant-a"); err == nil {
		t.Errorf("got no error for schema version 99, want one")
	}
}

func TestTenantAfterClose(t *testing.T) {
	s := openStore(t)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Tenant(context.Background(), "tenant-a"); err == nil {
		t.Errorf("got no error after Close, want one")
	}
}

// TestConcurrentReadWrite runs searches while commits are in progress. Run
// with -race. Every search must return a page that agrees with its total.
func TestConcurrentReadWrite(t *testing.T) {
	s := openStore(t)
	defer s.Close()
	ctx := context.Background()
	ts, err := s.Tenant(ctx, "tenant-a")
	if err != nil {
		t.Fatal(err)
	}
	const commits = 40
	q, err := search.Parse(fhir.STU3, "Patient", url.Values{"family": {"load"}})
	if err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	errs := make(chan error, 8)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range commits {
			w := benchPatient(i, "Load")
			if _, err := ts.Commit(ctx, store.Commit{Writes: []store.Write{w}}); err != nil {
				errs <- err
				return
			}
		}
	}()
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range commits {
				res, err := ts.Search(ctx, fhir.STU3, q)
				if err != nil {
					errs <- err
					return
				}
				if len(res.Resources) != min(res.Total, q.Count) {
					errs <- fmt.Errorf("got %d resources for total %d", len(res.Resources),
						res.Total)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	res, err := ts.Search(ctx, fhir.STU3, q)
	if err != nil || res.Total != commits {
		t.Errorf("got total %d (error %v), want %d", res.Total, err, commits)
	}
}

func TestTenantFileOwnerOnly(t *testing.T) {
	dir := t.TempDir()
	s, err := sqlite.Open(dir, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tenant := "0b5f2a4e-8c1d-4f7a-9e3b-2d6c8a1f4e90"
	if _, err := s.Tenant(context.Background(), tenant); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(dir, tenant+".db"))
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode().Perm(); got != 0o600 {
		t.Errorf("got mode %v, want 0600 because the file holds patient data", got)
	}
}
