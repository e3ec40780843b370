package pipeline_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ehrbridge/ehrbridge/adapters/hl7"
	"github.com/ehrbridge/ehrbridge/adapters/sqlpoll"
	"github.com/ehrbridge/ehrbridge/fhir"
	"github.com/ehrbridge/ehrbridge/mappings"
	"github.com/ehrbridge/ehrbridge/pipeline"
	"github.com/ehrbridge/ehrbridge/sampledata"
	"github.com/ehrbridge/ehrbridge/schemas"
	"github.com/ehrbridge/ehrbridge/search"
	"github.com/ehrbridge/ehrbridge/store/sqlite"
	"github.com/ehrbridge/ehrbridge/transform"
)

const tenant = "5c1f0e2d-3b4a-4c5d-8e6f-7a8b9c0d1e2f"

func newPipeline(t *testing.T) *pipeline.Pipeline {
	t.Helper()
	st, err := sqlite.Open(t.TempDir(), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ts, err := st.Tenant(context.Background(), tenant)
	if err != nil {
		t.Fatal(err)
	}
	v, err := schemas.NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	return &pipeline.Pipeline{Tenant: tenant, Versions: fhir.Versions, Store: ts, Validator: v,
		Logger: slog.New(slog.DiscardHandler)}
}

func hl7Mappings(t *testing.T) *transform.Set {
	t.Helper()
	set, err := transform.Load(mappings.FS, "hl7v2")
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func TestHandleHL7DeadLettersOnce(t *testing.T) {
	p := newPipeline(t)
	set := hl7Mappings(t)
	ctx := context.Background()
	invalid := sampledata.InvalidHL7Messages()
	for round := 0; round < 2; round++ {
		for i, m := range invalid {
			res, err := p.HandleHL7(ctx, "feed", set, "seq "+string(rune('1'+i)), m.Data)
			if err != nil {
				t.Fatalf("%s: %v", m.Name, err)
			}
			if res.Outcome != pipeline.Rejected {
				t.Errorf("%s: got outcome %s, want %s", m.Name, res.Outcome, pipeline.Rejected)
			}
			if !strings.Contains(res.Reason, "mapping hl7v2-") {
				t.Errorf("%s: reason %q does not name the mapping", m.Name, res.Reason)
			}
		}
	}
	letters, err := p.Store.DeadLetters(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(letters) != len(invalid) {
		t.Errorf("got %d dead letters after handling each message twice, want %d", len(letters), len(invalid))
	}
	garbage, err := p.HandleHL7(ctx, "feed", set, "seq 99", []byte("not an HL7 message"))
	if err != nil || garbage.Outcome != pipeline.Rejected {
		t.Errorf("unparsable message: got %+v, %v, want it dead-lettered", garbage, err)
	}
}

func TestHandleHL7SampleMessagesCommit(t *testing.T) {
	p := newPipeline(t)
	set := hl7Mappings(t)
	for _, m := range sampledata.HL7Messages() {
		res, err := p.HandleHL7(context.Background(), "feed", set, m.Name, m.Data)
		if err != nil {
			t.Fatalf("%s: %v", m.Name, err)
		}
		if res.Outcome != pipeline.Committed {
			t.Errorf("%s: got outcome %s (%s), want committed", m.Name, res.Outcome, res.Reason)
		}
	}
}

// TestHandleHL7Corpus runs every public sample message through the HL7
// mappings: each is committed, skipped as unmapped, or dead-lettered with a
// reason that quotes none of its patient name.
func TestHandleHL7Corpus(t *testing.T) {
	dir := corpusDir(t)
	files, _ := filepath.Glob(filepath.Join(dir, "*.hl7"))
	p := newPipeline(t)
	set := hl7Mappings(t)
	outcomes := map[pipeline.Outcome]int{}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		messages, err := hl7.Split(data)
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(file), err)
		}
		for _, m := range messages {
			res, err := p.HandleHL7(context.Background(), "corpus", set, filepath.Base(file), m)
			if err != nil {
				t.Fatalf("%s: %v", filepath.Base(file), err)
			}
			outcomes[res.Outcome]++
			if res.Outcome == pipeline.Rejected {
				t.Logf("%s: %s", filepath.Base(file), res.Reason)
			}
			if res.Outcome != pipeline.Rejected {
				continue
			}
			msg, err := hl7.Parse(m)
			if err != nil {
				continue
			}
			family := msg.Get(hl7.MustParsePath("PID-5.1"))
			if len(family) > 3 && strings.Contains(res.Reason, family) {
				t.Errorf("%s: reason quotes the patient's family name: %s", filepath.Base(file), res.Reason)
			}
		}
	}
	t.Logf("corpus outcomes: %v", outcomes)
	if outcomes[pipeline.Committed] == 0 {
		t.Error("no corpus message was committed, want some ADT messages mapped")
	}
}

func corpusDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("module root not found")
		}
		dir = parent
	}
	corpus := filepath.Join(dir, "..", "shared", "corpus", "hl7v2-samples")
	if _, err := os.Stat(corpus); err != nil {
		t.Skipf("HL7 v2 sample corpus not found at %s; it sits beside a checkout in CI", corpus)
	}
	return corpus
}

func TestSyncSQLResumesFromCursor(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ehr.db")
	if err := sampledata.BuildSQLite(ctx, path); err != nil {
		t.Fatal(err)
	}
	db, err := sqlpoll.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	set, err := transform.Load(mappings.FS, "sample-ehr")
	if err != nil {
		t.Fatal(err)
	}
	p := newPipeline(t)
	first, err := p.SyncSQL(ctx, "ehr", db, set)
	if err != nil {
		t.Fatal(err)
	}
	data := sampledata.Generate()
	if want := len(data.Patients) + len(data.VitalSigns); first.Rows != want || first.Committed != want {
		t.Errorf("first sync: got %+v, want %d rows committed", first, want)
	}
	second, err := p.SyncSQL(ctx, "ehr", db, set)
	if err != nil {
		t.Fatal(err)
	}
	if second.Rows != 0 {
		t.Errorf("second sync: got %d rows, want 0 (resume from the saved cursor)", second.Rows)
	}
}

func TestHandleHL7CharacterSets(t *testing.T) {
	p := newPipeline(t)
	set := hl7Mappings(t)
	message := func(charset string) []byte {
		return []byte("MSH|^~\\&|A|B|C|D|20250101120000||ADT^A08^ADT_A01|C1|P|2.5.1||||||" + charset +
			"\rEVN|A08|20250101120000\rPID|1||MRN4242^^^X^MR||M\xfcller^Zo\xeb||19900101|F\r")
	}
	undeclared, err := p.HandleHL7(context.Background(), "feed", set, "seq 1", message(""))
	if err != nil || undeclared.Outcome != pipeline.Rejected {
		t.Errorf("Latin-1 bytes without MSH-18: got %+v, %v, want the message dead-lettered", undeclared, err)
	}
	if !strings.Contains(undeclared.Reason, "MSH-18") {
		t.Errorf("got reason %q, want it to name MSH-18", undeclared.Reason)
	}
	declared, err := p.HandleHL7(context.Background(), "feed", set, "seq 2", message("8859/1"))
	if err != nil || declared.Outcome != pipeline.Committed {
		t.Fatalf("Latin-1 with MSH-18 8859/1: got %+v, %v, want committed", declared, err)
	}
	res, err := p.Store.Search(context.Background(), fhir.STU3, search.Query{ResourceType: "Patient",
		Clauses: []search.Clause{{Param: "family", Values: []string{"müller"}}}, Count: 10})
	if err != nil || res.Total != 1 || !strings.Contains(string(res.Resources[0].Body), "Müller") {
		t.Errorf("got %d patients named Müller (error %v), want the Latin-1 name decoded", res.Total, err)
	}
}
