package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/ehrbridge/ehrbridge/fhir"
)

// tables names the tables of one FHIR version. Names come only from
// versionTables, never from request input.
type tables struct {
	resource string
	history  string
	search   string
}

var versionTables = map[fhir.Version]tables{
	fhir.DSTU2: {resource: "dstu2_resource", history: "dstu2_history", search: "dstu2_search"},
	fhir.STU3:  {resource: "stu3_resource", history: "stu3_history", search: "stu3_search"},
}

func tablesOf(v fhir.Version) (tables, error) {
	t, ok := versionTables[v]
	if !ok {
		return tables{}, fmt.Errorf("invalid FHIR version %q: use dstu2 or stu3", v)
	}
	return t, nil
}

// versionSchema creates the tables of one FHIR version. {p} is replaced by the
// version prefix. Times are Unix milliseconds (UTC). In the search table a
// date range with an open start has low = -2^63 and an open end has
// high = 2^63-1, so range comparisons need no NULL handling.
const versionSchema = `
CREATE TABLE {p}_resource (
	rid          INTEGER PRIMARY KEY,
	type         TEXT NOT NULL,
	id           TEXT NOT NULL,
	version_id   INTEGER NOT NULL,
	last_updated INTEGER NOT NULL,
	content_hash BLOB NOT NULL,
	body         BLOB NOT NULL,
	source       TEXT NOT NULL,
	source_key   TEXT NOT NULL,
	source_time  INTEGER,
	mapping      TEXT NOT NULL,
	UNIQUE (type, id)
);
CREATE INDEX {p}_resource_recent ON {p}_resource (type, last_updated DESC, id);
CREATE TABLE {p}_history (
	type         TEXT NOT NULL,
	id           TEXT NOT NULL,
	version_id   INTEGER NOT NULL,
	last_updated INTEGER NOT NULL,
	body         BLOB NOT NULL,
	source       TEXT NOT NULL,
	source_key   TEXT NOT NULL,
	source_time  INTEGER,
	mapping      TEXT NOT NULL,
	PRIMARY KEY (type, id, version_id)
) WITHOUT ROWID;
CREATE TABLE {p}_search (
	rid    INTEGER NOT NULL REFERENCES {p}_resource (rid) ON DELETE CASCADE,
	param  TEXT NOT NULL,
	value  TEXT NOT NULL DEFAULT '',
	exact  TEXT NOT NULL DEFAULT '',
	system TEXT NOT NULL DEFAULT '',
	low    INTEGER,
	high   INTEGER
);
CREATE INDEX {p}_search_value ON {p}_search (param, value, rid);
CREATE INDEX {p}_search_date ON {p}_search (param, low, rid);
CREATE INDEX {p}_search_rid ON {p}_search (rid, param);
`

const sharedSchema = `
CREATE TABLE sync_cursor (
	name       TEXT PRIMARY KEY,
	value      TEXT NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE TABLE dead_letter (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	source      TEXT NOT NULL,
	source_key  TEXT NOT NULL,
	reason      TEXT NOT NULL,
	payload     BLOB,
	received_at INTEGER NOT NULL
);
`

// migrations lists the schema steps in order. The database's user_version is
// the number of steps applied, so append new steps and never edit old ones.
var migrations = []string{
	strings.ReplaceAll(versionSchema, "{p}", "dstu2") +
		strings.ReplaceAll(versionSchema, "{p}", "stu3") + sharedSchema,
	// A record rejected again (a redelivery, or a sender repeating a bad
	// message) updates its dead letter instead of adding a second one.
	`ALTER TABLE dead_letter ADD COLUMN fingerprint TEXT;
UPDATE dead_letter SET fingerprint = 'id:' || id;
CREATE UNIQUE INDEX dead_letter_fingerprint ON dead_letter (source, fingerprint);`,
	// A date sort reads each match's range start through this index; with
	// low in it, SQLite uses it instead of scanning every date entry.
	strings.ReplaceAll(searchRidIndex, "{p}", "dstu2") + strings.ReplaceAll(searchRidIndex, "{p}", "stu3"),
}

const searchRidIndex = `
DROP INDEX {p}_search_rid;
CREATE INDEX {p}_search_rid ON {p}_search (rid, param, low);
`

// migrate applies the migrations the database has not seen yet, each in its
// own transaction together with the new user_version.
func migrate(ctx context.Context, db *sql.DB) error {
	var applied int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&applied); err != nil {
		return fmt.Errorf("migrate tenant database: read user_version: %w", err)
	}
	if applied > len(migrations) {
		return fmt.Errorf("migrate tenant database: schema version %d is newer than this "+
			"build's %d: upgrade ehrbridge", applied, len(migrations))
	}
	for i := applied; i < len(migrations); i++ {
		if err := migrateStep(ctx, db, i); err != nil {
			return err
		}
	}
	return nil
}

func migrateStep(ctx context.Context, db *sql.DB, step int) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate tenant database to version %d: %w", step+1, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, migrations[step]); err != nil {
		return fmt.Errorf("migrate tenant database to version %d: %w", step+1, err)
	}
	// PRAGMA takes no bound parameters, so the integer step+1 is formatted in.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", step+1)); err != nil {
		return fmt.Errorf("migrate tenant database to version %d: %w", step+1, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate tenant database to version %d: %w", step+1, err)
	}
	return nil
}
