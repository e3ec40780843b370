package hl7

import (
	"os"
	"path/filepath"
	"testing"
)

// corpusDir returns the folder of public sample messages that lies beside
// the repository checkout, or "" when the module root is not found.
func corpusDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("Getwd: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "corpus", "hl7v2-samples")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// TestCorpus parses every public sample message kept beside the checkout.
// The samples are not part of the repository, so the test skips without
// them.
func TestCorpus(t *testing.T) {
	t.Parallel()
	dir := corpusDir(t)
	files, _ := filepath.Glob(filepath.Join(dir, "*.hl7"))
	if dir == "" || len(files) == 0 {
		t.Skip("no HL7 v2 sample corpus in ../shared/corpus/hl7v2-samples beside the module root")
	}

	messages := 0
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("ReadFile: %v", err)
			}
			parts, err := Split(data)
			if err != nil {
				t.Fatalf("Split: %v", err)
			}
			if len(parts) == 0 {
				t.Fatalf("Split: got no messages, want at least 1")
			}
			for i, part := range parts {
				m, err := Parse(part)
				if err != nil {
					t.Errorf("message %d: Parse: %v", i, err)
					continue
				}
				messages++
				checkCorpusMessage(t, i, m)
			}
		})
	}
	t.Logf("parsed %d messages from %d files", messages, len(files))
}

// checkCorpusMessage checks facts that hold for every well-formed message.
func checkCorpusMessage(t *testing.T, i int, m *Message) {
	t.Helper()
	if m.Type() == "" {
		t.Errorf("message %d: Type is empty", i)
	}
	if m.ControlID() == "" {
		t.Errorf("message %d: ControlID is empty", i)
	}
	if m.VersionID() == "" {
		t.Errorf("message %d: VersionID is empty", i)
	}
	if got := m.Get(MustParsePath("MSH-1")); got != string(m.Delimiters().Field) {
		t.Errorf("message %d: MSH-1: got %q, want the field separator", i, got)
	}
	if msh7 := m.Get(MustParsePath("MSH-7")); msh7 != "" {
		if _, err := ParseTime(msh7); err != nil {
			t.Errorf("message %d: MSH-7: %v", i, err)
		}
	}
	for j, s := range m.Segments() {
		if s.Index() != j {
			t.Errorf("message %d: segment %d: Index is %d", i, j, s.Index())
		}
	}
}
