package mappings_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ehrbridge/ehrbridge/adapters/hl7"
	"github.com/ehrbridge/ehrbridge/fhir"
	"github.com/ehrbridge/ehrbridge/mappings"
	"github.com/ehrbridge/ehrbridge/schemas"
	"github.com/ehrbridge/ehrbridge/transform"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

const testdata = "../testdata"

// TestShippedMappingsCompile loads every shipped folder.
func TestShippedMappingsCompile(t *testing.T) {
	for _, dir := range mappings.Folders {
		set, err := transform.Load(mappings.FS, dir)
		if err != nil {
			t.Fatalf("load %s: %v", dir, err)
		}
		if len(set.Mappings()) == 0 {
			t.Errorf("folder %s holds no mapping", dir)
		}
	}
}

// TestGoldenHL7 maps every message under testdata/hl7 with the hl7v2
// mappings and compares the resources with testdata/golden.
func TestGoldenHL7(t *testing.T) {
	set := load(t, "hl7v2")
	files, err := filepath.Glob(filepath.Join(testdata, "hl7", "*.hl7"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no HL7 fixtures found: %v", err)
	}
	validator := newValidator(t)
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".hl7")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			msg, err := hl7.Parse(data)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			var outputs []transform.Output
			for _, m := range set.ForMessage(msg.Type()) {
				out, err := m.MapMessage(msg, fhir.Versions)
				if err != nil {
					t.Fatalf("map: %v", err)
				}
				outputs = append(outputs, out...)
			}
			checkGolden(t, validator, "hl7-"+name, outputs)
		})
	}
}

// TestGoldenSQL maps the rows in testdata/rows/sample-ehr.json with the
// sample-ehr mappings and compares the resources with testdata/golden.
func TestGoldenSQL(t *testing.T) {
	set := load(t, "sample-ehr")
	data, err := os.ReadFile(filepath.Join(testdata, "rows", "sample-ehr.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rows map[string][]map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&rows); err != nil {
		t.Fatal(err)
	}
	validator := newValidator(t)
	byName := map[string]*transform.Mapping{}
	for _, m := range set.Mappings() {
		byName[m.Name] = m
	}
	for name, list := range rows {
		t.Run(name, func(t *testing.T) {
			m := byName[name]
			if m == nil {
				t.Fatalf("no mapping named %s", name)
			}
			var outputs []transform.Output
			for _, row := range list {
				out, err := m.MapRow(row, fhir.Versions)
				if err != nil {
					t.Fatalf("map row: %v", err)
				}
				outputs = append(outputs, out...)
			}
			checkGolden(t, validator, "sql-"+name, outputs)
		})
	}
}

func load(t *testing.T, dir string) *transform.Set {
	t.Helper()
	set, err := transform.Load(mappings.FS, dir)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func newValidator(t *testing.T) *schemas.Validator {
	t.Helper()
	v, err := schemas.NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// checkGolden validates each output and compares the outputs of each
// version with testdata/golden/<name>.<version>.json.
func checkGolden(t *testing.T, validator *schemas.Validator, name string, outputs []transform.Output) {
	t.Helper()
	byVersion := map[fhir.Version][]json.RawMessage{}
	for _, o := range outputs {
		if err := validator.Validate(o.Version, o.Body); err != nil {
			t.Errorf("%s %s/%s is invalid: %v", o.Version, o.ResourceType, o.ID, err)
		}
		byVersion[o.Version] = append(byVersion[o.Version], o.Body)
	}
	for _, v := range fhir.Versions {
		list := byVersion[v]
		sort.Slice(list, func(i, j int) bool { return string(list[i]) < string(list[j]) })
		got, err := json.MarshalIndent(list, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, '\n')
		path := filepath.Join(testdata, "golden", name+"."+string(v)+".json")
		if *update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("read golden file (run go test ./mappings -update to create it): %v", err)
		}
		var gotJSON, wantJSON any
		if err := json.Unmarshal(got, &gotJSON); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(want, &wantJSON); err != nil {
			t.Fatalf("golden file %s is not JSON: %v", path, err)
		}
		if diff := cmp.Diff(wantJSON, gotJSON); diff != "" {
			t.Errorf("%s differs from the mapping output (-want +got):\n%s", path, diff)
		}
	}
}
