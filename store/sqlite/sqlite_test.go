package sqlite_test

import (
	"testing"

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
