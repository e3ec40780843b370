package hl7

import (
	"errors"
	"strconv"
	"strings"
)

// ErrInvalidTime is wrapped by every error that [ParseTime] returns.
var ErrInvalidTime = errors.New("invalid timestamp")

// ParseError is the error that [Parse] returns for a message it rejects. It
// names the place of the problem and never contains message content, so it is
// safe to log.
type ParseError struct {
	// Segment is the zero-based index of the segment, counting only non-blank
	// lines, so the MSH segment is 0.
	Segment int
	// Name is the segment name, or "" when the name itself is invalid.
	Name string
	// Field is the HL7 field, like "MSH-2", or "" when the whole segment is at
	// fault.
	Field string
	// Reason states what is wrong and, where it helps, how to fix it.
	Reason string
}

// Error formats the location and the reason.
func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString("hl7: segment ")
	b.WriteString(strconv.Itoa(e.Segment))
	if e.Name != "" {
		b.WriteString(" (" + e.Name + ")")
	}
	if e.Field != "" {
		b.WriteString(" field " + e.Field)
	}
	b.WriteString(": " + e.Reason)
	return b.String()
}

// Reasons of a [ParseError]. They are fixed texts, so no input can leak into
// an error.
const (
	reasonEmpty    = "message is empty"
	reasonTooLarge = "message is larger than 2 GiB"
	reasonNoMSH    = "first segment is not MSH"
	reasonShortMSH = "MSH segment is too short to hold the field separator and " +
		"encoding characters"
	reasonFieldSeparator = "field separator must be a printable ASCII character other " +
		"than a letter, digit or space"
	reasonEncodingLength = "encoding characters must be 4 characters (component, " +
		"repetition, escape, subcomponent) or 5 with the truncation character"
	reasonEncodingChar = "encoding characters must be printable ASCII characters " +
		"other than letters, digits and spaces"
	reasonEncodingUnique = "encoding characters must differ from each other and from " +
		"the field separator"
	reasonSegmentName = "segment name must be 3 uppercase letters or digits " +
		"followed by the field separator"
	reasonSecondMSH = "a second MSH segment starts another message; separate the " +
		"messages with Split first"
	reasonBatchSegment = "batch header or trailer segment inside a message; separate " +
		"the batch with Split first"
	reasonSplitBeforeMSH  = "data before the first MSH segment"
	reasonSplitNoEnd      = "MLLP frame has no end block (0x1C 0x0D)"
	reasonSplitNoStart    = "data outside an MLLP frame; expected a start block (0x0B)"
	reasonSplitBadEnd     = "MLLP end block 0x1C is not followed by 0x0D"
	reasonSplitNestedOpen = "MLLP frame has no end block before the next start block (0x0B)"
)

// SplitError is the error that [Split] returns. Offset is the position in
// the input, in bytes from its start, and the error never contains message
// content.
type SplitError struct {
	Offset int
	Reason string
}

// Error formats the offset and the reason.
func (e *SplitError) Error() string {
	return "hl7: split: byte offset " + strconv.Itoa(e.Offset) + ": " + e.Reason
}

// PathError is the error that [ParsePath] returns. Paths come from mapping
// files, not from messages, so the error quotes the path.
type PathError struct {
	Path   string
	Reason string
}

// Error quotes the path and states the reason.
func (e *PathError) Error() string {
	return "hl7: invalid path " + strconv.Quote(e.Path) + ": " + e.Reason
}
