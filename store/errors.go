package store

import "errors"

// ErrNotFound reports that the tenant has no resource with the requested type and id.
var ErrNotFound = errors.New("resource not found")

// ErrInvalidWrite reports a commit that contains a write which can never be
// stored, such as a body whose id differs from Write.ID. Retrying the same
// commit fails again, so the caller dead-letters the record.
var ErrInvalidWrite = errors.New("invalid write")

// ErrInvalidTenant reports a tenant id that is not a valid store name.
var ErrInvalidTenant = errors.New("invalid tenant id")
