package server

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/ehrbridge/ehrbridge/store"
	"github.com/ehrbridge/ehrbridge/store/sqlite"
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

// openStore returns an empty SQLite store in a temporary directory.
func openStore(t testing.TB) store.Store {
	t.Helper()
	st, err := sqlite.Open(t.TempDir(), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	return st
}
