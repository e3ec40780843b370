package sqlpoll

import (
	"context"
	"testing"
	"time"
)

// BenchmarkPoll runs one poll over 10,000 rows of a SQLite file, with a
// handler that does nothing.
func BenchmarkPoll(b *testing.B) {
	const rows = 10_000
	db := openTestDB(b, "sqlite")
	tx := db.MustBegin()
	base := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	for i := range rows {
		updated := base.Add(time.Duration(i/3) * time.Second).Format(sqliteTimeLayout)
		tx.MustExec(`INSERT INTO vital_signs (id, seq, pulse, note, updated_at, version)
			VALUES (?, 1, 72, 'resting', ?, 1)`, i, updated)
	}
	if err := tx.Commit(); err != nil {
		b.Fatalf("commit: %v", err)
	}
	p := timePoller(db)

	b.ReportAllocs()
	for b.Loop() {
		result, err := p.Run(context.Background(), startCursor, func(context.Context, Row) error { return nil })
		if err != nil {
			b.Fatalf("Run: %v", err)
		}
		if result.Rows != rows {
			b.Fatalf("got %d rows, want %d", result.Rows, rows)
		}
	}
}
