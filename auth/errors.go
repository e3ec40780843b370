package auth

import "errors"

// ErrInvalidToken reports that an access token is malformed, forged,
// expired, meant for another audience or issuer, or names a tenant that is
// no longer configured. It also reports a token whose client secret, client
// or client tenant has changed in the registry since the token was issued.
// [Service.VerifyContext] wraps it with the reason.
var ErrInvalidToken = errors.New("invalid access token")
