package config

import (
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ehrbridge/ehrbridge/fhir"
)

var (
	guidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	namePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
)

// ApplyDefaults fills every unset field that has a default.
func (c *Config) ApplyDefaults() {
	if c.Listen == "" {
		c.Listen = "127.0.0.1:8080"
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if c.DataDir == "" {
		c.DataDir = "ehrbridge-data"
	}
	if c.Store.Kind == "" {
		c.Store.Kind = "sqlite"
	}
	if c.Store.Dir == "" {
		c.Store.Dir = filepath.Join(c.DataDir, "store")
	}
	if c.NATS.URL == "" {
		if c.NATS.Listen == "" {
			c.NATS.Listen = "127.0.0.1:0"
		}
		if c.NATS.StoreDir == "" {
			c.NATS.StoreDir = filepath.Join(c.DataDir, "nats")
		}
		if c.NATS.TokenFile == "" {
			c.NATS.TokenFile = filepath.Join(c.DataDir, "keys", "nats-token")
		}
	}
	if c.Tokens.KeyFile == "" {
		c.Tokens.KeyFile = filepath.Join(c.DataDir, "keys", "token-signing.pem")
	}
	for i := range c.Tenants {
		t := &c.Tenants[i]
		t.ID = strings.ToLower(t.ID)
		for j := range t.Sources {
			if t.Sources[j].Kind == "sql" && t.Sources[j].PollInterval == "" {
				t.Sources[j].PollInterval = "1m"
			}
		}
	}
}

// Validate returns every problem in the configuration at once, or nil.
func (c *Config) Validate() error {
	var p Problems
	add := func(path, format string, args ...any) {
		p = append(p, Problem{Path: path, Reason: fmt.Sprintf(format, args...)})
	}
	if !validHostPort(c.Listen) {
		add("listen", "must be host:port with a numeric port, e.g. 127.0.0.1:8080")
	}
	if u, err := url.Parse(c.PublicURL); c.PublicURL != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
		add("public_url", "must be an absolute http or https URL, e.g. https://fhir.example.org")
	}
	if c.Store.Kind != "sqlite" {
		add("store.kind", "unsupported store %q: use sqlite", c.Store.Kind)
	}
	if c.NATS.URL != "" {
		if u, err := url.Parse(c.NATS.URL); err != nil || (u.Scheme != "nats" && u.Scheme != "tls") {
			add("nats.url", "must be a nats:// or tls:// URL")
		}
	} else if !validHostPort(c.NATS.Listen) {
		add("nats.listen", "must be host:port with a numeric port, e.g. 127.0.0.1:4222")
	}
	if c.NATS.URL == "" && c.NATS.CredsFile != "" {
		add("nats.creds_file", "applies to an external server only: set nats.url or remove it")
	}
	if c.Tokens.TTL != "" {
		if d, err := time.ParseDuration(c.Tokens.TTL); err != nil || d < time.Minute || d > 24*time.Hour {
			add("tokens.ttl", "must be a duration between 1m and 24h, e.g. 1h")
		}
	}
	if len(c.Tenants) == 0 {
		add("tenants", "missing: configure at least one tenant")
	}
	tenantIDs := map[string]int{}
	clientIDs := map[string]string{}
	for i, t := range c.Tenants {
		path := fmt.Sprintf("tenants[%d]", i)
		if !guidPattern.MatchString(t.ID) {
			add(path+".id", "must be the Azure AD tenant id, a GUID such as 0b5f2a4e-8c1d-4f7a-9e3b-2d6c8a1f4e90")
		} else if j, dup := tenantIDs[t.ID]; dup {
			add(path+".id", "duplicates tenants[%d].id", j)
		}
		tenantIDs[t.ID] = i
		validateTenant(path, t, clientIDs, add)
	}
	if len(p) > 0 {
		return p
	}
	return nil
}

// validHostPort reports whether s is host:port with a port from 0 to 65535.
func validHostPort(s string) bool {
	_, port, err := net.SplitHostPort(s)
	if err != nil {
		return false
	}
	n, err := strconv.Atoi(port)
	return err == nil && n >= 0 && n <= 65535
}

func validateTenant(path string, t Tenant, clientIDs map[string]string, add func(string, string, ...any)) {
	if len(t.FHIRVersions) == 0 {
		add(path+".fhir_versions", "missing: list dstu2, stu3 or both")
	}
	for j, v := range t.FHIRVersions {
		if _, err := fhir.ParseVersion(v); err != nil {
			add(fmt.Sprintf("%s.fhir_versions[%d]", path, j), "unknown version %q: use dstu2 or stu3", v)
		} else if slices.Index(t.FHIRVersions, v) < j {
			add(fmt.Sprintf("%s.fhir_versions[%d]", path, j), "version %s is listed twice", v)
		}
	}
	for j, cl := range t.Clients {
		cpath := fmt.Sprintf("%s.clients[%d]", path, j)
		if cl.ID == "" {
			add(cpath+".id", "missing: every client needs an id")
		} else if other, dup := clientIDs[cl.ID]; dup {
			add(cpath+".id", "client id %q is already used in %s: client ids are global", cl.ID, other)
		}
		clientIDs[cl.ID] = cpath
		validateClientSecret(cpath, cl, add)
	}
	names := map[string]bool{}
	for j, s := range t.Sources {
		spath := fmt.Sprintf("%s.sources[%d]", path, j)
		if !namePattern.MatchString(s.Name) {
			add(spath+".name", "must be lower-case letters, digits and hyphens, e.g. main-ehr")
		} else if names[s.Name] {
			add(spath+".name", "source name %q is used twice in this tenant", s.Name)
		}
		names[s.Name] = true
		validateSource(spath, s, add)
	}
}

func validateClientSecret(path string, cl Client, add func(string, string, ...any)) {
	given := 0
	if len(cl.SecretSHA256) > 0 {
		given++
	}
	if cl.SecretEnv != "" {
		given++
	}
	if cl.SecretFile != "" {
		given++
	}
	if given != 1 {
		add(path, "set exactly one of secret_sha256, secret_env or secret_file")
	}
	for k, h := range cl.SecretSHA256 {
		if b, err := hex.DecodeString(h); err != nil || len(b) != 32 {
			add(fmt.Sprintf("%s.secret_sha256[%d]", path, k), "must be 64 hex digits, the SHA-256 of the secret, written in quotes so YAML reads it as text")
		}
	}
	if cl.SecretEnv != "" {
		if _, ok := os.LookupEnv(cl.SecretEnv); !ok {
			add(path+".secret_env", "environment variable %s is not set", cl.SecretEnv)
		}
	}
	if cl.SecretFile != "" {
		if _, err := os.Stat(cl.SecretFile); err != nil {
			add(path+".secret_file", "cannot read the file: %v", err)
		}
	}
}

func validateSource(path string, s Source, add func(string, string, ...any)) {
	switch s.Kind {
	case "sql":
		if !slices.Contains([]string{"sqlite", "postgres"}, s.Driver) {
			add(path+".driver", "unsupported driver %q: use sqlite or postgres", s.Driver)
		}
		if (s.DSN == "") == (s.DSNEnv == "") {
			add(path, "set exactly one of dsn or dsn_env")
		}
		if d, err := time.ParseDuration(s.PollInterval); err != nil || d < time.Second {
			add(path+".poll_interval", "must be a duration of at least 1s, e.g. 1m")
		}
	case "hl7v2":
		if s.Driver != "" || s.DSN != "" || s.DSNEnv != "" {
			add(path, "driver, dsn and dsn_env apply to sql sources only")
		}
	default:
		add(path+".kind", "unknown source kind %q: use sql or hl7v2", s.Kind)
	}
	if len(s.Mappings) == 0 {
		add(path+".mappings", "missing: list at least one mapping folder")
	}
	for k, m := range s.Mappings {
		if m == "" {
			add(fmt.Sprintf("%s.mappings[%d]", path, k), "empty folder name")
		}
	}
}
