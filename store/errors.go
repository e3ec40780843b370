package store

import "errors"

// ErrNotFound reports that the tenant has no resource with the requested type and id.
var ErrNotFound = errors.New("resource not found")
