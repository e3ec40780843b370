package server

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ehrbridge/ehrbridge/auth"
	"github.com/ehrbridge/ehrbridge/fhir"
	"github.com/ehrbridge/ehrbridge/store"
)

const (
	testBase = "http://127.0.0.1:8080"
	tenantA  = "0f6e9c1a-3b2d-4c5e-8f70-1a2b3c4d5e6f"
	tenantB  = "7d1e2f3a-4b5c-4d6e-9f80-a1b2c3d4e5f6"
	// tenantS3 is served in STU3 only.
	tenantS3 = "a9b8c7d6-e5f4-4a3b-8c2d-1e0f9a8b7c6d"
	secretA  = "secret-of-client-a-0123456789abcdefgh"
	secretB  = "secret-of-client-b-0123456789abcdefgh"
	secretS3 = "secret-of-client-s3-0123456789abcdefg"
)

// syncBuffer is a log sink that tests read while handlers write.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testAPI is the whole handler with its auth service, store and log.
type testAPI struct {
	t       testing.TB
	handler http.Handler
	authSvc *auth.Service
	store   store.Store
	logs    *syncBuffer
}

var testTenants = map[string]Tenant{
	tenantA:  {ID: tenantA, Versions: []fhir.Version{fhir.DSTU2, fhir.STU3}},
	tenantB:  {ID: tenantB, Versions: []fhir.Version{fhir.DSTU2, fhir.STU3}},
	tenantS3: {ID: tenantS3, Versions: []fhir.Version{fhir.STU3}},
}

func newTestAPI(t testing.TB, st store.Store) *testAPI {
	t.Helper()
	key, err := auth.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	var clients []auth.Client
	for id, c := range map[string][2]string{
		"client-a": {tenantA, secretA}, "client-b": {tenantB, secretB}, "client-s3": {tenantS3, secretS3},
	} {
		client, err := auth.NewClient(id, c[0], c[1])
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, client)
	}
	logs := &syncBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	authSvc, err := auth.New(auth.Options{
		Issuer:   testBase,
		Audience: testBase + "/fhir",
		Key:      key,
		Registry: auth.NewStaticRegistry(clients...),
		Tenants:  func(id string) bool { _, ok := testTenants[id]; return ok },
		Logger:   logger,
	})
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(Config{
		PublicBaseURL: testBase,
		Store:         st,
		Auth:          authSvc,
		Tenants:       func(id string) (Tenant, bool) { tn, ok := testTenants[id]; return tn, ok },
		Logger:        logger,
	})
	if err != nil {
		t.Fatal(err)
	}
	return &testAPI{t: t, handler: h, authSvc: authSvc, store: st, logs: logs}
}

// token obtains an access token through the token endpoint.
func (a *testAPI) token(clientID, secret, tenant string) string {
	a.t.Helper()
	form := url.Values{
		"grant_type": {"client_credentials"}, "client_id": {clientID},
		"client_secret": {secret}, "scope": {tenant},
	}
	req := httptest.NewRequest(http.MethodPost, "/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	a.handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		a.t.Fatalf("token request: got status %d, want 200: %s", rec.Code, rec.Body)
	}
	var resp struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
		a.t.Fatal(err)
	}
	return resp.AccessToken
}

// request is one HTTP request to the handler.
type request struct {
	method      string
	target      string // path and query, or an absolute URL
	token       string
	body        string
	contentType string
	accept      string
	headers     map[string]string
}

func (a *testAPI) do(r request) *httptest.ResponseRecorder {
	a.t.Helper()
	if r.method == "" {
		r.method = http.MethodGet
	}
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	req := httptest.NewRequest(r.method, r.target, body)
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	if r.accept != "" {
		req.Header.Set("Accept", r.accept)
	}
	for name, value := range r.headers {
		req.Header.Set(name, value)
	}
	rec := httptest.NewRecorder()
	a.handler.ServeHTTP(rec, req)
	return rec
}

// decode parses a JSON response body into a generic value.
func decode(t testing.TB, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode response %q: %v", rec.Body.String(), err)
	}
	return v
}

// outcomeCode returns the issue code of an OperationOutcome, or "".
func outcomeCode(v map[string]any) string {
	if v["resourceType"] != "OperationOutcome" {
		return ""
	}
	issues, _ := v["issue"].([]any)
	if len(issues) == 0 {
		return ""
	}
	first, _ := issues[0].(map[string]any)
	code, _ := first["code"].(string)
	return code
}

// path walks a decoded JSON value by object keys and array indexes.
func path(v any, steps ...any) any {
	for _, s := range steps {
		switch key := s.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[key]
		case int:
			list, _ := v.([]any)
			if key >= len(list) {
				return nil
			}
			v = list[key]
		}
	}
	return v
}

// write commits resources for one tenant.
func write(t testing.TB, st store.Store, tenant string, writes ...store.Write) {
	t.Helper()
	ts, err := st.Tenant(t.Context(), tenant)
	if err != nil {
		t.Fatal(err)
	}
	for i := range writes {
		writes[i].Provenance = store.Provenance{
			Source: "test", SourceKey: writes[i].ResourceType + "/" + writes[i].ID,
			SourceTime: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Mapping: "test",
		}
	}
	if _, err := ts.Commit(t.Context(), store.Commit{Writes: writes}); err != nil {
		t.Fatal(err)
	}
}

func resource(v fhir.Version, body string) store.Write {
	var head struct {
		ResourceType string `json:"resourceType"`
		ID           string `json:"id"`
	}
	if err := json.Unmarshal([]byte(body), &head); err != nil {
		panic(err)
	}
	return store.Write{Version: v, ResourceType: head.ResourceType, ID: head.ID, Body: json.RawMessage(body)}
}
