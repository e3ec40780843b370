package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/ehrbridge/ehrbridge/fhir"
	"github.com/ehrbridge/ehrbridge/search"
)

// Store opens the per-tenant stores.
type Store interface {
	// Tenant returns the store of one tenant, creating its database on first use.
	// The tenant id must already have been checked against the configuration.
	Tenant(ctx context.Context, tenant string) (TenantStore, error)
	Close() error
}

// TenantStore reads and writes the data of exactly one tenant.
type TenantStore interface {
	// Commit writes all resources of one source record and moves the
	// record's cursor, in one transaction. A resource whose content equals
	// the stored version creates no new version. A resource whose source
	// time is older than the stored one is skipped (stale write). A write
	// that can never be stored (mismatched id, invalid JSON) fails the whole
	// commit with an error wrapping ErrInvalidWrite, and nothing is stored.
	Commit(ctx context.Context, c Commit) (CommitResult, error)
	// Cursor returns the saved value of a sync cursor, and false when none is saved.
	Cursor(ctx context.Context, name string) (string, bool, error)
	// AddDeadLetter stores a rejected record with its reason. A record with
	// the same payload from the same source (or, without a payload, the same
	// source key) replaces the earlier entry's key, reason and time, so a
	// redelivered or repeated record is listed once.
	AddDeadLetter(ctx context.Context, d DeadLetter) error
	// DeadLetters lists the stored dead letters, oldest first.
	DeadLetters(ctx context.Context, limit int) ([]DeadLetter, error)
	// Read returns the current version of one resource, or ErrNotFound.
	Read(ctx context.Context, v fhir.Version, resourceType, id string) (Resource, error)
	// Search returns one page of matches and the total number of matches.
	Search(ctx context.Context, v fhir.Version, q search.Query) (SearchResult, error)
}

// Provenance records where a resource version came from.
type Provenance struct {
	Source     string    // configured source name, e.g. "sample-ehr" or "hl7-feed"
	SourceKey  string    // key of the record in that source, e.g. "patients/17" or "stream:42"
	SourceTime time.Time // when the source last changed the record; zero if unknown
	Mapping    string    // name of the mapping that produced the resource
}

// Write is one resource to store. Body is the resource JSON without meta.
type Write struct {
	Version      fhir.Version
	ResourceType string
	ID           string
	Body         json.RawMessage
	Provenance   Provenance
}

// CursorUpdate moves a named sync cursor in the same transaction as the writes.
type CursorUpdate struct {
	Name  string
	Value string
}

// Commit is the unit of one transaction: the resources of one source record
// and, optionally, the cursor position reached after it.
type Commit struct {
	Writes []Write
	Cursor *CursorUpdate
}

// CommitResult counts what a commit changed.
type CommitResult struct {
	Created   int // resources stored for the first time
	Updated   int // resources that got a new version
	Unchanged int // resources whose content was identical to the stored version
	Stale     int // resources skipped because the stored source time is newer
}

// Resource is a stored resource version. Body carries meta.versionId and
// meta.lastUpdated.
type Resource struct {
	ResourceType string
	ID           string
	VersionID    string
	LastUpdated  time.Time
	Body         json.RawMessage
}

// SearchResult is one page of a search.
type SearchResult struct {
	Total     int
	Resources []Resource
}

// DeadLetter is a record that could not be turned into valid resources.
// Payload holds the original record and may contain PHI: it is stored for
// replay and never logged.
type DeadLetter struct {
	ID         int64
	Source     string
	SourceKey  string
	Reason     string
	Payload    []byte
	ReceivedAt time.Time
}
