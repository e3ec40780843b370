// Package app runs an ehrbridge deployment from its configuration: the
// store, the NATS feed, the mapping pipelines of every tenant's sources,
// the token service and the FHIR API. `ehrbridge serve` and `ehrbridge demo`
// both run through Start.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/ehrbridge/ehrbridge/adapters/feed"
	"github.com/ehrbridge/ehrbridge/auth"
	"github.com/ehrbridge/ehrbridge/config"
	"github.com/ehrbridge/ehrbridge/fhir"
	"github.com/ehrbridge/ehrbridge/schemas"
	"github.com/ehrbridge/ehrbridge/server"
	"github.com/ehrbridge/ehrbridge/store"
	"github.com/ehrbridge/ehrbridge/store/sqlite"
)

// App is a running deployment.
type App struct {
	cfg      *config.Config
	log      *slog.Logger
	store    store.Store
	embedded *feed.Embedded
	nc       *nats.Conn
	js       jetstream.JetStream
	tenants  []*tenantRuntime
	http     *http.Server
	listener net.Listener
	baseURL  string

	runCtx  context.Context
	cancel  context.CancelFunc
	workers sync.WaitGroup
	closeMu sync.Mutex
	closed  bool
}

// Options are the parts of a run that do not come from the configuration.
type Options struct {
	Logger *slog.Logger
	// NoSchedule disables the periodic SQL syncs; SyncAll runs them on demand.
	NoSchedule bool
}

// Start checks the configuration, opens every component and starts the
// feed consumers, the SQL sync schedule and the HTTP server. On error,
// everything started so far is stopped again.
func Start(ctx context.Context, cfg *config.Config, opts Options) (_ *App, err error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &App{cfg: cfg, log: log}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()

	tenants, err := buildTenants(cfg)
	if err != nil {
		return nil, err
	}
	validator, err := schemas.NewValidator()
	if err != nil {
		return nil, fmt.Errorf("load FHIR schemas: %w", err)
	}
	if a.store, err = sqlite.Open(cfg.Store.Dir, sqlite.Options{Logger: log}); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	if err := a.startNATS(ctx); err != nil {
		return nil, err
	}
	if err := a.listen(); err != nil {
		return nil, err
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	a.runCtx, a.cancel = runCtx, cancel
	for _, t := range tenants {
		if err := t.open(runCtx, a, validator); err != nil {
			return nil, err
		}
		a.tenants = append(a.tenants, t)
	}
	if err := a.startHTTP(); err != nil {
		return nil, err
	}
	for _, t := range a.tenants {
		if err := t.startConsumers(runCtx, a); err != nil {
			return nil, err
		}
		if !opts.NoSchedule {
			t.startSchedule(runCtx, a)
		}
	}
	log.Info("ehrbridge started", "listen", a.listener.Addr().String(), "tenants", len(a.tenants),
		"nats", a.NATSURL(), "store", cfg.Store.Dir)
	return a, nil
}

// startNATS starts the embedded server, or connects to the configured
// external one, and makes sure the HL7 stream exists.
func (a *App) startNATS(ctx context.Context) error {
	url := a.cfg.NATS.URL
	opts := []nats.Option{nats.Name("ehrbridge"), nats.MaxReconnects(-1)}
	if url == "" {
		users, err := embeddedUsers(a.cfg)
		if err != nil {
			return err
		}
		host, portText, _ := net.SplitHostPort(a.cfg.NATS.Listen)
		port, err := net.LookupPort("tcp", portText)
		if err != nil {
			return fmt.Errorf("nats.listen: invalid port: %w", err)
		}
		a.embedded, err = feed.StartEmbedded(feed.EmbeddedOptions{StoreDir: a.cfg.NATS.StoreDir,
			Host: host, Port: port, Users: users, Logger: a.log.With("component", "nats")})
		if err != nil {
			return err
		}
		url = a.embedded.ClientURL()
		opts = append(opts, nats.UserInfo(users[0].Name, users[0].Password))
	} else {
		auth, err := externalAuth(a.cfg.NATS)
		if err != nil {
			return err
		}
		opts = append(opts, auth...)
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		return fmt.Errorf("connect to nats at %s: %w", url, err)
	}
	a.nc = nc
	if a.js, err = jetstream.New(nc); err != nil {
		return fmt.Errorf("open jetstream: %w", err)
	}
	if _, err := feed.EnsureStream(ctx, a.js, feed.StreamConfig{}); err != nil {
		return err
	}
	return nil
}

// externalAuth returns the credentials for an external NATS server.
func externalAuth(c config.NATS) ([]nats.Option, error) {
	var opts []nats.Option
	if c.CredsFile != "" {
		opts = append(opts, nats.UserCredentials(c.CredsFile))
	}
	if c.TokenFile != "" {
		data, err := os.ReadFile(c.TokenFile)
		if err != nil {
			return nil, fmt.Errorf("nats.token_file: %w", err)
		}
		opts = append(opts, nats.Token(strings.TrimSpace(string(data))))
	}
	return opts, nil
}

// serviceUser is the embedded NATS account ehrbridge itself uses.
const serviceUser = "ehrbridge"

// embeddedUsers returns the accounts of the embedded NATS server: ehrbridge
// itself first, then one publish-only account per tenant with an HL7
// source, for `ehrbridge ingest hl7`.
func embeddedUsers(cfg *config.Config) ([]feed.EmbeddedUser, error) {
	password, err := LoadOrCreateToken(cfg.NATS.TokenFile)
	if err != nil {
		return nil, fmt.Errorf("nats password: %w", err)
	}
	users := []feed.EmbeddedUser{{Name: serviceUser, Password: password}}
	for _, t := range cfg.Tenants {
		if !slices.ContainsFunc(t.Sources, func(s config.Source) bool { return s.Kind == "hl7v2" }) {
			continue
		}
		name, password, err := IngestCredentials(cfg, t.ID)
		if err != nil {
			return nil, err
		}
		users = append(users, feed.EmbeddedUser{Name: name, Password: password,
			PublishOnly: []string{feed.SubjectPrefix + "." + strings.ToLower(t.ID) + ".*"}})
	}
	return users, nil
}

// IngestCredentials returns the embedded NATS account that may publish HL7
// messages to one tenant's feeds and nothing else, creating its password
// file beside the service's when missing.
func IngestCredentials(cfg *config.Config, tenant string) (user, password string, err error) {
	tenant = strings.ToLower(tenant)
	user = "ingest-" + tenant
	password, err = LoadOrCreateToken(filepath.Join(filepath.Dir(cfg.NATS.TokenFile), "nats-"+user))
	if err != nil {
		return "", "", fmt.Errorf("nats password of %s: %w", user, err)
	}
	return user, password, nil
}

// LoadOrCreateToken reads the NATS token file, or creates it with a random
// token (256 bits, readable by the owner only) when it does not exist.
func LoadOrCreateToken(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err == nil {
		token := strings.TrimSpace(string(data))
		if len(token) < 32 {
			return "", fmt.Errorf("%s contains a token shorter than 32 characters: delete the file to create a new one", path)
		}
		return token, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	token, err := auth.GenerateSecret()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(token+"\n"), 0o600); err != nil {
		return "", err
	}
	return token, os.Rename(tmp, path)
}

func (a *App) listen() error {
	ln, err := net.Listen("tcp", a.cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another ehrbridge running? pick another address)", a.cfg.Listen, err)
	}
	a.listener = ln
	a.baseURL = a.cfg.PublicURL
	if a.baseURL == "" {
		a.baseURL = "http://" + ln.Addr().String()
	}
	return nil
}

func (a *App) startHTTP() error {
	if err := os.MkdirAll(filepath.Dir(a.cfg.Tokens.KeyFile), 0o700); err != nil {
		return fmt.Errorf("create key folder: %w", err)
	}
	key, err := auth.LoadOrCreateKey(a.cfg.Tokens.KeyFile)
	if err != nil {
		return fmt.Errorf("load token signing key: %w", err)
	}
	var clients []auth.Client
	byID := map[string]server.Tenant{}
	for _, t := range a.tenants {
		clients = append(clients, t.clients...)
		byID[t.id] = server.Tenant{ID: t.id, Versions: t.versions}
	}
	tokens, err := auth.New(auth.Options{
		Issuer:   a.baseURL,
		Audience: a.baseURL + "/fhir",
		Key:      key,
		Registry: auth.NewStaticRegistry(clients...),
		TokenTTL: a.cfg.TokenTTL(),
		Tenants:  func(id string) bool { _, ok := byID[id]; return ok },
		Logger:   a.log.With("component", "auth"),
	})
	if err != nil {
		return fmt.Errorf("start token service: %w", err)
	}
	handler, err := server.New(server.Config{
		PublicBaseURL: a.baseURL,
		Store:         a.store,
		Auth:          tokens,
		Tenants:       func(id string) (server.Tenant, bool) { t, ok := byID[id]; return t, ok },
		Logger:        a.log.With("component", "api"),
	})
	if err != nil {
		return fmt.Errorf("start API: %w", err)
	}
	a.http = &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute}
	a.workers.Add(1)
	go func() {
		defer a.workers.Done()
		if err := a.http.Serve(a.listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.log.Error("http server stopped", "err", err)
		}
	}()
	return nil
}

// BaseURL returns the public base URL of the API, such as http://127.0.0.1:8080.
func (a *App) BaseURL() string { return a.baseURL }

// FHIRBase returns the base URL of one FHIR version's API.
func (a *App) FHIRBase(v fhir.Version) string { return a.baseURL + "/fhir/" + string(v) }

// TokenURL returns the OAuth 2.0 token endpoint.
func (a *App) TokenURL() string { return a.baseURL + "/oauth/token" }

// NATSURL returns the URL of the NATS server the feed uses.
func (a *App) NATSURL() string {
	if a.nc == nil {
		return ""
	}
	return a.nc.ConnectedUrlRedacted()
}

// Store returns the resource store.
func (a *App) Store() store.Store { return a.store }

// Close stops the HTTP server, the consumers and the schedule, waits for
// in-flight records, and closes NATS and the store. It is safe to call
// more than once.
func (a *App) Close() error {
	a.closeMu.Lock()
	defer a.closeMu.Unlock()
	if a.closed {
		return nil
	}
	a.closed = true
	var errs []error
	if a.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		errs = append(errs, a.http.Shutdown(ctx))
		cancel()
	} else if a.listener != nil {
		a.listener.Close()
	}
	if a.cancel != nil {
		a.cancel()
	}
	a.workers.Wait()
	for _, t := range a.tenants {
		t.close()
	}
	if a.nc != nil {
		a.nc.Close()
	}
	if a.embedded != nil {
		a.embedded.Shutdown()
	}
	if a.store != nil {
		errs = append(errs, a.store.Close())
	}
	a.log.Info("ehrbridge stopped")
	return errors.Join(errs...)
}

// sqlDB is kept in a tenant source so that Close can release it.
type sqlDB = *sqlx.DB
