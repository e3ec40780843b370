package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/ehrbridge/ehrbridge/adapters/feed"
	"github.com/ehrbridge/ehrbridge/pipeline"
)

// SyncAll runs the sync of every SQL source of every tenant once, now.
func (a *App) SyncAll(ctx context.Context) (pipeline.SyncStats, error) {
	var total pipeline.SyncStats
	var errs []error
	for _, t := range a.tenants {
		for _, s := range t.sources {
			if s.cfg.Kind != "sql" {
				continue
			}
			stats, err := t.sync(ctx, a, s)
			total.Add(stats)
			if err != nil {
				errs = append(errs, fmt.Errorf("tenant %s source %s: %w", t.id, s.cfg.Name, err))
			}
		}
	}
	return total, errors.Join(errs...)
}

// Publish puts HL7 messages on the feed of a tenant's HL7 source.
func (a *App) Publish(ctx context.Context, tenant, source string, messages [][]byte) (published, duplicates int, err error) {
	pub := feed.NewPublisher(a.js)
	subject := feed.Subject(tenant, source)
	for _, m := range messages {
		res, err := pub.Publish(ctx, subject, m)
		if err != nil {
			return published, duplicates, err
		}
		if res.Duplicate {
			duplicates++
		} else {
			published++
		}
	}
	return published, duplicates, nil
}

// WaitIdle waits until every message published so far to any HL7 source
// has been processed and acknowledged.
func (a *App) WaitIdle(ctx context.Context) error {
	for _, t := range a.tenants {
		for _, c := range t.consumers {
			if err := c.WaitIdle(ctx); err != nil {
				return err
			}
		}
	}
	return nil
}

// StartSchedule starts the periodic SQL syncs of an App started with
// Options.NoSchedule.
func (a *App) StartSchedule() {
	ctx := a.runCtx
	for _, t := range a.tenants {
		t.startSchedule(ctx, a)
	}
}
