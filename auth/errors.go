package auth

import "errors"

// ErrInvalidToken reports that an access token is malformed, forged,
// expired, meant for another audience or issuer, or names a tenant that is
// no longer configured. [Service.Verify] wraps it with the reason.
var ErrInvalidToken = errors.New("invalid access token")
