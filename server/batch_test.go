package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// batchBody builds a batch Bundle of (method, url) pairs.
func batchBody(t testing.TB, requests ...[2]string) string {
	t.Helper()
	entries := make([]any, 0, len(requests))
	for _, r := range requests {
		entries = append(entries, map[string]any{"request": map[string]string{"method": r[0], "url": r[1]}})
	}
	data, err := json.Marshal(map[string]any{"resourceType": "Bundle", "type": "batch", "entry": entries})
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestBatch(t *testing.T) {
	api := newSeededAPI(t)
	token := api.token("client-a", secretA, tenantA)
	type want struct {
		status string
		check  func(t *testing.T, resource any)
	}
	isPatient := func(mrn string) func(*testing.T, any) {
		return func(t *testing.T, r any) {
			if got := path(r, "identifier", 0, "value"); got != mrn {
				t.Errorf("got MRN %v, want %s", got, mrn)
			}
		}
	}
	isSearchset := func(total int, ids ...string) func(*testing.T, any) {
		return func(t *testing.T, r any) {
			b, _ := r.(map[string]any)
			if b["type"] != "searchset" || b["total"] != float64(total) {
				t.Errorf("got %v with total %v, want searchset with total %d", b["type"], b["total"], total)
			}
			if got := strings.Join(entryIDs(b), ","); got != strings.Join(ids, ",") {
				t.Errorf("got ids %s, want %s", got, strings.Join(ids, ","))
			}
		}
	}
	isOutcome := func(code string) func(*testing.T, any) {
		return func(t *testing.T, r any) {
			m, _ := r.(map[string]any)
			if got := outcomeCode(m); got != code {
				t.Errorf("got issue code %q, want %q", got, code)
			}
		}
	}
	cases := []struct {
		method, url string
		want        want
	}{
		{"GET", "Patient/p1", want{"200 OK", isPatient("A-1001")}},
		{"GET", "metadata", want{"200 OK", func(t *testing.T, r any) {
			if got := path(r, "resourceType"); got != "CapabilityStatement" {
				t.Errorf("got %v, want the CapabilityStatement", got)
			}
		}}},
		{"GET", "Observation?patient=p1&category=vital-signs&_sort:desc=date",
			want{"200 OK", isSearchset(3, "obs2", "obs3", "obs1")}},
		{"POST", "Patient/_search?family=chau&given=hugh", want{"200 OK", isSearchset(1, "p1")}},
		{"GET", "Patient/nope", want{"404 Not Found", isOutcome("not-found")}},
		{"GET", "Practitioner/x", want{"404 Not Found", isOutcome("not-supported")}},
		{"PUT", "Patient/p1", want{"405 Method Not Allowed", isOutcome("not-supported")}},
		{"DELETE", "Patient/p1", want{"405 Method Not Allowed", isOutcome("not-supported")}},
		{"POST", "Patient", want{"405 Method Not Allowed", isOutcome("not-supported")}},
		{"GET", "http://evil.example/fhir/stu3/Patient/p1", want{"400 Bad Request", isOutcome("invalid")}},
		{"GET", testBase + "/fhir/stu3/Patient/p2", want{"200 OK", isPatient("A-1002")}},
		{"GET", testBase + "/fhir/dstu2/Patient/p2", want{"400 Bad Request", isOutcome("invalid")}},
		{"GET", "/fhir/stu3/Patient/p3", want{"200 OK", isPatient("A-1003")}},
		{"GET", "/other/Patient/p3", want{"400 Bad Request", isOutcome("invalid")}},
		{"GET", "Patient/../Observation/obs1", want{"400 Bad Request", isOutcome("invalid")}},
		{"GET", "Patient?shoe-size=9", want{"400 Bad Request", isOutcome("invalid")}},
		{"GET", "", want{"400 Bad Request", isOutcome("invalid")}},
		{"GET", "Patient/p1/_history/1", want{"404 Not Found", isOutcome("not-supported")}},
		{"GET", "Patient/p1/_history", want{"404 Not Found", isOutcome("not-supported")}},
	}
	var pairs [][2]string
	for _, c := range cases {
		pairs = append(pairs, [2]string{c.method, c.url})
	}
	rec := api.do(request{method: http.MethodPost, target: "/fhir/stu3", token: token,
		body: batchBody(t, pairs...), contentType: "application/fhir+json"})
	if rec.Code != http.StatusOK {
		t.Fatalf("got status %d, want 200: %s", rec.Code, rec.Body)
	}
	b := decode(t, rec)
	if b["type"] != "batch-response" {
		t.Errorf("got Bundle type %v, want batch-response", b["type"])
	}
	entries, _ := b["entry"].([]any)
	if len(entries) != len(cases) {
		t.Fatalf("got %d entries, want %d", len(entries), len(cases))
	}
	for i, c := range cases {
		t.Run(fmt.Sprintf("%d %s %s", i, c.method, c.url), func(t *testing.T) {
			if got := path(entries[i], "response", "status"); got != c.want.status {
				t.Errorf("got status %v, want %s", got, c.want.status)
			}
			c.want.check(t, path(entries[i], "resource"))
		})
	}
}

func TestBatchRejected(t *testing.T) {
	api := newSeededAPI(t)
	token := api.token("client-a", secretA, tenantA)
	many := make([][2]string, maxBatchEntries+1)
	for i := range many {
		many[i] = [2]string{"GET", "Patient/p1"}
	}
	tests := []struct {
		name string
		body string
		code string
	}{
		{"not JSON", "{", "invalid"},
		{"not a Bundle", `{"resourceType":"Patient"}`, "invalid"},
		{"transaction", `{"resourceType":"Bundle","type":"transaction","entry":[]}`, "not-supported"},
		{"searchset", `{"resourceType":"Bundle","type":"searchset"}`, "invalid"},
		{"too many entries", batchBody(t, many...), "too-costly"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := api.do(request{method: http.MethodPost, target: "/fhir/dstu2/", token: token,
				body: tt.body, contentType: "application/json+fhir"})
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("got status %d, want 400: %s", rec.Code, rec.Body)
			}
			if got := outcomeCode(decode(t, rec)); got != tt.code {
				t.Errorf("got issue code %q, want %q", got, tt.code)
			}
		})
	}
}

func TestBatchSearchParameters(t *testing.T) {
	api := newSeededAPI(t)
	token := api.token("client-a", secretA, tenantA)
	tests := []struct {
		name       string
		method     string
		url        string
		resource   string // the entry's resource as JSON, or "" for none
		wantStatus string
		wantIDs    string // ids of a searchset, comma-separated
		wantCode   string // issue code of an OperationOutcome
	}{
		{name: "id string", method: "POST", url: "Patient/_search",
			resource:   `{"resourceType":"Parameters","parameter":[{"name":"_id","valueString":"p2"}]}`,
			wantStatus: "200 OK", wantIDs: "p2"},
		{name: "merged with url query", method: "POST", url: "Patient/_search?family=chau",
			resource:   `{"resourceType":"Parameters","parameter":[{"name":"given","valueString":"amir"}]}`,
			wantStatus: "200 OK", wantIDs: "p3"},
		{name: "code and date", method: "POST", url: "Patient/_search",
			resource: `{"resourceType":"Parameters","parameter":[` +
				`{"name":"gender","valueCode":"male"},{"name":"birthdate","valueDate":"1990-09-09"}]}`,
			wantStatus: "200 OK", wantIDs: "p3"},
		{name: "integer count", method: "POST", url: "Patient/_search?family=chau",
			resource: `{"resourceType":"Parameters","parameter":[` +
				`{"name":"_count","valueInteger":1},{"name":"_id","valueUri":"p1"}]}`,
			wantStatus: "200 OK", wantIDs: "p1"},
		{name: "empty parameters", method: "POST", url: "Patient/_search?_id=p1",
			resource:   `{"resourceType":"Parameters"}`,
			wantStatus: "200 OK", wantIDs: "p1"},
		{name: "no resource", method: "POST", url: "Patient/_search?_id=p1",
			wantStatus: "200 OK", wantIDs: "p1"},
		{name: "unknown parameter", method: "POST", url: "Patient/_search",
			resource:   `{"resourceType":"Parameters","parameter":[{"name":"shoe-size","valueString":"9"}]}`,
			wantStatus: "400 Bad Request", wantCode: "invalid"},
		{name: "unsupported value type", method: "POST", url: "Patient/_search",
			resource: `{"resourceType":"Parameters","parameter":[` +
				`{"name":"_id","valueQuantity":{"value":1}}]}`,
			wantStatus: "400 Bad Request", wantCode: "not-supported"},
		{name: "two values", method: "POST", url: "Patient/_search",
			resource: `{"resourceType":"Parameters","parameter":[` +
				`{"name":"_id","valueString":"p1","valueCode":"p2"}]}`,
			wantStatus: "400 Bad Request", wantCode: "invalid"},
		{name: "no value", method: "POST", url: "Patient/_search",
			resource:   `{"resourceType":"Parameters","parameter":[{"name":"_id"}]}`,
			wantStatus: "400 Bad Request", wantCode: "invalid"},
		{name: "missing name", method: "POST", url: "Patient/_search",
			resource:   `{"resourceType":"Parameters","parameter":[{"valueString":"p1"}]}`,
			wantStatus: "400 Bad Request", wantCode: "invalid"},
		{name: "nested part", method: "POST", url: "Patient/_search",
			resource: `{"resourceType":"Parameters","parameter":[` +
				`{"name":"_id","part":[{"name":"x","valueString":"p1"}]}]}`,
			wantStatus: "400 Bad Request", wantCode: "not-supported"},
		{name: "not Parameters", method: "POST", url: "Patient/_search",
			resource:   `{"resourceType":"Patient","id":"p1"}`,
			wantStatus: "400 Bad Request", wantCode: "invalid"},
		{name: "parameter not an object", method: "POST", url: "Patient/_search",
			resource:   `{"resourceType":"Parameters","parameter":["_id=p1"]}`,
			wantStatus: "400 Bad Request", wantCode: "invalid"},
		{name: "resource on GET", method: "GET", url: "Patient?_id=p1",
			resource:   `{"resourceType":"Parameters","parameter":[{"name":"_id","valueString":"p2"}]}`,
			wantStatus: "400 Bad Request", wantCode: "invalid"},
	}
	entries := make([]any, 0, len(tests))
	for _, tt := range tests {
		e := map[string]any{"request": map[string]string{"method": tt.method, "url": tt.url}}
		if tt.resource != "" {
			e["resource"] = json.RawMessage(tt.resource)
		}
		entries = append(entries, e)
	}
	body, err := json.Marshal(map[string]any{"resourceType": "Bundle", "type": "batch", "entry": entries})
	if err != nil {
		t.Fatal(err)
	}
	rec := api.do(request{method: http.MethodPost, target: "/fhir/stu3", token: token,
		body: string(body), contentType: "application/fhir+json"})
	if rec.Code != http.StatusOK {
		t.Fatalf("got status %d, want 200: %s", rec.Code, rec.Body)
	}
	got, _ := decode(t, rec)["entry"].([]any)
	if len(got) != len(tests) {
		t.Fatalf("got %d entries, want %d", len(got), len(tests))
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if status := path(got[i], "response", "status"); status != tt.wantStatus {
				t.Errorf("got status %v, want %s", status, tt.wantStatus)
			}
			resource, _ := path(got[i], "resource").(map[string]any)
			if tt.wantCode != "" {
				if code := outcomeCode(resource); code != tt.wantCode {
					t.Errorf("got issue code %q, want %q", code, tt.wantCode)
				}
				return
			}
			if ids := strings.Join(entryIDs(resource), ","); ids != tt.wantIDs {
				t.Errorf("got ids %s, want %s", ids, tt.wantIDs)
			}
		})
	}
}
