package hl7

import (
	"bytes"
	"log/slog"
	"math"
	"strings"
)

// utf8BOM is the byte order mark that some senders put before MSH.
const utf8BOM = "\xef\xbb\xbf"

// Message is one parsed HL7 v2 message. It keeps one copy of the message
// text, and its segments, fields and values are slices of that copy. A
// Message is safe for concurrent reads.
type Message struct {
	text     string
	delims   Delimiters
	segments []*Segment
}

// Segment is one segment of a [Message].
type Segment struct {
	name   string
	index  int
	text   string
	delims Delimiters
	// seps holds the offsets in text of every field separator, so a field
	// is found without scanning the segment.
	seps []int32
}

// Parse parses one HL7 v2 message. It reads the delimiters from MSH-1 and
// MSH-2, accepts \r, \n and \r\n as segment terminators (mixed too), and
// skips a leading UTF-8 byte order mark and blank lines. Components,
// subcomponents and escape sequences are resolved only when a value is read.
//
// Parse rejects input whose first segment is not MSH, an MSH segment too
// short to hold its delimiters, and invalid encoding characters. It also
// rejects segment names that are not 3 uppercase letters or digits, a second
// MSH segment, and the batch segments FHS, BHS, BTS and FTS. The error is a
// [*ParseError]. The message text is copied, so the caller may reuse data.
func Parse(data []byte) (*Message, error) {
	data = bytes.TrimPrefix(data, []byte(utf8BOM))
	if len(data) > math.MaxInt32 {
		return nil, &ParseError{Reason: reasonTooLarge}
	}
	m := &Message{text: string(data)}
	if err := m.parseSegments(); err != nil {
		return nil, err
	}
	return m, nil
}

// parseSegments splits m.text into segments and indexes their fields.
func (m *Message) parseSegments() error {
	lines := newLineScanner(m.text)

	// Upper bounds, so the segment structs and field offsets need one
	// allocation each.
	maxSegments := strings.Count(m.text, "\r") + strings.Count(m.text, "\n") + 1
	segs := make([]Segment, 0, maxSegments)
	var seps []int32

	for line, ok := lines.next(); ok; line, ok = lines.next() {
		if isBlank(line) {
			continue
		}
		index := len(segs)
		if index == 0 {
			if !strings.HasPrefix(line, "MSH") {
				return &ParseError{Reason: reasonNoMSH}
			}
			d, err := parseHeader(line)
			if err != nil {
				return err
			}
			m.delims = d
			seps = make([]int32, 0, strings.Count(m.text, string(d.Field)))
		}
		if err := m.checkName(line, index); err != nil {
			return err
		}

		start := len(seps)
		seps = appendSeparators(seps, line, m.delims.Field)
		segs = append(segs, Segment{
			name:   line[:3],
			index:  index,
			text:   line,
			delims: m.delims,
			seps:   seps[start:len(seps):len(seps)],
		})
	}
	if len(segs) == 0 {
		return &ParseError{Reason: reasonEmpty}
	}

	m.segments = make([]*Segment, len(segs))
	for i := range segs {
		m.segments[i] = &segs[i]
	}
	return nil
}

// checkName validates the segment name at the start of line.
func (m *Message) checkName(line string, index int) *ParseError {
	if len(line) < 3 || !isUpperOrDigit(line[0]) || !isUpperOrDigit(line[1]) ||
		!isUpperOrDigit(line[2]) || (len(line) > 3 && line[3] != m.delims.Field) {
		return &ParseError{Segment: index, Reason: reasonSegmentName}
	}
	name := line[:3]
	switch {
	case index > 0 && name == "MSH":
		return &ParseError{Segment: index, Name: name, Reason: reasonSecondMSH}
	case isBatchName(name):
		return &ParseError{Segment: index, Name: name, Reason: reasonBatchSegment}
	}
	return nil
}

// isBatchName reports whether name is a file or batch header or trailer,
// which wrap messages but are not part of one.
func isBatchName(name string) bool {
	switch name {
	case "FHS", "BHS", "BTS", "FTS":
		return true
	}
	return false
}

// appendSeparators appends the offset of every sep in line to seps.
func appendSeparators(seps []int32, line string, sep byte) []int32 {
	for i := 0; i < len(line); i++ {
		if line[i] == sep {
			seps = append(seps, int32(i))
		}
	}
	return seps
}

// isBlank reports whether line holds nothing but spaces and tabs.
func isBlank(line string) bool {
	for i := 0; i < len(line); i++ {
		if line[i] != ' ' && line[i] != '\t' {
			return false
		}
	}
	return true
}

// lineScanner yields the lines of text, ended by \r, \n or \r\n. It keeps
// the offsets of the next \r and of the next \n, so each byte is searched
// once even when a message uses only one of them.
type lineScanner struct {
	text   string
	pos    int
	nextCR int // offset of the next \r at or after pos, or -1
	nextLF int // offset of the next \n at or after pos, or -1
}

func newLineScanner(text string) lineScanner {
	return lineScanner{text: text, nextCR: nextIndex(text, 0, '\r'), nextLF: nextIndex(text, 0, '\n')}
}

// next returns the next line and true, or false after the last line.
func (s *lineScanner) next() (string, bool) {
	if s.pos >= len(s.text) {
		return "", false
	}
	if s.nextCR >= 0 && s.nextCR < s.pos {
		s.nextCR = nextIndex(s.text, s.pos, '\r')
	}
	if s.nextLF >= 0 && s.nextLF < s.pos {
		s.nextLF = nextIndex(s.text, s.pos, '\n')
	}

	end := len(s.text)
	if s.nextCR >= 0 {
		end = s.nextCR
	}
	if s.nextLF >= 0 && s.nextLF < end {
		end = s.nextLF
	}
	line := s.text[s.pos:end]
	s.pos = end + 1
	if end < len(s.text) && s.text[end] == '\r' && s.pos < len(s.text) && s.text[s.pos] == '\n' {
		s.pos++
	}
	return line, true
}

// nextIndex returns the offset of the first c at or after from, or -1.
func nextIndex(text string, from int, c byte) int {
	i := strings.IndexByte(text[from:], c)
	if i < 0 {
		return -1
	}
	return from + i
}

// Delimiters returns the message's encoding characters.
func (m *Message) Delimiters() Delimiters { return m.delims }

// Segments returns every segment in message order. The slice is shared, so
// the caller must not modify it.
func (m *Message) Segments() []*Segment { return m.segments }

// First returns the first segment named name, or nil when there is none.
func (m *Message) First(name string) *Segment {
	for _, s := range m.segments {
		if s.name == name {
			return s
		}
	}
	return nil
}

// All returns every segment named name in message order, or nil.
func (m *Message) All(name string) []*Segment {
	var out []*Segment
	for _, s := range m.segments {
		if s.name == name {
			out = append(out, s)
		}
	}
	return out
}

// Type returns the message type as MSH-9.1 and MSH-9.2 joined by "^", such
// as "ADT^A01", whatever the message's component separator. It returns
// MSH-9.1 alone when MSH-9.2 is empty, as in "ACK".
func (m *Message) Type() string {
	messageType := m.headerField(9).Repetition(1)
	code, event := messageType.Component(1), messageType.Component(2)
	if event == "" {
		return code
	}
	return code + "^" + event
}

// Structure returns the message structure from MSH-9.3, such as "ADT_A01",
// or "" when the sender left it out.
func (m *Message) Structure() string {
	return m.headerField(9).Repetition(1).Component(3)
}

// ControlID returns the message control id from MSH-10.
func (m *Message) ControlID() string {
	return m.headerField(10).Repetition(1).Component(1)
}

// VersionID returns the HL7 version from MSH-12.1, such as "2.5.1".
func (m *Message) VersionID() string {
	return m.headerField(12).Repetition(1).Component(1)
}

// headerField returns MSH field n, or an empty Field for a Message that
// was not made by Parse.
func (m *Message) headerField(n int) Field {
	if len(m.segments) == 0 {
		return Field{}
	}
	return m.segments[0].Field(n)
}

// Raw returns the message text as received, without a byte order mark.
func (m *Message) Raw() string { return m.text }

// LogValue returns the message type, control id and segment count, and no
// patient data, so a Message can be passed to a logger.
func (m *Message) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("type", m.Type()),
		slog.String("control_id", m.ControlID()),
		slog.Int("segments", len(m.segments)),
	)
}

// Name returns the segment name, such as "PID".
func (s *Segment) Name() string { return s.name }

// Index returns the zero-based position of the segment in its message,
// counting only non-blank lines, so MSH is 0.
func (s *Segment) Index() int { return s.index }

// Raw returns the segment text in its encoded form, without the terminator.
func (s *Segment) Raw() string { return s.text }

// FieldCount returns the number of the last field present in the segment,
// so "PID|1||3" has 3 and a bare "PID" has 0. MSH counts MSH-1 and MSH-2.
func (s *Segment) FieldCount() int {
	if s.name == "MSH" {
		return len(s.seps) + 1
	}
	return len(s.seps)
}

// Field returns field n (1-based), or an empty Field when the segment has no
// field n. In MSH, field 1 is the field separator and field 2 the encoding
// characters, so MSH-3 is the first field after them. MSH-1 and MSH-2 are
// returned as they are, never split into components or decoded.
func (s *Segment) Field(n int) Field {
	if s.name == "MSH" {
		switch {
		case n == 1:
			return Field{text: s.text[3:4], literal: true}
		case n == 2:
			return Field{text: s.rawField(1), literal: true}
		}
		n--
	}
	return Field{text: s.rawField(n), delims: s.delims}
}

// rawField returns the text between field separator n-1 and n, counting
// the separator after the name as 0.
func (s *Segment) rawField(n int) string {
	if n < 1 || n > len(s.seps) {
		return ""
	}
	start := int(s.seps[n-1]) + 1
	if n == len(s.seps) {
		return s.text[start:]
	}
	return s.text[start:s.seps[n]]
}

// Repetitions returns every repetition of field n, or nil when the field is
// empty.
func (s *Segment) Repetitions(n int) []Repetition { return s.Field(n).Repetitions() }

// LogValue returns the segment name and index, and no patient data.
func (s *Segment) LogValue() slog.Value {
	return slog.GroupValue(slog.String("name", s.name), slog.Int("index", s.index))
}
