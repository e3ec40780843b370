package sqlite

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ehrbridge/ehrbridge/fhir"
	"github.com/ehrbridge/ehrbridge/search"
	"github.com/ehrbridge/ehrbridge/store"
)

// errInvalidQuery reports a Query that search.Parse would not have returned.
var errInvalidQuery = errors.New("invalid search query")

// sqlQuery is a WHERE clause under construction. Request values only ever
// enter args; the SQL text holds table names from versionTables, parameter
// names checked against the search registry, and placeholders.
type sqlQuery struct {
	where []string
	args  []any
}

func (b *sqlQuery) add(cond string, args ...any) {
	b.where = append(b.where, cond)
	b.args = append(b.args, args...)
}

// Search returns one page of matches and the number of all matches, read in
// one transaction so the page and the total agree. Without a sort the order
// is lastUpdated descending, then id. A sort on a date parameter orders by
// the start of each resource's date range, resources without one last, then
// by id.
func (t *tenantStore) Search(ctx context.Context, v fhir.Version, q search.Query,
) (store.SearchResult, error) {
	tbl, err := tablesOf(v)
	if err != nil {
		return store.SearchResult{}, err
	}
	where, err := buildWhere(v, tbl, q, t.now())
	if err != nil {
		return store.SearchResult{}, err
	}
	orderBy, orderArgs, err := buildOrder(v, tbl, q)
	if err != nil {
		return store.SearchResult{}, err
	}
	if q.Count < 0 || q.Offset < 0 {
		return store.SearchResult{}, fmt.Errorf("%w: negative count or offset", errInvalidQuery)
	}

	tx, err := t.reader.BeginTx(ctx, nil)
	if err != nil {
		return store.SearchResult{}, fmt.Errorf("search %s: %w", q.ResourceType, err)
	}
	defer tx.Rollback()

	from := ` FROM ` + tbl.resource + ` r WHERE ` + strings.Join(where.where, " AND ")
	var result store.SearchResult
	if err := tx.QueryRowContext(ctx, `SELECT count(*)`+from, where.args...).
		Scan(&result.Total); err != nil {
		return store.SearchResult{}, fmt.Errorf("search %s: count: %w", q.ResourceType, err)
	}
	if q.Count == 0 || result.Total <= q.Offset {
		return result, nil
	}
	// The page's rids are chosen first and only then joined to the bodies,
	// so a sort over many matches does not carry every body through it.
	args := append(append(slices.Clone(where.args), orderArgs...), min(q.Count, search.MaxCount), q.Offset)
	args = append(args, orderArgs...)
	rows, err := tx.QueryContext(ctx, `SELECT r.id, r.version_id, r.last_updated, r.body FROM (
		SELECT r.rid AS rid`+from+` ORDER BY `+orderBy+` LIMIT ? OFFSET ?) page
		JOIN `+tbl.resource+` r ON r.rid = page.rid ORDER BY `+orderBy, args...)
	if err != nil {
		return store.SearchResult{}, fmt.Errorf("search %s: %w", q.ResourceType, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var versionID, lastUpdated int64
		var body []byte
		if err := rows.Scan(&id, &versionID, &lastUpdated, &body); err != nil {
			return store.SearchResult{}, fmt.Errorf("search %s: %w", q.ResourceType, err)
		}
		result.Resources = append(result.Resources,
			newResource(q.ResourceType, id, versionID, lastUpdated, body))
	}
	if err := rows.Err(); err != nil {
		return store.SearchResult{}, fmt.Errorf("search %s: %w", q.ResourceType, err)
	}
	return result, nil
}

func buildWhere(v fhir.Version, tbl tables, q search.Query, now time.Time) (sqlQuery, error) {
	var b sqlQuery
	if search.Params(v, q.ResourceType) == nil {
		return b, fmt.Errorf("%w: resource type %s is not searchable in %s",
			errInvalidQuery, q.ResourceType, v)
	}
	b.add("r.type = ?", q.ResourceType)
	clauses := slices.Clone(q.Clauses)
	slices.SortStableFunc(clauses, func(x, y search.Clause) int {
		return selectivityRank(v, q.ResourceType, x) - selectivityRank(v, q.ResourceType, y)
	})
	for i, c := range clauses {
		if err := addClause(&b, v, tbl, q.ResourceType, c, now, i == 0); err != nil {
			return b, err
		}
	}
	return b, nil
}

// selectivityRank orders clauses by how few resources they usually match:
// ids and references (one patient's data) first, dates and codes such as a
// category last.
func selectivityRank(v fhir.Version, resourceType string, c search.Clause) int {
	def, _ := search.Lookup(v, resourceType, c.Param)
	switch def.Type {
	case search.TypeReference:
		return 1
	case search.TypeString:
		return 2
	case search.TypeToken:
		return 3
	case search.TypeDate:
		return 4
	}
	return 0 // _id
}

// addClause adds one clause: a match on any of its values.
// The driving clause selects rids through the index on value; the others
// check each candidate through the index on rid.
func addClause(b *sqlQuery, v fhir.Version, tbl tables, resourceType string, c search.Clause,
	now time.Time, driving bool,
) error {
	def, ok := search.Lookup(v, resourceType, c.Param)
	if !ok || len(c.Values) == 0 {
		return fmt.Errorf("%w: parameter %s of %s", errInvalidQuery, c.Param, resourceType)
	}
	if def.Name == "_id" {
		b.add("r.id IN (?"+strings.Repeat(", ?", len(c.Values)-1)+")", anySlice(c.Values)...)
		return nil
	}
	var alternatives []string
	args := []any{def.Name}
	for _, value := range c.Values {
		cond, condArgs, err := valueCondition(def, c.Modifier, value, now)
		if err != nil {
			return fmt.Errorf("%w: parameter %s: %v", errInvalidQuery, def.Name, err)
		}
		alternatives = append(alternatives, "("+cond+")")
		args = append(args, condArgs...)
	}
	match := "param = ? AND (" + strings.Join(alternatives, " OR ") + ")"
	if driving {
		b.add("r.rid IN (SELECT rid FROM "+tbl.search+" WHERE "+match+")", args...)
	} else {
		b.add("EXISTS (SELECT 1 FROM "+tbl.search+" s WHERE s.rid = r.rid AND "+match+")", args...)
	}
	return nil
}

func anySlice(values []string) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = v
	}
	return out
}

// valueCondition returns the SQL condition on search index columns for one
// value of a clause.
func valueCondition(def search.ParamDef, modifier, value string, now time.Time,
) (string, []any, error) {
	switch def.Type {
	case search.TypeString:
		if modifier == "exact" {
			return "exact = ?", []any{search.Unescape(value)}, nil
		}
		// instr matches the text literally, so % and _ need no escaping.
		text := search.NormalizeString(search.Unescape(value))
		return "instr(value, ?) > 0", []any{text}, nil
	case search.TypeToken:
		return tokenCondition(search.ParseToken(value))
	case search.TypeReference:
		if strings.Contains(value, "/") {
			return "value = ?", []any{value}, nil
		}
		// A bare id on a parameter without a target type matches any type.
		return `value LIKE ? ESCAPE '\'`, []any{"%/" + escapeLike(value)}, nil
	case search.TypeDate:
		d, err := search.ParseDate(value)
		if err != nil {
			return "", nil, err
		}
		cond, args := dateCondition(d, now)
		return cond, args, nil
	}
	return "", nil, fmt.Errorf("unsupported parameter type %s", def.Type)
}

func tokenCondition(t search.Token) (string, []any, error) {
	switch {
	case t.HasSystem && t.Code == "":
		return "system = ?", []any{t.System}, nil
	case t.HasSystem:
		return "value = ? AND system = ?", []any{t.Code, t.System}, nil
	case t.Code != "":
		return "value = ?", []any{t.Code}, nil
	}
	return "", nil, errors.New("empty token")
}

// dateCondition compares the indexed range [low, high) with the value's
// range [vl, vh) as the FHIR prefixes define.
func dateCondition(d search.DateValue, now time.Time) (string, []any) {
	vl, vh := lowMillis(d.Low), highMillis(d.High)
	within := "(low >= ? AND high <= ?)"
	switch d.Prefix {
	case search.PrefixNe:
		return "NOT " + within, []any{vl, vh}
	case search.PrefixGt:
		return "high > ?", []any{vh}
	case search.PrefixLt:
		return "low < ?", []any{vl}
	case search.PrefixGe:
		return "high > ? OR " + within, []any{vh, vl, vh}
	case search.PrefixLe:
		return "low < ? OR " + within, []any{vl, vl, vh}
	case search.PrefixSa:
		return "low >= ?", []any{vh}
	case search.PrefixEb:
		return "high <= ?", []any{vl}
	case search.PrefixAp:
		low, high := d.ApproxRange(now)
		return "low < ? AND high > ?", []any{highMillis(high), lowMillis(low)}
	}
	return within, []any{vl, vh}
}

// escapeLike escapes the LIKE wildcards % and _ and the escape character.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// buildOrder returns the ORDER BY expression of the query and its arguments.
func buildOrder(v fhir.Version, tbl tables, q search.Query) (string, []any, error) {
	var keys []string
	var args []any
	for _, s := range q.Sort {
		def, ok := search.Lookup(v, q.ResourceType, s.Param)
		if !ok || !def.Sortable || def.Type != search.TypeDate {
			return "", nil, fmt.Errorf("%w: sort on %s", errInvalidQuery, s.Param)
		}
		// Ascending sorts by the earliest range start and descending by the
		// latest, so a resource with several dates sorts by its extreme one.
		agg, dir := "MIN", "ASC"
		if s.Descending {
			agg, dir = "MAX", "DESC"
		}
		keys = append(keys, "(SELECT "+agg+"(low) FROM "+tbl.search+
			" s WHERE s.rid = r.rid AND s.param = ?) "+dir+" NULLS LAST")
		args = append(args, def.Name)
	}
	if len(keys) == 0 {
		return "r.last_updated DESC, r.id", nil, nil
	}
	return strings.Join(keys, ", ") + ", r.id", args, nil
}
