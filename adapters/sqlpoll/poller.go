package sqlpoll

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
)

// Poller runs one mapping's query incrementally by a cursor column.
type Poller struct {
	// DB is the source database, for example from [Open].
	DB *sqlx.DB
	// Query selects the rows changed after the named parameter :cursor,
	// ordered by the cursor column first, for example
	//	SELECT id, pulse, updated_at FROM vital_signs
	//	WHERE updated_at > :cursor ORDER BY updated_at, id
	// sqlx reads "::" as an escaped colon, so write a PostgreSQL cast as
	// CAST(:cursor AS timestamptz), not :cursor::timestamptz.
	Query string
	// CursorColumn is the result column that orders the rows.
	CursorColumn string
	// KeyColumns are the result columns that identify a source record.
	KeyColumns []string
	// Name is the mapping name used in errors. Optional.
	Name string
}

// Row is one result row.
type Row struct {
	// Values maps column names to values: []byte becomes string, time.Time
	// stays time.Time, NULL is nil.
	Values map[string]any
	// Key is the key columns' values as text, joined by "/", e.g. "17/3".
	Key string
	// Cursor is the row's cursor value as canonical text (see [CursorText]).
	Cursor string
	// SafeCursor is the cursor to save with this row's commit: every row at
	// or below it was handled before this row. It is the greatest cursor
	// value of this run below the row's own, or the start cursor.
	SafeCursor string
}

// Result summarises one run.
type Result struct {
	// Rows is the number of rows handled.
	Rows int
	// LastCursor is the cursor to save after the run: the last row's cursor,
	// or the start cursor when the query returned no row.
	LastCursor string
}

// Run queries the rows after cursor and calls handle for each, in order. It
// streams rows, so the result set never sits in memory.
//
// Rows that share a cursor value form a tie group. Saving a row's Cursor
// before the rest of its group is handled would skip the rest on the next
// run, so each row carries a SafeCursor below its group. A caller that saves
// SafeCursor with each commit and Result.LastCursor at the end loses no row
// after a crash, and receives again only rows of the interrupted tie group.
//
// If handle returns an error, Run stops and returns it with the rows handled
// so far; a caller dead-letters a bad row and returns nil to go on.
func (p *Poller) Run(ctx context.Context, cursor string, handle func(ctx context.Context, r Row) error) (Result, error) {
	result := Result{LastCursor: cursor}
	query, args, err := p.bind(cursor)
	if err != nil {
		return result, err
	}

	rows, err := p.DB.QueryxContext(ctx, query, args...)
	if err != nil {
		return result, fmt.Errorf("%s: run query: %w", p.label(), err)
	}
	defer rows.Close()

	columns, err := rows.Columns()
	if err != nil {
		return result, fmt.Errorf("%s: read result columns: %w", p.label(), err)
	}
	if err := p.checkColumns(columns); err != nil {
		return result, err
	}

	tracker := newCursorTracker(cursor)
	for rows.Next() {
		row, err := p.scanRow(rows, result.Rows+1, tracker)
		if err != nil {
			return result, err
		}
		if err := handle(ctx, row); err != nil {
			return result, err
		}
		result.Rows++
		result.LastCursor = row.Cursor
	}
	if err := rows.Err(); err != nil {
		return result, fmt.Errorf("%s: read rows: %w", p.label(), err)
	}
	return result, nil
}

func (p *Poller) scanRow(rows *sqlx.Rows, number int, tracker *cursorTracker) (Row, error) {
	values := make(map[string]any)
	if err := rows.MapScan(values); err != nil {
		return Row{}, fmt.Errorf("%s: scan row %d: %w", p.label(), number, err)
	}
	for column, v := range values {
		if b, ok := v.([]byte); ok {
			values[column] = string(b)
		}
	}

	key, err := p.rowKey(values, number)
	if err != nil {
		return Row{}, err
	}
	raw := values[p.CursorColumn]
	if raw == nil {
		return Row{}, fmt.Errorf("%w: %s: row %d (key %s): cursor column %q is NULL: "+
			"exclude NULLs in the query or pick a NOT NULL column",
			ErrInvalidRow, p.label(), number, key, p.CursorColumn)
	}
	safe, err := tracker.next(raw)
	if err != nil {
		return Row{}, fmt.Errorf("%w: %s: row %d (key %s): %w", ErrInvalidRow, p.label(), number, key, err)
	}
	return Row{Values: values, Key: key, Cursor: CursorText(raw), SafeCursor: safe}, nil
}

func (p *Poller) rowKey(values map[string]any, number int) (string, error) {
	parts := make([]string, len(p.KeyColumns))
	for i, column := range p.KeyColumns {
		v := values[column]
		if v == nil {
			return "", fmt.Errorf("%w: %s: row %d: key column %q is NULL: exclude NULL keys in the query",
				ErrInvalidRow, p.label(), number, column)
		}
		parts[i] = CursorText(v)
	}
	return strings.Join(parts, "/"), nil
}

func (p *Poller) label() string {
	if p.Name == "" {
		return "sql poll"
	}
	return "sql poll of mapping " + p.Name
}
