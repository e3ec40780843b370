package sqlpoll

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ehrbridge/ehrbridge/internal/pgtest"
	"github.com/jmoiron/sqlx"
)

func TestMain(m *testing.M) {
	os.Exit(pgtest.Main(m))
}

const startCursor = "1970-01-01T00:00:00Z"

// schemas creates the vital_signs table: updated_at is DATETIME text in
// SQLite and timestamptz in PostgreSQL.
var schemas = map[string]string{
	"sqlite": `CREATE TABLE vital_signs (
		id INTEGER NOT NULL, seq INTEGER NOT NULL, pulse INTEGER, note TEXT,
		updated_at DATETIME NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (id, seq))`,
	"postgres": `CREATE TABLE vital_signs (
		id INTEGER NOT NULL, seq INTEGER NOT NULL, pulse INTEGER, note TEXT,
		updated_at TIMESTAMPTZ NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (id, seq))`,
}

var drivers = []string{"sqlite", "postgres"}

// openTestDB returns an empty database with the vital_signs table.
func openTestDB(t testing.TB, driver string) *sqlx.DB {
	t.Helper()
	dsn := "file:" + filepath.Join(t.TempDir(), "ehr.db") + "?_pragma=journal_mode(WAL)"
	if driver == "postgres" {
		dsn = pgtest.DSN(t)
	}
	db, err := Open(driver, dsn)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(schemas[driver]); err != nil {
		t.Fatalf("create table: %v", err)
	}
	return db
}

type vital struct {
	id, seq, version int
	updatedAt        string
}

func insertVitals(t testing.TB, db *sqlx.DB, vitals ...vital) {
	t.Helper()
	query := db.Rebind(`INSERT INTO vital_signs (id, seq, pulse, note, updated_at, version)
		VALUES (?, ?, 72, 'resting', ?, ?)`)
	for _, v := range vitals {
		updated := v.updatedAt
		if ts, err := time.Parse(time.RFC3339Nano, updated); err == nil && db.DriverName() == "sqlite" {
			// SQLite keeps timestamps in its own datetime() text.
			updated = ts.UTC().Format(sqliteTimeLayout)
		}
		if _, err := db.Exec(query, v.id, v.seq, updated, v.version); err != nil {
			t.Fatalf("insert vital %d/%d: %v", v.id, v.seq, err)
		}
	}
}

func at(minute int) string {
	return time.Date(2024, 5, 1, 10, minute, 0, 0, time.UTC).Format(cursorTimeLayout)
}

func timePoller(db *sqlx.DB) *Poller {
	return &Poller{
		DB: db,
		Query: `SELECT id, seq, pulse, note, updated_at FROM vital_signs
			WHERE updated_at > :cursor ORDER BY updated_at, id, seq`,
		CursorColumn: "updated_at",
		KeyColumns:   []string{"id", "seq"},
		Name:         "sample-vital-signs",
	}
}

// collect runs p from cursor and returns the rows handled.
func collect(t *testing.T, p *Poller, cursor string) ([]Row, Result) {
	t.Helper()
	var rows []Row
	result, err := p.Run(context.Background(), cursor, func(_ context.Context, r Row) error {
		rows = append(rows, r)
		return nil
	})
	if err != nil {
		t.Fatalf("Run from %q: %v", cursor, err)
	}
	return rows, result
}

func keys(rows []Row) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Key
	}
	return out
}

var errStoreDown = errors.New("store unavailable")
