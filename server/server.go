package server

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ehrbridge/ehrbridge/auth"
	"github.com/ehrbridge/ehrbridge/fhir"
	"github.com/ehrbridge/ehrbridge/search"
	"github.com/ehrbridge/ehrbridge/store"
)

// Tenant is a configured tenant and the FHIR versions its data is served in.
type Tenant struct {
	ID       string // lower-case tenant id, as in the token's tenant claim
	Versions []fhir.Version
}

// Config configures the FHIR API handler.
type Config struct {
	// PublicBaseURL is the URL clients use to reach the server, such as
	// http://127.0.0.1:8080, without a trailing slash. Links, fullUrl values
	// and the OAuth endpoints in the capability statement are built from it.
	PublicBaseURL string
	Store         store.Store
	Auth          *auth.Service
	// Tenants returns the configuration of a tenant id (lower case), and
	// false when the tenant is not configured.
	Tenants func(id string) (Tenant, bool)
	Logger  *slog.Logger // nil discards logs
}

// server is the state shared by all routes.
type server struct {
	cfg      Config
	base     string   // PublicBaseURL without a trailing slash
	baseURL  *url.URL // parsed base
	log      *slog.Logger
	types    map[fhir.Version]map[string]bool // served resource types
	metadata map[fhir.Version][]byte          // capability statements
	smart    []byte                           // SMART configuration document
}

// New checks the configuration and returns the handler of the whole API:
// the FHIR routes, the token endpoint, the JWKS and the health check.
func New(cfg Config) (http.Handler, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &server{
		cfg:      cfg,
		base:     strings.TrimSuffix(cfg.PublicBaseURL, "/"),
		log:      cfg.Logger,
		types:    map[fhir.Version]map[string]bool{},
		metadata: map[fhir.Version][]byte{},
	}
	s.baseURL, _ = url.Parse(s.base)

	now := time.Now().UTC()
	for _, v := range fhir.Versions {
		s.types[v] = map[string]bool{}
		for _, t := range search.ResourceTypes(v) {
			s.types[v][t] = true
		}
		doc, err := s.capabilityStatement(v, now)
		if err != nil {
			return nil, err
		}
		s.metadata[v] = doc
	}
	smart, err := s.smartConfiguration()
	if err != nil {
		return nil, err
	}
	s.smart = smart
	return s.middleware(s.routes()), nil
}

func (c Config) validate() error {
	var errs []error
	u, err := url.Parse(c.PublicBaseURL)
	switch {
	case c.PublicBaseURL == "" || err != nil:
		errs = append(errs, errors.New("PublicBaseURL: must be an absolute http or https URL"))
	case u.Scheme != "http" && u.Scheme != "https", u.Host == "":
		errs = append(errs, errors.New("PublicBaseURL: must be an absolute http or https URL"))
	case u.RawQuery != "" || u.Fragment != "":
		errs = append(errs, errors.New("PublicBaseURL: must not have a query or fragment"))
	}
	if c.Store == nil {
		errs = append(errs, errors.New("Store: missing"))
	}
	if c.Auth == nil {
		errs = append(errs, errors.New("Auth: missing"))
	}
	if c.Tenants == nil {
		errs = append(errs, errors.New("Tenants: missing"))
	}
	if len(errs) > 0 {
		return fmt.Errorf("invalid server config: %w", errors.Join(errs...))
	}
	return nil
}

// routes registers every route. Requests that match no method of a FHIR
// path reach methodNotAllowed, so they get an OperationOutcome and Allow.
func (s *server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	s.handle(mux, "GET /healthz", http.HandlerFunc(serveHealth))
	s.handle(mux, "GET /.well-known/jwks.json", s.cfg.Auth.JWKSHandler())
	s.handle(mux, "/oauth/token", s.cfg.Auth.TokenHandler())
	s.handle(mux, "/oauth/authorize", http.HandlerFunc(serveAuthorize))

	s.handle(mux, "GET /fhir/{version}/metadata", s.public(s.serveMetadata))
	s.handle(mux, "GET /fhir/{version}/.well-known/smart-configuration", s.public(s.serveSMART))

	s.handle(mux, "GET /fhir/{version}/{type}/{id}", s.protected(s.serveRead))
	s.handle(mux, "GET /fhir/{version}/{type}", s.protected(s.serveSearchGet))
	s.handle(mux, "POST /fhir/{version}/{type}/_search", s.protected(s.serveSearchPost))
	s.handle(mux, "POST /fhir/{version}", s.protected(s.serveBatch))
	s.handle(mux, "POST /fhir/{version}/{$}", s.protected(s.serveBatch))

	history := s.public(s.serveHistory)
	s.handle(mux, "/fhir/{version}/{type}/{id}/_history", history)
	s.handle(mux, "/fhir/{version}/{type}/{id}/_history/{vid}", history)
	s.handle(mux, "GET /fhir/{version}/{type}/_history", history)
	s.handle(mux, "GET /fhir/{version}/_history", history)

	notAllowed := http.HandlerFunc(s.methodNotAllowed)
	s.handle(mux, "/fhir/{version}", notAllowed)
	s.handle(mux, "/fhir/{version}/{$}", notAllowed)
	s.handle(mux, "/fhir/{version}/{type}", notAllowed)
	s.handle(mux, "/fhir/{version}/{type}/{id}", notAllowed)
	s.handle(mux, "/", http.HandlerFunc(s.notFound))
	return mux
}

// handle registers h and records the route template for the access log.
func (s *server) handle(mux *http.ServeMux, pattern string, h http.Handler) {
	route := pattern
	if _, path, found := strings.Cut(pattern, " "); found {
		route = path
	}
	mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if info := infoFrom(r.Context()); info != nil {
			info.route = route
		}
		h.ServeHTTP(w, r)
	}))
}

// fhirURL returns the absolute URL of a path under a version's base, such
// as Patient/123.
func (s *server) fhirURL(v fhir.Version, path string) string {
	return s.versionBase(v) + "/" + path
}

// versionBase returns the FHIR base URL of a version, such as
// http://127.0.0.1:8080/fhir/stu3.
func (s *server) versionBase(v fhir.Version) string {
	return s.base + "/fhir/" + string(v)
}

func serveHealth(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte("ok\n"))
}

// serveAuthorize serves the authorization endpoint that SMART clients
// expect to find in the capability statement. The client credentials grant
// has no authorization step, so every request gets an OAuth error.
func serveAuthorize(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusBadRequest)
	_, _ = w.Write([]byte(`{"error":"unsupported_response_type","error_description":` +
		`"this server supports only the client_credentials grant: ` +
		`POST the token request to the token endpoint; there is no authorization step"}` + "\n"))
}
