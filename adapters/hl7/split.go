package hl7

import "bytes"

// MLLP framing bytes (Minimal Lower Layer Protocol, HL7 v2 transport).
const (
	mllpStart = 0x0B // vertical tab: start block
	mllpEnd   = 0x1C // file separator: end block, followed by a carriage return
)

// Split divides a file or stream into messages, each ready for [Parse]. The
// returned slices share data's memory.
//
// When the first byte after an optional UTF-8 byte order mark and white
// space is 0x0B, the data is read as MLLP frames: 0x0B, a message, then
// 0x1C 0x0D (a missing 0x0D is accepted at the very end of data). White
// space between frames is skipped. Otherwise the data is plain text in
// which each message starts with a line beginning with "MSH". Lines may
// end with \r, \n or \r\n. Blank lines between messages and the batch
// envelope segments FHS, BHS, BTS and FTS are skipped, and the message text
// is returned without trailing line terminators. A frame's content is split
// the same way, so one frame may carry a batch.
//
// The error is a [*SplitError] with the byte offset of a frame that never
// ends, of data outside a frame, or of text before the first MSH segment.
func Split(data []byte) ([][]byte, error) {
	start := 0
	if bytes.HasPrefix(data, []byte(utf8BOM)) {
		start = len(utf8BOM)
	}
	if i := skipSpace(data, start); i < len(data) && data[i] == mllpStart {
		return splitFrames(data, i)
	}
	return splitLines(data, start, len(data), nil)
}

// splitFrames splits MLLP frames starting at data[i].
func splitFrames(data []byte, i int) ([][]byte, error) {
	var out [][]byte
	for {
		i = skipSpace(data, i)
		if i >= len(data) {
			return out, nil
		}
		if data[i] != mllpStart {
			return nil, &SplitError{Offset: i, Reason: reasonSplitNoStart}
		}

		body := i + 1
		end := bytes.IndexByte(data[body:], mllpEnd)
		if end < 0 {
			return nil, &SplitError{Offset: i, Reason: reasonSplitNoEnd}
		}
		end += body
		if bytes.IndexByte(data[body:end], mllpStart) >= 0 {
			return nil, &SplitError{Offset: i, Reason: reasonSplitNestedOpen}
		}
		if end+1 < len(data) && data[end+1] != '\r' {
			return nil, &SplitError{Offset: end, Reason: reasonSplitBadEnd}
		}

		var err error
		if out, err = splitLines(data, body, end, out); err != nil {
			return nil, err
		}
		i = end + 2
	}
}

// splitLines appends the messages in data[from:to] to out. Offsets in
// errors count from the start of data.
func splitLines(data []byte, from, to int, out [][]byte) ([][]byte, error) {
	msgStart := -1
	flush := func(end int) {
		if msgStart >= 0 {
			out = append(out, bytes.TrimRight(data[msgStart:end], "\r\n"))
			msgStart = -1
		}
	}

	for pos := from; pos < to; {
		end := pos
		for end < to && data[end] != '\r' && data[end] != '\n' {
			end++
		}
		line := data[pos:end]
		switch {
		case isBlank(string(line)):
			// Skipped between messages, and kept inside one: Parse skips it.
		case bytes.HasPrefix(line, []byte("MSH")):
			flush(pos)
			msgStart = pos
		case len(line) >= 3 && isBatchName(string(line[:3])) &&
			(len(line) == 3 || !isUpperOrDigit(line[3])):
			flush(pos)
		case msgStart < 0:
			return nil, &SplitError{Offset: pos, Reason: reasonSplitBeforeMSH}
		}
		pos = end + 1
	}
	flush(to)
	return out, nil
}

// skipSpace returns the offset of the first byte at or after i that is not
// a space, tab, \r or \n.
func skipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}
