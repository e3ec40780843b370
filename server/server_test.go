package server

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/ehrbridge/ehrbridge/fhir"
	"github.com/ehrbridge/ehrbridge/search"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// newSeededAPI returns the API over a store holding the test data.
func newSeededAPI(t testing.TB) *testAPI {
	t.Helper()
	st := openStore(t)
	seed(t, st)
	return newTestAPI(t, st)
}

func TestTokenFlow(t *testing.T) {
	api := newSeededAPI(t)
	basic := func(id, secret string) string {
		raw := url.QueryEscape(id) + ":" + url.QueryEscape(secret)
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(raw))
	}
	form := func(kv ...string) string {
		v := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v.Encode()
	}
	tests := []struct {
		name      string
		body      string
		authz     string
		status    int
		errorCode string
	}{
		{"post", form("grant_type", "client_credentials", "client_id", "client-a",
			"client_secret", secretA, "scope", tenantA), "", 200, ""},
		{"basic", form("grant_type", "client_credentials", "scope", tenantA),
			basic("client-a", secretA), 200, ""},
		{"both methods", form("grant_type", "client_credentials", "client_id", "client-a",
			"client_secret", secretA, "scope", tenantA), basic("client-a", secretA), 400, "invalid_request"},
		{"wrong secret", form("grant_type", "client_credentials", "client_id", "client-a",
			"client_secret", secretB, "scope", tenantA), "", 401, "invalid_client"},
		{"basic wrong secret", form("grant_type", "client_credentials", "scope", tenantA),
			basic("client-a", secretB), 401, "invalid_client"},
		{"grant password", form("grant_type", "password", "client_id", "client-a",
			"client_secret", secretA, "scope", tenantA), "", 400, "unsupported_grant_type"},
		{"other tenant scope", form("grant_type", "client_credentials", "client_id", "client-a",
			"client_secret", secretA, "scope", tenantB), "", 400, "invalid_scope"},
		{"missing scope", form("grant_type", "client_credentials", "client_id", "client-a",
			"client_secret", secretA), "", 400, "invalid_scope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := request{method: http.MethodPost, target: "/oauth/token", body: tt.body,
				contentType: "application/x-www-form-urlencoded"}
			if tt.authz != "" {
				req.headers = map[string]string{"Authorization": tt.authz}
			}
			rec := api.do(req)
			if rec.Code != tt.status {
				t.Fatalf("got status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			got := decode(t, rec)
			if tt.errorCode != "" {
				if got["error"] != tt.errorCode {
					t.Errorf("got error %v, want %s", got["error"], tt.errorCode)
				}
				return
			}
			if got["token_type"] != "Bearer" || got["expires_in"] != float64(3600) {
				t.Errorf("got token_type %v, expires_in %v; want Bearer, 3600", got["token_type"], got["expires_in"])
			}
			token, _ := got["access_token"].(string)
			read := api.do(request{target: "/fhir/stu3/Patient/p1", token: token})
			if read.Code != http.StatusOK {
				t.Errorf("read with the issued token: got status %d, want 200", read.Code)
			}
		})
	}
}

func TestMetadata(t *testing.T) {
	api := newSeededAPI(t)
	tests := []struct {
		version      fhir.Version
		resourceType string
		release      string
		mediaType    string
	}{
		{fhir.DSTU2, "Conformance", "1.0.2", "application/json+fhir"},
		{fhir.STU3, "CapabilityStatement", "3.0.1", "application/fhir+json"},
	}
	for _, tt := range tests {
		t.Run(string(tt.version), func(t *testing.T) {
			rec := api.do(request{target: "/fhir/" + string(tt.version) + "/metadata"})
			if rec.Code != http.StatusOK {
				t.Fatalf("got status %d, want 200 without a token", rec.Code)
			}
			if got, want := rec.Header().Get("Content-Type"), tt.mediaType+"; charset=utf-8"; got != want {
				t.Errorf("got Content-Type %q, want %q", got, want)
			}
			doc := decode(t, rec)
			checks := []struct {
				name string
				got  any
				want any
			}{
				{"resourceType", doc["resourceType"], tt.resourceType},
				{"fhirVersion", doc["fhirVersion"], tt.release},
				{"kind", doc["kind"], "instance"},
				{"format", path(doc, "format", 0), "json"},
				{"rest mode", path(doc, "rest", 0, "mode"), "server"},
				{"service system", path(doc, "rest", 0, "security", "service", 0, "coding", 0, "system"),
					"http://hl7.org/fhir/restful-security-service"},
				{"service code", path(doc, "rest", 0, "security", "service", 0, "coding", 0, "code"), "OAuth"},
				{"oauth-uris url", path(doc, "rest", 0, "security", "extension", 0, "url"),
					"http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"},
				{"token url", path(doc, "rest", 0, "security", "extension", 0, "extension", 0),
					map[string]any{"url": "token", "valueUri": testBase + "/oauth/token"}},
				{"authorize url", path(doc, "rest", 0, "security", "extension", 0, "extension", 1),
					map[string]any{"url": "authorize", "valueUri": testBase + "/oauth/authorize"}},
				{"batch", path(doc, "rest", 0, "interaction", 0, "code"), "batch"},
			}
			for _, c := range checks {
				if diff := cmp.Diff(c.want, c.got); diff != "" {
					t.Errorf("%s (-want +got):\n%s", c.name, diff)
				}
			}
			checkMetadataResources(t, tt.version, doc)
		})
	}
}

// checkMetadataResources compares the listed resources and search
// parameters with the search package's table.
func checkMetadataResources(t *testing.T, v fhir.Version, doc map[string]any) {
	t.Helper()
	resources, _ := path(doc, "rest", 0, "resource").([]any)
	var gotTypes []string
	for _, r := range resources {
		typ, _ := path(r, "type").(string)
		gotTypes = append(gotTypes, typ)
		if diff := cmp.Diff([]any{map[string]any{"code": "read"}, map[string]any{"code": "search-type"}},
			path(r, "interaction")); diff != "" {
			t.Errorf("%s interactions (-want +got):\n%s", typ, diff)
		}
		var gotParams, wantParams []string
		params, _ := path(r, "searchParam").([]any)
		for _, p := range params {
			name, _ := path(p, "name").(string)
			typ, _ := path(p, "type").(string)
			gotParams = append(gotParams, name+":"+typ)
		}
		for _, p := range search.Params(v, typ) {
			wantParams = append(wantParams, p.Name+":"+string(p.Type))
		}
		if diff := cmp.Diff(wantParams, gotParams); diff != "" {
			t.Errorf("%s search parameters (-want +got):\n%s", typ, diff)
		}
	}
	if diff := cmp.Diff(search.ResourceTypes(v), gotTypes); diff != "" {
		t.Errorf("resource types (-want +got):\n%s", diff)
	}
	if !slices.Contains(gotTypes, "Patient") {
		t.Error("got no Patient resource, want Patient listed")
	}
}

func TestWellKnown(t *testing.T) {
	api := newSeededAPI(t)
	smart := decode(t, api.do(request{target: "/fhir/stu3/.well-known/smart-configuration"}))
	wantSMART := map[string]any{
		"token_endpoint":                        testBase + "/oauth/token",
		"grant_types_supported":                 []any{"client_credentials"},
		"token_endpoint_auth_methods_supported": []any{"client_secret_post", "client_secret_basic"},
	}
	for key, want := range wantSMART {
		if diff := cmp.Diff(want, smart[key]); diff != "" {
			t.Errorf("smart-configuration %s (-want +got):\n%s", key, diff)
		}
	}

	jwks := decode(t, api.do(request{target: "/.well-known/jwks.json"}))
	if got := path(jwks, "keys", 0, "alg"); got != "ES256" {
		t.Errorf("got JWKS alg %v, want ES256", got)
	}
	if got := path(jwks, "keys", 0, "d"); got != nil {
		t.Error("JWKS contains the private key member d, want public members only")
	}

	authorize := api.do(request{target: "/oauth/authorize?response_type=code"})
	if authorize.Code != http.StatusBadRequest || !strings.Contains(authorize.Body.String(), "client_credentials") {
		t.Errorf("got authorize %d %s, want 400 explaining client_credentials", authorize.Code, authorize.Body)
	}
	if got := api.do(request{target: "/healthz"}); got.Code != http.StatusOK {
		t.Errorf("got healthz status %d, want 200", got.Code)
	}
}
