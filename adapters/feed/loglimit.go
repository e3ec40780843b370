package feed

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// warningsPerMinute caps the warnings one consumer logs per minute, so a
// poison message that fails on every delivery cannot flood the log.
const warningsPerMinute = 20

// logLimiter logs at most limit warnings per window and reports how many it
// dropped with the first warning of the next window.
type logLimiter struct {
	log    *slog.Logger
	limit  int
	window time.Duration

	mu          sync.Mutex
	windowStart time.Time
	count       int
	dropped     int
}

func newLogLimiter(log *slog.Logger, limit int, window time.Duration) *logLimiter {
	return &logLimiter{log: log, limit: limit, window: window}
}

// Warn logs msg at Warn unless the window's limit is reached.
func (l *logLimiter) Warn(msg string, args ...any) {
	l.mu.Lock()
	now := time.Now()
	if now.Sub(l.windowStart) >= l.window {
		l.windowStart = now
		l.count = 0
	}
	if l.count >= l.limit {
		l.dropped++
		l.mu.Unlock()
		return
	}
	l.count++
	dropped := l.dropped
	l.dropped = 0
	l.mu.Unlock()

	if dropped > 0 {
		args = append(args, "dropped_warnings", dropped)
	}
	l.log.Log(context.Background(), slog.LevelWarn, msg, args...)
}
