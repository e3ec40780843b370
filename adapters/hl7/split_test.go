package hl7

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	splitMessage1 = "MSH|^~\\&|A||||||ADT^A01|ID1|P|2.5\rPID|1||X1"
	splitMessage2 = "MSH|^~\\&|B||||||ORU^R01|ID2|P|2.5\rOBX|1|NM|C||5"
)

// frame wraps text in an MLLP frame.
func frame(text string) string { return "\x0b" + text + "\x1c\r" }

func TestSplit(t *testing.T) {
	t.Parallel()
	lf := func(s string) string { return strings.ReplaceAll(s, "\r", "\n") }
	crlf := func(s string) string { return strings.ReplaceAll(s, "\r", "\r\n") }
	tests := []struct {
		name string
		data string
		want []string
	}{
		{"empty", "", nil},
		{"blank", "\r\n\n  \n", nil},
		{"one plain message", splitMessage1 + "\r", []string{splitMessage1}},
		{"two plain messages", splitMessage1 + "\r" + splitMessage2 + "\r", []string{splitMessage1, splitMessage2}},
		{
			"line feed file",
			lf(splitMessage1) + "\n" + lf(splitMessage2) + "\n",
			[]string{lf(splitMessage1), lf(splitMessage2)},
		},
		{
			"crlf file with blank lines",
			"\r\n" + crlf(splitMessage1) + "\r\n\r\n\r\n" + crlf(splitMessage2) + "\r\n\r\n",
			[]string{crlf(splitMessage1), crlf(splitMessage2)},
		},
		{
			"byte order mark",
			"\xef\xbb\xbf" + splitMessage1 + "\n" + splitMessage2,
			[]string{splitMessage1, splitMessage2},
		},
		{
			"batch envelope",
			"FHS|^~\\&|F\rBHS|^~\\&|B\r" + splitMessage1 + "\r" + splitMessage2 + "\rBTS|2\rFTS|1\r",
			[]string{splitMessage1, splitMessage2},
		},
		{"one MLLP frame", frame(splitMessage1), []string{splitMessage1}},
		{
			"MLLP frames with white space between",
			frame(splitMessage1) + "\r\n" + frame(splitMessage2) + "\n",
			[]string{splitMessage1, splitMessage2},
		},
		{
			"MLLP frame with trailing terminator",
			frame(splitMessage1 + "\r"),
			[]string{splitMessage1},
		},
		{
			"MLLP last frame without carriage return",
			frame(splitMessage1) + "\x0b" + splitMessage2 + "\x1c",
			[]string{splitMessage1, splitMessage2},
		},
		{
			"MLLP frame holding a batch",
			frame("BHS|^~\\&\r" + splitMessage1 + "\r" + splitMessage2 + "\rBTS|2"),
			[]string{splitMessage1, splitMessage2},
		},
		{"MLLP after byte order mark", "\xef\xbb\xbf" + frame(splitMessage1), []string{splitMessage1}},
		{"empty MLLP frame", frame("") + frame(splitMessage1), []string{splitMessage1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Split([]byte(tt.data))
			if err != nil {
				t.Fatalf("Split: %v", err)
			}
			var texts []string
			for _, m := range got {
				texts = append(texts, string(m))
			}
			if diff := cmp.Diff(tt.want, texts); diff != "" {
				t.Errorf("Split (-want +got):\n%s", diff)
			}
			for i, m := range got {
				if _, err := Parse(m); err != nil {
					t.Errorf("Parse message %d: %v", i, err)
				}
			}
		})
	}
}

func TestSplitErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		data       string
		wantOffset int
		wantReason string
	}{
		{"frame never ends", frame(splitMessage1) + "\x0b" + splitMessage2, len(frame(splitMessage1)), reasonSplitNoEnd},
		{"first frame never ends", "\x0b" + splitMessage1, 0, reasonSplitNoEnd},
		{
			"frame ends inside the next frame",
			"\x0b" + splitMessage1 + "\x0b" + splitMessage2 + "\x1c\r",
			0,
			reasonSplitNestedOpen,
		},
		{"data between frames", frame(splitMessage1) + "SECRET", len(frame(splitMessage1)), reasonSplitNoStart},
		{
			"end block without carriage return",
			"\x0b" + splitMessage1 + "\x1cX" + frame(splitMessage2),
			1 + len(splitMessage1),
			reasonSplitBadEnd,
		},
		{"text before MSH", "SECRET NOTE\r" + splitMessage1, 0, reasonSplitBeforeMSH},
		{"segment before MSH", "\n\nPID|1||SECRET\n" + splitMessage1, 2, reasonSplitBeforeMSH},
		{"text before MSH in a frame", frame("PID|1\r" + splitMessage1), 1, reasonSplitBeforeMSH},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Split([]byte(tt.data))
			if err == nil {
				t.Fatalf("Split: got %d messages, want error", len(got))
			}
			var se *SplitError
			if !errors.As(err, &se) {
				t.Fatalf("Split: got error type %T, want *SplitError", err)
			}
			if se.Offset != tt.wantOffset {
				t.Errorf("Offset: got %d, want %d", se.Offset, tt.wantOffset)
			}
			if se.Reason != tt.wantReason {
				t.Errorf("Reason: got %q, want %q", se.Reason, tt.wantReason)
			}
			if strings.Contains(err.Error(), "SECRET") {
				t.Errorf("error %q contains message content", err)
			}
		})
	}
}

func TestSplitErrorText(t *testing.T) {
	t.Parallel()
	err := &SplitError{Offset: 42, Reason: reasonSplitNoEnd}
	want := "hl7: split: byte offset 42: MLLP frame has no end block (0x1C 0x0D)"
	if got := err.Error(); got != want {
		t.Errorf("Error: got %q, want %q", got, want)
	}
}
