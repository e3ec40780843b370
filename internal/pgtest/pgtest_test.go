package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/lib/pq"
)

func TestMain(m *testing.M) {
	os.Exit(Main(m))
}

func TestIntegrationDSNRoundTrip(t *testing.T) {
	db := openDB(t, DSN(t))
	ctx := context.Background()

	if _, err := db.ExecContext(ctx, `CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT NOT NULL)`); err != nil {
		t.Fatalf("create table: %v", err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO note (id, body) VALUES ($1, $2), ($3, $4)`,
		1, "Zoë Müller", 2, "O'Brien"); err != nil {
		t.Fatalf("insert: %v", err)
	}
	rows, err := db.QueryContext(ctx, `SELECT body FROM note ORDER BY id`)
	if err != nil {
		t.Fatalf("select: %v", err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			t.Fatalf("scan: %v", err)
		}
		got = append(got, body)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("rows: %v", err)
	}
	want := []string{"Zoë Müller", "O'Brien"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got bodies %q, want %q", got, want)
	}
}

func TestIntegrationDSNFreshDatabases(t *testing.T) {
	first, second := DSN(t), DSN(t)
	if first == second {
		t.Fatalf("got the same DSN twice, want a new database per call")
	}
	db1 := openDB(t, first)
	if _, err := db1.Exec(`CREATE TABLE only_in_first (id INTEGER)`); err != nil {
		t.Fatalf("create table: %v", err)
	}
	db2 := openDB(t, second)
	var count int
	err := db2.QueryRow(`SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_first'`).Scan(&count)
	if err != nil {
		t.Fatalf("count tables: %v", err)
	}
	if count != 0 {
		t.Errorf("got %d tables named only_in_first in the second database, want 0", count)
	}
}

func TestIntegrationDSNDropsDatabase(t *testing.T) {
	var name string
	var inner *sql.DB
	t.Run("inner", func(t *testing.T) {
		var err error
		inner, err = sql.Open("postgres", DSN(t))
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		// The connection stays open after this subtest, so the drop must end it.
		if err := inner.QueryRow(`SELECT current_database()`).Scan(&name); err != nil {
			t.Fatalf("current database: %v", err)
		}
	})
	defer inner.Close()

	db := openDB(t, DSN(t))
	var count int
	err := db.QueryRow(`SELECT count(*) FROM pg_database WHERE datname = $1`, name).Scan(&count)
	if err != nil {
		t.Fatalf("count databases: %v", err)
	}
	if count != 0 {
		t.Errorf("got %d databases named %s after the test ended, want 0", count, name)
	}
}

func TestFindBinaries(t *testing.T) {
	root := t.TempDir()
	makeBin := func(major string, programs ...string) {
		dir := filepath.Join(root, major, "bin")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, p := range programs {
			if err := os.WriteFile(filepath.Join(dir, p), []byte("#!/bin/sh\n"), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	makeBin("9.6", "initdb", "pg_ctl")
	makeBin("13", "initdb", "pg_ctl")
	makeBin("15", "initdb", "pg_ctl")
	makeBin("16", "initdb") // pg_ctl missing: not usable
	pathBins := map[string]string{"initdb": "/opt/pg/initdb", "pg_ctl": "/opt/pg/pg_ctl"}

	tests := []struct {
		name     string
		glob     string
		path     map[string]string
		want     binaries
		notFound bool
	}{
		{
			name: "newest complete major",
			glob: filepath.Join(root, "*", "bin"),
			want: binaries{
				initdb: filepath.Join(root, "15", "bin", "initdb"),
				pgCtl:  filepath.Join(root, "15", "bin", "pg_ctl"),
			},
		},
		{
			name: "fallback to PATH",
			glob: filepath.Join(root, "none", "*", "bin"),
			path: pathBins,
			want: binaries{initdb: "/opt/pg/initdb", pgCtl: "/opt/pg/pg_ctl"},
		},
		{
			name:     "nothing installed",
			glob:     filepath.Join(root, "none", "*", "bin"),
			path:     map[string]string{"initdb": "/opt/pg/initdb"},
			notFound: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lookPath := func(name string) (string, error) {
				if p, ok := tt.path[name]; ok {
					return p, nil
				}
				return "", errors.New("not found")
			}
			got, err := findBinaries(tt.glob, lookPath)
			var notFound *binariesNotFoundError
			if gotNotFound := errors.As(err, &notFound); gotNotFound != tt.notFound {
				t.Fatalf("got error %v, want not-found error %v", err, tt.notFound)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestBinariesNotFoundMessage(t *testing.T) {
	err := &binariesNotFoundError{looked: []string{defaultBinaryGlob, "PATH"}}
	want := "PostgreSQL server binaries not found (looked in /usr/lib/postgresql/*/bin, PATH); " +
		"install the Debian package postgresql to run this test"
	if err.Error() != want {
		t.Errorf("got %q, want %q", err.Error(), want)
	}
}

func TestDatabaseName(t *testing.T) {
	tests := []struct {
		name     string
		testName string
		seq      int64
		want     string
	}{
		{name: "subtest", testName: "TestLoad/SQLite and Postgres", seq: 3, want: "pgtest_testload_sqlite_and_postgres_3"},
		{name: "non-ASCII", testName: "TestNames/Zoë", seq: 1, want: "pgtest_testnames_zo_1"},
		{name: "long", testName: strings.Repeat("TestVeryLongName", 8), seq: 12, want: "pgtest_" + strings.Repeat("testverylongname", 8)[:53] + "_12"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := databaseName(tt.testName, tt.seq)
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if len(got) > 63 {
				t.Errorf("got length %d, want at most 63", len(got))
			}
		})
	}
}

func TestWithDatabase(t *testing.T) {
	tests := []struct {
		name string
		dsn  string
		want string
	}{
		{
			name: "url",
			dsn:  "postgres://app:secret@127.0.0.1:5432/postgres?sslmode=disable",
			want: "postgres://app:secret@127.0.0.1:5432/pgtest_x_1?sslmode=disable",
		},
		{
			name: "url with dbname parameter",
			dsn:  "postgresql://127.0.0.1/?dbname=postgres&sslmode=disable",
			want: "postgresql://127.0.0.1/pgtest_x_1?sslmode=disable",
		},
		{
			name: "key value",
			dsn:  "host=127.0.0.1 dbname=postgres sslmode=disable ",
			want: "host=127.0.0.1 dbname=postgres sslmode=disable dbname='pgtest_x_1'",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := withDatabase(tt.dsn, "pgtest_x_1"); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func openDB(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}
