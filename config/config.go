// Package config reads and checks the YAML configuration of `ehrbridge serve`.
//
// Secrets never sit in the file in clear text: a client's secret is given as
// SHA-256 digests, or read from an environment variable or a mounted file,
// and a database DSN can likewise come from the environment.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
)

// Config is the configuration of one ehrbridge deployment.
type Config struct {
	// Listen is the API's host:port. Default 127.0.0.1:8080.
	Listen string `yaml:"listen"`
	// PublicURL is the base URL clients reach the API at, used in the
	// capability statement, token issuer and Bundle links. Default
	// http://<the address the API listens on>.
	PublicURL string `yaml:"public_url"`
	// DataDir holds the store, the embedded NATS store and the token
	// signing key, unless set elsewhere. Default ./ehrbridge-data.
	DataDir string `yaml:"data_dir"`
	Store   Store  `yaml:"store"`
	NATS    NATS   `yaml:"nats"`
	Tokens  Tokens `yaml:"tokens"`
	// Tenants lists every tenant; the tenant id in a token's scope selects one.
	Tenants []Tenant `yaml:"tenants"`
}

// Store selects the resource store.
type Store struct {
	// Kind is "sqlite" (one database file per tenant). Default sqlite.
	Kind string `yaml:"kind"`
	// Dir holds the SQLite files. Default <data_dir>/store.
	Dir string `yaml:"dir"`
}

// NATS selects the NATS server that carries the HL7 feed.
type NATS struct {
	// URL of an external NATS cluster with JetStream. Empty runs an
	// embedded server.
	URL string `yaml:"url"`
	// Listen is the embedded server's host:port. Default 127.0.0.1:0,
	// a free port on loopback.
	Listen string `yaml:"listen"`
	// StoreDir holds the embedded server's JetStream files. Default
	// <data_dir>/nats.
	StoreDir string `yaml:"store_dir"`
	// TokenFile holds the token ehrbridge presents to an external server.
	// For the embedded server it holds the password of ehrbridge's own
	// account, created at random when missing, and the per-tenant ingest
	// passwords sit beside it. Default <data_dir>/keys/nats-token for the
	// embedded server, none for an external one.
	TokenFile string `yaml:"token_file"`
	// CredsFile is a NATS credentials file (JWT and NKey seed) for an
	// external server.
	CredsFile string `yaml:"creds_file"`
}

// Tokens configures the OAuth 2.0 token service.
type Tokens struct {
	// TTL is the access token lifetime, e.g. "1h". Default 1h.
	TTL string `yaml:"ttl"`
	// KeyFile is the ES256 signing key (PEM), created when absent.
	// Default <data_dir>/keys/token-signing.pem.
	KeyFile string `yaml:"key_file"`
}

// Tenant is one customer: the provider data one Azure AD tenant may read.
type Tenant struct {
	// ID is the Azure AD tenant id, a GUID; clients send it as the scope.
	ID   string `yaml:"id"`
	Name string `yaml:"name"`
	// FHIRVersions lists the served versions: dstu2, stu3 or both.
	FHIRVersions []string `yaml:"fhir_versions"`
	Clients      []Client `yaml:"clients"`
	Sources      []Source `yaml:"sources"`
}

// Client is an OAuth 2.0 client allowed to read the tenant's data. Give its
// active secrets by exactly one of the three fields.
type Client struct {
	ID string `yaml:"id"`
	// SecretSHA256 lists the hex SHA-256 digests of the active secrets
	// (several during a rotation).
	SecretSHA256 []string `yaml:"secret_sha256"`
	// SecretEnv names an environment variable holding the secret.
	SecretEnv string `yaml:"secret_env"`
	// SecretFile is a file holding the secret (e.g. a mounted secret).
	SecretFile string `yaml:"secret_file"`
}

// Source is a system ehrbridge reads records from.
type Source struct {
	// Name identifies the source in logs, provenance, cursors and the
	// feed subject: lower-case letters, digits and hyphens.
	Name string `yaml:"name"`
	// Kind is "sql" (a relational EHR) or "hl7v2" (an HL7 v2 feed on NATS).
	Kind string `yaml:"kind"`
	// Driver is "sqlite" or "postgres" (sql sources).
	Driver string `yaml:"driver"`
	// DSN is the database connection string (sql sources). Prefer DSNEnv
	// when it contains a password.
	DSN    string `yaml:"dsn"`
	DSNEnv string `yaml:"dsn_env"`
	// PollInterval is the time between SQL syncs, e.g. "1m". Default 1m.
	PollInterval string `yaml:"poll_interval"`
	// Mappings lists mapping folders: paths, or "builtin:NAME" for a folder
	// shipped inside ehrbridge (builtin:sample-ehr, builtin:hl7v2).
	Mappings []string `yaml:"mappings"`
}

// Load reads a configuration file, applies defaults and checks it.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read configuration: %w", err)
	}
	return Parse(data)
}

// Parse reads a configuration, applies defaults and checks it. The error
// lists every problem found, one per line, each with its field path. When
// the file is well-formed YAML but has invalid settings, the Config is
// returned with the Problems, so callers can add problems of their own.
func Parse(data []byte) (*Config, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("invalid configuration: the file is empty: see the README for an example")
	}
	var c Config
	if err := yaml.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("invalid configuration:\n%s", yaml.FormatError(err, false, true))
	}
	var raw any
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("invalid configuration:\n%s", yaml.FormatError(err, false, true))
	}
	unknown := unknownKeys(raw, reflect.TypeOf(c), "")
	c.ApplyDefaults()
	err := c.Validate()
	var problems Problems
	errors.As(err, &problems)
	problems = append(unknown, problems...)
	if len(problems) > 0 {
		return &c, problems
	}
	return &c, nil
}

// unknownKeys lists the keys of raw that no yaml tag of t names, each as a
// Problem with its path, so a misspelt setting is reported with the rest.
func unknownKeys(raw any, t reflect.Type, path string) Problems {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var out Problems
	switch t.Kind() {
	case reflect.Struct:
		m, ok := raw.(map[string]any)
		if !ok {
			return nil
		}
		fields := map[string]reflect.Type{}
		for i := range t.NumField() {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
			fields[name] = t.Field(i).Type
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			child := k
			if path != "" {
				child = path + "." + k
			}
			ft, known := fields[k]
			if !known {
				out = append(out, Problem{Path: child, Reason: "unknown setting: check the spelling against the README"})
				continue
			}
			out = append(out, unknownKeys(m[k], ft, child)...)
		}
	case reflect.Slice:
		list, ok := raw.([]any)
		if !ok {
			return nil
		}
		for i, item := range list {
			out = append(out, unknownKeys(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i))...)
		}
	}
	return out
}

// PollEvery returns the source's poll interval, 1 minute by default.
func (s Source) PollEvery() time.Duration {
	d, err := time.ParseDuration(s.PollInterval)
	if err != nil || d <= 0 {
		return time.Minute
	}
	return d
}

// TokenTTL returns the access token lifetime, 1 hour by default.
func (c *Config) TokenTTL() time.Duration {
	d, err := time.ParseDuration(c.Tokens.TTL)
	if err != nil || d <= 0 {
		return time.Hour
	}
	return d
}

// ResolveDSN returns the source's DSN, from DSNEnv when set.
func (s Source) ResolveDSN() (string, error) {
	if s.DSNEnv == "" {
		return s.DSN, nil
	}
	dsn, ok := os.LookupEnv(s.DSNEnv)
	if !ok || dsn == "" {
		return "", fmt.Errorf("source %s: environment variable %s is not set: export it with the database DSN", s.Name, s.DSNEnv)
	}
	return dsn, nil
}

// LogValue keeps DSNs and secrets out of logs.
func (s Source) LogValue() slog.Value {
	return slog.GroupValue(slog.String("name", s.Name), slog.String("kind", s.Kind), slog.String("driver", s.Driver))
}

// Problems is the list of problems found in a configuration.
type Problems []Problem

// Problem is one invalid setting, named by its field path such as
// tenants[0].sources[1].driver.
type Problem struct {
	Path   string
	Reason string
}

func (p Problems) Error() string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "invalid configuration (%d problems):", len(p))
	for _, pr := range p {
		fmt.Fprintf(&b, "\n  %s: %s", pr.Path, pr.Reason)
	}
	return b.String()
}

// ErrInvalid is wrapped by every configuration error.
var ErrInvalid = errors.New("invalid configuration")

// Is makes errors.Is(err, ErrInvalid) true for Problems.
func (p Problems) Is(target error) bool { return target == ErrInvalid }
