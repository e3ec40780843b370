package auth

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"
)

const (
	testIssuer     = "http://127.0.0.1:8080"
	testAudience   = "http://127.0.0.1:8080/fhir"
	tenantA        = "0f6e9c1a-3b2d-4c5e-8f70-1a2b3c4d5e6f"
	tenantB        = "7d1e2f3a-4b5c-4d6e-9f80-a1b2c3d4e5f6"
	tenantUnserved = "11111111-2222-4333-8444-555555555555"
	secretA        = "s3cr3t-for-client-a-0123456789abcdef"
	secretA2       = "rotated-secret-for-client-a-0123456789"
	secretB        = "s3cr3t-for-client-b-0123456789abcdef"
	secretUnserved = "s3cr3t-for-client-unserved-0123456789"
)

// secretIDA is the secret_id claim of tokens obtained with secretA.
var secretIDA = secretID(HashSecret(secretA))

var testNow = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)

type fixture struct {
	svc  *Service
	key  *Key
	logs *bytes.Buffer
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	key, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	a, err := NewClient("client-a", strings.ToUpper(tenantA), secretA, secretA2)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewClient("client-b", tenantB, secretB)
	if err != nil {
		t.Fatal(err)
	}
	unserved, err := NewClient("client-unserved", tenantUnserved, secretUnserved)
	if err != nil {
		t.Fatal(err)
	}
	logs := &bytes.Buffer{}
	svc, err := New(Options{
		Issuer:   testIssuer,
		Audience: testAudience,
		Key:      key,
		Registry: NewStaticRegistry(a, b, unserved),
		Tenants:  func(id string) bool { return id == tenantA || id == tenantB },
		Now:      func() time.Time { return testNow },
		Logger:   slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	return fixture{svc: svc, key: key, logs: logs}
}

func formRequest(form url.Values) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/oauth/token", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func basicRequest(id, secret string, form url.Values) *http.Request {
	r := formRequest(form)
	raw := url.QueryEscape(id) + ":" + url.QueryEscape(secret)
	r.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(raw)))
	return r
}

func TestTokenIssued(t *testing.T) {
	tests := []struct {
		name   string
		req    *http.Request
		secret string // the secret the request authenticates with
	}{
		{"post", formRequest(url.Values{
			"grant_type": {"client_credentials"}, "client_id": {"client-a"},
			"client_secret": {secretA}, "scope": {tenantA},
		}), secretA},
		{"basic", basicRequest("client-a", secretA, url.Values{
			"grant_type": {"client_credentials"}, "scope": {tenantA},
		}), secretA},
		{"rotated secret", formRequest(url.Values{
			"grant_type": {"client_credentials"}, "client_id": {"client-a"},
			"client_secret": {secretA2}, "scope": {tenantA},
		}), secretA2},
		{"upper-case scope", formRequest(url.Values{
			"grant_type": {"client_credentials"}, "client_id": {"client-a"},
			"client_secret": {secretA}, "scope": {strings.ToUpper(tenantA)},
		}), secretA},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			rec := httptest.NewRecorder()
			f.svc.TokenHandler().ServeHTTP(rec, tt.req)
			if rec.Code != http.StatusOK {
				t.Fatalf("got status %d, want 200; body %s", rec.Code, rec.Body)
			}
			for header, want := range map[string]string{"Cache-Control": "no-store", "Pragma": "no-cache"} {
				if got := rec.Header().Get(header); got != want {
					t.Errorf("got %s %q, want %q", header, got, want)
				}
			}
			var resp map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
				t.Fatal(err)
			}
			token, _ := resp["access_token"].(string)
			want := map[string]any{
				"access_token": token, "token_type": "Bearer",
				"expires_in": float64(3600), "scope": tenantA,
			}
			if diff := cmp.Diff(want, resp); diff != "" {
				t.Errorf("token response (-want +got):\n%s", diff)
			}
			checkPayload(t, token, tt.secret)

			claims, err := f.svc.Verify(token)
			if err != nil {
				t.Fatalf("verify issued token: %v", err)
			}
			wantClaims := Claims{ClientID: "client-a", Tenant: tenantA, Expires: testNow.Add(time.Hour)}
			if diff := cmp.Diff(wantClaims, claims); diff != "" {
				t.Errorf("claims (-want +got):\n%s", diff)
			}
			if strings.Contains(f.logs.String(), token) || strings.Contains(f.logs.String(), secretA) {
				t.Errorf("log contains the token or secret: %s", f.logs)
			}
			if !strings.Contains(f.logs.String(), `"client_id":"client-a"`) {
				t.Errorf("log lacks the client id: %s", f.logs)
			}
		})
	}
}

// checkPayload decodes the JWT payload and checks every claim.
func checkPayload(t *testing.T, token, secret string) {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("got %d token parts, want 3", len(parts))
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var payload map[string]any
	if err := json.Unmarshal(raw, &payload); err != nil {
		t.Fatal(err)
	}
	jti, _ := payload["jti"].(string)
	if len(jti) != 32 {
		t.Errorf("got jti %q, want 32 hex characters", jti)
	}
	secretID, _ := payload["secret_id"].(string)
	sum := sha256.Sum256(HashSecret(secret))
	if want := hex.EncodeToString(sum[:])[:16]; secretID != want {
		t.Errorf("got secret_id %q, want %q (the first 16 hex digits of SHA-256 of the stored hash)",
			secretID, want)
	}
	want := map[string]any{
		"iss": testIssuer, "sub": "client-a", "aud": []any{testAudience},
		"scope": tenantA, "tenant": tenantA, "jti": jti, "secret_id": secretID,
		"iat": float64(testNow.Unix()), "nbf": float64(testNow.Unix()),
		"exp": float64(testNow.Add(time.Hour).Unix()),
	}
	if diff := cmp.Diff(want, payload); diff != "" {
		t.Errorf("token payload (-want +got):\n%s", diff)
	}
}

func TestTokenErrors(t *testing.T) {
	valid := func() url.Values {
		return url.Values{
			"grant_type": {"client_credentials"}, "client_id": {"client-a"},
			"client_secret": {secretA}, "scope": {tenantA},
		}
	}
	with := func(key, value string) url.Values {
		v := valid()
		if value == "" {
			v.Del(key)
		} else {
			v.Set(key, value)
		}
		return v
	}
	jsonBody := httptest.NewRequest(http.MethodPost, "/oauth/token", strings.NewReader(`{}`))
	jsonBody.Header.Set("Content-Type", "application/json")
	getReq := httptest.NewRequest(http.MethodGet, "/oauth/token", nil)
	inURL := formRequest(valid())
	inURL.URL.RawQuery = "client_secret=" + secretA
	huge := formRequest(with("scope", strings.Repeat("a", maxTokenRequestBytes)))
	repeated := valid()
	repeated.Add("scope", tenantB)
	badBasic := formRequest(with("client_secret", ""))
	badBasic.Header.Set("Authorization", "Basic !!!")
	bothMethods := basicRequest("client-a", secretA, valid())

	tests := []struct {
		name      string
		req       *http.Request
		status    int
		code      string
		challenge string
	}{
		{"method GET", getReq, 405, errInvalidRequest, ""},
		{"json body", jsonBody, 400, errInvalidRequest, ""},
		{"params in URL", inURL, 400, errInvalidRequest, ""},
		{"body too large", huge, 413, errInvalidRequest, ""},
		{"repeated param", formRequest(repeated), 400, errInvalidRequest, ""},
		{"missing grant type", formRequest(with("grant_type", "")), 400, errInvalidRequest, ""},
		{"both auth methods", bothMethods, 400, errInvalidRequest, ""},
		{"password grant", formRequest(with("grant_type", "password")), 400, errUnsupportedGrantType, ""},
		{"no credentials", formRequest(with("client_id", "")), 401, errInvalidClient, ""},
		{"missing secret", formRequest(with("client_secret", "")), 401, errInvalidClient, ""},
		{"wrong secret", formRequest(with("client_secret", secretB)), 401, errInvalidClient, ""},
		{"unknown client", formRequest(with("client_id", "nobody")), 401, errInvalidClient, ""},
		{"basic wrong secret", basicRequest("client-a", secretB, with("client_secret", "")), 401,
			errInvalidClient, "Basic"},
		{"basic malformed", badBasic, 401, errInvalidClient, "Basic"},
		{"missing scope", formRequest(with("scope", "")), 400, errInvalidScope, ""},
		{"two scopes", formRequest(with("scope", tenantA+" "+tenantB)), 400, errInvalidScope, ""},
		{"scope not a GUID", formRequest(with("scope", "patient/*.read")), 400, errInvalidScope, ""},
		{"other tenant", formRequest(with("scope", tenantB)), 400, errInvalidScope, ""},
		{"tenant not served", formRequest(url.Values{
			"grant_type": {"client_credentials"}, "client_id": {"client-unserved"},
			"client_secret": {secretUnserved}, "scope": {tenantUnserved},
		}), 400, errUnauthorizedClient, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			rec := httptest.NewRecorder()
			f.svc.TokenHandler().ServeHTTP(rec, tt.req)
			if rec.Code != tt.status {
				t.Errorf("got status %d, want %d", rec.Code, tt.status)
			}
			var resp struct {
				Error       string `json:"error"`
				Description string `json:"error_description"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
				t.Fatalf("decode error response %q: %v", rec.Body, err)
			}
			if resp.Error != tt.code {
				t.Errorf("got error %q (%s), want %q", resp.Error, resp.Description, tt.code)
			}
			if resp.Description == "" {
				t.Error("got empty error_description, want a reason")
			}
			got := rec.Header().Get("WWW-Authenticate")
			if !strings.HasPrefix(got, tt.challenge) || (tt.challenge == "" && got != "") {
				t.Errorf("got WWW-Authenticate %q, want prefix %q", got, tt.challenge)
			}
			if got := rec.Header().Get("Cache-Control"); got != "no-store" {
				t.Errorf("got Cache-Control %q, want no-store", got)
			}
			for _, secret := range []string{secretA, secretB, secretUnserved} {
				if strings.Contains(rec.Body.String(), secret) || strings.Contains(f.logs.String(), secret) {
					t.Errorf("response or log contains a secret")
				}
			}
		})
	}
}

func TestVerifyRejects(t *testing.T) {
	f := newFixture(t)
	good, _, err := f.svc.issue("client-a", tenantA, secretIDA)
	if err != nil {
		t.Fatal(err)
	}
	sign := func(method jwt.SigningMethod, key any, mutate func(*tokenClaims, *jwt.Token)) string {
		t.Helper()
		claims := tokenClaims{
			RegisteredClaims: jwt.RegisteredClaims{
				Issuer: testIssuer, Subject: "client-a", Audience: jwt.ClaimStrings{testAudience},
				IssuedAt: jwt.NewNumericDate(testNow), NotBefore: jwt.NewNumericDate(testNow),
				ExpiresAt: jwt.NewNumericDate(testNow.Add(time.Hour)), ID: "x",
			},
			Scope: tenantA, Tenant: tenantA, SecretID: secretIDA,
		}
		tok := jwt.NewWithClaims(method, &claims)
		tok.Header["kid"] = f.key.ID()
		tok.Header["typ"] = tokenType
		if mutate != nil {
			mutate(&claims, tok)
		}
		s, err := tok.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	pubDER, err := x509.MarshalPKIXPublicKey(f.key.Public())
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	other, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, ".")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(payload), `"sub":"client-a"`, `"sub":"client-b"`, 1)
	if changed == string(payload) {
		t.Fatal("tamper: payload unchanged")
	}
	tamperedPayload := base64.RawURLEncoding.EncodeToString([]byte(changed))

	tests := []struct {
		name  string
		token string
	}{
		{"empty", ""},
		{"garbage", "not.a.jwt"},
		{"HS256 with public key", sign(jwt.SigningMethodHS256, pubPEM, nil)},
		{"HS256 with public DER", sign(jwt.SigningMethodHS256, pubDER, nil)},
		{"alg none", sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, nil)},
		{"expired", sign(jwt.SigningMethodES256, f.key.private, func(c *tokenClaims, _ *jwt.Token) {
			c.ExpiresAt = jwt.NewNumericDate(testNow.Add(-time.Minute))
		})},
		{"no expiry", sign(jwt.SigningMethodES256, f.key.private, func(c *tokenClaims, _ *jwt.Token) {
			c.ExpiresAt = nil
		})},
		{"not yet valid", sign(jwt.SigningMethodES256, f.key.private, func(c *tokenClaims, _ *jwt.Token) {
			c.NotBefore = jwt.NewNumericDate(testNow.Add(time.Hour))
		})},
		{"wrong audience", sign(jwt.SigningMethodES256, f.key.private, func(c *tokenClaims, _ *jwt.Token) {
			c.Audience = jwt.ClaimStrings{"https://other.example/fhir"}
		})},
		{"wrong issuer", sign(jwt.SigningMethodES256, f.key.private, func(c *tokenClaims, _ *jwt.Token) {
			c.Issuer = "https://other.example"
		})},
		{"scope differs from tenant", sign(jwt.SigningMethodES256, f.key.private,
			func(c *tokenClaims, _ *jwt.Token) { c.Scope = tenantB })},
		{"tenant not configured", sign(jwt.SigningMethodES256, f.key.private,
			func(c *tokenClaims, _ *jwt.Token) { c.Scope, c.Tenant = tenantUnserved, tenantUnserved })},
		{"missing secret_id", sign(jwt.SigningMethodES256, f.key.private,
			func(c *tokenClaims, _ *jwt.Token) { c.SecretID = "" })},
		{"unknown secret_id", sign(jwt.SigningMethodES256, f.key.private,
			func(c *tokenClaims, _ *jwt.Token) { c.SecretID = secretID(HashSecret(secretB)) })},
		{"missing typ", sign(jwt.SigningMethodES256, f.key.private,
			func(_ *tokenClaims, tok *jwt.Token) { delete(tok.Header, "typ") })},
		{"missing kid", sign(jwt.SigningMethodES256, f.key.private,
			func(_ *tokenClaims, tok *jwt.Token) { delete(tok.Header, "kid") })},
		{"other key", sign(jwt.SigningMethodES256, other.private, nil)},
		{"other key with its kid", sign(jwt.SigningMethodES256, other.private,
			func(_ *tokenClaims, tok *jwt.Token) { tok.Header["kid"] = other.ID() })},
		{"tampered payload", parts[0] + "." + tamperedPayload + "." + parts[2]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.svc.Verify(tt.token)
			if !errors.Is(err, ErrInvalidToken) {
				t.Errorf("got error %v, want ErrInvalidToken", err)
			}
		})
	}
	t.Run("control", func(t *testing.T) {
		if _, err := f.svc.Verify(sign(jwt.SigningMethodES256, f.key.private, nil)); err != nil {
			t.Errorf("got error %v for a well-formed token, want nil", err)
		}
	})
}

func TestVerifyRetiredKey(t *testing.T) {
	f := newFixture(t)
	old, _, err := f.svc.issue("client-a", tenantA, secretIDA)
	if err != nil {
		t.Fatal(err)
	}
	next, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	opts := f.svc.opts
	opts.Key, opts.RetiredKeys = next, []*Key{f.key}
	rotated, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rotated.Verify(old); err != nil {
		t.Errorf("got error %v for a token of the retired key, want nil", err)
	}
	rec := httptest.NewRecorder()
	rotated.JWKSHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/.well-known/jwks.json", nil))
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
		} `json:"keys"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &set); err != nil {
		t.Fatal(err)
	}
	if len(set.Keys) != 2 || set.Keys[0].Kid != next.ID() || set.Keys[1].Kid != f.key.ID() {
		t.Errorf("got JWKS %s, want the new key then the retired key", rec.Body)
	}
}

func TestLoadOrCreateKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "signing.pem")
	created, err := LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("got mode %v, want 0600", mode)
	}
	loaded, err := LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.ID() != created.ID() {
		t.Errorf("got kid %s after reload, want %s", loaded.ID(), created.ID())
	}
	if !loaded.private.Equal(created.private) {
		t.Error("got a different private key after reload, want the stored one")
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("got %d files in the key directory, want 1 (no temporary file left)", len(entries))
	}
}

func TestLoadKeyInvalid(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		content string
	}{
		{"not PEM", "hello"},
		{"wrong block", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"},
		{"bad DER", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_"))
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := LoadOrCreateKey(path); err == nil {
				t.Error("got nil error, want a load error")
			}
			data, _ := os.ReadFile(path)
			if string(data) != tt.content {
				t.Error("the invalid key file was overwritten, want it kept")
			}
		})
	}
}

func TestKeyThumbprint(t *testing.T) {
	k, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	// RFC 7638: SHA-256 over the required members with sorted keys and no
	// whitespace, which is what encoding/json produces for a map.
	canonical, err := json.Marshal(map[string]string{
		"kty": "EC", "crv": "P-256", "x": k.jwk.X, "y": k.jwk.Y,
	})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(canonical)
	if want := base64.RawURLEncoding.EncodeToString(sum[:]); k.ID() != want {
		t.Errorf("got kid %s, want %s", k.ID(), want)
	}
	if len(k.jwk.X) != 43 || len(k.jwk.Y) != 43 {
		t.Errorf("got coordinate lengths %d and %d, want 43 (32 bytes)", len(k.jwk.X), len(k.jwk.Y))
	}
}

func TestSecrets(t *testing.T) {
	s1, err := GenerateSecret()
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := GenerateSecret()
	if len(s1) != 43 || s1 == s2 {
		t.Errorf("got secrets %d characters long, equal %v; want 43, distinct", len(s1), s1 == s2)
	}
	if _, err := NewClient("c", tenantA, s1[:MinSecretLength-1]); err == nil {
		t.Error("got nil error for a short secret, want a registration error")
	}
	if _, err := NewClient("c", "not-a-guid", s1); err == nil {
		t.Error("got nil error for a malformed tenant id, want a registration error")
	}
	hashes := [][]byte{HashSecret(s1), HashSecret(s2)}
	tests := []struct {
		name   string
		secret string
		want   int
	}{
		{"first", s1, 0},
		{"second", s2, 1},
		{"other", s1 + "x", -1},
		{"empty", "", -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := matchSecret(hashes, tt.secret); got != tt.want {
				t.Errorf("got match index %d, want %d", got, tt.want)
			}
		})
	}
}

func TestNewOptionsInvalid(t *testing.T) {
	_, err := New(Options{Issuer: "relative"})
	if err == nil {
		t.Fatal("got nil error, want invalid options")
	}
	for _, field := range []string{"Issuer", "Audience", "Key", "Registry", "Tenants"} {
		if !strings.Contains(err.Error(), field) {
			t.Errorf("got error %q, want it to name %s", err, field)
		}
	}
}

func TestVerifyCachedToken(t *testing.T) {
	f := newFixture(t)
	now := testNow
	served := true
	f.svc.opts.Now = func() time.Time { return now }
	f.svc.opts.Tenants = func(string) bool { return served }
	token, _, err := f.svc.issue("client-a", tenantA, secretIDA)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Verify(token); err != nil {
		t.Fatalf("first verify: got %v, want nil", err)
	}
	if _, ok := f.svc.verified.get(sha256.Sum256([]byte(token))); !ok {
		t.Fatal("got no cache entry after a successful verify, want one")
	}

	tests := []struct {
		name    string
		advance time.Duration
		served  bool
		wantErr bool
	}{
		{"cached", time.Minute, true, false},
		{"within leeway", time.Hour + clockLeeway - time.Second, true, false},
		{"expired", time.Hour + clockLeeway, true, true},
		{"tenant removed", time.Minute, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now, served = testNow.Add(tt.advance), tt.served
			_, err := f.svc.Verify(token)
			if gotErr := errors.Is(err, ErrInvalidToken); gotErr != tt.wantErr {
				t.Errorf("got error %v, want error %v", err, tt.wantErr)
			}
		})
	}
}

// mutableRegistry is a [Registry] whose clients a test replaces, as an
// operator does by restarting with a new client configuration.
type mutableRegistry struct {
	mu      sync.Mutex
	clients map[string]Client
}

func (r *mutableRegistry) Client(_ context.Context, id string) (Client, bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.clients[id]
	return c, ok, nil
}

func (r *mutableRegistry) set(clients ...Client) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.clients = map[string]Client{}
	for _, c := range clients {
		r.clients[c.ID] = c
	}
}

// requestToken obtains a token for client-a with the given secret through
// the token endpoint.
func requestToken(t *testing.T, svc *Service, secret string) string {
	t.Helper()
	rec := httptest.NewRecorder()
	svc.TokenHandler().ServeHTTP(rec, formRequest(url.Values{
		"grant_type": {"client_credentials"}, "client_id": {"client-a"},
		"client_secret": {secret}, "scope": {tenantA},
	}))
	if rec.Code != http.StatusOK {
		t.Fatalf("token request: got status %d, want 200; body %s", rec.Code, rec.Body)
	}
	var resp struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
		t.Fatal(err)
	}
	return resp.AccessToken
}

func TestVerifyRevokedSecret(t *testing.T) {
	newSecret := "replacement-secret-for-client-a-0123456789"
	client := func(tenant string, secrets ...string) Client {
		t.Helper()
		c, err := NewClient("client-a", tenant, secrets...)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	other, err := NewClient("client-b", tenantB, secretB)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		clients []Client
		wantErr bool
	}{
		{"unchanged", []Client{client(tenantA, secretA), other}, false},
		{"secret among several", []Client{client(tenantA, newSecret, secretA, secretA2), other}, false},
		{"secret revoked", []Client{client(tenantA, newSecret), other}, true},
		{"other secret of the client kept", []Client{client(tenantA, secretA2), other}, true},
		{"client removed", []Client{other}, true},
		{"client moved to another tenant", []Client{client(tenantB, secretA), other}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			reg := &mutableRegistry{}
			reg.set(client(tenantA, secretA, secretA2), other)
			f.svc.opts.Registry = reg
			token := requestToken(t, f.svc, secretA)
			if _, err := f.svc.Verify(token); err != nil {
				t.Fatalf("verify before rotation: got %v, want nil", err)
			}

			// The running service has the token cached, a restarted one has not.
			reg.set(tt.clients...)
			opts := f.svc.opts
			opts.Registry = NewStaticRegistry(tt.clients...)
			restarted, err := New(opts)
			if err != nil {
				t.Fatal(err)
			}
			for name, svc := range map[string]*Service{"running": f.svc, "restarted": restarted} {
				_, err := svc.Verify(token)
				if tt.wantErr && !errors.Is(err, ErrInvalidToken) {
					t.Errorf("%s service: got error %v, want ErrInvalidToken", name, err)
				}
				if !tt.wantErr && err != nil {
					t.Errorf("%s service: got error %v, want nil", name, err)
				}
			}
		})
	}
}

// failingRegistry is a [Registry] that cannot be reached.
type failingRegistry struct{}

var errRegistryDown = errors.New("registry unavailable")

func (failingRegistry) Client(context.Context, string) (Client, bool, error) {
	return Client{}, false, errRegistryDown
}

func TestVerifyRegistryFails(t *testing.T) {
	f := newFixture(t)
	token := requestToken(t, f.svc, secretA)
	f.svc.opts.Registry = failingRegistry{}
	_, err := f.svc.Verify(token)
	if !errors.Is(err, errRegistryDown) {
		t.Errorf("got error %v, want the registry error", err)
	}
	if errors.Is(err, ErrInvalidToken) {
		t.Errorf("got ErrInvalidToken for a registry failure, want a server error")
	}
}
