package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/ehrbridge/ehrbridge/adapters/feed"
	"github.com/ehrbridge/ehrbridge/app"
	"github.com/ehrbridge/ehrbridge/auth"
	"github.com/ehrbridge/ehrbridge/config"
	"github.com/ehrbridge/ehrbridge/fhir"
	"github.com/ehrbridge/ehrbridge/sampledata"
)

// Names of the demo tenant's client and sources.
const (
	demoClientID  = "demo-client"
	demoSQLSource = "sample-ehr"
	demoHL7Source = "hl7-feed"
	demoStateFile = "demo.json"
)

// demoState is written to <data>/demo.json: what a user needs to call the
// API and to publish more HL7 messages. It holds the client secret, so the
// file is readable by its owner only.
type demoState struct {
	Tenant       string            `json:"tenant"`
	ClientID     string            `json:"client_id"`
	ClientSecret string            `json:"client_secret"`
	TokenURL     string            `json:"token_url"`
	FHIR         map[string]string `json:"fhir"`
	NATS         string            `json:"nats"`
	NATSUser     string            `json:"nats_user"`
	NATSPassword string            `json:"nats_password"`
	HL7Subject   string            `json:"hl7_subject"`
	HL7Source    string            `json:"hl7_source"`
	// SamplePublished records that the bundled HL7 messages are on the
	// feed, so a later run does not publish them again once the stream's
	// duplicate window has passed.
	SamplePublished bool `json:"sample_published"`
}

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:8080", "`host:port` the FHIR API listens on")
	dataDir := fs.String("data", "ehrbridge-demo", "`folder` for the demo's databases, NATS store and keys; created if missing")
	logLevel := fs.String("log-level", "warn", "log level on stderr: debug, info, warn or error")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	log, err := newLogger(stderr, *logLevel)
	if err != nil {
		return err
	}
	if err := checkListen(*listen); err != nil {
		return err
	}
	if err := os.MkdirAll(*dataDir, 0o700); err != nil {
		return fmt.Errorf("create data folder: %w", err)
	}
	state, err := loadOrCreateDemoState(*dataDir)
	if err != nil {
		return err
	}
	// Save the tenant and client at once, so a run stopped while loading
	// is resumed with the same tenant rather than a new one.
	if err := writeDemoState(*dataDir, state); err != nil {
		return err
	}
	ehrPath := filepath.Join(*dataDir, "sample-ehr.db")
	if _, err := os.Stat(ehrPath); errors.Is(err, os.ErrNotExist) {
		if err := sampledata.BuildSQLite(ctx, ehrPath); err != nil {
			return fmt.Errorf("build the sample EHR: %w", err)
		}
	}
	cfg := demoConfig(*listen, *dataDir, ehrPath, state)
	if err := cfg.Validate(); err != nil {
		return err
	}
	a, err := app.Start(ctx, cfg, app.Options{Logger: log, NoSchedule: true})
	if err != nil {
		return err
	}
	defer a.Close()

	if err := loadDemoData(ctx, a, state, stdout); err != nil {
		return err
	}
	a.StartSchedule()

	state.TokenURL = a.TokenURL()
	state.FHIR = map[string]string{"dstu2": a.FHIRBase(fhir.DSTU2), "stu3": a.FHIRBase(fhir.STU3)}
	state.NATS = a.NATSURL()
	if state.NATSUser, state.NATSPassword, err = app.IngestCredentials(cfg, state.Tenant); err != nil {
		return err
	}
	state.HL7Subject = feed.Subject(state.Tenant, demoHL7Source)
	if err := writeDemoState(*dataDir, state); err != nil {
		return err
	}
	printDemo(stdout, state, *dataDir)
	<-ctx.Done()
	fmt.Fprintln(stdout, "\nStopping ehrbridge demo.")
	return a.Close()
}

// loadDemoData runs the SQL sync, publishes the bundled HL7 messages and
// waits until the feed has stored them.
func loadDemoData(ctx context.Context, a *app.App, state *demoState, stdout io.Writer) error {
	stats, err := a.SyncAll(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Synced the sample EHR: %d rows read, %d committed, %d rejected to the dead-letter store.\n",
		stats.Rows, stats.Committed, stats.Rejected)

	waitCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if state.SamplePublished {
		if err := a.WaitIdle(waitCtx); err != nil {
			return fmt.Errorf("wait for the HL7 feed to be stored: %w", err)
		}
		fmt.Fprintln(stdout, "The sample HL7 v2 messages are already on the feed and stored.")
		return nil
	}
	var messages [][]byte
	for _, m := range append(sampledata.HL7Messages(), sampledata.InvalidHL7Messages()...) {
		messages = append(messages, m.Data)
	}
	published, dups, err := a.Publish(ctx, state.Tenant, demoHL7Source, messages)
	if err != nil {
		return fmt.Errorf("publish the sample HL7 messages: %w", err)
	}
	if err := a.WaitIdle(waitCtx); err != nil {
		return fmt.Errorf("wait for the HL7 feed to be stored: %w", err)
	}
	state.SamplePublished = true
	fmt.Fprintf(stdout, "Published %d HL7 v2 messages (%d already on the feed) and stored their resources.\n", published, dups)
	return nil
}

// checkListen fails early, before the sample data is built, when the API
// address is taken.
func checkListen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another ehrbridge running? pick another address with --listen)", addr, err)
	}
	return ln.Close()
}

// demoConfig is the configuration `ehrbridge serve` would read for the demo.
func demoConfig(listen, dataDir, ehrPath string, state *demoState) *config.Config {
	cfg := &config.Config{
		Listen:  listen,
		DataDir: dataDir,
		NATS:    config.NATS{Listen: "127.0.0.1:0"},
		Tenants: []config.Tenant{{
			ID:           state.Tenant,
			Name:         "ehrbridge demo clinic",
			FHIRVersions: []string{"dstu2", "stu3"},
			Clients: []config.Client{{
				ID:           state.ClientID,
				SecretSHA256: []string{hex.EncodeToString(auth.HashSecret(state.ClientSecret))},
			}},
			Sources: []config.Source{
				{Name: demoSQLSource, Kind: "sql", Driver: "sqlite", DSN: "file:" + ehrPath + "?mode=ro",
					Mappings: []string{app.BuiltinPrefix + "sample-ehr"}},
				{Name: demoHL7Source, Kind: "hl7v2", Mappings: []string{app.BuiltinPrefix + "hl7v2"}},
			},
		}},
	}
	cfg.ApplyDefaults()
	return cfg
}

// loadOrCreateDemoState reuses the tenant and client of an earlier run on
// the same folder, so a second run neither duplicates data nor changes
// the credentials.
func loadOrCreateDemoState(dir string) (*demoState, error) {
	data, err := os.ReadFile(filepath.Join(dir, demoStateFile))
	if err == nil {
		var s demoState
		if err := json.Unmarshal(data, &s); err != nil {
			return nil, fmt.Errorf("read %s: %w (delete the file to start a new demo tenant)", demoStateFile, err)
		}
		if guidPattern.MatchString(s.Tenant) && s.ClientID != "" && len(s.ClientSecret) >= auth.MinSecretLength {
			s.HL7Source = demoHL7Source
			return &s, nil
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read %s: %w", demoStateFile, err)
	}
	secret, err := auth.GenerateSecret()
	if err != nil {
		return nil, err
	}
	return &demoState{Tenant: newGUID(), ClientID: demoClientID, ClientSecret: secret, HL7Source: demoHL7Source}, nil
}

var guidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// newGUID returns a random (version 4) GUID, the form of an Azure AD tenant id.
func newGUID() string {
	var b [16]byte
	// Since Go 1.24, crypto/rand.Read is documented to never return an error.
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func writeDemoState(dir string, s *demoState) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, demoStateFile+".tmp")
	if err := os.WriteFile(tmp, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", demoStateFile, err)
	}
	return os.Rename(tmp, filepath.Join(dir, demoStateFile))
}

func printDemo(w io.Writer, s *demoState, dataDir string) {
	fmt.Fprintf(w, `
ehrbridge demo is serving FHIR. Press Ctrl-C to stop.

  FHIR DSTU2 base  %s
  FHIR STU3 base   %s
  Token URL        %s
  Tenant (scope)   %s
  Client id        %s
  Client secret    %s
  NATS feed        %s (subject %s; user and password in demo.json)

Get a token:

  TOKEN=$(curl -s -d grant_type=client_credentials -d client_id=%s \
    -d client_secret=%s -d scope=%s \
    %s | sed -E 's/.*"access_token":"([^"]+)".*/\1/')

Search patients whose family name contains "son" (STU3):

  curl -s -H "Authorization: Bearer $TOKEN" '%s/Patient?family=son&_count=5'

The same facts are in %s.
`, s.FHIR["dstu2"], s.FHIR["stu3"], s.TokenURL, s.Tenant, s.ClientID, s.ClientSecret, s.NATS, s.HL7Subject,
		s.ClientID, s.ClientSecret, s.Tenant, s.TokenURL, s.FHIR["stu3"], filepath.Join(dataDir, demoStateFile))
}
