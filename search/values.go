package search

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// splitValues splits a parameter value at commas that are not escaped with a
// backslash. The parts keep their escapes.
func splitValues(s string) []string {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++ // skip the escaped byte
		case ',':
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// cutUnescaped splits s at the first sep that is not escaped with a backslash.
func cutUnescaped(s string, sep byte) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case sep:
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// Unescape removes FHIR search escapes: \, \| \$ and \\ become , | $ and \.
// A backslash before any other character, or at the end, is kept.
func Unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && strings.IndexByte(`,|$\`, s[i+1]) >= 0 {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// NormalizeString returns s in the form string parameters are indexed and
// matched in: accents removed (canonical decomposition, then combining marks
// dropped), lower case, and runs of white space collapsed to one space. So
// "Müller" and "MULLER" both become "muller". Letters without a
// decomposition, such as ø or ß, are only lower-cased.
func NormalizeString(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s // the transformers used here do not fail on valid or invalid UTF-8
	}
	return strings.Join(strings.Fields(strings.ToLower(out)), " ")
}

// Token is a parsed token search value.
type Token struct {
	// System is the code system or identifier namespace. It is only
	// compared when HasSystem is true; "|code" sets HasSystem with an empty
	// System, which matches codes that have no system.
	System    string
	HasSystem bool
	// Code is the code or identifier value. Empty for "system|", which
	// matches any code in System.
	Code string
}

// ParseToken parses a token value of a Clause: "code", "system|code",
// "|code" or "system|". Escapes are removed from both parts.
func ParseToken(value string) Token {
	system, code, found := cutUnescaped(value, '|')
	if !found {
		return Token{Code: Unescape(value)}
	}
	return Token{System: Unescape(system), HasSystem: true, Code: Unescape(code)}
}
