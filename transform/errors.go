package transform

import (
	"fmt"
	"strings"
)

// Error is a problem in a mapping file, located by line and column.
type Error struct {
	File    string
	Line    int
	Column  int
	Message string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteByte(':')
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, "%d:%d:", e.Line, e.Column)
	}
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
	b.WriteString(e.Message)
	return b.String()
}

// RecordError reports why a mapping could not turn one record into a
// resource. It names the mapping, the template location and the rule, never
// the record's values, so it is safe to log and to store as a dead-letter
// reason.
type RecordError struct {
	Mapping string
	Field   string // JSON pointer of the template element, e.g. "/birthDate"
	Line    int    // line of the rule in the mapping file
	Segment string // for for_each mappings: the segment, e.g. "OBX (segment 7)"
	Err     error
}

func (e *RecordError) Error() string {
	loc := e.Mapping
	if e.Field != "" {
		loc += " " + e.Field
	}
	if e.Line > 0 {
		loc += fmt.Sprintf(" (line %d)", e.Line)
	}
	if e.Segment != "" {
		loc += " in " + e.Segment
	}
	return fmt.Sprintf("mapping %s: %v", loc, e.Err)
}

func (e *RecordError) Unwrap() error { return e.Err }
