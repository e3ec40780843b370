package server

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/ehrbridge/ehrbridge/fhir"
	"github.com/ehrbridge/ehrbridge/search"
	"github.com/ehrbridge/ehrbridge/store"
)

// panicStore panics on every call, for the recovery test.
type panicStore struct{ store.Store }

func (panicStore) Tenant(context.Context, string) (store.TenantStore, error) {
	panic("store exploded with patient Alice")
}

// countingStore records which tenants were opened, around a real store.
type countingStore struct {
	store.Store
	mu      sync.Mutex
	tenants []string
}

func (c *countingStore) Tenant(ctx context.Context, tenant string) (store.TenantStore, error) {
	c.mu.Lock()
	c.tenants = append(c.tenants, tenant)
	c.mu.Unlock()
	return c.Store.Tenant(ctx, tenant)
}

func (c *countingStore) opened() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.tenants)
}

// memStore is a stand-in store: Read, and Search by type and _id only.
type memStore struct {
	mu      sync.Mutex
	tenants map[string]*memTenant
}

type memTenant struct {
	store.TenantStore
	mu        sync.Mutex
	resources []store.Resource
	versions  []fhir.Version
}

func newMemStore() *memStore { return &memStore{tenants: map[string]*memTenant{}} }

func (m *memStore) Close() error { return nil }

func (m *memStore) Tenant(_ context.Context, tenant string) (store.TenantStore, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tenants[tenant] == nil {
		m.tenants[tenant] = &memTenant{}
	}
	return m.tenants[tenant], nil
}

func (m *memTenant) Commit(_ context.Context, c store.Commit) (store.CommitResult, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, w := range c.Writes {
		m.resources = append(m.resources, store.Resource{
			ResourceType: w.ResourceType, ID: w.ID, VersionID: "1", Body: w.Body,
		})
		m.versions = append(m.versions, w.Version)
	}
	return store.CommitResult{Created: len(c.Writes)}, nil
}

func (m *memTenant) Read(_ context.Context, v fhir.Version, resourceType, id string) (store.Resource, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, r := range m.resources {
		if m.versions[i] == v && r.ResourceType == resourceType && r.ID == id {
			return r, nil
		}
	}
	return store.Resource{}, store.ErrNotFound
}

func (m *memTenant) Search(_ context.Context, v fhir.Version, q search.Query) (store.SearchResult, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var matches []store.Resource
	for i, r := range m.resources {
		if m.versions[i] != v || r.ResourceType != q.ResourceType {
			continue
		}
		ok := true
		for _, c := range q.Clauses {
			if c.Param == "_id" && !slices.Contains(c.Values, r.ID) {
				ok = false
			}
		}
		if ok {
			matches = append(matches, r)
		}
	}
	res := store.SearchResult{Total: len(matches)}
	if q.Offset < len(matches) {
		res.Resources = matches[q.Offset:min(len(matches), q.Offset+q.Count)]
	}
	return res, nil
}

// openStore returns an empty store for one test.
func openStore(t testing.TB) store.Store {
	t.Helper()
	return newMemStore()
}
