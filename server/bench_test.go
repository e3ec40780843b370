package server

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkSearchPatient measures a Patient search through the whole
// handler (token check, search parse, SQLite query, Bundle encoding).
func BenchmarkSearchPatient(b *testing.B) {
	api := newSeededAPI(b)
	token := api.token("client-a", secretA, tenantA)
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, "/fhir/stu3/Patient?family=chau&given=hugh", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		api.handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("got status %d, want 200", rec.Code)
		}
	}
}
