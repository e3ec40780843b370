// Package auth is the OAuth 2.0 token service of the FHIR API: the client
// credentials grant (RFC 6749 §4.4) for application-to-application access,
// where the requested scope is the tenant id that routes every later request.
//
// Clients live in a [Registry]. Each client belongs to one tenant and stores
// only SHA-256 hashes of its secrets, several at once during a rotation
// ([HashSecret], [GenerateSecret]).
//
// Access tokens are JWTs signed with ES256 by a [Key] that
// [LoadOrCreateKey] keeps in a PEM file, so tokens survive a restart. The key
// id is the RFC 7638 thumbprint, and [Service.JWKSHandler] publishes the
// public keys. [Service.VerifyContext] accepts only ES256 tokens from this
// issuer for this audience, signed by a known key, unexpired, whose tenant is
// still configured and whose client still has, in the [Registry], the
// secret that obtained the token. Each token names that secret in its
// secret_id claim, so removing a leaked secret revokes its tokens. The tenant
// in the token is the only source of the tenant for a data request.
//
// [Service.TokenHandler] serves the token endpoint. It accepts
// client_secret_post and client_secret_basic authentication, returns errors
// in the RFC 6749 §5.2 form, and logs the client id and outcome but never a
// secret or token.
package auth
