// Package pgtest gives tests a real PostgreSQL database.
//
// [DSN] starts one throwaway cluster per test binary from the local server
// binaries (the Debian package postgresql installs them under
// /usr/lib/postgresql/<major>/bin) and creates a new, empty database for each
// caller. Tests in a package share the cluster, so call [Main] from the
// package's TestMain to stop it and remove its files once the tests end:
//
//	func TestMain(m *testing.M) {
//		os.Exit(pgtest.Main(m))
//	}
//
// Without Main the cluster is still stopped when the test binary exits: a
// watchdog process, started with the cluster, waits for the test binary's end
// of a pipe to close and then runs pg_ctl stop and removes the folder. That
// pipe closes on every kind of exit, including a panic in a test, a test
// timeout and SIGKILL.
//
// Set EHRBRIDGE_TEST_POSTGRES_DSN to use an existing server instead. Its role
// needs the CREATEDB privilege, because DSN creates a fresh database in it per
// call.
package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lib/pq"
)

// EnvDSN is the environment variable that points the tests at an existing
// PostgreSQL server in place of a throwaway cluster.
const EnvDSN = "EHRBRIDGE_TEST_POSTGRES_DSN"

// server is the PostgreSQL server that test databases are created in.
type server struct {
	admin   *sql.DB                    // connection to the maintenance database
	dsnFor  func(dbName string) string // DSN of the named database
	cluster *cluster                   // nil when the server is external
}

var (
	mu       sync.Mutex
	shared   *server
	startErr error // start-up error, returned to every later caller
	stopped  bool
	dbCount  atomic.Int64
)

// DSN returns the DSN of a new, empty database created for this test. The
// database is dropped in t.Cleanup, closing any connection still open to it.
//
// The first call starts the shared throwaway cluster (or connects to the
// server named by EHRBRIDGE_TEST_POSTGRES_DSN). When no PostgreSQL server
// binaries are installed, DSN skips the test, unless the environment variable
// CI is "true", where it fails the test so that CI never skips silently.
func DSN(t testing.TB) string {
	t.Helper()
	srv, err := sharedServer()
	if err != nil {
		var notFound *binariesNotFoundError
		if errors.As(err, &notFound) && os.Getenv("CI") != "true" {
			t.Skip(notFound.Error())
		}
		t.Fatalf("pgtest: %v", err)
	}

	name := databaseName(t.Name(), dbCount.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := srv.admin.ExecContext(ctx, "CREATE DATABASE "+pq.QuoteIdentifier(name)); err != nil {
		t.Fatalf("pgtest: create test database: %v", err)
	}
	t.Cleanup(func() { dropDatabase(t, srv.admin, name) })
	return srv.dsnFor(name)
}

// Main runs the tests of m, then stops the shared cluster and removes its
// folder. It returns the exit code for os.Exit. A failure to stop the
// cluster is printed to stderr and turns a passing run into exit code 1.
func Main(m *testing.M) int {
	code := m.Run()
	if err := shutdown(); err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// sharedServer starts the shared server on first use and returns it.
func sharedServer() (*server, error) {
	mu.Lock()
	defer mu.Unlock()
	if stopped {
		return nil, fmt.Errorf("cluster already stopped: call DSN only from tests run by pgtest.Main")
	}
	if shared == nil && startErr == nil {
		shared, startErr = startServer()
	}
	return shared, startErr
}

// startServer connects to the external server, or else starts a cluster.
func startServer() (*server, error) {
	if dsn := os.Getenv(EnvDSN); dsn != "" {
		return externalServer(dsn)
	}
	bins, err := findBinaries(defaultBinaryGlob, nil)
	if err != nil {
		return nil, err
	}
	c, err := startCluster(bins)
	if err != nil {
		return nil, err
	}
	admin, err := sql.Open("postgres", c.dsn("postgres"))
	if err != nil {
		return nil, errors.Join(fmt.Errorf("open admin connection: %w", err), c.stop())
	}
	return &server{admin: admin, dsnFor: c.dsn, cluster: c}, nil
}

// externalServer returns the server named by dsn, checked with a ping.
func externalServer(dsn string) (*server, error) {
	admin, err := sql.Open("postgres", dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", EnvDSN, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		_ = admin.Close()
		return nil, fmt.Errorf("connect to the server in %s: %w", EnvDSN, err)
	}
	dsnFor := func(dbName string) string { return withDatabase(dsn, dbName) }
	return &server{admin: admin, dsnFor: dsnFor}, nil
}

// shutdown closes the admin connection and stops the cluster, if one runs.
func shutdown() error {
	mu.Lock()
	defer mu.Unlock()
	stopped = true
	if shared == nil {
		return nil
	}
	srv := shared
	shared = nil
	closeErr := srv.admin.Close()
	if srv.cluster == nil {
		return closeErr
	}
	return errors.Join(closeErr, srv.cluster.stop())
}

// dropDatabase drops a test database, ending the connections still open to it.
func dropDatabase(t testing.TB, admin *sql.DB, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	stmt := "DROP DATABASE IF EXISTS " + pq.QuoteIdentifier(name) + " WITH (FORCE)"
	if _, err := admin.ExecContext(ctx, stmt); err != nil {
		t.Errorf("pgtest: drop test database %s: %v", name, err)
	}
}

var unsafeNameChars = regexp.MustCompile(`[^a-z0-9_]+`)

// databaseName builds a database name from a test name and a sequence
// number, within PostgreSQL's 63-byte identifier limit.
func databaseName(testName string, seq int64) string {
	const maxIdentifier = 63
	suffix := fmt.Sprintf("_%d", seq)
	base := unsafeNameChars.ReplaceAllString(strings.ToLower(testName), "_")
	base = "pgtest_" + strings.Trim(base, "_")
	if len(base)+len(suffix) > maxIdentifier {
		base = base[:maxIdentifier-len(suffix)]
	}
	return base + suffix
}

// withDatabase returns dsn with its database replaced by dbName. It accepts
// both DSN forms of lib/pq: a postgres:// URL and key=value pairs.
func withDatabase(dsn, dbName string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err == nil {
			u.Path = "/" + dbName
			u.RawPath = ""
			q := u.Query()
			q.Del("dbname")
			u.RawQuery = q.Encode()
			return u.String()
		}
	}
	// lib/pq keeps the last of repeated keys, so an appended dbname wins.
	return strings.TrimSpace(dsn) + " dbname=" + quoteValue(dbName)
}

// quoteValue quotes a value for a key=value DSN.
func quoteValue(v string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
}
