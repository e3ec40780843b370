package server

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestTenantIsolation proves that a tenant A token never returns, counts or
// reveals tenant B's data, whatever the request contains. Both tenants hold
// resources with the same ids and different content in one SQLite store.
func TestTenantIsolation(t *testing.T) {
	counting := &countingStore{Store: openStore(t)}
	seed(t, counting.Store)
	api := newTestAPI(t, counting)
	tokenA := api.token("client-a", secretA, tenantA)
	tokenB := api.token("client-b", secretB, tenantB)

	nextB := tenantBNextLinks(t, api, tokenB)
	form := "application/x-www-form-urlencoded"
	absB := testBase + "/fhir/stu3/Patient/b9"
	tests := []struct {
		name   string
		req    request
		status int
		total  int // checked for searchsets; -1 skips
	}{
		{"read shared id", request{target: "/fhir/stu3/Patient/p1"}, 200, -1},
		{"read shared id dstu2", request{target: "/fhir/dstu2/Patient/p1"}, 200, -1},
		{"read B-only id", request{target: "/fhir/stu3/Patient/b9"}, 404, -1},
		{"read B-only observation", request{target: "/fhir/stu3/Observation/obs5"}, 404, -1},
		{"search all patients", request{target: "/fhir/stu3/Patient"}, 200, 3},
		{"search _id of B-only", request{target: "/fhir/stu3/Patient?_id=b9"}, 200, 0},
		{"search _id list", request{target: "/fhir/stu3/Patient?_id=p1,b9,p2"}, 200, 2},
		{"search B family", request{target: "/fhir/stu3/Patient?family=chau"}, 200, 2},
		{"search B MRN", request{target: "/fhir/stu3/Patient?identifier=B-2001"}, 200, 0},
		{"search B given", request{target: "/fhir/dstu2/Patient?given=bravo"}, 200, 0},
		{"count observations", request{target: "/fhir/stu3/Observation?patient=p1&_count=0"}, 200, 3},
		{"count B-only patient", request{target: "/fhir/stu3/Observation?patient=b9"}, 200, 0},
		{"post search", request{method: http.MethodPost, target: "/fhir/stu3/Patient/_search",
			body: "_id=b9", contentType: form}, 200, 0},
		{"tenant in query", request{target: "/fhir/stu3/Patient/p1?tenant=" + tenantB}, 200, -1},
		{"tenant in header", request{target: "/fhir/stu3/Patient/p1",
			headers: map[string]string{"X-Tenant": tenantB, "X-Tenant-Id": tenantB}}, 200, -1},
		{"tenant in path", request{target: "/fhir/stu3/" + tenantB + "/Patient/p1"}, 404, -1},
		{"batch", request{method: http.MethodPost, target: "/fhir/stu3", contentType: "application/fhir+json",
			body: batchBody(t, [2]string{"GET", "Patient/b9"}, [2]string{"GET", absB},
				[2]string{"GET", "Patient/p1"}, [2]string{"GET", "Patient?_id=b9"},
				[2]string{"POST", "Patient/_search?identifier=B-2009"},
				[2]string{"GET", "Observation?patient=p1"},
				[2]string{"GET", "http://" + tenantB + ".example/fhir/stu3/Patient/p1"},
				[2]string{"GET", nextB[0]})}, 200, -1},
	}
	for _, next := range nextB {
		tests = append(tests, struct {
			name   string
			req    request
			status int
			total  int
		}{"replayed next link", request{target: strings.TrimPrefix(next, testBase)}, 200, -1})
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.token = tokenA
			rec := api.do(tt.req)
			if rec.Code != tt.status {
				t.Fatalf("got status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if m := leaksTenantB(rec.Body.String()); m != "" {
				t.Errorf("response contains tenant B's %q: %s", m, rec.Body)
			}
			b := decode(t, rec)
			if tt.total >= 0 && b["total"] != float64(tt.total) {
				t.Errorf("got total %v, want %d", b["total"], tt.total)
			}
		})
	}

	t.Run("detector sees tenant B", func(t *testing.T) {
		rec := api.do(request{target: "/fhir/stu3/Patient/b9", token: tokenB})
		if leaksTenantB(rec.Body.String()) == "" {
			t.Errorf("got no tenant B marker in tenant B's own read, want one: %s", rec.Body)
		}
	})

	t.Run("not found is uniform", func(t *testing.T) {
		existsInB := api.do(request{target: "/fhir/stu3/Patient/b9", token: tokenA})
		nowhere := api.do(request{target: "/fhir/stu3/Patient/zz9", token: tokenA})
		if existsInB.Code != nowhere.Code {
			t.Errorf("got status %d for B's id and %d for a missing id, want equal", existsInB.Code, nowhere.Code)
		}
		if diff := cmp.Diff(decode(t, nowhere), decode(t, existsInB)); diff != "" {
			t.Errorf("body for B's id differs from a missing id (-missing +B):\n%s", diff)
		}
	})

	t.Run("replayed links list tenant A data", func(t *testing.T) {
		rec := api.do(request{target: strings.TrimPrefix(nextB[0], testBase), token: tokenA})
		b := decode(t, rec)
		if b["total"] != float64(len(observationsA)-1) {
			t.Errorf("got total %v, want tenant A's %d observations of p1", b["total"], len(observationsA)-1)
		}
	})

	t.Run("only tenant A store opened", func(t *testing.T) {
		before := len(counting.opened())
		api.do(request{target: "/fhir/stu3/Patient/b9", token: tokenA})
		api.do(request{target: strings.TrimPrefix(nextB[0], testBase), token: tokenA})
		opened := counting.opened()[before:]
		if len(opened) == 0 || slices.ContainsFunc(opened, func(s string) bool { return s != tenantA }) {
			t.Errorf("got tenants %v opened for tenant A requests, want only %s", opened, tenantA)
		}
	})
}

// tenantBNextLinks returns next links from tenant B's paged searches, and
// checks that they name no tenant.
func tenantBNextLinks(t *testing.T, api *testAPI, tokenB string) []string {
	t.Helper()
	var links []string
	for _, target := range []string{
		"/fhir/stu3/Observation?patient=p1&_sort=-date&_count=1",
		"/fhir/dstu2/Observation?patient=p1&_sort:desc=date&_count=2",
		"/fhir/stu3/Patient?_count=1",
	} {
		rec := api.do(request{target: target, token: tokenB})
		b := decode(t, rec)
		next := link(b, "next")
		if next == "" {
			t.Fatalf("tenant B search %s: got no next link, want one", target)
		}
		if strings.Contains(strings.ToLower(next), tenantB) || strings.Contains(next, tenantA) {
			t.Errorf("next link %s contains a tenant id, want none", next)
		}
		u, err := url.Parse(next)
		if err != nil || u.Host != "127.0.0.1:8080" {
			t.Errorf("got next link %s, want one under %s", next, testBase)
		}
		links = append(links, next)
	}
	return links
}
