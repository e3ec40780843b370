package pipeline

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/ehrbridge/ehrbridge/adapters/sqlpoll"
	"github.com/ehrbridge/ehrbridge/store"
	"github.com/ehrbridge/ehrbridge/transform"
)

// DefaultInitialCursor is the start cursor of a SQL mapping without
// initial_cursor, a time earlier than the records of a clinical system.
const DefaultInitialCursor = "1900-01-01T00:00:00Z"

// SyncStats counts the records of a SQL sync.
type SyncStats struct {
	Rows      int // rows read
	Committed int // rows whose resources were committed
	Rejected  int // rows put in the dead-letter store
}

// Add adds other's counts to s.
func (s *SyncStats) Add(other SyncStats) {
	s.Rows += other.Rows
	s.Committed += other.Committed
	s.Rejected += other.Rejected
}

// CursorName returns the name under which a SQL mapping's cursor is saved.
func CursorName(source, mapping string) string { return source + "/" + mapping }

// SyncSQL runs every SQL mapping of a source once, from its saved cursor.
// Each row's resources are committed together with the cursor position
// that row makes safe, so a crash resumes without losing a row.
func (p *Pipeline) SyncSQL(ctx context.Context, source string, db *sqlx.DB, mappings *transform.Set) (SyncStats, error) {
	var total SyncStats
	for _, m := range mappings.OfKind(transform.SQLSource) {
		stats, err := p.syncMapping(ctx, source, db, m)
		total.Add(stats)
		if err != nil {
			return total, fmt.Errorf("sync mapping %s: %w", m.Name, err)
		}
	}
	return total, nil
}

func (p *Pipeline) syncMapping(ctx context.Context, source string, db *sqlx.DB, m *transform.Mapping) (SyncStats, error) {
	var stats SyncStats
	cursorName := CursorName(source, m.Name)
	cursor, ok, err := p.Store.Cursor(ctx, cursorName)
	if err != nil {
		return stats, err
	}
	if !ok {
		cursor = m.InitialCursor
		if cursor == "" {
			cursor = DefaultInitialCursor
		}
	}
	poller := &sqlpoll.Poller{DB: db, Query: m.Query, CursorColumn: m.CursorColumn, KeyColumns: m.KeyColumns}
	result, err := poller.Run(ctx, cursor, func(ctx context.Context, row sqlpoll.Row) error {
		stats.Rows++
		res, err := p.handleRow(ctx, source, m, row)
		if err != nil {
			return err
		}
		switch res.Outcome {
		case Rejected:
			stats.Rejected++
		default:
			stats.Committed++
		}
		return nil
	})
	if err != nil {
		return stats, err
	}
	if result.Rows > 0 && result.LastCursor != "" {
		// The last row's own commit saved only the cursor before its tie
		// group; now every row up to LastCursor is committed.
		_, err := p.Store.Commit(ctx, store.Commit{Cursor: &store.CursorUpdate{Name: cursorName, Value: result.LastCursor}})
		if err != nil {
			return stats, fmt.Errorf("save cursor: %w", err)
		}
	}
	return stats, nil
}

// handleRow maps, validates and commits one row, or dead-letters it.
func (p *Pipeline) handleRow(ctx context.Context, source string, m *transform.Mapping, row sqlpoll.Row) (RecordResult, error) {
	key := m.Name + "/" + row.Key
	cursor := &store.CursorUpdate{Name: CursorName(source, m.Name), Value: row.SafeCursor}
	outputs, err := m.MapRow(row.Values, p.Versions)
	var writes []store.Write
	if err == nil {
		writes, err = p.buildWrites(outputs, source, key)
	}
	if err != nil {
		payload, _ := json.Marshal(row.Values)
		return p.commit(ctx, source, key, payload, nil, nil, err)
	}
	return p.commit(ctx, source, key, nil, writes, cursor, nil)
}
