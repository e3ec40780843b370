package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// DefaultTokenTTL is the lifetime of an access token when
// [Options].TokenTTL is zero.
const DefaultTokenTTL = time.Hour

// clockLeeway is the clock difference tolerated when checking exp, nbf and iat.
const clockLeeway = 30 * time.Second

// tokenType is the JWT "typ" header of access tokens (RFC 9068). Requiring it
// keeps other JWTs signed with the same key from passing as access tokens.
const tokenType = "at+jwt"

// Options configures a [Service].
type Options struct {
	Issuer   string // public base URL of the server, the "iss" claim; required
	Audience string // the "aud" claim, e.g. the FHIR base URL; required
	Key      *Key   // signs new tokens; required
	// RetiredKeys still verify tokens and stay in the JWKS, so tokens signed
	// before a key rotation stay valid until they expire. Optional.
	RetiredKeys []*Key
	Registry    Registry
	TokenTTL    time.Duration        // token lifetime; 0 means DefaultTokenTTL
	Tenants     func(id string) bool // reports whether a tenant id (lower case) is configured; required
	Now         func() time.Time     // clock; nil means time.Now
	Logger      *slog.Logger         // nil discards logs
}

// Service issues and verifies access tokens for the OAuth 2.0 client
// credentials grant.
type Service struct {
	opts     Options
	keys     map[string]*Key
	jwks     []byte
	parser   *jwt.Parser
	verified verifiedCache
}

// maxVerifiedTokens bounds the cache of verified tokens. A client reuses
// its token for the token lifetime, so a few thousand entries cover many
// clients.
const maxVerifiedTokens = 4096

// verifiedCache maps the SHA-256 of a token that passed verification to its
// claims, so a reused token skips the ECDSA check. It holds no token text.
type verifiedCache struct {
	mu     sync.Mutex
	tokens map[[sha256.Size]byte]verifiedToken
}

// verifiedToken is the cached result of verifying one token.
type verifiedToken struct {
	claims   Claims
	secretID string // the secret_id claim
}

func (c *verifiedCache) get(key [sha256.Size]byte) (verifiedToken, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.tokens[key]
	return t, ok
}

func (c *verifiedCache) put(key [sha256.Size]byte, t verifiedToken) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tokens == nil || len(c.tokens) >= maxVerifiedTokens {
		// Starting over is simpler than eviction, and costs one signature
		// check per active token.
		c.tokens = make(map[[sha256.Size]byte]verifiedToken)
	}
	c.tokens[key] = t
}

// Claims are the verified facts of an access token.
type Claims struct {
	ClientID string
	Tenant   string // lower-case tenant id
	Expires  time.Time
}

// tokenClaims is the JWT payload of an access token.
type tokenClaims struct {
	jwt.RegisteredClaims
	Scope  string `json:"scope"`
	Tenant string `json:"tenant"`
	// SecretID identifies the client secret that obtained the token (see
	// secretID), so that revoking the secret revokes the token.
	SecretID string `json:"secret_id"`
}

// New checks the options and returns a Service.
func New(opts Options) (*Service, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	if opts.TokenTTL == 0 {
		opts.TokenTTL = DefaultTokenTTL
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}

	all := append([]*Key{opts.Key}, opts.RetiredKeys...)
	keys := make(map[string]*Key, len(all))
	for _, k := range all {
		keys[k.ID()] = k
	}
	doc, err := jwksDocument(all)
	if err != nil {
		return nil, fmt.Errorf("new auth service: %w", err)
	}

	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodES256.Alg()}),
		jwt.WithIssuer(opts.Issuer),
		jwt.WithAudience(opts.Audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(clockLeeway),
		jwt.WithTimeFunc(opts.Now),
	)
	return &Service{opts: opts, keys: keys, jwks: doc, parser: parser}, nil
}

func (o Options) validate() error {
	var errs []error
	if u, err := url.Parse(o.Issuer); o.Issuer == "" || err != nil || !u.IsAbs() {
		errs = append(errs, errors.New("Issuer: must be an absolute URL"))
	}
	if o.Audience == "" {
		errs = append(errs, errors.New("Audience: missing"))
	}
	if o.Key == nil {
		errs = append(errs, errors.New("Key: missing signing key"))
	}
	for i, k := range o.RetiredKeys {
		if k == nil {
			errs = append(errs, fmt.Errorf("RetiredKeys[%d]: nil key", i))
		}
	}
	if o.Registry == nil {
		errs = append(errs, errors.New("Registry: missing"))
	}
	if o.Tenants == nil {
		errs = append(errs, errors.New("Tenants: missing"))
	}
	if o.TokenTTL < 0 {
		errs = append(errs, errors.New("TokenTTL: must not be negative"))
	}
	if len(errs) > 0 {
		return fmt.Errorf("invalid auth options: %w", errors.Join(errs...))
	}
	return nil
}

// JWKSHandler returns the handler of the JSON Web Key Set document that
// lists the public keys verifying this service's tokens.
func (s *Service) JWKSHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.Header().Set("Cache-Control", "public, max-age=300")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(s.jwks)
	})
}

// issue signs a new access token for a client and tenant, obtained with
// the client secret that has the given secret id.
func (s *Service) issue(clientID, tenant, secretID string) (token string, expires time.Time, err error) {
	now := s.opts.Now()
	expires = now.Add(s.opts.TokenTTL)
	jti, err := randomID()
	if err != nil {
		return "", time.Time{}, err
	}
	claims := tokenClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    s.opts.Issuer,
			Subject:   clientID,
			Audience:  jwt.ClaimStrings{s.opts.Audience},
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(expires),
			ID:        jti,
		},
		Scope:    tenant,
		Tenant:   tenant,
		SecretID: secretID,
	}
	t := jwt.NewWithClaims(jwt.SigningMethodES256, claims)
	t.Header["kid"] = s.opts.Key.ID()
	t.Header["typ"] = tokenType
	token, err = t.SignedString(s.opts.Key.private)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("sign access token: %w", err)
	}
	return token, expires, nil
}

// Verify calls [Service.VerifyContext] with a background context.
func (s *Service) Verify(token string) (Claims, error) {
	return s.VerifyContext(context.Background(), token)
}

// VerifyContext checks an access token: ES256 signature by one of the
// service's keys named by "kid", issuer, audience, expiry and not-before
// (with a leeway of 30 seconds), that its tenant is still configured, and,
// through the [Registry], that its client is still registered for that
// tenant and still has the secret that obtained the token. A token
// without the secret_id claim is rejected. Errors about the token wrap
// [ErrInvalidToken]; a failing registry returns its error unwrapped.
func (s *Service) VerifyContext(ctx context.Context, token string) (Claims, error) {
	key := sha256.Sum256([]byte(token))
	t, cached := s.verified.get(key)
	if cached {
		// The signature and the fixed claims were checked when the token was
		// cached. Time and tenant configuration change, so check them again.
		if !s.opts.Now().Before(t.claims.Expires.Add(clockLeeway)) {
			return Claims{}, fmt.Errorf("%w: token is expired", ErrInvalidToken)
		}
		if !s.opts.Tenants(t.claims.Tenant) {
			return Claims{}, fmt.Errorf("%w: tenant is no longer configured", ErrInvalidToken)
		}
	} else {
		var err error
		if t, err = s.verify(token); err != nil {
			return Claims{}, err
		}
	}

	// The registry is checked on every call, cached or not, so a revoked
	// secret stops its tokens on the next request.
	if err := s.checkClient(ctx, t); err != nil {
		return Claims{}, err
	}
	if !cached {
		s.verified.put(key, t)
	}
	return t.claims, nil
}

// checkClient checks that the token's client is still registered for the
// token's tenant and still has the secret that obtained the token.
func (s *Service) checkClient(ctx context.Context, t verifiedToken) error {
	client, found, err := s.opts.Registry.Client(ctx, t.claims.ClientID)
	switch {
	case err != nil:
		return fmt.Errorf("verify access token: look up client: %w", err)
	case !found:
		return fmt.Errorf("%w: client is no longer registered", ErrInvalidToken)
	case !strings.EqualFold(client.Tenant, t.claims.Tenant):
		return fmt.Errorf("%w: client is no longer registered for the token's tenant", ErrInvalidToken)
	case !client.hasSecret(t.secretID):
		return fmt.Errorf("%w: the client secret that obtained the token was revoked", ErrInvalidToken)
	}
	return nil
}

// verify checks the signature and claims of a token that is not in the
// cache.
func (s *Service) verify(token string) (verifiedToken, error) {
	var c tokenClaims
	if _, err := s.parser.ParseWithClaims(token, &c, s.verificationKey); err != nil {
		return verifiedToken{}, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	if c.Subject == "" {
		return verifiedToken{}, fmt.Errorf("%w: missing sub claim", ErrInvalidToken)
	}
	if c.Tenant == "" || c.Scope != c.Tenant {
		return verifiedToken{}, fmt.Errorf("%w: scope and tenant claims differ", ErrInvalidToken)
	}
	if c.SecretID == "" {
		return verifiedToken{}, fmt.Errorf("%w: missing secret_id claim", ErrInvalidToken)
	}
	if !s.opts.Tenants(c.Tenant) {
		return verifiedToken{}, fmt.Errorf("%w: tenant is no longer configured", ErrInvalidToken)
	}
	claims := Claims{ClientID: c.Subject, Tenant: c.Tenant, Expires: c.ExpiresAt.Time}
	return verifiedToken{claims: claims, secretID: c.SecretID}, nil
}

// verificationKey is the jwt.Keyfunc: it selects the public key by "kid"
// and checks the "typ" header. The parser has already rejected any
// algorithm other than ES256.
func (s *Service) verificationKey(t *jwt.Token) (any, error) {
	if typ, _ := t.Header["typ"].(string); !strings.EqualFold(typ, tokenType) {
		return nil, fmt.Errorf("typ header is not %s", tokenType)
	}
	kid, _ := t.Header["kid"].(string)
	k, ok := s.keys[kid]
	if !ok {
		return nil, errors.New("unknown kid")
	}
	return k.Public(), nil
}

func randomID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate token id: %w", err)
	}
	return hex.EncodeToString(b), nil
}
