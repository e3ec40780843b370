package app

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/ehrbridge/ehrbridge/adapters/feed"
	"github.com/ehrbridge/ehrbridge/adapters/sqlpoll"
	"github.com/ehrbridge/ehrbridge/auth"
	"github.com/ehrbridge/ehrbridge/config"
	"github.com/ehrbridge/ehrbridge/fhir"
	"github.com/ehrbridge/ehrbridge/mappings"
	"github.com/ehrbridge/ehrbridge/pipeline"
	"github.com/ehrbridge/ehrbridge/transform"
)

// tenantRuntime is one configured tenant with its compiled mappings.
type tenantRuntime struct {
	id        string
	versions  []fhir.Version
	clients   []auth.Client
	sources   []*sourceRuntime
	pipeline  *pipeline.Pipeline
	consumers []*feed.Consumer
}

// sourceRuntime is one source of a tenant.
type sourceRuntime struct {
	cfg      config.Source
	mappings *transform.Set
	dsn      string     // sql sources
	db       sqlDB      // sql sources, nil until connected
	syncMu   sync.Mutex // one sync of this source at a time
	interval time.Duration
}

// recordTimeout bounds the processing of one feed record.
const recordTimeout = 30 * time.Second

// BuiltinPrefix marks a mapping folder shipped inside ehrbridge.
const BuiltinPrefix = "builtin:"

// Check compiles the mappings and reads the client secrets of every tenant
// without starting anything, and returns the problems found, each with its
// configuration path.
func Check(cfg *config.Config) config.Problems {
	_, err := buildTenants(cfg)
	var problems config.Problems
	errors.As(err, &problems)
	return problems
}

// buildTenants compiles the mappings and client secrets of every tenant.
// It reports every problem at once, each with its configuration path.
func buildTenants(cfg *config.Config) ([]*tenantRuntime, error) {
	var problems config.Problems
	var out []*tenantRuntime
	for i, tc := range cfg.Tenants {
		path := fmt.Sprintf("tenants[%d]", i)
		t := &tenantRuntime{id: strings.ToLower(tc.ID)}
		for _, v := range tc.FHIRVersions {
			ver, _ := fhir.ParseVersion(v)
			t.versions = append(t.versions, ver)
		}
		for j, cc := range tc.Clients {
			c, err := buildClient(t.id, cc)
			if err != nil {
				problems = append(problems, config.Problem{Path: fmt.Sprintf("%s.clients[%d]", path, j), Reason: err.Error()})
				continue
			}
			t.clients = append(t.clients, c)
		}
		for j, sc := range tc.Sources {
			set, err := loadMappings(sc)
			if err != nil {
				// One problem per line of the joined error, each with the path.
				for _, line := range strings.Split(err.Error(), "\n") {
					problems = append(problems, config.Problem{Path: fmt.Sprintf("%s.sources[%d].mappings", path, j), Reason: line})
				}
				continue
			}
			t.sources = append(t.sources, &sourceRuntime{cfg: sc, mappings: set, interval: sc.PollEvery()})
		}
		out = append(out, t)
	}
	if len(problems) > 0 {
		return nil, problems
	}
	return out, nil
}

// buildClient reads a client's secret digests from the configured place.
func buildClient(tenant string, cc config.Client) (auth.Client, error) {
	c := auth.Client{ID: cc.ID, Tenant: tenant}
	for _, h := range cc.SecretSHA256 {
		// Invalid digests are reported by config.Validate.
		if b, err := hex.DecodeString(h); err == nil {
			c.SecretHashes = append(c.SecretHashes, b)
		}
	}
	var secret string
	switch {
	case cc.SecretEnv != "":
		secret = os.Getenv(cc.SecretEnv)
	case cc.SecretFile != "":
		data, err := os.ReadFile(cc.SecretFile)
		if err != nil {
			return c, fmt.Errorf("read secret_file: %w", err)
		}
		secret = strings.TrimSpace(string(data))
	}
	if cc.SecretEnv != "" || cc.SecretFile != "" {
		client, err := auth.NewClient(cc.ID, tenant, secret)
		if err != nil {
			return c, err
		}
		return client, nil
	}
	return c, nil
}

// loadMappings compiles the mapping folders of a source and keeps the
// mappings of the source's kind.
func loadMappings(sc config.Source) (*transform.Set, error) {
	var errs []error
	kind := transform.SourceKind(sc.Kind)
	all := &transform.Set{}
	for _, folder := range sc.Mappings {
		var fsys fs.FS
		dir := folder
		if name, ok := strings.CutPrefix(folder, BuiltinPrefix); ok {
			fsys, dir = mappings.FS, name
		} else {
			fsys, dir = os.DirFS(folder), "."
		}
		if _, err := fs.Stat(fsys, dir); err != nil {
			errs = append(errs, fmt.Errorf("mapping folder %s not found: give an existing folder, or builtin:sample-ehr or builtin:hl7v2", folder))
			continue
		}
		set, err := transform.Load(fsys, dir)
		if err != nil {
			errs = append(errs, fmt.Errorf("mapping folder %s: %w", folder, err))
			continue
		}
		all = all.Merge(set)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	set := all.Filter(kind)
	if len(set.Mappings()) == 0 {
		return nil, fmt.Errorf("the folders hold no %s mapping: add one or fix the folder names", kind)
	}
	return set, nil
}

// open connects the tenant's SQL sources and builds its pipeline.
func (t *tenantRuntime) open(ctx context.Context, a *App, validator pipeline.Validator) error {
	ts, err := a.store.Tenant(ctx, t.id)
	if err != nil {
		return fmt.Errorf("open store of tenant %s: %w", t.id, err)
	}
	t.pipeline = &pipeline.Pipeline{Tenant: t.id, Versions: t.versions, Store: ts,
		Validator: validator, Logger: a.log.With("component", "pipeline")}
	for _, s := range t.sources {
		if s.cfg.Kind != "sql" {
			continue
		}
		dsn, err := s.cfg.ResolveDSN()
		if err != nil {
			return err
		}
		s.dsn = dsn
		// An unreachable EHR must not keep the other sources and tenants
		// from starting: its syncs retry the connection.
		if err := s.connect(); err != nil {
			a.log.Error("sql source unreachable; its syncs will retry", "tenant", t.id, "source", s.cfg.Name, "err", err)
		}
	}
	return nil
}

// startConsumers starts one feed consumer per HL7 source.
func (t *tenantRuntime) startConsumers(ctx context.Context, a *App) error {
	for _, s := range t.sources {
		if s.cfg.Kind != "hl7v2" {
			continue
		}
		s := s
		consumer, err := feed.NewConsumer(ctx, a.js, feed.ConsumerConfig{
			Durable:       feed.DurableName(t.id, s.cfg.Name),
			FilterSubject: feed.Subject(t.id, s.cfg.Name),
			// Run reports progress on slow records, so a short ack wait is
			// safe. It bounds the redelivery delay of messages that reached
			// a process as it stopped.
			AckWait: 10 * time.Second,
			Logger:  a.log.With("component", "feed", "tenant", t.id, "source", s.cfg.Name),
		})
		if err != nil {
			return fmt.Errorf("tenant %s source %s: start feed consumer: %w", t.id, s.cfg.Name, err)
		}
		t.consumers = append(t.consumers, consumer)
		a.workers.Add(1)
		go func() {
			defer a.workers.Done()
			err := consumer.Run(ctx, func(ctx context.Context, d feed.Delivery) error {
				// A record begun before a shutdown is finished and acked,
				// not abandoned half-way.
				recordCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
				defer cancel()
				key := fmt.Sprintf("stream seq %d", d.StreamSeq)
				_, err := t.pipeline.HandleHL7(recordCtx, s.cfg.Name, s.mappings, key, d.Data)
				return err
			})
			if err != nil && !errors.Is(err, context.Canceled) {
				a.log.Error("feed consumer stopped", "tenant", t.id, "source", s.cfg.Name, "err", err)
			}
		}()
	}
	return nil
}

// startSchedule runs each SQL source's sync now and then every poll interval.
func (t *tenantRuntime) startSchedule(ctx context.Context, a *App) {
	for _, s := range t.sources {
		if s.cfg.Kind != "sql" {
			continue
		}
		s := s
		a.workers.Add(1)
		go func() {
			defer a.workers.Done()
			ticker := time.NewTicker(s.interval)
			defer ticker.Stop()
			for {
				if _, err := t.sync(ctx, a, s); err != nil && ctx.Err() == nil {
					a.log.Error("sql sync failed", "tenant", t.id, "source", s.cfg.Name, "err", err)
				}
				select {
				case <-ctx.Done():
					return
				case <-ticker.C:
				}
			}
		}()
	}
}

// connect opens the source database once it is reachable.
func (s *sourceRuntime) connect() error {
	if s.db != nil {
		return nil
	}
	db, err := sqlpoll.Open(s.cfg.Driver, s.dsn)
	if err != nil {
		return err
	}
	s.db = db
	return nil
}

func (t *tenantRuntime) sync(ctx context.Context, a *App, s *sourceRuntime) (pipeline.SyncStats, error) {
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	if err := s.connect(); err != nil {
		return pipeline.SyncStats{}, err
	}
	start := time.Now()
	stats, err := t.pipeline.SyncSQL(ctx, s.cfg.Name, s.db, s.mappings)
	a.log.Info("sql sync finished", "tenant", t.id, "source", s.cfg.Name, "rows", stats.Rows,
		"committed", stats.Committed, "dead_letters", stats.Rejected, "duration_ms", time.Since(start).Milliseconds())
	return stats, err
}

func (t *tenantRuntime) close() {
	for _, s := range t.sources {
		if s.db != nil {
			s.db.Close()
		}
	}
}
