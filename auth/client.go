package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// MinSecretLength is the minimum length, in characters, of a client secret.
// [GenerateSecret] returns 43 characters (256 bits, base64url).
const MinSecretLength = 32

// Client is a registered OAuth 2.0 client. Each client belongs to exactly
// one tenant and may only obtain tokens for that tenant.
type Client struct {
	ID     string
	Tenant string // tenant id (a GUID), compared case-insensitively
	// SecretHashes lists the [HashSecret] values of every active secret.
	// A client has several during a secret rotation.
	SecretHashes [][]byte
}

// Registry looks up registered clients. The token endpoint calls it on
// each token request and [Service.VerifyContext] on each verification, so
// that a removed client or secret stops its tokens at once: Client must be
// fast, and safe for concurrent use.
type Registry interface {
	// Client returns the client with the given id, and false when no such
	// client is registered.
	Client(ctx context.Context, id string) (Client, bool, error)
}

// NewClient builds a Client for a tenant with the given active secrets.
// It rejects a secret shorter than [MinSecretLength], so that every stored
// hash comes from a secret that cannot be guessed.
func NewClient(id, tenant string, secrets ...string) (Client, error) {
	if id == "" {
		return Client{}, errors.New("register client: missing client id")
	}
	if !isGUID(tenant) {
		return Client{}, fmt.Errorf("register client %s: tenant id must be a GUID", id)
	}
	c := Client{ID: id, Tenant: strings.ToLower(tenant)}
	for i, s := range secrets {
		if len(s) < MinSecretLength {
			return Client{}, fmt.Errorf(
				"register client %s: secret %d is %d characters, want at least %d: use GenerateSecret",
				id, i, len(s), MinSecretLength)
		}
		c.SecretHashes = append(c.SecretHashes, HashSecret(s))
	}
	return c, nil
}

// HashSecret returns the SHA-256 digest of a client secret, the form in which
// secrets are stored.
//
// A fast hash is enough here, unlike for passwords: secrets come from
// [GenerateSecret] with 256 bits of randomness and are at least
// [MinSecretLength] characters, so a stolen digest cannot be reversed by
// brute force however fast each guess is. A slow hash such as bcrypt would
// only cost CPU on every token request.
func HashSecret(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

// GenerateSecret returns a new client secret: 256 random bits encoded as
// unpadded base64url (43 characters).
func GenerateSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate client secret: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// matchSecret returns the index of the hash that secret matches, or -1. It
// compares against every hash in constant time, so the timing reveals
// neither which hash matched nor how many bytes did.
func matchSecret(hashes [][]byte, secret string) int {
	got := HashSecret(secret)
	index := -1
	for i, h := range hashes {
		index = subtle.ConstantTimeSelect(subtle.ConstantTimeCompare(h, got), i, index)
	}
	return index
}

// secretIDLength is the length, in hex characters, of a secret id: 64 bits,
// enough to tell apart the few secrets of one client.
const secretIDLength = 16

// secretID returns the id of a stored secret hash that access tokens carry
// in their secret_id claim: a prefix of the hex SHA-256 of the hash. It
// reveals neither the secret nor its stored hash.
func secretID(hash []byte) string {
	sum := sha256.Sum256(hash)
	return hex.EncodeToString(sum[:])[:secretIDLength]
}

// hasSecret reports whether one of the client's active secrets has the
// given secret id.
func (c Client) hasSecret(id string) bool {
	for _, h := range c.SecretHashes {
		if secretID(h) == id {
			return true
		}
	}
	return false
}

// StaticRegistry is an in-memory [Registry], for configuration files and tests.
type StaticRegistry struct {
	clients map[string]Client
}

// NewStaticRegistry returns a registry holding the given clients. A later
// client with the same id replaces an earlier one.
func NewStaticRegistry(clients ...Client) *StaticRegistry {
	r := &StaticRegistry{clients: make(map[string]Client, len(clients))}
	for _, c := range clients {
		c.Tenant = strings.ToLower(c.Tenant)
		r.clients[c.ID] = c
	}
	return r
}

// Client returns the client with the given id.
func (r *StaticRegistry) Client(_ context.Context, id string) (Client, bool, error) {
	c, ok := r.clients[id]
	return c, ok, nil
}

// isGUID reports whether s has the 8-4-4-4-12 hexadecimal GUID form.
func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !isHex(c) {
				return false
			}
		}
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
