package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// entryIDs returns the resource ids of a searchset, in order.
func entryIDs(b map[string]any) []string {
	ids := []string{}
	entries, _ := b["entry"].([]any)
	for _, e := range entries {
		id, _ := path(e, "resource", "id").(string)
		ids = append(ids, id)
	}
	return ids
}

// link returns the URL of a Bundle link relation, or "".
func link(b map[string]any, relation string) string {
	links, _ := b["link"].([]any)
	for _, l := range links {
		if path(l, "relation") == relation {
			u, _ := path(l, "url").(string)
			return u
		}
	}
	return ""
}

func TestSearch(t *testing.T) {
	api := newSeededAPI(t)
	token := api.token("client-a", secretA, tenantA)
	form := "application/x-www-form-urlencoded"
	tests := []struct {
		name  string
		req   request
		ids   []string
		total int
	}{
		{"dstu2 family contains", request{target: "/fhir/dstu2/Patient?family:contains=chau"},
			[]string{"p1", "p3"}, 2},
		{"stu3 family contains", request{target: "/fhir/stu3/Patient?family=CHAU"}, []string{"p1", "p3"}, 2},
		{"post form", request{method: http.MethodPost, target: "/fhir/stu3/Patient/_search",
			body: "given=hugh&family=chau", contentType: form}, []string{"p1"}, 1},
		{"dstu2 post form", request{method: http.MethodPost, target: "/fhir/dstu2/Patient/_search",
			body: "family:contains=chau&given=hugh", contentType: form}, []string{"p1"}, 1},
		{"post merges query", request{method: http.MethodPost, target: "/fhir/stu3/Patient/_search?gender=male",
			body: "family=chau", contentType: form}, []string{"p1", "p3"}, 2},
		{"accent insensitive", request{target: "/fhir/stu3/Patient?family=nunez"}, []string{"p2"}, 1},
		{"name", request{target: "/fhir/dstu2/Patient?name=maria"}, []string{"p2"}, 1},
		{"birthdate", request{target: "/fhir/stu3/Patient?birthdate=1985-05-05"}, []string{"p2"}, 1},
		{"gender", request{target: "/fhir/stu3/Patient?gender=female"}, []string{"p2"}, 1},
		{"identifier bare", request{target: "/fhir/stu3/Patient?identifier=A-1003"}, []string{"p3"}, 1},
		{"identifier system", request{target: "/fhir/stu3/Patient?identifier=" +
			url.QueryEscape("urn:oid:2.16.840.1.113883.19.5|A-1003")}, []string{"p3"}, 1},
		{"_id", request{target: "/fhir/stu3/Patient?_id=p2"}, []string{"p2"}, 1},
		{"id spelling", request{target: "/fhir/stu3/Patient?id=p2"}, []string{"p2"}, 1},
		{"get _search", request{target: "/fhir/stu3/Patient/_search?_id=p3"}, []string{"p3"}, 1},
		{"sort desc dstu2 style", request{target: "/fhir/dstu2/Observation?patient=p1&category=vital-signs&_sort:desc=date"},
			[]string{"obs2", "obs3", "obs1"}, 3},
		{"sort desc stu3 style", request{target: "/fhir/stu3/Observation?patient=p1&category=vital-signs&_sort=-date"},
			[]string{"obs2", "obs3", "obs1"}, 3},
		{"count keeps total", request{target: "/fhir/stu3/Observation?patient=Patient/p1&_sort=-date&_count=1"},
			[]string{"obs2"}, 3},
		{"count zero", request{target: "/fhir/stu3/Observation?patient=p1&_count=0"}, []string{}, 3},
		{"no match", request{target: "/fhir/stu3/Patient?family=nobody"}, []string{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.token = token
			rec := api.do(tt.req)
			if rec.Code != http.StatusOK {
				t.Fatalf("got status %d, want 200: %s", rec.Code, rec.Body)
			}
			b := decode(t, rec)
			if b["type"] != "searchset" {
				t.Errorf("got Bundle type %v, want searchset", b["type"])
			}
			if got := b["total"]; got != float64(tt.total) {
				t.Errorf("got total %v, want %d", got, tt.total)
			}
			ids := entryIDs(b)
			if strings.Contains(tt.name, "sort") || strings.Contains(tt.name, "count") {
				if diff := cmp.Diff(tt.ids, ids); diff != "" {
					t.Errorf("ids (-want +got):\n%s", diff)
				}
			} else if diff := cmp.Diff(tt.ids, ids, cmpSorted); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
			checkEntries(t, b)
		})
	}
}

var cmpSorted = cmpopts.SortSlices(func(a, b string) bool { return a < b })

// checkEntries checks fullUrl and search.mode of every entry.
func checkEntries(t *testing.T, b map[string]any) {
	t.Helper()
	self := link(b, "self")
	if !strings.HasPrefix(self, testBase+"/fhir/") {
		t.Errorf("got self link %q, want an absolute link under %s", self, testBase)
	}
	entries, _ := b["entry"].([]any)
	for i, e := range entries {
		typ, _ := path(e, "resource", "resourceType").(string)
		id, _ := path(e, "resource", "id").(string)
		version := "stu3"
		if strings.Contains(self, "/fhir/dstu2/") {
			version = "dstu2"
		}
		if got, want := path(e, "fullUrl"), testBase+"/fhir/"+version+"/"+typ+"/"+id; got != want {
			t.Errorf("entry %d: got fullUrl %v, want %s", i, got, want)
		}
		if got := path(e, "search", "mode"); got != "match" {
			t.Errorf("entry %d: got search.mode %v, want match", i, got)
		}
	}
}

func TestSearchPaging(t *testing.T) {
	api := newSeededAPI(t)
	token := api.token("client-a", secretA, tenantA)
	target := "/fhir/stu3/Observation?patient=p1&_sort:desc=date&_count=2"
	var ids []string
	for page := 0; target != ""; page++ {
		if page > 3 {
			t.Fatal("got more than 3 pages, want 2")
		}
		rec := api.do(request{target: target, token: token})
		if rec.Code != http.StatusOK {
			t.Fatalf("page %d: got status %d, want 200: %s", page, rec.Code, rec.Body)
		}
		b := decode(t, rec)
		if b["total"] != float64(3) {
			t.Errorf("page %d: got total %v, want 3", page, b["total"])
		}
		ids = append(ids, entryIDs(b)...)
		target = strings.TrimPrefix(link(b, "next"), testBase)
	}
	if diff := cmp.Diff([]string{"obs2", "obs3", "obs1"}, ids); diff != "" {
		t.Errorf("ids over all pages (-want +got):\n%s", diff)
	}
}

func TestSearchInvalid(t *testing.T) {
	api := newSeededAPI(t)
	token := api.token("client-a", secretA, tenantA)
	tests := []struct {
		name   string
		target string
		status int
		code   string
	}{
		{"unknown param", "/fhir/stu3/Patient?shoe-size=9", 400, "invalid"},
		{"bad date", "/fhir/stu3/Patient?birthdate=yesterday", 400, "invalid"},
		{"bad count", "/fhir/stu3/Patient?_count=-1", 400, "invalid"},
		{"unknown type", "/fhir/stu3/Practitioner?name=x", 404, "not-supported"},
		{"tenant param", "/fhir/stu3/Patient?tenant=" + tenantB, 400, "invalid"},
		{"gender not a code", "/fhir/stu3/Patient?gender=robot", 400, "invalid"},
		{"invalid UTF-8", "/fhir/stu3/Patient?given=%FF%FE", 400, "invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := api.do(request{target: tt.target, token: token})
			if rec.Code != tt.status {
				t.Fatalf("got status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if got := outcomeCode(decode(t, rec)); got != tt.code {
				t.Errorf("got issue code %q, want %q", got, tt.code)
			}
		})
	}
}
