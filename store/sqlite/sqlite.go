// Package sqlite implements [store.Store] with one SQLite database file per
// tenant, using the pure-Go driver modernc.org/sqlite. It is the embedded
// default store.
//
// Each tenant database runs in WAL mode with two handles: a writer limited to
// one connection, so commits are serialised without lock contention, and a
// pool of read-only connections, so searches and reads proceed while a
// commit is in progress.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/ehrbridge/ehrbridge/store"
)

// Options configures a Store.
type Options struct {
	// Logger receives lifecycle and stale-write messages. Nil discards them.
	Logger *slog.Logger
	// Now returns the current time for lastUpdated and dead letters.
	// Nil means time.Now.
	Now func() time.Time
	// MaxReaders is the size of each tenant's read connection pool.
	// Zero means 8.
	MaxReaders int
}

// Store opens and caches the per-tenant SQLite databases in one directory.
type Store struct {
	dir  string
	opts Options
	log  *slog.Logger

	mu      sync.Mutex
	tenants map[string]*tenantStore
	closed  bool
}

var _ store.Store = (*Store)(nil)

// tenantRE is the accepted tenant id form: lower-case letters, digits and
// hyphens, starting with a letter or digit, so a lower-case GUID fits and no
// id can form a path such as ".." or "a/b".
var tenantRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// Open returns a Store that keeps each tenant in <dir>/<tenant>.db, creating
// dir when it does not exist.
func Open(dir string, opts Options) (*Store, error) {
	if dir == "" {
		return nil, errors.New("open sqlite store: missing directory")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open sqlite store: %w", err)
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxReaders <= 0 {
		opts.MaxReaders = 8
	}
	return &Store{dir: dir, opts: opts, log: opts.Logger, tenants: map[string]*tenantStore{}}, nil
}

// Tenant returns the store of one tenant, creating and migrating its database
// on first use. The tenant id must be a lower-case GUID or match
// [a-z0-9][a-z0-9-]{0,62}, and any other id fails with store.ErrInvalidTenant.
func (s *Store) Tenant(ctx context.Context, tenant string) (store.TenantStore, error) {
	if !tenantRE.MatchString(tenant) {
		return nil, fmt.Errorf("%w: expected a lower-case GUID or [a-z0-9][a-z0-9-]{0,62}",
			store.ErrInvalidTenant)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errors.New("open tenant store: store is closed")
	}
	if t, ok := s.tenants[tenant]; ok {
		return t, nil
	}
	t, err := openTenant(ctx, filepath.Join(s.dir, tenant+".db"), tenant, s.opts)
	if err != nil {
		s.log.Error("tenant store open failed", "tenant", tenant, "err", err)
		return nil, err
	}
	s.tenants[tenant] = t
	s.log.Info("tenant store opened", "tenant", tenant)
	return t, nil
}

// Close closes every open tenant database. Tenant fails after Close.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	var errs []error
	for name, t := range s.tenants {
		errs = append(errs, t.close())
		delete(s.tenants, name)
	}
	return errors.Join(errs...)
}

// tenantStore is the store of one tenant: one database file with a single
// writer connection and a pool of read-only connections.
type tenantStore struct {
	tenant string
	writer *sql.DB
	reader *sql.DB
	log    *slog.Logger
	now    func() time.Time
}

var _ store.TenantStore = (*tenantStore)(nil)

// dsn returns the driver data source name for path with the given pragmas.
func dsn(path string, pragmas ...string) string {
	q := url.Values{}
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	return path + "?" + q.Encode()
}

func openTenant(ctx context.Context, path, tenant string, opts Options) (*tenantStore, error) {
	// Create the file readable by its owner only: it holds patient data, and
	// SQLite gives the -wal and -shm files the database file's permissions.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open tenant database: %w", err)
	}
	f.Close()
	writer, err := sql.Open("sqlite", dsn(path, "busy_timeout(5000)", "journal_mode(WAL)",
		"foreign_keys(1)", "synchronous(NORMAL)")+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open tenant database: %w", err)
	}
	writer.SetMaxOpenConns(1)
	writer.SetConnMaxIdleTime(0)
	if err := migrate(ctx, writer); err != nil {
		writer.Close()
		return nil, err
	}
	// Refresh the planner's statistics where they are missing or stale, as
	// SQLite advises on opening a long-lived connection.
	if _, err := writer.ExecContext(ctx, "PRAGMA optimize=0x10002"); err != nil {
		writer.Close()
		return nil, fmt.Errorf("optimize tenant database: %w", err)
	}

	reader, err := sql.Open("sqlite", dsn(path, "busy_timeout(5000)", "foreign_keys(1)",
		"query_only(1)"))
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("open tenant database for reading: %w", err)
	}
	reader.SetMaxOpenConns(opts.MaxReaders)
	reader.SetMaxIdleConns(opts.MaxReaders)
	if err := reader.PingContext(ctx); err != nil {
		writer.Close()
		reader.Close()
		return nil, fmt.Errorf("open tenant database for reading: %w", err)
	}
	return &tenantStore{
		tenant: tenant, writer: writer, reader: reader,
		log: opts.Logger.With("tenant", tenant), now: opts.Now,
	}, nil
}

func (t *tenantStore) close() error {
	return errors.Join(t.reader.Close(), t.writer.Close())
}
