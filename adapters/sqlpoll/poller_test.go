package sqlpoll

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestIntegrationIncrementalRuns(t *testing.T) {
	for _, driver := range drivers {
		t.Run(driver, func(t *testing.T) {
			db := openTestDB(t, driver)
			p := timePoller(db)
			insertVitals(t, db, vital{1, 1, 1, at(1)}, vital{2, 1, 1, at(2)}, vital{3, 1, 1, at(3)})

			rows, result := collect(t, p, startCursor)
			if diff := cmp.Diff([]string{"1/1", "2/1", "3/1"}, keys(rows)); diff != "" {
				t.Errorf("first run keys (-want +got):\n%s", diff)
			}
			if want := (Result{Rows: 3, LastCursor: at(3)}); result != want {
				t.Errorf("first run: got %+v, want %+v", result, want)
			}

			insertVitals(t, db, vital{4, 1, 1, at(4)}, vital{1, 2, 1, at(5)})
			rows, result = collect(t, p, result.LastCursor)
			if diff := cmp.Diff([]string{"4/1", "1/2"}, keys(rows)); diff != "" {
				t.Errorf("second run keys (-want +got):\n%s", diff)
			}
			if want := (Result{Rows: 2, LastCursor: at(5)}); result != want {
				t.Errorf("second run: got %+v, want %+v", result, want)
			}

			rows, result = collect(t, p, result.LastCursor)
			if len(rows) != 0 {
				t.Errorf("third run: got %d rows, want 0", len(rows))
			}
			if result.LastCursor != at(5) {
				t.Errorf("third run LastCursor: got %q, want %q", result.LastCursor, at(5))
			}
		})
	}
}

func TestIntegrationTieGroupCrash(t *testing.T) {
	for _, driver := range drivers {
		t.Run(driver, func(t *testing.T) {
			db := openTestDB(t, driver)
			p := timePoller(db)
			insertVitals(t, db,
				vital{1, 1, 1, at(1)},
				vital{2, 1, 1, at(2)}, vital{3, 1, 1, at(2)}, vital{4, 1, 1, at(2)},
				vital{5, 1, 1, at(3)})

			// The handler commits 1/1 and 2/1, saving each row's SafeCursor,
			// then fails inside the tie group at 10:02.
			committed := map[string]int{}
			saved := startCursor
			_, err := p.Run(context.Background(), saved, func(_ context.Context, r Row) error {
				if r.Key == "3/1" {
					return errStoreDown
				}
				committed[r.Key]++
				saved = r.SafeCursor
				return nil
			})
			if !errors.Is(err, errStoreDown) {
				t.Fatalf("crashing run: got %v, want %v", err, errStoreDown)
			}
			if saved != at(1) {
				t.Errorf("saved cursor after crash: got %q, want %q", saved, at(1))
			}

			rows, result := collect(t, p, saved)
			for _, r := range rows {
				committed[r.Key]++
			}
			want := map[string]int{"1/1": 1, "2/1": 2, "3/1": 1, "4/1": 1, "5/1": 1}
			if diff := cmp.Diff(want, committed); diff != "" {
				t.Errorf("commits per key (-want +got):\n%s", diff)
			}
			if result.LastCursor != at(3) {
				t.Errorf("LastCursor: got %q, want %q", result.LastCursor, at(3))
			}
		})
	}
}

func TestIntegrationSafeCursor(t *testing.T) {
	for _, driver := range drivers {
		t.Run(driver, func(t *testing.T) {
			db := openTestDB(t, driver)
			insertVitals(t, db,
				vital{1, 1, 1, at(1)}, vital{2, 1, 1, at(1)},
				vital{3, 1, 1, at(2)}, vital{4, 1, 1, at(3)}, vital{5, 1, 1, at(3)})

			rows, _ := collect(t, timePoller(db), startCursor)
			type cursors struct{ Key, Cursor, SafeCursor string }
			var got []cursors
			for _, r := range rows {
				got = append(got, cursors{r.Key, r.Cursor, r.SafeCursor})
			}
			want := []cursors{
				{"1/1", at(1), startCursor},
				{"2/1", at(1), startCursor},
				{"3/1", at(2), at(1)},
				{"4/1", at(3), at(2)},
				{"5/1", at(3), at(2)},
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("cursors (-want +got):\n%s", diff)
			}
		})
	}
}

func TestIntegrationIntegerCursor(t *testing.T) {
	for _, driver := range drivers {
		t.Run(driver, func(t *testing.T) {
			db := openTestDB(t, driver)
			insertVitals(t, db,
				vital{1, 1, 1, at(1)}, vital{2, 1, 2, at(1)}, vital{3, 1, 2, at(1)}, vital{4, 1, 10, at(1)})
			p := &Poller{
				DB:           db,
				Query:        `SELECT id, version FROM vital_signs WHERE version > :cursor ORDER BY version, id`,
				CursorColumn: "version",
				KeyColumns:   []string{"id"},
			}

			// As text "10" sorts below "2"; the cursor must compare as a number.
			rows, result := collect(t, p, "2")
			if diff := cmp.Diff([]string{"4"}, keys(rows)); diff != "" {
				t.Errorf("keys after cursor 2 (-want +got):\n%s", diff)
			}
			if result.LastCursor != "10" {
				t.Errorf("LastCursor: got %q, want %q", result.LastCursor, "10")
			}

			rows, _ = collect(t, p, "0")
			var safe []string
			for _, r := range rows {
				safe = append(safe, r.SafeCursor)
			}
			if diff := cmp.Diff([]string{"0", "1", "1", "2"}, safe); diff != "" {
				t.Errorf("SafeCursor per row (-want +got):\n%s", diff)
			}
		})
	}
}

func TestIntegrationValuesMatchAcrossDrivers(t *testing.T) {
	values := map[string]map[string]any{}
	for _, driver := range drivers {
		db := openTestDB(t, driver)
		insertVitals(t, db, vital{7, 1, 3, at(4)})
		if _, err := db.Exec(`UPDATE vital_signs SET pulse = NULL`); err != nil {
			t.Fatalf("%s: clear pulse: %v", driver, err)
		}
		rows, _ := collect(t, timePoller(db), startCursor)
		if len(rows) != 1 {
			t.Fatalf("%s: got %d rows, want 1", driver, len(rows))
		}
		values[driver] = rows[0].Values
	}

	want := map[string]any{
		"id":         int64(7),
		"seq":        int64(1),
		"pulse":      nil,
		"note":       "resting",
		"updated_at": time.Date(2024, 5, 1, 10, 4, 0, 0, time.UTC),
	}
	for _, driver := range drivers {
		if diff := cmp.Diff(want, values[driver]); diff != "" {
			t.Errorf("%s values (-want +got):\n%s", driver, diff)
		}
	}
}

func TestIntegrationTextTimestampCursor(t *testing.T) {
	// A SQLite column declared TEXT returns its stored text, and the cursor
	// round-trips it unchanged whatever the layout.
	db := openTestDB(t, "sqlite")
	if _, err := db.Exec(`CREATE TABLE notes (id INTEGER PRIMARY KEY, changed TEXT NOT NULL)`); err != nil {
		t.Fatalf("create table: %v", err)
	}
	if _, err := db.Exec(`INSERT INTO notes VALUES (1, '2024-05-01 10:00:00'), (2, '2024-05-01 10:00:05'),
		(3, '2024-05-01 10:00:05'), (4, '2024-05-02 08:00:00')`); err != nil {
		t.Fatalf("insert: %v", err)
	}
	p := &Poller{
		DB:           db,
		Query:        `SELECT id, changed FROM notes WHERE changed > :cursor ORDER BY changed, id`,
		CursorColumn: "changed",
		KeyColumns:   []string{"id"},
	}

	rows, result := collect(t, p, "2024-05-01 10:00:00")
	if diff := cmp.Diff([]string{"2", "3", "4"}, keys(rows)); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	if result.LastCursor != "2024-05-02 08:00:00" {
		t.Errorf("LastCursor: got %q, want %q", result.LastCursor, "2024-05-02 08:00:00")
	}
	if rows[2].SafeCursor != "2024-05-01 10:00:05" {
		t.Errorf("SafeCursor of key 4: got %q, want %q", rows[2].SafeCursor, "2024-05-01 10:00:05")
	}
}

func TestIntegrationInvalidQueries(t *testing.T) {
	db := openTestDB(t, "sqlite")
	insertVitals(t, db, vital{1, 1, 1, at(1)})

	tests := []struct {
		name    string
		edit    func(*Poller)
		cursor  string
		wantErr error
		want    string
	}{
		{"no cursor parameter", func(p *Poller) {
			p.Query = `SELECT id, seq, updated_at FROM vital_signs ORDER BY updated_at`
		}, startCursor, ErrInvalidQuery, "no :cursor parameter"},
		{"other named parameter", func(p *Poller) {
			p.Query = `SELECT id, seq, updated_at FROM vital_signs WHERE updated_at > :cursor AND id = :id ORDER BY updated_at`
		}, startCursor, ErrInvalidQuery, "only named parameter allowed is :cursor"},
		{"no order by", func(p *Poller) {
			p.Query = `SELECT id, seq, updated_at FROM vital_signs WHERE updated_at > :cursor`
		}, startCursor, ErrInvalidQuery, "no ORDER BY"},
		{"order by other column", func(p *Poller) {
			p.Query = `SELECT id, seq, updated_at FROM vital_signs WHERE updated_at > :cursor ORDER BY id, updated_at`
		}, startCursor, ErrInvalidQuery, "order by the cursor column first"},
		{"descending order", func(p *Poller) {
			p.Query = `SELECT id, seq, updated_at FROM vital_signs WHERE updated_at > :cursor ORDER BY updated_at DESC`
		}, startCursor, ErrInvalidQuery, "descending"},
		{"row limit", func(p *Poller) {
			p.Query = `SELECT id, seq, updated_at FROM vital_signs WHERE updated_at > :cursor ORDER BY updated_at LIMIT 10`
		}, startCursor, ErrInvalidQuery, "remove the limit"},
		{"cursor column not selected", func(p *Poller) {
			p.Query = `SELECT id, seq FROM vital_signs WHERE updated_at > :cursor ORDER BY updated_at`
		}, startCursor, ErrInvalidQuery, `no column "updated_at"`},
		{"key column not selected", func(p *Poller) {
			p.Query = `SELECT id, updated_at FROM vital_signs WHERE updated_at > :cursor ORDER BY updated_at`
		}, startCursor, ErrInvalidQuery, `no column "seq"`},
		{"empty start cursor", func(*Poller) {}, "", ErrInvalidQuery, "start cursor is empty"},
		{"no key columns", func(p *Poller) { p.KeyColumns = nil }, startCursor, ErrInvalidQuery, "key columns are empty"},
		{"rows out of order", func(p *Poller) {
			p.Query = `SELECT v.id, v.seq, 100 - v.version AS version FROM vital_signs v
				WHERE v.version > :cursor ORDER BY v.version`
			p.CursorColumn = "version"
		}, "0", ErrInvalidRow, "ascending cursor order"},
		{"null cursor", func(p *Poller) {
			p.Query = `SELECT id, seq, NULL AS version FROM vital_signs WHERE version > :cursor ORDER BY version`
			p.CursorColumn = "version"
		}, "0", ErrInvalidRow, `cursor column "version" is NULL`},
	}
	insertVitals(t, db, vital{2, 1, 2, at(2)})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := timePoller(db)
			tt.edit(p)
			_, err := p.Run(context.Background(), tt.cursor, func(context.Context, Row) error { return nil })
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got error %v, want %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %q, want it to contain %q", err, tt.want)
			}
			if !strings.Contains(err.Error(), "sample-vital-signs") {
				t.Errorf("got %q, want it to name the mapping", err)
			}
		})
	}
}

func TestIntegrationHandlerErrorStopsRun(t *testing.T) {
	db := openTestDB(t, "sqlite")
	insertVitals(t, db, vital{1, 1, 1, at(1)}, vital{2, 1, 1, at(2)}, vital{3, 1, 1, at(3)})

	calls := 0
	result, err := timePoller(db).Run(context.Background(), startCursor, func(_ context.Context, r Row) error {
		calls++
		if r.Key == "2/1" {
			return errStoreDown
		}
		return nil
	})
	if !errors.Is(err, errStoreDown) {
		t.Errorf("got error %v, want %v", err, errStoreDown)
	}
	if calls != 2 {
		t.Errorf("handler calls: got %d, want 2", calls)
	}
	if want := (Result{Rows: 1, LastCursor: at(1)}); result != want {
		t.Errorf("got %+v, want %+v", result, want)
	}
}
