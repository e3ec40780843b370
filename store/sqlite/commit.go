package sqlite

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"time"

	"github.com/ehrbridge/ehrbridge/search"
	"github.com/ehrbridge/ehrbridge/store"
)

var (
	resourceTypeRE = regexp.MustCompile(`^[A-Z][A-Za-z]{1,63}$`)
	resourceIDRE   = regexp.MustCompile(`^[A-Za-z0-9\-.]{1,64}$`)
)

// preparedWrite is a validated write with everything computed that needs no
// database access, so the transaction stays short.
type preparedWrite struct {
	store.Write
	tables  tables
	members []member // top-level members of the body, in order
	hash    []byte
	entries []search.Entry
}

// member is one top-level member of a JSON object.
type member struct {
	key   string
	value json.RawMessage
}

// prepareWrite checks one write and computes its content hash and search
// index entries. Errors wrap store.ErrInvalidWrite and name the resource
// type and id, never body content.
func prepareWrite(i int, w store.Write) (preparedWrite, error) {
	fail := func(format string, args ...any) (preparedWrite, error) {
		return preparedWrite{}, fmt.Errorf("%w %d (%s/%s): %s", store.ErrInvalidWrite, i,
			w.ResourceType, w.ID, fmt.Sprintf(format, args...))
	}
	if !resourceTypeRE.MatchString(w.ResourceType) || !resourceIDRE.MatchString(w.ID) {
		return preparedWrite{}, fmt.Errorf("%w %d: expected a resource type such as Patient "+
			"and an id of 1 to 64 letters, digits, '-' or '.'", store.ErrInvalidWrite, i)
	}
	tbl, err := tablesOf(w.Version)
	if err != nil {
		return fail("%v", err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, w.Body); err != nil {
		return fail("body is not valid JSON")
	}
	members, err := objectMembers(compact.Bytes())
	if err != nil {
		return fail("body is not a JSON object")
	}
	if reason := checkIdentity(members, w.ResourceType, w.ID); reason != "" {
		return fail("%s", reason)
	}
	entries, err := search.Extract(w.Version, w.ResourceType, compact.Bytes())
	if err != nil {
		return fail("%v", err)
	}
	sum := sha256.Sum256(compact.Bytes())
	return preparedWrite{Write: w, tables: tbl, members: members, hash: sum[:], entries: entries}, nil
}

// objectMembers returns the top-level members of a JSON object in order.
func objectMembers(body []byte) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New("not a JSON object")
	}
	var members []member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil, err
		}
		members = append(members, member{key: key, value: value})
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	return members, nil
}

// checkIdentity returns why the body's resourceType or id disagree with the
// write, or "" when they agree.
func checkIdentity(members []member, resourceType, id string) string {
	var gotType, gotID string
	for _, m := range members {
		switch m.key {
		case "resourceType":
			_ = json.Unmarshal(m.value, &gotType)
		case "id":
			_ = json.Unmarshal(m.value, &gotID)
		}
	}
	switch {
	case gotType != resourceType:
		return "body resourceType differs from Write.ResourceType"
	case gotID != id:
		return "body id differs from Write.ID"
	}
	return ""
}

// withMeta returns the body with meta.versionId and meta.lastUpdated set,
// ordered resourceType, id, meta, then the other members as given. Members of
// an existing meta other than versionId and lastUpdated are kept.
func withMeta(members []member, versionID int64, lastUpdated time.Time) ([]byte, error) {
	meta := []member{
		{key: "versionId", value: mustJSON(strconv.FormatInt(versionID, 10))},
		{key: "lastUpdated", value: mustJSON(formatInstant(lastUpdated))},
	}
	for _, m := range members {
		if m.key != "meta" {
			continue
		}
		old, err := objectMembers(m.value)
		if err != nil {
			return nil, errors.New("meta is not a JSON object")
		}
		for _, om := range old {
			if om.key != "versionId" && om.key != "lastUpdated" {
				meta = append(meta, om)
			}
		}
	}
	ordered := make([]member, 0, len(members)+1)
	for _, key := range []string{"resourceType", "id"} {
		for _, m := range members {
			if m.key == key {
				ordered = append(ordered, m)
			}
		}
	}
	ordered = append(ordered, member{key: "meta", value: encodeObject(meta)})
	for _, m := range members {
		if m.key != "resourceType" && m.key != "id" && m.key != "meta" {
			ordered = append(ordered, m)
		}
	}
	return encodeObject(ordered), nil
}

func encodeObject(members []member) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range members {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(mustJSON(m.key))
		b.WriteByte(':')
		b.Write(m.value)
	}
	b.WriteByte('}')
	return b.Bytes()
}

func mustJSON(s string) []byte {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err) // a Go string always marshals
	}
	return b
}

// formatInstant formats t as a FHIR instant in UTC with milliseconds.
func formatInstant(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z07:00")
}

// Commit stores the writes and the cursor in one transaction. Every write is
// validated before the transaction starts, so an invalid write stores
// nothing and moves no cursor.
func (t *tenantStore) Commit(ctx context.Context, c store.Commit) (store.CommitResult, error) {
	prepared := make([]preparedWrite, 0, len(c.Writes))
	for i, w := range c.Writes {
		p, err := prepareWrite(i, w)
		if err != nil {
			return store.CommitResult{}, err
		}
		prepared = append(prepared, p)
	}
	if c.Cursor != nil && c.Cursor.Name == "" {
		return store.CommitResult{}, fmt.Errorf("%w: missing cursor name", store.ErrInvalidWrite)
	}

	tx, err := t.writer.BeginTx(ctx, nil)
	if err != nil {
		return store.CommitResult{}, fmt.Errorf("commit: begin transaction: %w", err)
	}
	defer tx.Rollback()

	var result store.CommitResult
	for _, p := range prepared {
		if err := t.apply(ctx, tx, p, &result); err != nil {
			return store.CommitResult{}, err
		}
	}
	if c.Cursor != nil {
		if err := saveCursor(ctx, tx, *c.Cursor, t.now()); err != nil {
			return store.CommitResult{}, err
		}
	}
	if err := tx.Commit(); err != nil {
		return store.CommitResult{}, fmt.Errorf("commit: %w", err)
	}
	return result, nil
}

// current is the stored state of a resource that decides the write outcome.
type current struct {
	rid         int64
	versionID   int64
	lastUpdated int64
	hash        []byte
	sourceTime  sql.NullInt64
}

// apply stores one prepared write inside tx and counts its outcome.
func (t *tenantStore) apply(ctx context.Context, tx *sql.Tx, p preparedWrite,
	result *store.CommitResult,
) error {
	cur, found, err := loadCurrent(ctx, tx, p)
	if err != nil {
		return err
	}
	switch {
	case found && bytes.Equal(cur.hash, p.hash):
		result.Unchanged++
		return nil
	case found && isStale(cur, p.Provenance.SourceTime):
		result.Stale++
		t.log.Debug("stale write skipped", "resource_type", p.ResourceType, "id", p.ID,
			"source", p.Provenance.Source, "mapping", p.Provenance.Mapping)
		return nil
	}

	version, lastUpdated := int64(1), t.now().UnixMilli()
	if found {
		version = cur.versionID + 1
		// A clock step backwards must not give a newer version an older time.
		lastUpdated = max(lastUpdated, cur.lastUpdated+1)
	}
	body, err := withMeta(p.members, version, time.UnixMilli(lastUpdated))
	if err != nil {
		return fmt.Errorf("%w (%s/%s): %v", store.ErrInvalidWrite, p.ResourceType, p.ID, err)
	}
	rid, err := saveVersion(ctx, tx, p, cur, found, version, lastUpdated, body)
	if err != nil {
		return err
	}
	if err := saveEntries(ctx, tx, p.tables, rid, p.entries); err != nil {
		return err
	}
	if found {
		result.Updated++
	} else {
		result.Created++
	}
	return nil
}

func isStale(cur current, sourceTime time.Time) bool {
	return !sourceTime.IsZero() && cur.sourceTime.Valid &&
		cur.sourceTime.Int64 > sourceTime.UnixMilli()
}

func loadCurrent(ctx context.Context, tx *sql.Tx, p preparedWrite) (current, bool, error) {
	var cur current
	err := tx.QueryRowContext(ctx, `SELECT rid, version_id, last_updated, content_hash, source_time
		FROM `+p.tables.resource+` WHERE type = ? AND id = ?`, p.ResourceType, p.ID).
		Scan(&cur.rid, &cur.versionID, &cur.lastUpdated, &cur.hash, &cur.sourceTime)
	if errors.Is(err, sql.ErrNoRows) {
		return current{}, false, nil
	}
	if err != nil {
		return current{}, false, fmt.Errorf("commit: read %s/%s: %w", p.ResourceType, p.ID, err)
	}
	return cur, true, nil
}

// saveVersion writes the resource row and its history row and returns the
// resource's row id.
func saveVersion(ctx context.Context, tx *sql.Tx, p preparedWrite, cur current, found bool,
	version, lastUpdated int64, body []byte,
) (int64, error) {
	prov := p.Provenance
	var sourceTime sql.NullInt64
	if !prov.SourceTime.IsZero() {
		sourceTime = sql.NullInt64{Int64: prov.SourceTime.UnixMilli(), Valid: true}
	}
	rid := cur.rid
	var err error
	if found {
		_, err = tx.ExecContext(ctx, `UPDATE `+p.tables.resource+` SET version_id = ?,
			last_updated = ?, content_hash = ?, body = ?, source = ?, source_key = ?,
			source_time = ?, mapping = ? WHERE rid = ?`,
			version, lastUpdated, p.hash, body, prov.Source, prov.SourceKey, sourceTime,
			prov.Mapping, rid)
	} else {
		err = tx.QueryRowContext(ctx, `INSERT INTO `+p.tables.resource+` (type, id, version_id,
			last_updated, content_hash, body, source, source_key, source_time, mapping)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING rid`,
			p.ResourceType, p.ID, version, lastUpdated, p.hash, body, prov.Source,
			prov.SourceKey, sourceTime, prov.Mapping).Scan(&rid)
	}
	if err != nil {
		return 0, fmt.Errorf("commit: write %s/%s: %w", p.ResourceType, p.ID, err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO `+p.tables.history+` (type, id, version_id,
		last_updated, body, source, source_key, source_time, mapping)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ResourceType, p.ID, version, lastUpdated, body, prov.Source, prov.SourceKey,
		sourceTime, prov.Mapping)
	if err != nil {
		return 0, fmt.Errorf("commit: write history of %s/%s: %w", p.ResourceType, p.ID, err)
	}
	return rid, nil
}

// Bounds stored for the open start and open end of a date range.
const (
	openLow  = math.MinInt64
	openHigh = math.MaxInt64
)

// lowMillis returns the range start in Unix milliseconds, rounded down.
func lowMillis(t time.Time) int64 {
	if t.IsZero() {
		return openLow
	}
	return t.UnixMilli()
}

// highMillis returns the exclusive range end in Unix milliseconds, rounded
// up so the stored range never shrinks.
func highMillis(t time.Time) int64 {
	if t.IsZero() {
		return openHigh
	}
	return t.Add(time.Millisecond - time.Nanosecond).UnixMilli()
}

func saveEntries(ctx context.Context, tx *sql.Tx, tbl tables, rid int64,
	entries []search.Entry,
) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM `+tbl.search+` WHERE rid = ?`, rid); err != nil {
		return fmt.Errorf("commit: replace search index: %w", err)
	}
	if len(entries) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO `+tbl.search+
		` (rid, param, value, exact, system, low, high) VALUES (?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("commit: write search index: %w", err)
	}
	defer stmt.Close()
	for _, e := range entries {
		var low, high sql.NullInt64
		if e.Type == search.TypeDate {
			low = sql.NullInt64{Int64: lowMillis(e.Low), Valid: true}
			high = sql.NullInt64{Int64: highMillis(e.High), Valid: true}
		}
		if _, err := stmt.ExecContext(ctx, rid, e.Param, e.Value, e.Exact, e.System,
			low, high); err != nil {
			return fmt.Errorf("commit: write search index: %w", err)
		}
	}
	return nil
}
