// Package pipeline carries one source record through the flow: map it to
// FHIR resources, validate each one, and commit them together, or put the
// record in the dead-letter store with the reason. Only infrastructure
// failures (a store that cannot commit) come back as errors, so the caller
// retries the record; bad records never stop a feed.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/ehrbridge/ehrbridge/fhir"
	"github.com/ehrbridge/ehrbridge/store"
	"github.com/ehrbridge/ehrbridge/transform"
)

// Validator checks one FHIR resource; schemas.Validator implements it.
type Validator interface {
	Validate(v fhir.Version, resource []byte) error
}

// Pipeline processes the records of one tenant.
type Pipeline struct {
	Tenant    string
	Versions  []fhir.Version // the versions the tenant serves
	Store     store.TenantStore
	Validator Validator
	Logger    *slog.Logger
}

// Outcome is the result of processing one record.
type Outcome string

// The outcomes of a record.
const (
	Committed  Outcome = "committed"   // resources stored (or unchanged)
	Rejected   Outcome = "dead_letter" // stored in the dead-letter store
	NotMapped  Outcome = "not_mapped"  // no mapping reads this kind of record
	NoResource Outcome = "no_resource" // mappings ran but produced nothing
)

// RecordResult is the result of processing one record.
type RecordResult struct {
	Outcome Outcome
	Commit  store.CommitResult
	Reason  string // for Rejected: why, without patient data
}

// rejection is a record problem that sends the record to the dead-letter
// store. Its text names mappings, paths and rules, never patient values.
type rejection struct{ reason string }

func (r *rejection) Error() string { return r.reason }

// buildWrites validates the outputs and turns them into store writes. Every
// failing resource is listed, so one rejection carries every reason.
func (p *Pipeline) buildWrites(outputs []transform.Output, source, key string) ([]store.Write, error) {
	var problems []string
	writes := make([]store.Write, 0, len(outputs))
	for _, o := range outputs {
		if err := p.Validator.Validate(o.Version, o.Body); err != nil {
			problems = append(problems, fmt.Sprintf("mapping %s, %s %s/%s: %v", o.Mapping, o.Version, o.ResourceType, o.ID, err))
			continue
		}
		writes = append(writes, store.Write{
			Version:      o.Version,
			ResourceType: o.ResourceType,
			ID:           o.ID,
			Body:         o.Body,
			Provenance: store.Provenance{
				Source:     source,
				SourceKey:  key,
				SourceTime: o.SourceTime,
				Mapping:    o.Mapping,
			},
		})
	}
	if len(problems) > 0 {
		return nil, &rejection{reason: "invalid resource: " + strings.Join(problems, "; ")}
	}
	return writes, nil
}

// commit stores the writes of one record with its cursor, or dead-letters
// the record when mapping or validation failed.
func (p *Pipeline) commit(ctx context.Context, source, key string, payload []byte, writes []store.Write, cursor *store.CursorUpdate, recordErr error) (RecordResult, error) {
	if recordErr != nil {
		var rej *rejection
		var mapErr *transform.RecordError
		if !errors.As(recordErr, &rej) && !errors.As(recordErr, &mapErr) {
			return RecordResult{}, recordErr
		}
		return p.reject(ctx, source, key, payload, recordErr.Error())
	}
	if len(writes) == 0 && cursor == nil {
		return RecordResult{Outcome: NoResource}, nil
	}
	res, err := p.Store.Commit(ctx, store.Commit{Writes: writes, Cursor: cursor})
	if errors.Is(err, store.ErrInvalidWrite) {
		// Retrying cannot help a write the store can never accept.
		return p.reject(ctx, source, key, payload, err.Error())
	}
	if err != nil {
		return RecordResult{}, fmt.Errorf("commit record %s/%s: %w", source, key, err)
	}
	outcome := Committed
	if len(writes) == 0 {
		outcome = NoResource
	}
	p.Logger.Debug("record committed", "tenant", p.Tenant, "source", source, "source_key", key,
		"created", res.Created, "updated", res.Updated, "unchanged", res.Unchanged, "stale", res.Stale)
	return RecordResult{Outcome: outcome, Commit: res}, nil
}

// reject stores a record in the dead-letter store.
func (p *Pipeline) reject(ctx context.Context, source, key string, payload []byte, reason string) (RecordResult, error) {
	err := p.Store.AddDeadLetter(ctx, store.DeadLetter{Source: source, SourceKey: key, Reason: reason, Payload: payload})
	if err != nil {
		return RecordResult{}, fmt.Errorf("store dead letter %s/%s: %w", source, key, err)
	}
	p.Logger.Warn("record rejected to the dead-letter store", "tenant", p.Tenant, "source", source,
		"source_key", key, "reason", reason)
	return RecordResult{Outcome: Rejected, Reason: reason}, nil
}
