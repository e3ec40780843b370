package hl7

import "strings"

// Delimiters are the message's encoding characters, read from MSH-1 and
// MSH-2. The usual set is |^~\& (and # as the truncation character from
// HL7 v2.7 on), but a sender may choose others.
type Delimiters struct {
	Field        byte // MSH-1
	Component    byte // MSH-2, first character
	Repetition   byte // MSH-2, second character
	Escape       byte // MSH-2, third character
	Subcomponent byte // MSH-2, fourth character
	// Truncation is the fifth character of MSH-2 (HL7 v2.7 and later), or
	// zero when MSH-2 has four characters.
	Truncation byte
}

// isDelimiterChar reports whether c may serve as a delimiter: printable
// ASCII other than a letter, digit or space.
func isDelimiterChar(c byte) bool {
	if c <= ' ' || c > '~' {
		return false
	}
	return !isUpperOrDigit(c) && !(c >= 'a' && c <= 'z')
}

func isUpperOrDigit(c byte) bool {
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

// parseHeader reads the delimiters from the first segment, which must be
// MSH. The field separator is checked before MSH-2 is looked for, because
// MSH-2 ends at the next field separator.
func parseHeader(line string) (Delimiters, *ParseError) {
	fail := func(field, reason string) (Delimiters, *ParseError) {
		return Delimiters{}, &ParseError{Name: "MSH", Field: field, Reason: reason}
	}
	if len(line) < 4 {
		return fail("MSH-1", reasonShortMSH)
	}
	d := Delimiters{Field: line[3]}
	if !isDelimiterChar(d.Field) {
		return fail("MSH-1", reasonFieldSeparator)
	}

	enc := line[4:]
	if i := strings.IndexByte(enc, d.Field); i >= 0 {
		enc = enc[:i]
	} else if len(enc) < 4 {
		return fail("MSH-2", reasonShortMSH)
	}
	if len(enc) != 4 && len(enc) != 5 {
		return fail("MSH-2", reasonEncodingLength)
	}
	for i := 0; i < len(enc); i++ {
		if !isDelimiterChar(enc[i]) {
			return fail("MSH-2", reasonEncodingChar)
		}
	}

	d.Component, d.Repetition, d.Escape, d.Subcomponent = enc[0], enc[1], enc[2], enc[3]
	if len(enc) == 5 {
		d.Truncation = enc[4]
	}
	if !d.distinct() {
		return fail("MSH-2", reasonEncodingUnique)
	}
	return d, nil
}

// distinct reports whether no two delimiters are the same character.
func (d Delimiters) distinct() bool {
	chars := []byte{d.Field, d.Component, d.Repetition, d.Escape, d.Subcomponent, d.Truncation}
	if d.Truncation == 0 {
		chars = chars[:5]
	}
	for i := range chars {
		for j := i + 1; j < len(chars); j++ {
			if chars[i] == chars[j] {
				return false
			}
		}
	}
	return true
}
