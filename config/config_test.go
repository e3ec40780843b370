package config

import (
	"errors"
	"strings"
	"testing"
)

const validConfig = `
listen: 127.0.0.1:9090
tenants:
  - id: 0B5F2A4E-8C1D-4F7A-9E3B-2D6C8A1F4E90
    fhir_versions: [dstu2, stu3]
    clients:
      - id: app
        secret_sha256: ["0000000000000000000000000000000000000000000000000000000000000000"]
    sources:
      - name: main-ehr
        kind: sql
        driver: postgres
        dsn: postgres://ehr@127.0.0.1/ehr
        mappings: [builtin:sample-ehr]
      - name: adt
        kind: hl7v2
        mappings: [builtin:hl7v2]
`

func TestParseValidAppliesDefaults(t *testing.T) {
	c, err := Parse([]byte(validConfig))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if got := c.Tenants[0].ID; got != "0b5f2a4e-8c1d-4f7a-9e3b-2d6c8a1f4e90" {
		t.Errorf("got tenant id %q, want it in lower case", got)
	}
	if c.Store.Kind != "sqlite" || c.Store.Dir == "" {
		t.Errorf("got store %+v, want the sqlite default with a folder", c.Store)
	}
	if c.NATS.Listen != "127.0.0.1:0" {
		t.Errorf("got nats.listen %q, want 127.0.0.1:0", c.NATS.Listen)
	}
	if got := c.Tenants[0].Sources[0].PollEvery().String(); got != "1m0s" {
		t.Errorf("got poll interval %s, want 1m0s", got)
	}
}

func TestParseListsEveryProblem(t *testing.T) {
	bad := `
listen: nowhere
public_url: ftp://x
tenants:
  - id: not-a-guid
    fhir_versions: [r4]
    clients:
      - id: app
    sources:
      - name: Main EHR
        kind: sql
        driver: mysql
        mappings: []
      - name: feed
        kind: carrier-pigeon
        mappings: [builtin:hl7v2]
`
	_, err := Parse([]byte(bad))
	if err == nil {
		t.Fatal("got no error, want one")
	}
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("got %v, want it to wrap ErrInvalid", err)
	}
	for _, path := range []string{
		"listen:", "public_url:", "tenants[0].id:", "tenants[0].fhir_versions[0]:",
		"tenants[0].clients[0]:", "tenants[0].sources[0].name:", "tenants[0].sources[0].driver:",
		"tenants[0].sources[0]:", "tenants[0].sources[0].mappings:", "tenants[0].sources[1].kind:",
	} {
		if !strings.Contains(err.Error(), path) {
			t.Errorf("error does not name %s:\n%v", path, err)
		}
	}
}

func TestParseRejectsUnknownField(t *testing.T) {
	_, err := Parse([]byte("listen: nowhere\nlisten_adress: x\ntenants:\n  - id: x\n    fhir_version: [stu3]\n"))
	if err == nil {
		t.Fatal("got no error, want one")
	}
	for _, want := range []string{"listen_adress: unknown setting", "tenants[0].fhir_version: unknown setting", "listen: must be", "tenants[0].id:"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("got %v, want it to contain %q", err, want)
		}
	}
}

func TestSecretEnvMustBeSet(t *testing.T) {
	cfg := strings.Replace(validConfig, `secret_sha256: ["0000000000000000000000000000000000000000000000000000000000000000"]`,
		"secret_env: EHRBRIDGE_TEST_UNSET_SECRET", 1)
	_, err := Parse([]byte(cfg))
	if err == nil || !strings.Contains(err.Error(), "tenants[0].clients[0].secret_env") {
		t.Errorf("got %v, want an error naming secret_env", err)
	}
}
