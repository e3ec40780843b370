package sampledata

import (
	"embed"
	"io/fs"
	"path"
)

// Message is a bundled HL7 v2 message file.
type Message struct {
	Name string // file name, such as adt-a01-new-patient.hl7
	Data []byte // the message, segments ended by "\r"
}

//go:embed hl7/*.hl7
var validFiles embed.FS

//go:embed hl7-invalid/*.hl7
var invalidFiles embed.FS

// HL7Messages returns the sample HL7 v2.5.1 feed, ordered by file name,
// which is also the order to publish them in (an ADT^A01 before the ADT^A08
// that updates the same patient).
func HL7Messages() []Message { return readMessages(validFiles, "hl7") }

// InvalidHL7Messages returns messages that the pipeline must reject into the
// dead-letter store, ordered by file name.
func InvalidHL7Messages() []Message { return readMessages(invalidFiles, "hl7-invalid") }

// readMessages reads every file of dir. The files are embedded, so a read
// error is a build defect and panics.
func readMessages(fsys embed.FS, dir string) []Message {
	entries, err := fs.ReadDir(fsys, dir) // sorted by name
	if err != nil {
		panic(err)
	}
	out := make([]Message, 0, len(entries))
	for _, e := range entries {
		data, err := fsys.ReadFile(path.Join(dir, e.Name()))
		if err != nil {
			panic(err)
		}
		out = append(out, Message{Name: e.Name(), Data: data})
	}
	return out
}
