package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// maxTokenRequestBytes bounds the token request body. A client credentials
// request with a long client id and secret needs well under 1 KiB.
const maxTokenRequestBytes = 8 << 10

// maxLoggedClientID bounds the client_id written to the log, since it comes
// unchecked from the request.
const maxLoggedClientID = 128

// OAuth 2.0 error codes of the token endpoint (RFC 6749 §5.2).
const (
	errInvalidRequest       = "invalid_request"
	errInvalidClient        = "invalid_client"
	errUnauthorizedClient   = "unauthorized_client"
	errUnsupportedGrantType = "unsupported_grant_type"
	errInvalidScope         = "invalid_scope"
	errServerError          = "server_error"
)

// oauthError is a token endpoint error response. Description goes to the
// client and the log, so it must never contain a secret.
type oauthError struct {
	status      int
	code        string
	description string
	basic       bool // the client used HTTP Basic, so the response carries a Basic challenge
	cause       error
}

func (e *oauthError) Error() string { return e.code + ": " + e.description }

func newOAuthError(status int, code, description string) *oauthError {
	return &oauthError{status: status, code: code, description: description}
}

// tokenResponse is the successful token response (RFC 6749 §5.1).
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	Scope       string `json:"scope"`
}

// credentials are the client authentication of one token request.
type credentials struct {
	clientID string
	secret   string
	basic    bool
}

// TokenHandler returns the token endpoint for the client credentials grant
// (RFC 6749 §4.4). Clients authenticate with client_id and client_secret in
// the form body or with HTTP Basic, and send the tenant id as the scope.
func (s *Service) TokenHandler() http.Handler {
	return http.HandlerFunc(s.serveToken)
}

func (s *Service) serveToken(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	w.Header().Set("X-Content-Type-Options", "nosniff")

	resp, clientID, oerr := s.grantToken(r)
	logClientID := clientID
	if len(logClientID) > maxLoggedClientID {
		logClientID = logClientID[:maxLoggedClientID]
	}
	if oerr != nil {
		s.logFailure(r, logClientID, oerr)
		writeOAuthError(w, oerr)
		return
	}
	s.opts.Logger.LogAttrs(r.Context(), slog.LevelInfo, "access token issued",
		slog.String("client_id", logClientID), slog.String("tenant", resp.Scope),
		slog.String("outcome", "issued"))
	writeJSON(w, http.StatusOK, resp)
}

func (s *Service) logFailure(r *http.Request, clientID string, e *oauthError) {
	level := slog.LevelWarn
	attrs := []slog.Attr{
		slog.String("client_id", clientID),
		slog.String("outcome", e.code),
		slog.String("reason", e.description),
	}
	if e.cause != nil {
		level = slog.LevelError
		attrs = append(attrs, slog.String("err", e.cause.Error()))
	}
	s.opts.Logger.LogAttrs(r.Context(), level, "token request rejected", attrs...)
}

// grantToken runs the checks of one token request in order and returns the
// response, or the first error. It also returns the client id for the log.
func (s *Service) grantToken(r *http.Request) (tokenResponse, string, *oauthError) {
	form, oerr := readTokenForm(r)
	if oerr != nil {
		return tokenResponse{}, "", oerr
	}
	creds, oerr := clientCredentials(r, form)
	if oerr != nil {
		return tokenResponse{}, creds.clientID, oerr
	}
	if oerr := checkGrantType(form.Get("grant_type")); oerr != nil {
		return tokenResponse{}, creds.clientID, oerr
	}
	client, secretIndex, oerr := s.authenticate(r, creds)
	if oerr != nil {
		return tokenResponse{}, creds.clientID, oerr
	}
	tenant, oerr := s.checkScope(form.Get("scope"), client)
	if oerr != nil {
		return tokenResponse{}, creds.clientID, oerr
	}

	token, _, err := s.issue(client.ID, tenant, secretID(client.SecretHashes[secretIndex]))
	if err != nil {
		oerr := newOAuthError(http.StatusInternalServerError, errServerError, "the token could not be issued")
		oerr.cause = err
		return tokenResponse{}, creds.clientID, oerr
	}
	return tokenResponse{
		AccessToken: token,
		TokenType:   "Bearer",
		ExpiresIn:   int64(s.opts.TokenTTL / time.Second),
		Scope:       tenant,
	}, creds.clientID, nil
}

// readTokenForm checks the method and content type and parses the body.
// Parameters in the URL are rejected, because a secret there would end up
// in access logs and browser history (RFC 6749 §2.3.1).
func readTokenForm(r *http.Request) (url.Values, *oauthError) {
	if r.Method != http.MethodPost {
		return nil, newOAuthError(http.StatusMethodNotAllowed, errInvalidRequest,
			"the token endpoint accepts only POST")
	}
	if r.URL.RawQuery != "" {
		return nil, newOAuthError(http.StatusBadRequest, errInvalidRequest,
			"send the token request parameters in the form body, not in the URL")
	}
	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mediaType != "application/x-www-form-urlencoded" {
		return nil, newOAuthError(http.StatusBadRequest, errInvalidRequest,
			"Content-Type must be application/x-www-form-urlencoded")
	}

	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxTokenRequestBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, newOAuthError(http.StatusRequestEntityTooLarge, errInvalidRequest,
				fmt.Sprintf("the request body exceeds %d bytes", maxTokenRequestBytes))
		}
		return nil, newOAuthError(http.StatusBadRequest, errInvalidRequest, "the request body could not be read")
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, newOAuthError(http.StatusBadRequest, errInvalidRequest, "the form body is not valid form encoding")
	}
	for name, values := range form {
		if len(values) > 1 {
			return nil, newOAuthError(http.StatusBadRequest, errInvalidRequest,
				fmt.Sprintf("parameter %q is repeated: send it once", name))
		}
	}
	return form, nil
}

// clientCredentials reads the client authentication from the Authorization
// header (HTTP Basic with form-encoded id and secret, RFC 6749 §2.3.1) or
// from the form body. Using both methods at once is an error.
func clientCredentials(r *http.Request, form url.Values) (credentials, *oauthError) {
	bodyID, bodySecret := form.Get("client_id"), form.Get("client_secret")
	if r.Header.Get("Authorization") == "" {
		c := credentials{clientID: bodyID, secret: bodySecret}
		if bodyID == "" || bodySecret == "" {
			return c, newOAuthError(http.StatusUnauthorized, errInvalidClient,
				"client authentication is missing: send client_id and client_secret")
		}
		return c, nil
	}

	c := credentials{clientID: bodyID, basic: true}
	rawID, rawSecret, ok := r.BasicAuth()
	if !ok {
		return c, basicError("the Authorization header is not valid HTTP Basic")
	}
	id, errID := url.QueryUnescape(rawID)
	secret, errSecret := url.QueryUnescape(rawSecret)
	if errID != nil || errSecret != nil {
		return c, basicError("the HTTP Basic client id or secret is not form-encoded")
	}
	c.clientID, c.secret = id, secret
	if bodySecret != "" || (bodyID != "" && bodyID != id) {
		e := newOAuthError(http.StatusBadRequest, errInvalidRequest,
			"use one client authentication method: HTTP Basic or client_secret in the body, not both")
		return c, e
	}
	if id == "" || secret == "" {
		return c, basicError("the HTTP Basic credentials lack a client id or secret")
	}
	return c, nil
}

func basicError(description string) *oauthError {
	e := newOAuthError(http.StatusUnauthorized, errInvalidClient, description)
	e.basic = true
	return e
}

func checkGrantType(grantType string) *oauthError {
	switch grantType {
	case "client_credentials":
		return nil
	case "":
		return newOAuthError(http.StatusBadRequest, errInvalidRequest,
			"grant_type is missing: send grant_type=client_credentials")
	default:
		return newOAuthError(http.StatusBadRequest, errUnsupportedGrantType,
			"only the client_credentials grant type is supported")
	}
}

// authenticate looks up the client and checks its secret. It returns the
// client and the index of the matching hash in its SecretHashes. An unknown
// client and a wrong secret get the same error, so callers cannot probe for
// ids.
func (s *Service) authenticate(r *http.Request, c credentials) (Client, int, *oauthError) {
	client, found, err := s.opts.Registry.Client(r.Context(), c.clientID)
	if err != nil {
		oerr := newOAuthError(http.StatusInternalServerError, errServerError, "the client registry is unavailable")
		oerr.cause = err
		return Client{}, -1, oerr
	}
	// An unknown client still pays for one hash, to keep timing uniform.
	index := matchSecret(client.SecretHashes, c.secret)
	if index < 0 || !found {
		oerr := newOAuthError(http.StatusUnauthorized, errInvalidClient, "client authentication failed")
		oerr.basic = c.basic
		return Client{}, -1, oerr
	}
	return client, index, nil
}

// checkScope returns the lower-case tenant id named by the scope, which must
// be the client's own tenant and still configured.
func (s *Service) checkScope(scope string, client Client) (string, *oauthError) {
	switch {
	case scope == "":
		return "", newOAuthError(http.StatusBadRequest, errInvalidScope,
			"scope is missing: send the tenant id as the scope")
	case strings.ContainsAny(scope, " \t"):
		return "", newOAuthError(http.StatusBadRequest, errInvalidScope,
			"scope must be exactly one tenant id")
	case !isGUID(scope):
		return "", newOAuthError(http.StatusBadRequest, errInvalidScope,
			"scope must be a tenant id in GUID form")
	}
	tenant := strings.ToLower(scope)
	if tenant != strings.ToLower(client.Tenant) {
		return "", newOAuthError(http.StatusBadRequest, errInvalidScope,
			"the client is not registered for the requested tenant")
	}
	if !s.opts.Tenants(tenant) {
		return "", newOAuthError(http.StatusBadRequest, errUnauthorizedClient,
			"the client's tenant is not served by this server")
	}
	return tenant, nil
}

func writeOAuthError(w http.ResponseWriter, e *oauthError) {
	if e.basic {
		w.Header().Set("WWW-Authenticate", `Basic realm="ehrbridge", charset="UTF-8"`)
	}
	if e.status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", http.MethodPost)
	}
	writeJSON(w, e.status, struct {
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
	}{e.code, e.description})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
