package transform

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ehrbridge/ehrbridge/adapters/hl7"
	"github.com/ehrbridge/ehrbridge/fhir"
)

const header = `name: test
source: {kind: sql, query: "SELECT * FROM t WHERE u > :cursor ORDER BY u", cursor: u, key: [id]}
resource: Patient
versions: [dstu2, stu3]
id: stable_id("Patient", row.id)
`

func compileSQL(t *testing.T, body string) *Mapping {
	t.Helper()
	m, err := Compile("test.yaml", []byte(header+body), nil)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	return m
}

func render(t *testing.T, m *Mapping, row map[string]any) map[fhir.Version]any {
	t.Helper()
	out, err := m.MapRow(row, fhir.Versions)
	if err != nil {
		t.Fatalf("map: %v", err)
	}
	got := map[fhir.Version]any{}
	for _, o := range out {
		var v any
		if err := json.Unmarshal(o.Body, &v); err != nil {
			t.Fatal(err)
		}
		got[o.Version] = v
	}
	return got
}

func TestTemplateRendering(t *testing.T) {
	tests := []struct {
		name string
		body string
		row  map[string]any
		want map[fhir.Version]string
	}{{
		name: "version switch",
		body: "template:\n  name:\n    - family:\n        $dstu2: ['${ row.f }']\n        $stu3: ${ row.f }\n",
		row:  map[string]any{"id": 1, "f": "Núñez"},
		want: map[fhir.Version]string{
			fhir.DSTU2: `{"resourceType":"Patient","id":"%ID%","name":[{"family":["Núñez"]}]}`,
			fhir.STU3:  `{"resourceType":"Patient","id":"%ID%","name":[{"family":"Núñez"}]}`,
		},
	}, {
		name: "empty values pruned",
		body: "template:\n  active: true\n  name: [{family: '${ row.f }', given: ['${ row.g }']}]\n  telecom: [{$if: row.p != nil, system: phone, value: '${ row.p }'}]\n",
		row:  map[string]any{"id": 1, "f": "", "g": nil, "p": nil},
		want: map[fhir.Version]string{
			fhir.DSTU2: `{"resourceType":"Patient","id":"%ID%","active":true}`,
			fhir.STU3:  `{"resourceType":"Patient","id":"%ID%","active":true}`,
		},
	}, {
		name: "each and interpolation",
		body: "template:\n  identifier:\n    - $each: row.ids\n      $as: x\n      value: 'ID-${ x }'\n",
		row:  map[string]any{"id": 1, "ids": []any{"a", "b"}},
		want: map[fhir.Version]string{
			fhir.DSTU2: `{"resourceType":"Patient","id":"%ID%","identifier":[{"value":"ID-a"},{"value":"ID-b"}]}`,
			fhir.STU3:  `{"resourceType":"Patient","id":"%ID%","identifier":[{"value":"ID-a"},{"value":"ID-b"}]}`,
		},
	}, {
		name: "decimal keeps digits",
		body: "template:\n  extension: [{url: 'http://x', valueDecimal: '${ decimal(row.v) }'}]\n",
		row:  map[string]any{"id": 1, "v": "037.50"},
		want: map[fhir.Version]string{
			fhir.DSTU2: `{"resourceType":"Patient","id":"%ID%","extension":[{"url":"http://x","valueDecimal":37.50}]}`,
			fhir.STU3:  `{"resourceType":"Patient","id":"%ID%","extension":[{"url":"http://x","valueDecimal":37.50}]}`,
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := compileSQL(t, tc.body)
			got := render(t, m, tc.row)
			id, _ := stableID("Patient", tc.row["id"])
			for v, wantText := range tc.want {
				var want any
				if err := json.Unmarshal([]byte(strings.ReplaceAll(wantText, "%ID%", id)), &want); err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(want, got[v]); diff != "" {
					t.Errorf("%s (-want +got):\n%s", v, diff)
				}
			}
		})
	}
}

func TestCompileErrorsLocated(t *testing.T) {
	tests := []struct {
		name string
		body string
		want string
	}{
		{"unknown name", "template:\n  gender: ${ row.sex + nosuch }\n", "test.yaml:7:"},
		{"unknown lookup table", "template:\n  gender: '${ lookup(\"nosuch\", row.sex) }'\n", "unknown lookup table"},
		{"unknown keyword", "template:\n  name: [{$iff: true}]\n", "unknown template keyword"},
		{"unterminated", "template:\n  gender: ${ row.sex\n", "unterminated"},
		{"unknown top-level key", "templat: {}\n", "unknown key \"templat\""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compile("test.yaml", []byte(header+tc.body), nil)
			if err == nil {
				t.Fatal("got no error, want one")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %q, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestRecordErrorsHidePatientValues(t *testing.T) {
	m := compileSQL(t, "template:\n  extension: [{url: 'http://x', valueDecimal: '${ decimal(row.v) }'}]\n  birthDate: '${ fhir_date(row.b) }'\n  gender: '${ int(row.g) }'\n")
	rows := []map[string]any{
		{"id": 1, "v": "ZZSECRET1", "b": "2000-01-01", "g": "1"},
		{"id": 1, "v": "1", "b": "ZZSECRET2", "g": "1"},
		{"id": 1, "v": "1", "b": "2000-01-01", "g": "ZZSECRET3"},
	}
	for i, row := range rows {
		_, err := m.MapRow(row, fhir.Versions)
		if err == nil {
			t.Fatalf("row %d: got no error, want one", i)
		}
		if strings.Contains(err.Error(), "ZZSECRET") {
			t.Errorf("row %d: error %q contains the record's value", i, err)
		}
		if !strings.Contains(err.Error(), "mapping test") {
			t.Errorf("row %d: error %q does not name the mapping", i, err)
		}
	}
}

func TestHL7ForEachUsesOwnGroup(t *testing.T) {
	m, err := Compile("oru.yaml", []byte(`name: oru
source: {kind: hl7v2, messages: [ORU^R01], for_each: OBX}
resource: Observation
versions: [stu3]
id: stable_id(hl7("PID-3.1"), hl7("OBX-1"))
template:
  subject: {reference: 'Patient/${ hl7("PID-3.1") }'}
  valueQuantity: {value: '${ decimal(hl7("OBX-5")) }'}
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := hl7.Parse([]byte("MSH|^~\\&|A|B|C|D|20240101||ORU^R01|1|P|2.5.1\rPID|1||P1\rOBX|1|NM|x||5\rPID|2||P2\rOBX|2|NM|x||6\r"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := m.MapMessage(msg, []fhir.Version{fhir.STU3})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 {
		t.Fatalf("got %d resources, want 2", len(out))
	}
	for i, want := range []string{`"Patient/P1"`, `"Patient/P2"`} {
		if !strings.Contains(string(out[i].Body), want) {
			t.Errorf("resource %d: got %s, want subject %s", i, out[i].Body, want)
		}
	}
}

func TestStableIDDeterministic(t *testing.T) {
	a, _ := stableID("Patient", "MRN1")
	b, _ := stableID("Patient", "MRN1")
	c, _ := stableID("Patient", "MRN2")
	if a != b || a == c {
		t.Errorf("got ids %s, %s, %s: want equal ids for equal keys only", a, b, c)
	}
	if _, err := stableID("Patient", ""); err == nil {
		t.Error("got no error for an empty key, want one")
	}
}
