package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/ehrbridge/ehrbridge/fhir"
	"github.com/ehrbridge/ehrbridge/store"
)

// Read returns the current version of one resource, or an error wrapping
// store.ErrNotFound.
func (t *tenantStore) Read(ctx context.Context, v fhir.Version, resourceType, id string,
) (store.Resource, error) {
	tbl, err := tablesOf(v)
	if err != nil {
		return store.Resource{}, err
	}
	var versionID, lastUpdated int64
	var body []byte
	err = t.reader.QueryRowContext(ctx, `SELECT version_id, last_updated, body FROM `+
		tbl.resource+` WHERE type = ? AND id = ?`, resourceType, id).
		Scan(&versionID, &lastUpdated, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Resource{}, fmt.Errorf("read %s: %w", resourceType, store.ErrNotFound)
	}
	if err != nil {
		return store.Resource{}, fmt.Errorf("read %s/%s: %w", resourceType, id, err)
	}
	return newResource(resourceType, id, versionID, lastUpdated, body), nil
}

func newResource(resourceType, id string, versionID, lastUpdated int64, body []byte,
) store.Resource {
	return store.Resource{
		ResourceType: resourceType,
		ID:           id,
		VersionID:    strconv.FormatInt(versionID, 10),
		LastUpdated:  time.UnixMilli(lastUpdated).UTC(),
		Body:         body,
	}
}
