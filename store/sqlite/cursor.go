package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/ehrbridge/ehrbridge/store"
)

func saveCursor(ctx context.Context, tx *sql.Tx, c store.CursorUpdate, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO sync_cursor (name, value, updated_at)
		VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE
		SET value = excluded.value, updated_at = excluded.updated_at`,
		c.Name, c.Value, now.UnixMilli())
	if err != nil {
		return fmt.Errorf("commit: save cursor %s: %w", c.Name, err)
	}
	return nil
}

// Cursor returns the saved value of a sync cursor, and false when none is saved.
func (t *tenantStore) Cursor(ctx context.Context, name string) (string, bool, error) {
	var value string
	err := t.reader.QueryRowContext(ctx, `SELECT value FROM sync_cursor WHERE name = ?`, name).
		Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read cursor %s: %w", name, err)
	}
	return value, true, nil
}

// AddDeadLetter stores a rejected record. A zero ReceivedAt is set to now,
// and d.ID is ignored because the store assigns ids.
func (t *tenantStore) AddDeadLetter(ctx context.Context, d store.DeadLetter) error {
	received := d.ReceivedAt
	if received.IsZero() {
		received = t.now()
	}
	_, err := t.writer.ExecContext(ctx, `INSERT INTO dead_letter
		(source, source_key, reason, payload, received_at, fingerprint) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (source, fingerprint) DO UPDATE SET source_key = excluded.source_key,
		reason = excluded.reason, received_at = excluded.received_at`,
		d.Source, d.SourceKey, d.Reason, d.Payload, received.UnixMilli(), deadLetterFingerprint(d))
	if err != nil {
		return fmt.Errorf("add dead letter from %s: %w", d.Source, err)
	}
	return nil
}

// DeadLetters lists up to limit dead letters, oldest first. A limit of zero
// or less lists all of them.
func (t *tenantStore) DeadLetters(ctx context.Context, limit int) ([]store.DeadLetter, error) {
	if limit <= 0 {
		limit = -1 // SQLite reads a negative LIMIT as no limit
	}
	rows, err := t.reader.QueryContext(ctx, `SELECT id, source, source_key, reason, payload,
		received_at FROM dead_letter ORDER BY id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("list dead letters: %w", err)
	}
	defer rows.Close()
	var out []store.DeadLetter
	for rows.Next() {
		var d store.DeadLetter
		var received int64
		if err := rows.Scan(&d.ID, &d.Source, &d.SourceKey, &d.Reason, &d.Payload,
			&received); err != nil {
			return nil, fmt.Errorf("list dead letters: %w", err)
		}
		d.ReceivedAt = time.UnixMilli(received).UTC()
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list dead letters: %w", err)
	}
	return out, nil
}

// deadLetterFingerprint identifies a rejected record: the SHA-256 of its
// payload, or its source key when it has no payload.
func deadLetterFingerprint(d store.DeadLetter) string {
	if len(d.Payload) == 0 {
		return "key:" + d.SourceKey
	}
	sum := sha256.Sum256(d.Payload)
	return "sha256:" + hex.EncodeToString(sum[:])
}
