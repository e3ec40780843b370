package sampledata

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"

	"github.com/ehrbridge/ehrbridge/internal/pgtest"
)

func TestMain(m *testing.M) {
	os.Exit(pgtest.Main(m))
}

// openEngines returns the sample EHR loaded into a real SQLite file and a
// real PostgreSQL database.
func openEngines(t *testing.T) map[string]*sqlx.DB {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ehr.db")
	if err := BuildSQLite(ctx, path); err != nil {
		t.Fatalf("BuildSQLite: %v", err)
	}
	lite, err := sqlx.Open("sqlite", path)
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { _ = lite.Close() })

	pg, err := sqlx.Open("postgres", pgtest.DSN(t))
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() { _ = pg.Close() })
	if err := Load(ctx, pg); err != nil {
		t.Fatalf("Load into postgres: %v", err)
	}
	return map[string]*sqlx.DB{"sqlite": lite, "postgres": pg}
}

// rowsByTable returns the dataset rows of each table as column maps, with
// nil for NULL, the way the tests expect the drivers to return them.
func rowsByTable(ds *Dataset) map[string][]map[string]any {
	out := map[string][]map[string]any{}
	v := reflect.ValueOf(ds).Elem()
	for i := range v.NumField() {
		name := v.Type().Field(i).Tag.Get("json")
		slice := v.Field(i)
		for j := range slice.Len() {
			out[name] = append(out[name], rowMap(slice.Index(j)))
		}
	}
	return out
}

func rowMap(row reflect.Value) map[string]any {
	m := map[string]any{}
	for i := range row.NumField() {
		col := row.Type().Field(i).Tag.Get("db")
		f := row.Field(i)
		if f.Kind() == reflect.Pointer {
			if f.IsNil() {
				m[col] = nil
				continue
			}
			f = f.Elem()
		}
		m[col] = f.Interface()
	}
	return m
}

func TestIntegrationLoadRoundTrip(t *testing.T) {
	want := rowsByTable(Generate())
	for engine, db := range openEngines(t) {
		for table, wantRows := range want {
			t.Run(engine+"/"+table, func(t *testing.T) {
				got := selectAll(t, db, table)
				if len(got) != len(wantRows) {
					t.Fatalf("got %d rows, want %d", len(got), len(wantRows))
				}
				for i := range got {
					compareRow(t, engine, got[i], wantRows[i])
				}
			})
		}
	}
}

func selectAll(t *testing.T, db *sqlx.DB, table string) []map[string]any {
	t.Helper()
	rows, err := db.Queryx("SELECT * FROM " + table + " ORDER BY id")
	if err != nil {
		t.Fatalf("select: %v", err)
	}
	defer rows.Close()
	var out []map[string]any
	for rows.Next() {
		m := map[string]any{}
		if err := rows.MapScan(m); err != nil {
			t.Fatalf("MapScan: %v", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("rows: %v", err)
	}
	return out
}

// compareRow checks the Go type and value of every column. Times must be
// the same instant with a zero UTC offset.
func compareRow(t *testing.T, engine string, got, want map[string]any) {
	t.Helper()
	for col, w := range want {
		g, ok := got[col]
		if !ok {
			t.Errorf("id %v: column %s missing", want["id"], col)
			continue
		}
		if reflect.TypeOf(g) != reflect.TypeOf(w) {
			t.Errorf("id %v: column %s: got Go type %T, want %T", want["id"], col, g, w)
			continue
		}
		if wt, isTime := w.(time.Time); isTime {
			gt := g.(time.Time)
			if _, offset := gt.Zone(); offset != 0 || !gt.Equal(wt) {
				t.Errorf("id %v: column %s: got %v, want %v", want["id"], col, gt, wt)
			}
			continue
		}
		if g != w {
			t.Errorf("id %v: column %s: got %#v, want %#v", want["id"], col, g, w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("id %v: got %d columns, want %d", want["id"], len(got), len(want))
	}
}

func TestBuildSQLiteReplacesFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ehr.db")
	if err := os.WriteFile(path, []byte("not a database"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := BuildSQLite(context.Background(), path); err != nil {
		t.Fatalf("BuildSQLite: %v", err)
	}
	db, err := sqlx.Open("sqlite", path)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer db.Close()
	var patients int
	if err := db.Get(&patients, "SELECT count(*) FROM patients"); err != nil {
		t.Fatalf("count patients: %v", err)
	}
	if patients != PatientCount {
		t.Errorf("got %d patients, want %d", patients, PatientCount)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("got %d files in the folder, want only ehr.db (no temporary file left)", len(entries))
	}
}

// TestIntegrationUpdatedAtCursor reads each table in updated_at order with
// a tie-safe cursor, (updated_at, id) greater than the last row read, bound
// in the TIMESTAMP text format, and checks that no row is skipped on
// either engine.
func TestIntegrationUpdatedAtCursor(t *testing.T) {
	for engine, db := range openEngines(t) {
		for _, table := range []string{"patients", "encounters", "vital_signs", "coverages"} {
			t.Run(engine+"/"+table, func(t *testing.T) {
				var total int
				if err := db.Get(&total, "SELECT count(*) FROM "+table); err != nil {
					t.Fatalf("count: %v", err)
				}
				query := db.Rebind("SELECT id, updated_at FROM " + table +
					" WHERE updated_at > ? OR (updated_at = ? AND id > ?) ORDER BY updated_at, id LIMIT 25")
				cursorTime, cursorID, read := "0001-01-01 00:00:00", int64(0), 0
				for {
					var page []struct {
						ID        int64     `db:"id"`
						UpdatedAt time.Time `db:"updated_at"`
					}
					if err := db.Select(&page, query, cursorTime, cursorTime, cursorID); err != nil {
						t.Fatalf("select page: %v", err)
					}
					if len(page) == 0 {
						break
					}
					read += len(page)
					last := page[len(page)-1]
					cursorTime, cursorID = last.UpdatedAt.UTC().Format(TimestampFormat), last.ID
				}
				if read != total {
					t.Errorf("got %d rows through the cursor, want %d", read, total)
				}
			})
		}
	}
}
