package server

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ehrbridge/ehrbridge/fhir"
)

func TestRead(t *testing.T) {
	api := newSeededAPI(t)
	tokenA := api.token("client-a", secretA, tenantA)
	tokenS3 := api.token("client-s3", secretS3, tenantS3)
	tests := []struct {
		name   string
		target string
		token  string
		status int
		code   string // issue code of the OperationOutcome, "" for success
	}{
		{"stu3 patient", "/fhir/stu3/Patient/p1", tokenA, 200, ""},
		{"dstu2 patient", "/fhir/dstu2/Patient/p1", tokenA, 200, ""},
		{"observation", "/fhir/stu3/Observation/obs3", tokenA, 200, ""},
		{"unknown id", "/fhir/stu3/Patient/nope", tokenA, 404, "not-found"},
		{"malformed id", "/fhir/stu3/Patient/a_b", tokenA, 404, "not-found"},
		{"unknown type", "/fhir/stu3/Practitioner/p1", tokenA, 404, "not-supported"},
		{"dstu2 type in stu3", "/fhir/stu3/MedicationOrder/m1", tokenA, 404, "not-supported"},
		{"unknown version", "/fhir/r4/Patient/p1", tokenA, 404, "not-found"},
		{"version not served", "/fhir/dstu2/Patient/p1", tokenS3, 403, "forbidden"},
		{"served version", "/fhir/stu3/Patient/p1", tokenS3, 200, ""},
		{"vread not served", "/fhir/stu3/Patient/p1/_history/1", tokenA, 404, "not-supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := api.do(request{target: tt.target, token: tt.token})
			if rec.Code != tt.status {
				t.Fatalf("got status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			body := decode(t, rec)
			if got := outcomeCode(body); got != tt.code {
				t.Errorf("got issue code %q, want %q", got, tt.code)
			}
			if got := rec.Header().Get("Cache-Control"); got != "no-store" {
				t.Errorf("got Cache-Control %q, want no-store", got)
			}
			if got := rec.Header().Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("got X-Content-Type-Options %q, want nosniff", got)
			}
			if tt.code == "" && body["id"] == nil {
				t.Errorf("got body without id: %s", rec.Body)
			}
		})
	}
}

func TestReadBody(t *testing.T) {
	api := newSeededAPI(t)
	token := api.token("client-a", secretA, tenantA)
	for _, v := range fhir.Versions {
		t.Run(string(v), func(t *testing.T) {
			rec := api.do(request{target: "/fhir/" + string(v) + "/Patient/p1", token: token})
			body := decode(t, rec)
			if got, want := rec.Header().Get("Content-Type"), v.MediaType()+"; charset=utf-8"; got != want {
				t.Errorf("got Content-Type %q, want %q", got, want)
			}
			if got := path(body, "identifier", 0, "value"); got != "A-1001" {
				t.Errorf("got MRN %v, want A-1001", got)
			}
			wantFamily := any("Chau")
			if v == fhir.DSTU2 {
				wantFamily = []any{"Chau"}
			}
			if diff := cmp.Diff(wantFamily, path(body, "name", 0, "family")); diff != "" {
				t.Errorf("name.family (-want +got):\n%s", diff)
			}
			if !strings.Contains(rec.Body.String(), `"<div xmlns=`) {
				t.Errorf("got narrative with escaped HTML, want <div> kept: %s", rec.Body)
			}
		})
	}
}

func TestUnauthorized(t *testing.T) {
	api := newSeededAPI(t)
	other := newTestAPI(t, openStore(t)) // same clients, different signing key
	foreign := other.token("client-a", secretA, tenantA)
	tests := []struct {
		name  string
		authz string
	}{
		{"missing", ""},
		{"basic scheme", "Basic Y2xpZW50LWE6c2VjcmV0"},
		{"empty bearer", "Bearer "},
		{"garbage", "Bearer not-a-token"},
		{"other key", "Bearer " + foreign},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := request{target: "/fhir/stu3/Patient/p1"}
			if tt.authz != "" {
				req.headers = map[string]string{"Authorization": tt.authz}
			}
			rec := api.do(req)
			if rec.Code != http.StatusUnauthorized {
				t.Fatalf("got status %d, want 401", rec.Code)
			}
			if got := rec.Header().Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer ") ||
				!strings.Contains(got, `error="invalid_token"`) {
				t.Errorf("got WWW-Authenticate %q, want Bearer with error=\"invalid_token\"", got)
			}
			if got := outcomeCode(decode(t, rec)); got != "login" {
				t.Errorf("got issue code %q, want login", got)
			}
		})
	}
}

func TestMethodNotAllowed(t *testing.T) {
	api := newSeededAPI(t)
	token := api.token("client-a", secretA, tenantA)
	tests := []struct {
		method string
		target string
		allow  string
	}{
		{http.MethodPut, "/fhir/stu3/Patient/p1", "GET, HEAD"},
		{http.MethodDelete, "/fhir/stu3/Patient/p1", "GET, HEAD"},
		{http.MethodPatch, "/fhir/dstu2/Patient/p1", "GET, HEAD"},
		{http.MethodPost, "/fhir/stu3/Patient", "GET, HEAD"},
		{http.MethodDelete, "/fhir/stu3/Patient", "GET, HEAD"},
		{http.MethodPut, "/fhir/stu3/Patient/_search", "GET, HEAD, POST"},
		{http.MethodGet, "/fhir/stu3", "POST"},
		{http.MethodPut, "/fhir/stu3/", "POST"},
		{http.MethodPost, "/fhir/stu3/metadata", "GET, HEAD"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			rec := api.do(request{method: tt.method, target: tt.target, token: token,
				body: `{"resourceType":"Patient"}`, contentType: "application/fhir+json"})
			if rec.Code != http.StatusMethodNotAllowed {
				t.Fatalf("got status %d, want 405: %s", rec.Code, rec.Body)
			}
			if got := rec.Header().Get("Allow"); got != tt.allow {
				t.Errorf("got Allow %q, want %q", got, tt.allow)
			}
			if got := outcomeCode(decode(t, rec)); got != "not-supported" {
				t.Errorf("got issue code %q, want not-supported", got)
			}
		})
	}
}

func TestHistoryNotSupported(t *testing.T) {
	api := newSeededAPI(t)
	token := api.token("client-a", secretA, tenantA)
	tests := []struct {
		name   string
		method string
		target string
		token  string
	}{
		{"instance", http.MethodGet, "/fhir/stu3/Patient/p1/_history", token},
		{"instance without token", http.MethodGet, "/fhir/stu3/Patient/p1/_history", ""},
		{"version read", http.MethodGet, "/fhir/dstu2/Patient/p1/_history/1", token},
		{"type", http.MethodGet, "/fhir/stu3/Observation/_history", token},
		{"system", http.MethodGet, "/fhir/dstu2/_history", token},
		{"instance head", http.MethodHead, "/fhir/stu3/Patient/p1/_history", token},
		{"instance delete", http.MethodDelete, "/fhir/stu3/Patient/p1/_history/2", token},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := api.do(request{method: tt.method, target: tt.target, token: tt.token})
			if rec.Code != http.StatusNotFound {
				t.Fatalf("got status %d, want 404: %s", rec.Code, rec.Body)
			}
			if tt.method == http.MethodHead {
				return
			}
			oo := decode(t, rec)
			if got := outcomeCode(oo); got != "not-supported" {
				t.Errorf("got issue code %q, want not-supported", got)
			}
			diagnostics, _ := path(oo, "issue", 0, "diagnostics").(string)
			if !strings.Contains(diagnostics, "history") {
				t.Errorf("got diagnostics %q, want it to say history is not supported", diagnostics)
			}
		})
	}
}

func TestContentNegotiation(t *testing.T) {
	api := newSeededAPI(t)
	token := api.token("client-a", secretA, tenantA)
	tests := []struct {
		name   string
		req    request
		status int
	}{
		{"no accept", request{target: "/fhir/stu3/Patient/p1"}, 200},
		{"json", request{target: "/fhir/stu3/Patient/p1", accept: "application/json"}, 200},
		{"stu3 type", request{target: "/fhir/stu3/Patient/p1", accept: "application/fhir+json"}, 200},
		{"dstu2 type", request{target: "/fhir/dstu2/Patient/p1", accept: "application/json+fhir"}, 200},
		{"any", request{target: "/fhir/stu3/Patient/p1", accept: "*/*"}, 200},
		{"list with xml first", request{target: "/fhir/stu3/Patient/p1",
			accept: "application/fhir+xml, application/fhir+json;q=0.9"}, 200},
		{"format json", request{target: "/fhir/stu3/Patient/p1?_format=json", accept: "application/xml"}, 200},
		{"format unencoded plus", request{target: "/fhir/stu3/Patient/p1?_format=application/fhir+json"}, 200},
		{"xml", request{target: "/fhir/stu3/Patient/p1", accept: "application/fhir+xml"}, 406},
		{"xml metadata", request{target: "/fhir/dstu2/metadata", accept: "application/xml+fhir"}, 406},
		{"json refused by q", request{target: "/fhir/stu3/Patient/p1", accept: "application/json;q=0"}, 406},
		{"format xml", request{target: "/fhir/stu3/Patient/p1?_format=xml"}, 406},
		{"search xml body", request{method: http.MethodPost, target: "/fhir/stu3/Patient/_search",
			body: "<Parameters/>", contentType: "application/xml"}, 415},
		{"batch xml body", request{method: http.MethodPost, target: "/fhir/stu3",
			body: "<Bundle/>", contentType: "application/fhir+xml"}, 415},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.token = token
			rec := api.do(tt.req)
			if rec.Code != tt.status {
				t.Fatalf("got status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			ct := rec.Header().Get("Content-Type")
			if ct != "application/fhir+json; charset=utf-8" && ct != "application/json+fhir; charset=utf-8" {
				t.Errorf("got Content-Type %q, want a FHIR JSON type", rec.Header().Get("Content-Type"))
			}
			decode(t, rec)
		})
	}
}

func TestPretty(t *testing.T) {
	api := newSeededAPI(t)
	token := api.token("client-a", secretA, tenantA)
	pretty := api.do(request{target: "/fhir/stu3/Patient/p1?_pretty=true", token: token})
	if !strings.Contains(pretty.Body.String(), "\n  \"resourceType\"") {
		t.Errorf("got %q, want indented JSON", pretty.Body)
	}
	compact := api.do(request{target: "/fhir/stu3/Patient/p1", token: token})
	if strings.Count(compact.Body.String(), "\n") != 1 {
		t.Errorf("got %q, want one line of JSON", compact.Body)
	}
}

func TestBodyTooLarge(t *testing.T) {
	api := newSeededAPI(t)
	token := api.token("client-a", secretA, tenantA)
	tests := []struct {
		name string
		req  request
	}{
		{"search form", request{method: http.MethodPost, target: "/fhir/stu3/Patient/_search",
			body: "family=" + strings.Repeat("a", maxSearchFormBytes), contentType: "application/x-www-form-urlencoded"}},
		{"batch", request{method: http.MethodPost, target: "/fhir/stu3",
			body:        `{"resourceType":"Bundle","type":"batch","x":"` + strings.Repeat("a", maxBatchBytes) + `"}`,
			contentType: "application/fhir+json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.token = token
			rec := api.do(tt.req)
			if rec.Code != http.StatusRequestEntityTooLarge {
				t.Fatalf("got status %d, want 413", rec.Code)
			}
			if got := outcomeCode(decode(t, rec)); got != "too-long" {
				t.Errorf("got issue code %q, want too-long", got)
			}
		})
	}
}

func TestPanicRecovered(t *testing.T) {
	api := newTestAPI(t, panicStore{})
	token := api.token("client-a", secretA, tenantA)
	rec := api.do(request{target: "/fhir/stu3/Patient/p1", token: token,
		headers: map[string]string{"X-Request-Id": "req-123"}})
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("got status %d, want 500", rec.Code)
	}
	body := decode(t, rec)
	if got := outcomeCode(body); got != "exception" {
		t.Errorf("got issue code %q, want exception", got)
	}
	diag, _ := path(body, "issue", 0, "diagnostics").(string)
	if !strings.Contains(diag, "req-123") || strings.Contains(diag, "exploded") {
		t.Errorf("got diagnostics %q, want a generic message with the request id", diag)
	}
	if strings.Contains(api.logs.String(), "Alice") {
		t.Error("log contains the panic value, want only its type")
	}
	if !strings.Contains(api.logs.String(), "handler panic") {
		t.Error("log lacks the panic, want one error line")
	}
}

func TestRequestIDAndAccessLog(t *testing.T) {
	api := newSeededAPI(t)
	token := api.token("client-a", secretA, tenantA)
	tests := []struct {
		name   string
		sent   string
		reused bool
	}{
		{"reused", "abc-123", true},
		{"generated", "", false},
		{"malformed replaced", "bad id with spaces", false},
		{"too long replaced", strings.Repeat("a", 65), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := request{target: "/fhir/stu3/Patient?family=Chau&birthdate=1970-01-01", token: token}
			if tt.sent != "" {
				req.headers = map[string]string{"X-Request-Id": tt.sent}
			}
			rec := api.do(req)
			got := rec.Header().Get("X-Request-Id")
			if tt.reused && got != tt.sent {
				t.Errorf("got request id %q, want %q", got, tt.sent)
			}
			if !tt.reused && (got == tt.sent || len(got) != 32) {
				t.Errorf("got request id %q, want a new 32-character id", got)
			}
			if !strings.Contains(api.logs.String(), fmt.Sprintf(`"request_id":%q`, got)) {
				t.Errorf("access log lacks request_id %s", got)
			}
		})
	}

	logs := api.logs.String()
	for _, want := range []string{`"route":"/fhir/{version}/{type}"`, `"tenant":"` + tenantA + `"`,
		`"client_id":"client-a"`, `"status":`, `"duration_ms":`, `"method":"GET"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("access log lacks %s", want)
		}
	}
	for _, secret := range []string{"Chau", "1970-01-01", token, secretA, "family="} {
		if strings.Contains(logs, secret) {
			t.Errorf("log contains %q, want no search values, tokens or secrets", secret)
		}
	}
}
