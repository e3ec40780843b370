package sqlpoll

import "errors"

// ErrInvalidQuery reports a mapping query that the poller cannot run
// incrementally: no :cursor parameter, no ORDER BY on the cursor column, or
// result columns without the cursor or key columns.
var ErrInvalidQuery = errors.New("invalid mapping query")

// ErrInvalidRow reports a result row that cannot be keyed or ordered: a NULL
// cursor or key value, or rows out of cursor order.
var ErrInvalidRow = errors.New("invalid source row")
