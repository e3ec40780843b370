package hl7

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// fuzzSeeds returns the synthetic test messages, plain and MLLP-framed.
func fuzzSeeds(t testing.TB) []string {
	seeds := []string{
		repetitionMessage,
		splitMessage1,
		splitMessage1 + "\r" + splitMessage2,
		frame(splitMessage1) + frame(splitMessage2),
		"FHS|^~\\&\rBHS|^~\\&\r" + splitMessage1 + "\rBTS|1\rFTS|1",
		"MSH!@$/%!APP!FAC\rPID!1!!ID1@@@FAC%1.2%ISO@MR$ID2!!FAM@GIV/S/X",
		"MSH|^~\\&#|APP\rOBX|1|TX|CODE||a\\P\\\\F\\\\X41\\\\.br\\\\H\\b\\N\\",
		"\xef\xbb\xbfMSH|^~\\&|A\r\nPID|1||\"\"~X||\"\"^GIV\r\n\r\n",
		"MSH|^~\\&|A\rPID|1\rMSH|^~\\&|B",
	}
	files, err := filepath.Glob(filepath.Join("testdata", "*.hl7"))
	if err != nil {
		t.Fatalf("Glob: %v", err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatalf("ReadFile: %v", err)
		}
		seeds = append(seeds, string(data))
	}
	return seeds
}

var (
	parseReasons = []string{
		reasonEmpty, reasonTooLarge, reasonNoMSH, reasonShortMSH, reasonFieldSeparator,
		reasonEncodingLength, reasonEncodingChar, reasonEncodingUnique, reasonSegmentName,
		reasonSecondMSH, reasonBatchSegment,
	}
	splitReasons = []string{
		reasonSplitBeforeMSH, reasonSplitNoEnd, reasonSplitNoStart, reasonSplitBadEnd,
		reasonSplitNestedOpen,
	}
	segmentNamePattern = regexp.MustCompile(`^([A-Z0-9]{3})?$`)
	errorFieldPattern  = regexp.MustCompile(`^(MSH-[12])?$`)
)

// FuzzParse checks that Parse and Split never panic, that their errors are
// built from fixed texts only, and that they agree with each other.
func FuzzParse(f *testing.F) {
	for _, seed := range fuzzSeeds(f) {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(data)
		if err != nil {
			checkParseError(t, err)
		} else {
			readEverything(t, m)
			checkSplitAgrees(t, data, m)
		}

		parts, err := Split(data)
		if err != nil {
			checkSplitError(t, err, len(data))
			return
		}
		for _, part := range parts {
			again, err := Split(part)
			if err != nil || len(again) != 1 || string(again[0]) != string(part) {
				t.Fatalf("Split of a split message: got %d parts, err %v, want the message itself",
					len(again), err)
			}
			if m, err := Parse(part); err == nil {
				readEverything(t, m)
			} else {
				checkParseError(t, err)
			}
		}
	})
}

// checkParseError checks that err is a ParseError made of fixed texts, so
// it cannot carry message content.
func checkParseError(t *testing.T, err error) {
	t.Helper()
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("Parse error type: got %T, want *ParseError", err)
	}
	if !slices.Contains(parseReasons, pe.Reason) {
		t.Fatalf("Parse error reason %q is not a fixed text", pe.Reason)
	}
	if !segmentNamePattern.MatchString(pe.Name) {
		t.Fatalf("Parse error segment name %q is not a valid name", pe.Name)
	}
	if !errorFieldPattern.MatchString(pe.Field) {
		t.Fatalf("Parse error field %q is not MSH-1 or MSH-2", pe.Field)
	}
	if pe.Segment < 0 {
		t.Fatalf("Parse error segment index %d is negative", pe.Segment)
	}
}

func checkSplitError(t *testing.T, err error, size int) {
	t.Helper()
	var se *SplitError
	if !errors.As(err, &se) {
		t.Fatalf("Split error type: got %T, want *SplitError", err)
	}
	if !slices.Contains(splitReasons, se.Reason) {
		t.Fatalf("Split error reason %q is not a fixed text", se.Reason)
	}
	if se.Offset < 0 || se.Offset > size {
		t.Fatalf("Split error offset %d is outside the input of %d bytes", se.Offset, size)
	}
}

// checkSplitAgrees checks that input Parse accepts is one message for Split,
// with the same segments.
func checkSplitAgrees(t *testing.T, data []byte, m *Message) {
	t.Helper()
	parts, err := Split(data)
	if err != nil {
		t.Fatalf("Split of a parsed message: %v", err)
	}
	if len(parts) != 1 {
		t.Fatalf("Split of a parsed message: got %d messages, want 1", len(parts))
	}
	again, err := Parse(parts[0])
	if err != nil {
		t.Fatalf("Parse after Split: %v", err)
	}
	if !slices.Equal(rawSegments(m), rawSegments(again)) {
		t.Fatalf("Parse after Split: segments differ")
	}
}

func rawSegments(m *Message) []string {
	var out []string
	for _, s := range m.Segments() {
		out = append(out, s.Raw())
	}
	return out
}

// readEverything reads every field, repetition, component and subcomponent
// of m, and checks that Get agrees with the Repetition methods.
func readEverything(t *testing.T, m *Message) {
	t.Helper()
	_ = m.Type() + m.Structure() + m.ControlID() + m.VersionID()
	for _, s := range m.Segments() {
		for f := 0; f <= s.FieldCount()+1; f++ {
			field := s.Field(f)
			_ = field.IsNull()
			reps := field.Repetitions()
			if len(reps) != field.RepetitionCount() {
				t.Fatalf("%s-%d: %d repetitions but RepetitionCount %d",
					s.Name(), f, len(reps), field.RepetitionCount())
			}
			p := Path{Segment: s.Name(), Field: f}
			if values := s.Values(p); len(values) != len(reps) {
				t.Fatalf("%s: %d values for %d repetitions", p, len(values), len(reps))
			}
			_ = s.IsNull(p)
			for r, rep := range reps {
				readRepetition(t, s, Path{Segment: s.Name(), Field: f, Repetition: r + 1}, rep)
			}
		}
	}
}

func readRepetition(t *testing.T, s *Segment, p Path, rep Repetition) {
	t.Helper()
	for c := 1; c <= rep.ComponentCount()+1; c++ {
		for sub := 1; sub <= 3; sub++ {
			p.Component, p.Subcomponent = c, sub
			if got, want := s.Get(p), rep.Subcomponent(c, sub); got != want {
				t.Fatalf("%s: Get and Subcomponent differ", p)
			}
			_ = s.IsNull(p)
		}
	}
}

// longDigitRun matches 3 or more digits in a row, which no error from
// ParseTime holds. The shortest timestamp has 4 digits, so none can leak.
var longDigitRun = regexp.MustCompile(`[0-9]{3,}`)

// FuzzParseTime checks that ParseTime never panics, that its errors never
// hold a timestamp, and that a parsed Time writes back to the same form.
func FuzzParseTime(f *testing.F) {
	for _, seed := range []string{
		"2024", "202403", "20240315", "2024031508", "202403150830", "20240315083012",
		"20240315083012.1234", "202403150830+0215", "20240315083012-0500", "20240315^D",
		"20240230", "2024031524", "20240315083012+1500", "",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		parsed, err := ParseTime(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidTime) {
				t.Fatalf("error %q does not wrap ErrInvalidTime", err)
			}
			if longDigitRun.MatchString(err.Error()) {
				t.Fatalf("error %q holds a run of 3 or more digits", err)
			}
			return
		}
		checkTimeRoundTrip(t, parsed)
	})
}

func checkTimeRoundTrip(t *testing.T, parsed Time) {
	t.Helper()
	again, err := ParseTime(parsed.String())
	if err != nil {
		t.Fatalf("ParseTime(String()): %v", err)
	}
	if again != parsed {
		t.Fatalf("ParseTime(String()): got a different Time")
	}
	if parsed.Precision() < PrecisionHour {
		if got, want := parsed.FHIRDateTime(nil), parsed.FHIRDate(); got != want {
			t.Fatalf("FHIRDateTime %q differs from FHIRDate %q below hour precision", got, want)
		}
		return
	}
	written, err := time.Parse(time.RFC3339Nano, parsed.FHIRDateTime(nil))
	if err != nil {
		t.Fatalf("FHIRDateTime is not RFC 3339: %v", err)
	}
	if !written.Equal(parsed.Time()) {
		t.Fatalf("FHIRDateTime and Time name different instants")
	}
}

// FuzzParsePath checks that a parsed path writes back to its own text.
func FuzzParsePath(f *testing.F) {
	for _, seed := range []string{"PID-3", "PID-5.1", "PID-3(2).4.2", "MSH-9.2", "PID-05", "PID-3(", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePath(s)
		if err != nil {
			var pe *PathError
			if !errors.As(err, &pe) {
				t.Fatalf("error type: got %T, want *PathError", err)
			}
			return
		}
		if got := p.String(); got != s {
			t.Fatalf("String: got %q, want %q", got, s)
		}
		if strings.ContainsAny(s, " \t") {
			t.Fatalf("ParsePath accepted white space")
		}
	})
}
