package feed

import "errors"

// ErrInvalidToken reports a tenant or source id that cannot be used as a
// NATS subject token.
var ErrInvalidToken = errors.New("invalid subject token")
