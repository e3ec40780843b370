package schemas

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ehrbridge/ehrbridge/fhir"
)

// sharedValidator is built once: each test compiles only what it uses, and
// the cache is what production relies on too.
var sharedValidator = sync.OnceValues(NewValidator)

func validator(t testing.TB) *Validator {
	t.Helper()
	v, err := sharedValidator()
	if err != nil {
		t.Fatalf("NewValidator: %v", err)
	}
	return v
}

// fixture returns a synthetic resource from testdata/<version>/<name>.json,
// decoded so that a test can change it.
func fixture(t testing.TB, ver fhir.Version, name string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", string(ver), name+".json"))
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("decode fixture %s/%s: %v", ver, name, err)
	}
	return doc
}

func encode(t testing.TB, doc any) []byte {
	t.Helper()
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatalf("encode resource: %v", err)
	}
	return data
}

// at returns the object at a path of keys and array indexes in doc.
func at(doc map[string]any, path ...any) map[string]any {
	var v any = doc
	for _, step := range path {
		switch s := step.(type) {
		case string:
			v = v.(map[string]any)[s]
		case int:
			v = v.([]any)[s]
		}
	}
	return v.(map[string]any)
}

// issueKey is what a test expects of an issue: where, which layer, which rule.
type issueKey struct {
	Layer   string
	Pointer string
	Keyword string
}

func keysOf(err error) []issueKey {
	var verr *ValidationError
	if !errors.As(err, &verr) {
		return nil
	}
	var keys []issueKey
	for _, is := range verr.Issues {
		keys = append(keys, issueKey{is.Layer, is.Pointer, is.Keyword})
	}
	return keys
}

func containsKey(keys []issueKey, want issueKey) bool {
	for _, k := range keys {
		if k == want {
			return true
		}
	}
	return false
}

func TestValidateValid(t *testing.T) {
	t.Parallel()
	v := validator(t)
	for _, ver := range fhir.Versions {
		for _, name := range []string{"patient", "observation", "blood-pressure", "encounter"} {
			t.Run(string(ver)+"/"+name, func(t *testing.T) {
				t.Parallel()
				if err := v.Validate(ver, encode(t, fixture(t, ver, name))); err != nil {
					t.Errorf("got %v, want nil", err)
				}
			})
		}
	}
}

func TestValidateInvalid(t *testing.T) {
	t.Parallel()
	v := validator(t)

	tests := []struct {
		name    string
		version fhir.Version
		fixture string
		change  func(doc map[string]any)
		want    []issueKey
	}{
		{
			name: "dstu2 missing code", version: fhir.DSTU2, fixture: "observation",
			change: func(d map[string]any) { delete(d, "code") },
			want: []issueKey{
				{LayerBase, "/code", "required"},
				{LayerProfile, "/code", "required"},
			},
		},
		{
			name: "stu3 missing code", version: fhir.STU3, fixture: "observation",
			change: func(d map[string]any) { delete(d, "code") },
			want: []issueKey{
				{LayerBase, "/code", "required"},
				{LayerProfile, "/code", "required"},
				{LayerGoogleFHIR, "/code", "parse"},
			},
		},
		{
			name: "dstu2 missing primitive status", version: fhir.DSTU2, fixture: "observation",
			change: func(d map[string]any) { delete(d, "status") },
			want:   []issueKey{{LayerBase, "/status", "required"}},
		},
		{
			name: "stu3 missing primitive status", version: fhir.STU3, fixture: "observation",
			change: func(d map[string]any) { delete(d, "status") },
			want:   []issueKey{{LayerGoogleFHIR, "/status", "parse"}},
		},
		{
			name: "dstu2 wrong type", version: fhir.DSTU2, fixture: "patient",
			change: func(d map[string]any) { d["active"] = "yes" },
			want:   []issueKey{{LayerBase, "/active", "type"}},
		},
		{
			name: "stu3 wrong type", version: fhir.STU3, fixture: "patient",
			change: func(d map[string]any) { d["active"] = "yes" },
			want: []issueKey{
				{LayerBase, "/active", "type"},
				{LayerGoogleFHIR, "/active", "parse"},
			},
		},
		{
			name: "dstu2 unknown element", version: fhir.DSTU2, fixture: "patient",
			change: func(d map[string]any) { d["gendr"] = "male" },
			want:   []issueKey{{LayerBase, "/gendr", "additionalProperties"}},
		},
		{
			name: "dstu2 unknown nested element", version: fhir.DSTU2, fixture: "observation",
			change: func(d map[string]any) { at(d, "valueQuantity")["vaule"] = 1 },
			want:   []issueKey{{LayerBase, "/valueQuantity/vaule", "additionalProperties"}},
		},
		{
			name: "stu3 unknown element", version: fhir.STU3, fixture: "patient",
			change: func(d map[string]any) { d["gendr"] = "male" },
			want:   []issueKey{{LayerGoogleFHIR, "/gendr", "parse"}},
		},
		{
			name: "dstu2 bad date", version: fhir.DSTU2, fixture: "patient",
			change: func(d map[string]any) { d["birthDate"] = "01/02/1970" },
			want: []issueKey{
				{LayerBase, "/birthDate", "pattern"},
				{LayerProfile, "/birthDate", "pattern"},
			},
		},
		{
			name: "stu3 bad date", version: fhir.STU3, fixture: "patient",
			change: func(d map[string]any) { d["birthDate"] = "x1970-01-02" },
			want: []issueKey{
				{LayerProfile, "/birthDate", "pattern"},
				{LayerGoogleFHIR, "/birthDate", "parse"},
			},
		},
		{
			name: "dstu2 bad dateTime", version: fhir.DSTU2, fixture: "observation",
			change: func(d map[string]any) { d["effectiveDateTime"] = "2020-01-02 10:30" },
			want:   []issueKey{{LayerBase, "/effectiveDateTime", "pattern"}},
		},
		{
			name: "dstu2 bad code", version: fhir.DSTU2, fixture: "patient",
			change: func(d map[string]any) { d["gender"] = "M" },
			want:   []issueKey{{LayerBase, "/gender", "enum"}},
		},
		{
			name: "stu3 bad code", version: fhir.STU3, fixture: "patient",
			change: func(d map[string]any) { d["gender"] = "M" },
			want: []issueKey{
				{LayerBase, "/gender", "enum"},
				{LayerGoogleFHIR, "/gender", "parse"},
			},
		},
		{
			name: "dstu2 missing MR identifier", version: fhir.DSTU2, fixture: "patient",
			change: func(d map[string]any) { at(d, "identifier", 0, "type", "coding", 0)["code"] = "SS" },
			want:   []issueKey{{LayerProfile, "/identifier", "contains"}},
		},
		{
			name: "stu3 missing MR identifier", version: fhir.STU3, fixture: "patient",
			change: func(d map[string]any) { delete(d, "identifier") },
			want:   []issueKey{{LayerProfile, "/identifier", "required"}},
		},
		{
			name: "stu3 MR identifier without value", version: fhir.STU3, fixture: "patient",
			change: func(d map[string]any) { delete(at(d, "identifier", 0), "value") },
			want:   []issueKey{{LayerProfile, "/identifier", "contains"}},
		},
		{
			name: "dstu2 name without given", version: fhir.DSTU2, fixture: "patient",
			change: func(d map[string]any) { delete(at(d, "name", 0), "given") },
			want:   []issueKey{{LayerProfile, "/name", "contains"}},
		},
		{
			name: "stu3 missing gender", version: fhir.STU3, fixture: "patient",
			change: func(d map[string]any) { delete(d, "gender") },
			want:   []issueKey{{LayerProfile, "/gender", "required"}},
		},
		{
			name: "dstu2 missing effective", version: fhir.DSTU2, fixture: "observation",
			change: func(d map[string]any) { delete(d, "effectiveDateTime") },
			want:   []issueKey{{LayerProfile, "/effectiveDateTime", "required"}},
		},
		{
			name: "stu3 missing quantity value", version: fhir.STU3, fixture: "observation",
			change: func(d map[string]any) { delete(at(d, "valueQuantity"), "value") },
			want:   []issueKey{{LayerProfile, "/valueQuantity/value", "required"}},
		},
		{
			name: "stu3 missing value", version: fhir.STU3, fixture: "observation",
			change: func(d map[string]any) { delete(d, "valueQuantity") },
			want:   []issueKey{{LayerProfile, "/valueQuantity", "required"}},
		},
		{
			name: "dstu2 component without value", version: fhir.DSTU2, fixture: "blood-pressure",
			change: func(d map[string]any) { delete(at(d, "component", 1, "valueQuantity"), "value") },
			want:   []issueKey{{LayerProfile, "/component/1/valueQuantity/value", "required"}},
		},
		{
			name: "stu3 component without code", version: fhir.STU3, fixture: "blood-pressure",
			change: func(d map[string]any) { delete(at(d, "component", 0), "code") },
			want: []issueKey{
				{LayerBase, "/component/0/code", "required"},
				{LayerProfile, "/component/0/code", "required"},
			},
		},
		{
			name: "stu3 not vital signs", version: fhir.STU3, fixture: "observation",
			change: func(d map[string]any) { at(d, "category", 0, "coding", 0)["code"] = "laboratory" },
			want:   []issueKey{{LayerProfile, "/category", "contains"}},
		},
		{
			name: "dstu2 two choice types", version: fhir.DSTU2, fixture: "observation",
			change: func(d map[string]any) { d["effectivePeriod"] = map[string]any{"start": "2020"} },
			want: []issueKey{
				{LayerBase, "/effectiveDateTime", "dependencies"},
				{LayerBase, "/effectivePeriod", "dependencies"},
			},
		},
		{
			name: "dstu2 wrong reference target", version: fhir.DSTU2, fixture: "patient",
			change: func(d map[string]any) { at(d, "careProvider", 0)["reference"] = "Patient/p2" },
			want:   []issueKey{{LayerBase, "/careProvider/0/reference", "pattern"}},
		},
		{
			name: "stu3 wrong reference target", version: fhir.STU3, fixture: "patient",
			change: func(d map[string]any) { at(d, "generalPractitioner", 0)["reference"] = "Patient/p2" },
			want:   []issueKey{{LayerGoogleFHIR, "/generalPractitioner/0", "parse"}},
		},
		{
			name: "dstu2 invalid contained resource", version: fhir.DSTU2, fixture: "observation",
			change: func(d map[string]any) {
				d["contained"] = []any{map[string]any{"resourceType": "Practitioner", "nme": "x"}}
			},
			want: []issueKey{{LayerBase, "/contained/0/nme", "additionalProperties"}},
		},
		{
			name: "stu3 invalid contained resource", version: fhir.STU3, fixture: "observation",
			change: func(d map[string]any) {
				d["contained"] = []any{map[string]any{"resourceType": "Practitioner", "active": "yes"}}
			},
			want: []issueKey{{LayerBase, "/contained/0/active", "type"}},
		},
		{
			name: "dstu2 unknown contained type", version: fhir.DSTU2, fixture: "observation",
			change: func(d map[string]any) {
				d["contained"] = []any{map[string]any{"resourceType": "Nothing"}}
			},
			want: []issueKey{{LayerBase, "/contained/0/resourceType", "enum"}},
		},
		{
			name: "dstu2 empty array", version: fhir.DSTU2, fixture: "patient",
			change: func(d map[string]any) { d["telecom"] = []any{} },
			want:   []issueKey{{LayerBase, "/telecom", "minItems"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := fixture(t, tt.version, tt.fixture)
			tt.change(doc)
			err := v.Validate(tt.version, encode(t, doc))
			got := keysOf(err)
			if got == nil {
				t.Fatalf("got error %v, want a *ValidationError", err)
			}
			for _, want := range tt.want {
				if !containsKey(got, want) {
					t.Errorf("got issues %+v, want one with %+v", got, want)
				}
			}
		})
	}
}

// TestValidateWrongVersion sends each version's resources to the other.
func TestValidateWrongVersion(t *testing.T) {
	t.Parallel()
	v := validator(t)

	tests := []struct {
		name    string
		from    fhir.Version
		to      fhir.Version
		fixture string
		want    []issueKey
	}{
		{"dstu2 patient as stu3", fhir.DSTU2, fhir.STU3, "patient", []issueKey{
			{LayerBase, "/name/0/family", "type"},
			{LayerGoogleFHIR, "/careProvider", "parse"},
		}},
		{"dstu2 observation as stu3", fhir.DSTU2, fhir.STU3, "observation", []issueKey{
			{LayerBase, "/category", "type"},
			{LayerProfile, "/category", "type"},
		}},
		{"stu3 patient as dstu2", fhir.STU3, fhir.DSTU2, "patient", []issueKey{
			{LayerBase, "/name/0/family", "type"},
			{LayerBase, "/generalPractitioner", "additionalProperties"},
		}},
		{"stu3 observation as dstu2", fhir.STU3, fhir.DSTU2, "observation", []issueKey{
			{LayerBase, "/category", "type"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := keysOf(v.Validate(tt.to, encode(t, fixture(t, tt.from, tt.fixture))))
			for _, want := range tt.want {
				if !containsKey(got, want) {
					t.Errorf("got issues %+v, want one with %+v", got, want)
				}
			}
		})
	}
}

func TestValidateNotAResource(t *testing.T) {
	t.Parallel()
	v := validator(t)

	tests := []struct {
		name  string
		input string
		want  issueKey
	}{
		{"invalid JSON", `{"resourceType": "Patient",`, issueKey{LayerBase, "", "json"}},
		{"trailing data", `{"resourceType": "Patient"} {}`, issueKey{LayerBase, "", "json"}},
		{"array", `[{"resourceType": "Patient"}]`, issueKey{LayerBase, "", "type"}},
		{"no resourceType", `{"id": "p1"}`, issueKey{LayerBase, "/resourceType", "required"}},
		{"unknown resourceType", `{"resourceType": "Patients"}`, issueKey{LayerBase, "/resourceType", "enum"}},
		{"resourceType not a string", `{"resourceType": 7}`, issueKey{LayerBase, "/resourceType", "enum"}},
	}
	for _, tt := range tests {
		for _, ver := range fhir.Versions {
			t.Run(tt.name+"/"+string(ver), func(t *testing.T) {
				t.Parallel()
				got := keysOf(v.Validate(ver, []byte(tt.input)))
				if diff := cmp.Diff([]issueKey{tt.want}, got); diff != "" {
					t.Errorf("issues differ (-want +got):\n%s", diff)
				}
			})
		}
	}
}

func TestValidateUnsupportedVersion(t *testing.T) {
	t.Parallel()
	err := validator(t).Validate(fhir.Version("r4"), []byte(`{"resourceType": "Patient"}`))
	var verr *ValidationError
	if err == nil || errors.As(err, &verr) {
		t.Errorf("got %v, want a plain error naming the version", err)
	}
}

// TestValidateKeepsValuesOut checks that no issue repeats a value from the
// resource, for every kind of failure that jsonschema or google/fhir would
// otherwise quote.
func TestValidateKeepsValuesOut(t *testing.T) {
	t.Parallel()
	v := validator(t)
	const secret = "ZZSECRET"

	tests := []struct {
		name    string
		version fhir.Version
		fixture string
		change  func(d map[string]any)
	}{
		{"dstu2 family type", fhir.DSTU2, "patient", func(d map[string]any) {
			at(d, "name", 0)["family"] = secret
		}},
		{"stu3 family type", fhir.STU3, "patient", func(d map[string]any) {
			at(d, "name", 0)["family"] = []any{secret}
		}},
		{"birthDate pattern", fhir.DSTU2, "patient", func(d map[string]any) {
			d["birthDate"] = "ZZ1990"
		}},
		{"stu3 birthDate pattern", fhir.STU3, "patient", func(d map[string]any) {
			d["birthDate"] = "ZZ1990"
		}},
		{"gender enum", fhir.STU3, "patient", func(d map[string]any) { d["gender"] = secret }},
		{"identifier system const", fhir.STU3, "patient", func(d map[string]any) {
			at(d, "identifier", 0, "type", "coding", 0)["system"] = secret
		}},
		{"reference target", fhir.STU3, "patient", func(d map[string]any) {
			at(d, "generalPractitioner", 0)["reference"] = "Patient/" + secret
		}},
		{"dstu2 reference pattern", fhir.DSTU2, "patient", func(d map[string]any) {
			at(d, "careProvider", 0)["reference"] = "Patient/" + secret
		}},
		{"resourceType", fhir.STU3, "patient", func(d map[string]any) { d["resourceType"] = secret }},
		{"contained resourceType", fhir.STU3, "observation", func(d map[string]any) {
			d["contained"] = []any{map[string]any{"resourceType": secret}}
		}},
		{"decimal type", fhir.STU3, "observation", func(d map[string]any) {
			at(d, "valueQuantity")["value"] = secret
		}},
		{"unknown element value", fhir.STU3, "patient", func(d map[string]any) { d["nickname"] = secret }},
		{"control character", fhir.STU3, "patient", func(d map[string]any) {
			at(d, "name", 0)["family"] = secret + "\u0001"
		}},
		{"integer type", fhir.DSTU2, "patient", func(d map[string]any) {
			d["multipleBirthInteger"] = 1.5
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := fixture(t, tt.version, tt.fixture)
			tt.change(doc)
			err := v.Validate(tt.version, encode(t, doc))
			if err == nil {
				t.Fatalf("got nil, want a validation error")
			}
			var verr *ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("got %T, want *ValidationError", err)
			}
			text := err.Error() + fmt.Sprintf("%+v", verr.Issues)
			for _, value := range []string{secret, "ZZ1990", "1.5"} {
				if strings.Contains(text, value) {
					t.Errorf("got issues containing %q, want no resource values:\n%s", value, text)
				}
			}
		})
	}
}

func TestValidationErrorFormat(t *testing.T) {
	t.Parallel()
	err := &ValidationError{ResourceType: "Patient", Issues: []Issue{
		{Layer: LayerBase, Pointer: "", Keyword: "type", Message: "not an object"},
		{Layer: LayerProfile, Pointer: "/birthDate", Keyword: "pattern", Message: "invalid format"},
	}}
	want := "invalid FHIR resource Patient: 2 issues\n" +
		"/: not an object (base)\n" +
		"/birthDate: invalid format (profile)"
	if got := err.Error(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestResourceTypes(t *testing.T) {
	t.Parallel()
	v := validator(t)

	tests := []struct {
		version fhir.Version
		has     []string
		hasNot  []string
		count   int
	}{
		{fhir.DSTU2, []string{"Patient", "Observation", "MedicationOrder", "Conformance"},
			[]string{"MedicationRequest", "CapabilityStatement", "ResourceList"}, 94},
		{fhir.STU3, []string{"Patient", "Observation", "MedicationRequest", "CapabilityStatement"},
			[]string{"MedicationOrder", "Conformance", "ResourceList", "Resource", "DomainResource"}, 117},
	}
	for _, tt := range tests {
		t.Run(string(tt.version), func(t *testing.T) {
			t.Parallel()
			types := v.ResourceTypes(tt.version)
			set := map[string]bool{}
			for _, rt := range types {
				set[rt] = true
			}
			for _, name := range tt.has {
				if !set[name] {
					t.Errorf("got no %s in ResourceTypes, want it", name)
				}
			}
			for _, name := range tt.hasNot {
				if set[name] {
					t.Errorf("got %s in ResourceTypes, want it absent", name)
				}
			}
			if len(types) != tt.count {
				t.Errorf("got %d resource types, want %d", len(types), tt.count)
			}
		})
	}
	if got := v.ResourceTypes(fhir.Version("r4")); got != nil {
		t.Errorf("got %v for an unsupported version, want nil", got)
	}
}

func TestProfiledTypes(t *testing.T) {
	t.Parallel()
	v := validator(t)
	for _, ver := range fhir.Versions {
		got := v.ProfiledTypes(ver)
		if diff := cmp.Diff([]string{"Observation", "Patient"}, got); diff != "" {
			t.Errorf("%s profiled types differ (-want +got):\n%s", ver, diff)
		}
	}
}

// TestValidateConcurrent runs Validate from many goroutines on a fresh
// Validator, so that compiling and caching race; run it with -race.
func TestValidateConcurrent(t *testing.T) {
	t.Parallel()
	v, err := NewValidator()
	if err != nil {
		t.Fatalf("NewValidator: %v", err)
	}

	type input struct {
		version fhir.Version
		data    []byte
		valid   bool
	}
	var inputs []input
	for _, ver := range fhir.Versions {
		for _, name := range []string{"patient", "observation", "encounter"} {
			doc := fixture(t, ver, name)
			inputs = append(inputs, input{ver, encode(t, doc), true})
			doc["id"] = 7
			inputs = append(inputs, input{ver, encode(t, doc), false})
		}
	}

	var wg sync.WaitGroup
	errs := make(chan error, 8*len(inputs))
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range inputs {
				in := inputs[(i+g)%len(inputs)]
				err := v.Validate(in.version, in.data)
				if (err == nil) != in.valid {
					errs <- fmt.Errorf("%s: got %v, want valid=%v", in.version, err, in.valid)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestProfilesNameKnownTypes(t *testing.T) {
	t.Parallel()
	for _, ver := range fhir.Versions {
		vs, err := newVersionSchemas(ver)
		if err != nil {
			t.Fatalf("read %s profiles: %v", ver, err)
		}
		if err := vs.load(); err != nil {
			t.Errorf("load %s: got %v, want nil", ver, err)
		}
	}
}
