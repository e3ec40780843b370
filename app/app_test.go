package app_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/ehrbridge/ehrbridge/app"
	"github.com/ehrbridge/ehrbridge/auth"
	"github.com/ehrbridge/ehrbridge/config"
	"github.com/ehrbridge/ehrbridge/fhir"
	"github.com/ehrbridge/ehrbridge/sampledata"
)

const (
	tenantA = "3f2b8c1e-5d4a-4b6f-9e8d-7c6b5a4f3e2d"
	tenantB = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
	secretA = "tenant-a-secret-0123456789-abcdefghijklmnop"
	secretB = "tenant-b-secret-0123456789-abcdefghijklmnop"
)

// testConfig is a deployment with two tenants: A reads the sample EHR and
// an HL7 feed in both versions, B only an HL7 feed in STU3.
func testConfig(dir, ehrPath string) *config.Config {
	hash := func(s string) []string { return []string{hex.EncodeToString(auth.HashSecret(s))} }
	cfg := &config.Config{
		Listen:  "127.0.0.1:0",
		DataDir: dir,
		Tenants: []config.Tenant{{
			ID: tenantA, FHIRVersions: []string{"dstu2", "stu3"},
			Clients: []config.Client{{ID: "client-a", SecretSHA256: hash(secretA)}},
			Sources: []config.Source{
				{Name: "ehr", Kind: "sql", Driver: "sqlite", DSN: "file:" + ehrPath + "?mode=ro", Mappings: []string{"builtin:sample-ehr"}},
				{Name: "adt", Kind: "hl7v2", Mappings: []string{"builtin:hl7v2"}},
			},
		}, {
			ID: tenantB, FHIRVersions: []string{"stu3"},
			Clients: []config.Client{{ID: "client-b", SecretSHA256: hash(secretB)}},
			Sources: []config.Source{{Name: "adt", Kind: "hl7v2", Mappings: []string{"builtin:hl7v2"}}},
		}},
	}
	cfg.ApplyDefaults()
	return cfg
}

func startApp(t *testing.T, dir, ehrPath string) *app.App {
	t.Helper()
	cfg := testConfig(dir, ehrPath)
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := app.Start(context.Background(), cfg, app.Options{Logger: log, NoSchedule: true})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	return a
}

// loadData syncs the sample EHR and publishes the sample HL7 messages.
// wantRows reports whether the sync should read rows, because a restart on the same
// store resumes from the saved cursors and reads none.
func loadData(t *testing.T, a *app.App, wantRows bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	stats, err := a.SyncAll(ctx)
	if err != nil {
		t.Fatalf("sync: %v", err)
	}
	if wantRows && (stats.Rows == 0 || stats.Committed != stats.Rows) {
		t.Fatalf("sync: got %+v, want every row committed", stats)
	}
	if !wantRows && stats.Rows != 0 {
		t.Fatalf("sync after restart: got %+v, want no rows read", stats)
	}
	var msgs [][]byte
	for _, m := range sampledata.HL7Messages() {
		msgs = append(msgs, m.Data)
	}
	for _, m := range sampledata.InvalidHL7Messages() {
		msgs = append(msgs, m.Data)
	}
	if _, _, err := a.Publish(ctx, tenantA, "adt", msgs); err != nil {
		t.Fatalf("publish: %v", err)
	}
	if err := a.WaitIdle(ctx); err != nil {
		t.Fatalf("wait idle: %v", err)
	}
}

func TestIntegrationEndToEnd(t *testing.T) {
	dir := t.TempDir()
	ehrPath := filepath.Join(dir, "ehr.db")
	if err := sampledata.BuildSQLite(context.Background(), ehrPath); err != nil {
		t.Fatal(err)
	}
	a := startApp(t, dir, ehrPath)
	loadData(t, a, true)
	token := getToken(t, a, "client-a", secretA, tenantA)

	for _, v := range fhir.Versions {
		base := a.FHIRBase(v)
		t.Run(string(v)+"/metadata", func(t *testing.T) {
			var cs map[string]any
			get(t, base+"/metadata", "", http.StatusOK, &cs)
			if cs["fhirVersion"] != v.Release() {
				t.Errorf("got fhirVersion %v, want %s", cs["fhirVersion"], v.Release())
			}
		})
		t.Run(string(v)+"/patient search", func(t *testing.T) {
			param := "family"
			if v == fhir.DSTU2 {
				param = "family:contains"
			}
			var all, page map[string]any
			get(t, base+"/Patient?_count=500", token, http.StatusOK, &all)
			total := int(all["total"].(float64))
			if total < 50 {
				t.Fatalf("got %d patients, want at least 50", total)
			}
			get(t, base+"/Patient?"+param+"=a&_count=2", token, http.StatusOK, &page)
			if got := len(page["entry"].([]any)); got != 2 {
				t.Errorf("got %d entries, want 2 (_count)", got)
			}
			if int(page["total"].(float64)) <= 2 {
				t.Errorf("got total %v, want the number of all matches", page["total"])
			}
			form := url.Values{param: {"a"}, "_count": {"2"}}
			var posted map[string]any
			post(t, base+"/Patient/_search", token, form, &posted)
			if posted["total"] != page["total"] {
				t.Errorf("POST _search total %v, GET total %v: want equal", posted["total"], page["total"])
			}
		})
		t.Run(string(v)+"/vitals newest first", func(t *testing.T) {
			patientID := patientWithVitals(t, base, token)
			for _, sort := range []string{"_sort:desc=date", "_sort=-date"} {
				var bundle map[string]any
				get(t, base+"/Observation?patient="+patientID+"&category=vital-signs&"+sort, token, http.StatusOK, &bundle)
				entries, _ := bundle["entry"].([]any)
				if len(entries) < 2 {
					t.Fatalf("%s: got %d vitals, want at least 2", sort, len(entries))
				}
				prev := ""
				for _, e := range entries {
					res := e.(map[string]any)["resource"].(map[string]any)
					eff, _ := res["effectiveDateTime"].(string)
					if prev != "" && instant(t, eff).After(instant(t, prev)) {
						t.Fatalf("%s: %s comes after %s, want newest first", sort, eff, prev)
					}
					prev = eff
				}
			}
		})
	}

	t.Run("EHR and ADT patient merge", func(t *testing.T) {
		// MRN000101 is a row of the sample EHR and the subject of an ADT^A01
		// and an ADT^A08: one Patient with three versions.
		var bundle struct {
			Total int `json:"total"`
			Entry []struct {
				Resource struct {
					Meta struct {
						VersionID string `json:"versionId"`
					} `json:"meta"`
				} `json:"resource"`
			} `json:"entry"`
		}
		get(t, a.FHIRBase(fhir.STU3)+"/Patient?identifier=MRN000101", token, http.StatusOK, &bundle)
		if bundle.Total != 1 {
			t.Fatalf("got %d patients with MRN000101, want 1", bundle.Total)
		}
		if got := bundle.Entry[0].Resource.Meta.VersionID; got != "3" {
			t.Errorf("got versionId %s, want 3 (EHR row, A01, A08)", got)
		}
	})

	t.Run("tenant B sees none of tenant A", func(t *testing.T) {
		tokenB := getToken(t, a, "client-b", secretB, tenantB)
		var bundle map[string]any
		get(t, a.FHIRBase(fhir.STU3)+"/Patient", tokenB, http.StatusOK, &bundle)
		if bundle["total"].(float64) != 0 {
			t.Errorf("tenant B got %v patients, want 0", bundle["total"])
		}
		id := patientWithVitals(t, a.FHIRBase(fhir.STU3), token)
		get(t, a.FHIRBase(fhir.STU3)+"/Patient/"+id, tokenB, http.StatusNotFound, nil)
		get(t, a.FHIRBase(fhir.DSTU2)+"/Patient/"+id, tokenB, http.StatusForbidden, nil)
	})

	t.Run("feed requires its token", func(t *testing.T) {
		nc, err := nats.Connect(a.NATSURL())
		if err == nil {
			nc.Close()
			t.Fatal("connected to the embedded NATS server without a token, want an authorization error")
		}
	})

	t.Run("restart duplicates nothing", func(t *testing.T) {
		var before map[string]any
		get(t, a.FHIRBase(fhir.STU3)+"/Observation?_count=0", token, http.StatusOK, &before)
		if err := a.Close(); err != nil {
			t.Fatal(err)
		}
		a = startApp(t, dir, ehrPath)
		defer a.Close()
		loadData(t, a, false)
		token := getToken(t, a, "client-a", secretA, tenantA)
		var after map[string]any
		get(t, a.FHIRBase(fhir.STU3)+"/Observation?_count=0", token, http.StatusOK, &after)
		if before["total"] != after["total"] {
			t.Errorf("got %v observations after a restart, want %v", after["total"], before["total"])
		}
	})
}

// patientWithVitals returns the id of a patient with at least two vitals.
func patientWithVitals(t *testing.T, base, token string) string {
	t.Helper()
	var bundle map[string]any
	get(t, base+"/Observation?category=vital-signs&_count=50", token, http.StatusOK, &bundle)
	counts := map[string]int{}
	for _, e := range bundle["entry"].([]any) {
		ref := e.(map[string]any)["resource"].(map[string]any)["subject"].(map[string]any)["reference"].(string)
		id := strings.TrimPrefix(ref, "Patient/")
		counts[id]++
		if counts[id] >= 2 {
			return id
		}
	}
	t.Fatal("found no patient with two vital signs")
	return ""
}

func instant(t *testing.T, s string) time.Time {
	t.Helper()
	ts, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("effectiveDateTime %q: %v", s, err)
	}
	return ts
}

func getToken(t *testing.T, a *app.App, id, secret, scope string) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}, "scope": {scope}}
	resp, err := http.PostForm(a.TokenURL(), form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || body.AccessToken == "" || body.TokenType != "Bearer" || body.ExpiresIn <= 0 {
		t.Fatalf("token: got status %d and %+v, want 200 with a bearer token", resp.StatusCode, body)
	}
	return body.AccessToken
}

func get(t *testing.T, u, token string, wantStatus int, out any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	do(t, req, wantStatus, out)
}

func post(t *testing.T, u, token string, form url.Values, out any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+token)
	do(t, req, http.StatusOK, out)
}

func do(t *testing.T, req *http.Request, wantStatus int, out any) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != wantStatus {
		t.Fatalf("%s %s: got status %d, want %d: %s", req.Method, req.URL.Path, resp.StatusCode, wantStatus, body)
	}
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
		}
	}
}
