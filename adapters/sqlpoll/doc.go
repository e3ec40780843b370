// Package sqlpoll reads a relational EHR incrementally: it runs a mapping's
// SQL query for the rows whose cursor column is above a saved cursor, in
// cursor order, and hands them to the pipeline one at a time.
//
// A mapping query binds the named parameter :cursor and orders by the cursor
// column first, for example
//
//	SELECT id, pulse, updated_at FROM vital_signs
//	WHERE updated_at > :cursor ORDER BY updated_at, id
//
// [Poller.Run] checks this before it runs the query, and checks that the
// result has the cursor and key columns. The caller commits each row's
// resources together with the row's [Row.SafeCursor], and saves
// [Result.LastCursor] after the run, so a crash loses no row even when many
// rows share one cursor value.
//
// Cursor values are saved as text (see [CursorText]). Timestamps become
// RFC 3339 in UTC with nine fraction digits. PostgreSQL compares that text
// correctly against timestamp and timestamptz columns. SQLite compares text,
// so a time cursor is bound in SQLite's own timestamp text ("YYYY-MM-DD
// HH:MM:SS" in UTC, as datetime() writes it), and stored timestamps must use
// that layout. A column declared TEXT holding another layout also works,
// because its cursor is the stored text itself.
//
// NOTE: A row written later with a cursor value at or below a saved cursor is
// never read, so the source must set the cursor column when the row commits
// (a sequence, or a clock that only moves forward).
//
// [Open] opens the source with driver "sqlite" (modernc.org/sqlite) or
// "postgres" (github.com/lib/pq).
package sqlpoll
