package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/ehrbridge/ehrbridge/auth"
	"github.com/ehrbridge/ehrbridge/fhir"
	"github.com/ehrbridge/ehrbridge/store"
)

// call is an authenticated FHIR request: the version from the URL and the
// tenant from the verified token, with that tenant's store.
type call struct {
	version fhir.Version
	tenant  Tenant
	store   store.TenantStore
}

// versionFromPath validates the {version} path segment and records it with
// _pretty for the response.
func versionFromPath(r *http.Request) (fhir.Version, error) {
	v, err := fhir.ParseVersion(r.PathValue("version"))
	if err != nil {
		return "", newError(http.StatusNotFound, issueNotFound,
			"unknown FHIR version in the path: use /fhir/dstu2 or /fhir/stu3")
	}
	if info := infoFrom(r.Context()); info != nil {
		info.version = v
		info.pretty = r.URL.Query().Get("_pretty") == "true"
	}
	return v, nil
}

// public wraps an unauthenticated FHIR route, such as /metadata.
func (s *server) public(h func(http.ResponseWriter, *http.Request, fhir.Version)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := versionFromPath(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if !acceptsJSON(r) {
			s.writeError(w, r, errNotAcceptable)
			return
		}
		h(w, r, v)
	})
}

var errNotAcceptable = newError(http.StatusNotAcceptable, issueNotSupported,
	"only FHIR JSON is served: accept application/json, application/json+fhir "+
		"or application/fhir+json, or send _format=json")

// protected wraps a data route: it checks the version, the requested format
// and the bearer token, and opens the store of the token's tenant. Nothing
// else in the request can select a tenant.
func (s *server) protected(h func(http.ResponseWriter, *http.Request, *call)) http.Handler {
	return s.public(func(w http.ResponseWriter, r *http.Request, v fhir.Version) {
		c, err := s.authorize(r, v)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		h(w, r, c)
	})
}

// authorize verifies the bearer token and returns the call of its tenant.
func (s *server) authorize(r *http.Request, v fhir.Version) (*call, error) {
	token, err := bearerToken(r)
	if err != nil {
		return nil, err
	}
	claims, err := s.cfg.Auth.VerifyContext(r.Context(), token)
	if err != nil && !errors.Is(err, auth.ErrInvalidToken) {
		return nil, err // the client registry failed: a server fault
	}
	if err != nil {
		s.log.LogAttrs(r.Context(), slog.LevelWarn, "access token rejected",
			slog.String("reason", err.Error()), slog.String("request_id", RequestID(r.Context())))
		return nil, newError(http.StatusUnauthorized, issueLogin, "the access token is invalid or expired")
	}
	info := infoFrom(r.Context())
	if info != nil {
		info.clientID = claims.ClientID
	}
	tenant, ok := s.cfg.Tenants(claims.Tenant)
	if !ok {
		return nil, newError(http.StatusUnauthorized, issueLogin, "the token's tenant is not configured")
	}
	if info != nil {
		info.tenant = tenant.ID
	}
	if !slices.Contains(tenant.Versions, v) {
		return nil, newError(http.StatusForbidden, issueForbidden,
			"the token's tenant is not served in FHIR version "+string(v))
	}
	ts, err := s.cfg.Store.Tenant(r.Context(), tenant.ID)
	if err != nil {
		return nil, err
	}
	return &call{version: v, tenant: tenant, store: ts}, nil
}

// bearerToken returns the token of the Authorization header (RFC 6750 §2.1).
func bearerToken(r *http.Request) (string, error) {
	headers := r.Header.Values("Authorization")
	if len(headers) == 0 {
		return "", newError(http.StatusUnauthorized, issueLogin,
			"missing access token: send Authorization: Bearer <token>")
	}
	scheme, token, found := strings.Cut(headers[0], " ")
	token = strings.TrimSpace(token)
	if len(headers) > 1 || !found || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", newError(http.StatusUnauthorized, issueLogin,
			"malformed Authorization header: send one Authorization: Bearer <token>")
	}
	return token, nil
}

// checkType returns the not-supported error when the version does not serve
// the resource type, and records a served type for the access log.
func (s *server) checkType(ctx context.Context, v fhir.Version, resourceType string) error {
	if !s.types[v][resourceType] {
		return newError(http.StatusNotFound, issueNotSupported,
			"the resource type is not supported in this FHIR version: GET /fhir/"+string(v)+
				"/metadata lists the supported types")
	}
	if info := infoFrom(ctx); info != nil {
		info.resourceType = resourceType
	}
	return nil
}

// methodNotAllowed rejects every method that a FHIR path does not serve:
// the API is read-only, so creates, updates, patches and deletes end here.
func (s *server) methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	if _, err := versionFromPath(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	allow := "GET, HEAD"
	switch {
	case r.PathValue("type") == "":
		allow = "POST"
	case r.PathValue("id") == "_search":
		allow = "GET, HEAD, POST"
	}
	w.Header().Set("Allow", allow)
	s.writeError(w, r, newError(http.StatusMethodNotAllowed, issueNotSupported,
		"method "+r.Method+" is not allowed here: this FHIR API is read-only; allowed: "+allow))
}

// errHistory is the error of the history and version read interactions,
// which this API does not serve because it returns only the current version
// of each resource. The status is 404, as for an unsupported resource type,
// rather than 405, whose Allow header would have to list a method the path
// serves.
var errHistory = newError(http.StatusNotFound, issueNotSupported,
	"history is not supported: this API serves only the current version of each resource; "+
		"read it with GET [base]/Type/id")

// serveHistory rejects the history interactions of every level (system,
// type and instance) and the version read, for any method. It needs no
// token, because the response does not depend on any tenant's data.
func (s *server) serveHistory(w http.ResponseWriter, r *http.Request, _ fhir.Version) {
	s.writeError(w, r, errHistory)
}

func (s *server) notFound(w http.ResponseWriter, r *http.Request) {
	s.writeError(w, r, newError(http.StatusNotFound, issueNotFound,
		"no route matches this path: FHIR requests start with /fhir/dstu2 or /fhir/stu3"))
}
