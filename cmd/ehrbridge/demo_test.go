package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ehrbridge/ehrbridge/auth"
)

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
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

// startDemo runs the demo command until the returned stop function is called.
func startDemo(t *testing.T, dir string) (state demoState, out *syncBuffer, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out = &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- runDemo(ctx, []string{"--listen", "127.0.0.1:0", "--data", dir, "--log-level", "error"}, out, io.Discard)
	}()
	deadline := time.Now().Add(2 * time.Minute)
	for !strings.Contains(out.String(), "Press Ctrl-C to stop") {
		select {
		case err := <-done:
			cancel()
			t.Fatalf("demo stopped early: %v\n%s", err, out)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("demo did not start within 2 minutes:\n%s", out)
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, demoStateFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &state); err != nil {
		t.Fatalf("demo.json: %v", err)
	}
	return state, out, func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			t.Fatal("demo did not stop within 30 seconds of the signal")
			return nil
		}
	}
}

func TestDemoServesAndRestarts(t *testing.T) {
	dir := t.TempDir()
	state, out, stop := startDemo(t, dir)
	for _, key := range []string{state.Tenant, state.ClientID, state.ClientSecret, state.TokenURL, state.NATS, state.HL7Subject} {
		if key == "" {
			t.Fatalf("demo.json lacks a value: %+v", state)
		}
	}
	for _, want := range []string{state.TokenURL, state.FHIR["dstu2"], state.FHIR["stu3"], "curl -s -d grant_type=client_credentials"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	info, err := os.Stat(filepath.Join(dir, demoStateFile))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("demo.json: got mode %v (error %v), want 0600 because it holds the secret", info.Mode().Perm(), err)
	}
	first := patientTotal(t, state)
	if first < 50 {
		t.Errorf("got %d patients, want at least 50", first)
	}
	testIngestIntoDemo(t, dir)
	testDeadLettersOfDemo(t, dir)
	if err := stop(); err != nil {
		t.Fatalf("demo returned %v after the signal, want nil", err)
	}

	again, _, stop := startDemo(t, dir)
	defer stop()
	if again.Tenant != state.Tenant || again.ClientSecret != state.ClientSecret {
		t.Errorf("second run changed the tenant or client: got %s, want %s", again.Tenant, state.Tenant)
	}
	if got := patientTotal(t, again); got != first {
		t.Errorf("second run: got %d patients, want %d", got, first)
	}
}

// patientTotal gets a token as the demo prints it and counts the patients.
func patientTotal(t *testing.T, s demoState) int {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {s.ClientID},
		"client_secret": {s.ClientSecret}, "scope": {s.Tenant}}
	resp, err := http.PostForm(s.TokenURL, form)
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || tok.AccessToken == "" {
		t.Fatalf("token: status %d, error %v", resp.StatusCode, err)
	}
	req, _ := http.NewRequest(http.MethodGet, s.FHIR["stu3"]+"/Patient?_count=1", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var bundle struct {
		Total int `json:"total"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&bundle); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("search: status %d, error %v", resp.StatusCode, err)
	}
	return bundle.Total
}

// testIngestIntoDemo publishes an MLLP-framed file with two messages and
// names a file that does not exist.
func testIngestIntoDemo(t *testing.T, dir string) {
	t.Helper()
	msg := func(id string) string {
		return "MSH|^~\\&|A|B|C|D|20250101120000||ADT^A08^ADT_A01|" + id + "|P|2.5.1\rPID|1||MRN000101^^^EHRBRIDGE-DEMO^MR||Test^Ingest||19900101|F\r"
	}
	framed := "\x0b" + msg("ING1") + "\x1c\r" + "\x0b" + msg("ING2") + "\x1c\r"
	file := filepath.Join(dir, "two.hl7")
	if err := os.WriteFile(file, []byte(framed), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run([]string{"ingest", "hl7", "--demo", dir, file, filepath.Join(dir, "missing.hl7")}, &stdout, &stderr)
	if code != 1 {
		t.Errorf("got exit code %d, want 1 for the missing file", code)
	}
	if !strings.Contains(stdout.String(), "two.hl7: published 2 message(s)") {
		t.Errorf("got %q, want two messages published from two.hl7", stdout.String())
	}
	if !strings.Contains(stderr.String(), "missing.hl7: cannot read") {
		t.Errorf("got %q, want the missing file named", stderr.String())
	}
}

// testDeadLettersOfDemo lists the two broken sample messages the demo
// rejected, without their payloads.
func testDeadLettersOfDemo(t *testing.T, dir string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run([]string{"dead-letters", "--demo", dir}, &stdout, &stderr); code != 0 {
		t.Fatalf("got exit code %d: %s", code, stderr.String())
	}
	out := stdout.String()
	if !strings.Contains(out, "2 dead letter(s)") {
		t.Errorf("got %q, want the two rejected sample messages", out)
	}
	for _, want := range []string{"hl7-feed", "mapping hl7v2-oru-vital-signs", "MSH-10"} {
		if !strings.Contains(out, want) {
			t.Errorf("got %q, want it to contain %q", out, want)
		}
	}
	if strings.Contains(out, "MSH|") {
		t.Errorf("dead-letter listing prints a message body: %q", out)
	}
}

func TestIngestReportsUnreadableFiles(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := run([]string{"ingest", "hl7", "--demo", dir, filepath.Join(dir, "missing.hl7")}, &stdout, &stderr)
	if code == 0 {
		t.Fatal("got exit code 0 without a running demo, want a failure")
	}
	if !strings.Contains(stderr.String(), "start `ehrbridge demo` first") {
		t.Errorf("got %q, want advice to start the demo", stderr.String())
	}
}

func TestUnknownCommand(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"frobnicate"}, &stdout, &stderr); code != 2 {
		t.Errorf("got exit code %d, want 2", code)
	}
}

func TestSecretPrintsDigest(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"secret"}, &stdout, &stderr); code != 0 {
		t.Fatalf("got exit code %d: %s", code, stderr.String())
	}
	var secret, digest string
	for _, line := range strings.Split(stdout.String(), "\n") {
		if v, ok := strings.CutPrefix(line, "client_secret: "); ok {
			secret = v
		}
		if v, ok := strings.CutPrefix(line, "secret_sha256: "); ok {
			digest = strings.Trim(v, `"`)
		}
	}
	if len(secret) < 32 {
		t.Fatalf("got secret %q, want at least 32 characters", secret)
	}
	if want := hex.EncodeToString(auth.HashSecret(secret)); digest != want {
		t.Errorf("got digest %s, want %s", digest, want)
	}
}

func TestServeListsEveryProblem(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.yaml")
	config := `
listen: nowhere
tenants:
  - id: 0b5f2a4e-8c1d-4f7a-9e3b-2d6c8a1f4e90
    fhir_versions: [stu3]
    sources:
      - name: feed
        kind: hl7v2
        mappings: [/nonexistent/mappings]
`
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"serve", "--config", path}, &stdout, &stderr); code != 1 {
		t.Fatalf("got exit code %d, want 1", code)
	}
	for _, want := range []string{"listen:", "tenants[0].sources[0].mappings:", "/nonexistent/mappings not found"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("got %q, want it to contain %q", stderr.String(), want)
		}
	}
}
