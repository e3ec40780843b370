package hl7

import "strings"

// decode resolves the escape sequences in one encoded value (a subcomponent
// or a component without subcomponents). It returns s itself, without
// allocating, when s holds no escape character.
//
// Sequences: \F\ \S\ \T\ \R\ \E\ become the field, component, subcomponent,
// repetition and escape characters, and \P\ the truncation character when
// MSH-2 defines one. \Xhh..\ becomes the bytes of its hexadecimal digits.
// \.br\ becomes a line feed. \H\ and \N\ (start and end of highlighting)
// are dropped. Any other sequence, and an escape character without a
// closing one, is kept unchanged.
func decode(s string, d Delimiters) string {
	i := strings.IndexByte(s, d.Escape)
	if i < 0 {
		return s
	}

	var b strings.Builder
	b.Grow(len(s))
	for i >= 0 {
		b.WriteString(s[:i])
		rest := s[i+1:]
		j := strings.IndexByte(rest, d.Escape)
		if j < 0 {
			// Unterminated: keep the escape character and the rest.
			b.WriteString(s[i:])
			return b.String()
		}
		if !writeEscape(&b, rest[:j], d) {
			b.WriteString(s[i : i+j+2])
		}
		s = rest[j+1:]
		i = strings.IndexByte(s, d.Escape)
	}
	b.WriteString(s)
	return b.String()
}

// writeEscape writes the meaning of the escape sequence seq (without its
// escape characters) to b. It returns false, writing nothing, for a
// sequence it does not know.
func writeEscape(b *strings.Builder, seq string, d Delimiters) bool {
	switch seq {
	case "F":
		b.WriteByte(d.Field)
	case "S":
		b.WriteByte(d.Component)
	case "T":
		b.WriteByte(d.Subcomponent)
	case "R":
		b.WriteByte(d.Repetition)
	case "E":
		b.WriteByte(d.Escape)
	case "P":
		if d.Truncation == 0 {
			return false
		}
		b.WriteByte(d.Truncation)
	case "H", "N":
		// Highlighting has no plain-text form.
	case ".br":
		b.WriteByte('\n')
	default:
		if len(seq) > 1 && seq[0] == 'X' {
			return writeHex(b, seq[1:])
		}
		return false
	}
	return true
}

// writeHex writes the bytes spelled by hex, two digits each, and returns
// false, writing nothing, when hex has an odd length or a non-hex digit.
// The bytes are written as they are: UTF-8 is assumed, and invalid UTF-8
// passes through unchanged.
func writeHex(b *strings.Builder, hex string) bool {
	if len(hex)%2 != 0 {
		return false
	}
	for i := 0; i < len(hex); i++ {
		if hexValue(hex[i]) < 0 {
			return false
		}
	}
	for i := 0; i < len(hex); i += 2 {
		b.WriteByte(byte(hexValue(hex[i])<<4 | hexValue(hex[i+1])))
	}
	return true
}

func hexValue(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	}
	return -1
}
