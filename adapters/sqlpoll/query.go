package sqlpoll

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
)

var (
	sqlComment = regexp.MustCompile(`(?s)--[^\n]*|/\*.*?\*/`)
	orderBy    = regexp.MustCompile(`(?i)\border\s+by\s`)
	rowLimit   = regexp.MustCompile(`(?i)\b(limit|fetch\s+(first|next)|top)\b`)
)

// bind checks the poller's fields and the query, and returns the query in the
// driver's bind syntax ($1 for PostgreSQL, ? for SQLite) with its arguments.
func (p *Poller) bind(cursor string) (string, []any, error) {
	if err := p.checkFields(cursor); err != nil {
		return "", nil, err
	}
	if err := p.checkOrder(); err != nil {
		return "", nil, err
	}

	query, args, err := sqlx.Named(p.Query, map[string]any{"cursor": bindValue(cursor, p.DB.DriverName())})
	if err != nil {
		return "", nil, fmt.Errorf("%w: %s: the only named parameter allowed is :cursor: %w",
			ErrInvalidQuery, p.label(), err)
	}
	if len(args) == 0 {
		return "", nil, fmt.Errorf("%w: %s: query has no :cursor parameter: add a condition such as "+
			"WHERE %s > :cursor so each run reads only newer rows", ErrInvalidQuery, p.label(), p.CursorColumn)
	}
	return p.DB.Rebind(query), args, nil
}

func (p *Poller) checkFields(cursor string) error {
	var errs []error
	if p.DB == nil {
		errs = append(errs, errors.New("DB is missing: set Poller.DB, for example from Open"))
	}
	if strings.TrimSpace(p.Query) == "" {
		errs = append(errs, errors.New("query is empty: set Poller.Query"))
	}
	if p.CursorColumn == "" {
		errs = append(errs, errors.New("cursor column is empty: set CursorColumn to the column the query orders by"))
	}
	if len(p.KeyColumns) == 0 {
		errs = append(errs, errors.New("key columns are empty: set KeyColumns to the columns that identify a source record"))
	}
	if cursor == "" {
		errs = append(errs, errors.New("start cursor is empty: pass the mapping's initial cursor, "+
			`for example "0" or "1970-01-01T00:00:00Z", which must compare below every row`))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrInvalidQuery, p.label(), err)
	}
	return nil
}

// checkOrder checks that the last ORDER BY of the query starts with the
// cursor column in ascending order and that no row limit follows it. A limit
// could end the result inside a group of rows that share a cursor value, and
// the next run would then skip the rest of that group.
//
// NOTE: The check reads the SQL text after removing comments. It does not
// parse SQL, so an ORDER BY inside a string literal can mislead it.
func (p *Poller) checkOrder() error {
	query := sqlComment.ReplaceAllString(p.Query, " ")
	matches := orderBy.FindAllStringIndex(query, -1)
	if matches == nil {
		return fmt.Errorf("%w: %s: query has no ORDER BY: end it with ORDER BY %s so rows arrive in cursor order",
			ErrInvalidQuery, p.label(), p.CursorColumn)
	}
	rest := query[matches[len(matches)-1][1]:]

	if rowLimit.MatchString(rest) {
		return fmt.Errorf("%w: %s: query limits its rows after ORDER BY: remove the limit, because it can cut "+
			"a group of rows that share a cursor value and the next run would skip the rest",
			ErrInvalidQuery, p.label())
	}

	first := rest
	if i := strings.IndexAny(first, ",;)"); i >= 0 {
		first = first[:i]
	}
	words := strings.Fields(first)
	if len(words) == 0 || !sameColumn(words[0], p.CursorColumn) {
		return fmt.Errorf("%w: %s: query must order by the cursor column first: use ORDER BY %s, <key columns>",
			ErrInvalidQuery, p.label(), p.CursorColumn)
	}
	if len(words) > 1 && strings.EqualFold(words[1], "desc") {
		return fmt.Errorf("%w: %s: query orders by %s descending: the cursor needs ascending order",
			ErrInvalidQuery, p.label(), p.CursorColumn)
	}
	return nil
}

// sameColumn reports whether an ORDER BY term names column, ignoring a table
// qualifier, identifier quotes and case.
func sameColumn(term, column string) bool {
	if i := strings.LastIndexByte(term, '.'); i >= 0 {
		term = term[i+1:]
	}
	term = strings.Trim(term, "\"`[]")
	return strings.EqualFold(term, column)
}

// checkColumns checks that the result has the cursor and key columns.
func (p *Poller) checkColumns(columns []string) error {
	var missing []string
	for _, want := range append([]string{p.CursorColumn}, p.KeyColumns...) {
		if !slices.Contains(columns, want) {
			missing = append(missing, strconv.Quote(want))
		}
	}
	if missing == nil {
		return nil
	}
	return fmt.Errorf("%w: %s: result has no column %s (columns: %s): select it, "+
		"or fix CursorColumn and KeyColumns to match the result's column names",
		ErrInvalidQuery, p.label(), strings.Join(missing, ", "), strings.Join(columns, ", "))
}
