package hl7

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// mustParse parses text or fails the test.
func mustParse(t testing.TB, text string) *Message {
	t.Helper()
	m, err := Parse([]byte(text))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return m
}

// get reads a path from m, failing the test on an invalid path.
func get(t testing.TB, m *Message, path string) string {
	t.Helper()
	p, err := ParsePath(path)
	if err != nil {
		t.Fatalf("ParsePath(%q): %v", path, err)
	}
	return m.Get(p)
}

func segmentNames(m *Message) []string {
	var names []string
	for _, s := range m.Segments() {
		names = append(names, s.Name())
	}
	return names
}

func TestParseMSHNumbering(t *testing.T) {
	t.Parallel()
	const four = `MSH|^~\&|SENDAPP|SENDFAC|RECVAPP|RECVFAC|20240102030405||ADT^A01^ADT_A01|CTRL1|P|2.5.1`
	const five = `MSH|^~\&#|SENDAPP|SENDFAC|RECVAPP|RECVFAC|20240102030405||ORU^R01|CTRL2|P|2.7`
	tests := []struct {
		name, text, path, want string
	}{
		{"MSH-1 is the field separator", four, "MSH-1", "|"},
		{"MSH-2 is the encoding characters", four, "MSH-2", `^~\&`},
		{"MSH-2 component 1 is whole", four, "MSH-2.1", `^~\&`},
		{"MSH-2 has no component 2", four, "MSH-2.2", ""},
		{"MSH-3 sending application", four, "MSH-3", "SENDAPP"},
		{"MSH-4 sending facility", four, "MSH-4", "SENDFAC"},
		{"MSH-7 message time", four, "MSH-7", "20240102030405"},
		{"MSH-8 security empty", four, "MSH-8", ""},
		{"MSH-9.1 message code", four, "MSH-9.1", "ADT"},
		{"MSH-9.2 trigger event", four, "MSH-9.2", "A01"},
		{"MSH-9.3 structure", four, "MSH-9.3", "ADT_A01"},
		{"MSH-10 control id", four, "MSH-10", "CTRL1"},
		{"MSH-12 version", four, "MSH-12", "2.5.1"},
		{"MSH-13 absent", four, "MSH-13", ""},
		{"five encoding characters MSH-2", five, "MSH-2", `^~\&#`},
		{"five encoding characters MSH-3", five, "MSH-3", "SENDAPP"},
		{"five encoding characters MSH-12", five, "MSH-12", "2.7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := mustParse(t, tt.text)
			if got := get(t, m, tt.path); got != tt.want {
				t.Errorf("%s: got %q, want %q", tt.path, got, tt.want)
			}
		})
	}
}

func TestParseMSHFieldCount(t *testing.T) {
	t.Parallel()
	m := mustParse(t, "MSH|^~\\&|A|B\rPID|1||3\rZZ1")
	tests := []struct {
		name    string
		segment int
		want    int
	}{
		{"MSH counts MSH-1 and MSH-2", 0, 4},
		{"PID", 1, 3},
		{"bare segment", 2, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := m.Segments()[tt.segment].FieldCount(); got != tt.want {
				t.Errorf("FieldCount: got %d, want %d", got, tt.want)
			}
		})
	}
}

func TestParseDelimiters(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		text  string
		want  Delimiters
		path  string
		value string
	}{
		{
			name:  "standard",
			text:  "MSH|^~\\&|APP\rPID|1||ID1^^^FAC&1.2&ISO^MR~ID2||FAM^GIV",
			want:  Delimiters{'|', '^', '~', '\\', '&', 0},
			path:  "PID-3(1).4.2",
			value: "1.2",
		},
		{
			name:  "truncation character",
			text:  "MSH|^~\\&#|APP\rPID|1||ID1||FAM^GIV",
			want:  Delimiters{'|', '^', '~', '\\', '&', '#'},
			path:  "PID-5.2",
			value: "GIV",
		},
		{
			name:  "custom set",
			text:  "MSH!@$/%!APP!FAC\rPID!1!!ID1@@@FAC%1.2%ISO@MR$ID2!!FAM@GIV/S/X",
			want:  Delimiters{'!', '@', '$', '/', '%', 0},
			path:  "PID-3(2)",
			value: "ID2",
		},
		{
			name:  "custom set subcomponent",
			text:  "MSH!@$/%!APP!FAC\rPID!1!!ID1@@@FAC%1.2%ISO@MR$ID2!!FAM@GIV/S/X",
			want:  Delimiters{'!', '@', '$', '/', '%', 0},
			path:  "PID-3.4.3",
			value: "ISO",
		},
		{
			name:  "custom set escape",
			text:  "MSH!@$/%!APP!FAC\rPID!1!!ID1@@@FAC%1.2%ISO@MR$ID2!!FAM@GIV/S/X",
			want:  Delimiters{'!', '@', '$', '/', '%', 0},
			path:  "PID-5.2",
			value: "GIV@X",
		},
		{
			name:  "custom set MSH-3",
			text:  "MSH!@$/%!APP!FAC\rPID!1",
			want:  Delimiters{'!', '@', '$', '/', '%', 0},
			path:  "MSH-3",
			value: "APP",
		},
		{
			name:  "pipe inside components with other separator",
			text:  "MSH#^~\\&#APP\rOBX#1#ST#CODE##a|b",
			want:  Delimiters{'#', '^', '~', '\\', '&', 0},
			path:  "OBX-5",
			value: "a|b",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := mustParse(t, tt.text)
			if got := m.Delimiters(); got != tt.want {
				t.Errorf("Delimiters: got %q, want %q", got, tt.want)
			}
			if got := get(t, m, tt.path); got != tt.value {
				t.Errorf("%s: got %q, want %q", tt.path, got, tt.value)
			}
		})
	}
}

func TestParseSegmentEnds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
	}{
		{"carriage return", "MSH|^~\\&|A\rPID|1||X\rOBX|1|NM|C||5"},
		{"line feed", "MSH|^~\\&|A\nPID|1||X\nOBX|1|NM|C||5"},
		{"crlf", "MSH|^~\\&|A\r\nPID|1||X\r\nOBX|1|NM|C||5\r\n"},
		{"mixed", "MSH|^~\\&|A\r\nPID|1||X\nOBX|1|NM|C||5\r"},
		{"trailing empty lines", "MSH|^~\\&|A\rPID|1||X\rOBX|1|NM|C||5\r\r\n\n\r\n"},
		{"blank lines between segments", "MSH|^~\\&|A\n\nPID|1||X\n  \n\t\nOBX|1|NM|C||5\n"},
		{"leading blank lines", "\r\n\r\nMSH|^~\\&|A\rPID|1||X\rOBX|1|NM|C||5"},
		{"byte order mark", "\xef\xbb\xbfMSH|^~\\&|A\rPID|1||X\rOBX|1|NM|C||5\r"},
		{"lf then cr", "MSH|^~\\&|A\n\rPID|1||X\n\rOBX|1|NM|C||5\n\r"},
	}
	wantNames := []string{"MSH", "PID", "OBX"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := mustParse(t, tt.text)
			if diff := cmp.Diff(wantNames, segmentNames(m)); diff != "" {
				t.Errorf("segment names (-want +got):\n%s", diff)
			}
			if got := get(t, m, "OBX-5"); got != "5" {
				t.Errorf("OBX-5: got %q, want %q", got, "5")
			}
			if got := get(t, m, "MSH-3"); got != "A" {
				t.Errorf("MSH-3: got %q, want %q", got, "A")
			}
			for i, s := range m.Segments() {
				if s.Index() != i {
					t.Errorf("segment %d Index: got %d, want %d", i, s.Index(), i)
				}
				if strings.ContainsAny(s.Raw(), "\r\n") {
					t.Errorf("segment %d Raw holds a line terminator", i)
				}
			}
		})
	}
}

// headerError returns the ParseError expected for a fault in MSH-1 or MSH-2.
func headerError(field, reason string) ParseError {
	return ParseError{Name: "MSH", Field: field, Reason: reason}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
		want ParseError
	}{
		{"empty", "", ParseError{Reason: reasonEmpty}},
		{"byte order mark only", "\xef\xbb\xbf", ParseError{Reason: reasonEmpty}},
		{"blank lines only", "\r\n \n\t\r", ParseError{Reason: reasonEmpty}},
		{"no MSH first", "PID|1||SECRETNAME\rMSH|^~\\&", ParseError{Reason: reasonNoMSH}},
		{"MLLP frame", "\x0bMSH|^~\\&|A\r\x1c\r", ParseError{Reason: reasonNoMSH}},
		{"MSH alone", "MSH", headerError("MSH-1", reasonShortMSH)},
		{"MSH with separator only", "MSH|", headerError("MSH-2", reasonShortMSH)},
		{"MSH-2 cut short", "MSH|^~\\", headerError("MSH-2", reasonShortMSH)},
		{"letter as field separator", "MSHX^~\\&XA", headerError("MSH-1", reasonFieldSeparator)},
		{"space as field separator", "MSH ^~\\& A", headerError("MSH-1", reasonFieldSeparator)},
		{"control character as field separator", "MSH\x01^~\\&\x01A", headerError("MSH-1", reasonFieldSeparator)},
		{"two encoding characters", "MSH|^~|A", headerError("MSH-2", reasonEncodingLength)},
		{"six encoding characters", "MSH|^~\\&#$|A", headerError("MSH-2", reasonEncodingLength)},
		{"letter in encoding characters", "MSH|^~A&|A", headerError("MSH-2", reasonEncodingChar)},
		{"space in encoding characters", "MSH|^~ &|A", headerError("MSH-2", reasonEncodingChar)},
		{"repeated encoding character", "MSH|^~\\^|A", headerError("MSH-2", reasonEncodingUnique)},
		{"truncation equals component", "MSH|^~\\&^|A", headerError("MSH-2", reasonEncodingUnique)},
		{"lowercase segment name", "MSH|^~\\&|A\rpid|1||SECRETNAME", ParseError{Segment: 1, Reason: reasonSegmentName}},
		{"two-letter segment name", "MSH|^~\\&|A\rPI|1", ParseError{Segment: 1, Reason: reasonSegmentName}},
		{"four-letter segment name", "MSH|^~\\&|A\rPIDX|1", ParseError{Segment: 1, Reason: reasonSegmentName}},
		{"name followed by other separator", "MSH|^~\\&|A\rPID^1", ParseError{Segment: 1, Reason: reasonSegmentName}},
		{"leading space before name", "MSH|^~\\&|A\r PID|1", ParseError{Segment: 1, Reason: reasonSegmentName}},
		{"name after blank lines", "MSH|^~\\&|A\n\nEVN|A01\n\nP-D|1", ParseError{Segment: 2, Reason: reasonSegmentName}},
		{"second MSH", "MSH|^~\\&|A\rPID|1\rMSH|^~\\&|B", ParseError{Segment: 2, Name: "MSH", Reason: reasonSecondMSH}},
		{"batch trailer", "MSH|^~\\&|A\rPID|1\rBTS|1", ParseError{Segment: 2, Name: "BTS", Reason: reasonBatchSegment}},
		{"file header", "MSH|^~\\&|A\rFHS|^~\\&", ParseError{Segment: 1, Name: "FHS", Reason: reasonBatchSegment}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := Parse([]byte(tt.text))
			if err == nil {
				t.Fatalf("Parse: got message with %d segments, want error", len(m.Segments()))
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse: got error type %T, want *ParseError", err)
			}
			if diff := cmp.Diff(tt.want, *pe); diff != "" {
				t.Errorf("ParseError (-want +got):\n%s", diff)
			}
			if strings.Contains(err.Error(), "SECRETNAME") {
				t.Errorf("error %q contains message content", err)
			}
		})
	}
}

func TestParseErrorText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  ParseError
		want string
	}{
		{"segment only", ParseError{Reason: "r"}, "hl7: segment 0: r"},
		{"with name", ParseError{Segment: 2, Name: "PID", Reason: "r"}, "hl7: segment 2 (PID): r"},
		{"with field", ParseError{Name: "MSH", Field: "MSH-2", Reason: "r"}, "hl7: segment 0 (MSH) field MSH-2: r"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error: got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestParseCopiesInput checks that a Message does not alias the caller's buffer.
func TestParseCopiesInput(t *testing.T) {
	t.Parallel()
	data := []byte("MSH|^~\\&|A\rPID|1||X")
	m, err := Parse(data)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	copy(data, strings.Repeat("Z", len(data)))
	if got := get(t, m, "PID-3"); got != "X" {
		t.Errorf("PID-3 after overwriting the input: got %q, want %q", got, "X")
	}
}

func TestMessageAccessors(t *testing.T) {
	t.Parallel()
	const text = "MSH|^~\\&|APP|FAC|||20240101||ADT^A08^ADT_A01|C-42|P|2.5.1\r" +
		"EVN|A08\rPID|1||ID1\rOBX|1|NM|A||1\rOBX|2|NM|B||2\rOBX|3|NM|C||3"
	m := mustParse(t, text)

	tests := []struct {
		name, got, want string
	}{
		{"Type", m.Type(), "ADT^A08"},
		{"Structure", m.Structure(), "ADT_A01"},
		{"ControlID", m.ControlID(), "C-42"},
		{"VersionID", m.VersionID(), "2.5.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
			}
		})
	}

	t.Run("First", func(t *testing.T) {
		if got := m.First("OBX"); got == nil || got.Index() != 3 {
			t.Errorf("First(OBX): got %v, want segment index 3", got)
		}
		if got := m.First("NTE"); got != nil {
			t.Errorf("First(NTE): got segment %d, want nil", got.Index())
		}
	})
	t.Run("All", func(t *testing.T) {
		var got []string
		for _, s := range m.All("OBX") {
			got = append(got, s.Get(Path{Field: 3}))
		}
		if diff := cmp.Diff([]string{"A", "B", "C"}, got); diff != "" {
			t.Errorf("All(OBX) OBX-3 (-want +got):\n%s", diff)
		}
		if got := m.All("NTE"); got != nil {
			t.Errorf("All(NTE): got %d segments, want nil", len(got))
		}
	})
	t.Run("Raw", func(t *testing.T) {
		if m.Raw() != text {
			t.Errorf("Raw: got a different text than the input")
		}
		if got := m.Segments()[1].Raw(); got != "EVN|A08" {
			t.Errorf("segment Raw: got %q, want %q", got, "EVN|A08")
		}
	})
}

func TestMessageTypeForms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text, wantType, wantStructure string
	}{
		{"code only", "MSH|^~\\&|A||||||ACK|1|P|2.3", "ACK", ""},
		{"code and event", "MSH|^~\\&|A||||||ORU^R01|1|P|2.3", "ORU^R01", ""},
		{"custom component separator", "MSH|$~\\&|A||||||ADT$A04$ADT_A01|1|P|2.3", "ADT^A04", "ADT_A01"},
		{"missing", "MSH|^~\\&|A", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := mustParse(t, tt.text)
			if got := m.Type(); got != tt.wantType {
				t.Errorf("Type: got %q, want %q", got, tt.wantType)
			}
			if got := m.Structure(); got != tt.wantStructure {
				t.Errorf("Structure: got %q, want %q", got, tt.wantStructure)
			}
		})
	}
}

func TestZeroMessage(t *testing.T) {
	t.Parallel()
	var m Message
	if got := m.Type(); got != "" {
		t.Errorf("Type: got %q, want empty", got)
	}
	if got := m.Get(MustParsePath("PID-5")); got != "" {
		t.Errorf("Get: got %q, want empty", got)
	}
}
