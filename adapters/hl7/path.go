package hl7

import (
	"strconv"
	"strings"
)

// Path addresses a value in a segment, such as PID-5.1 or PID-3(2).1. The
// numbers are 1-based, and zero means "not given": Repetition 0 selects the
// first repetition, Component 0 component 1 and Subcomponent 0
// subcomponent 1. [ParsePath] documents the text form.
type Path struct {
	Segment      string // segment name, such as "PID"
	Field        int
	Repetition   int
	Component    int
	Subcomponent int
}

// maxPathNumber bounds every number in a path. HL7 v2 defines no segment
// with more than a few hundred fields or a data type with more than a few
// dozen components, so a larger number is a typo.
const maxPathNumber = 9999

// ParsePath parses the text form of a [Path]:
//
//	path         = segment "-" field [ "(" repetition ")" ] [ "." component [ "." subcomponent ] ]
//	segment      = 3 uppercase letters or digits, such as PID, OBX or ZP1
//	field, repetition, component, subcomponent = a number from 1 to 9999, no leading zero
//
// Examples: PID-3, PID-5.1, PID-3(2).4.1, MSH-9.2. The error is a
// [*PathError].
func ParsePath(s string) (Path, error) {
	fail := func(reason string) (Path, error) {
		return Path{}, &PathError{Path: s, Reason: reason}
	}
	if len(s) < 5 || s[3] != '-' {
		return fail("must start with a segment name and a dash, as in PID-5")
	}
	if !isUpperOrDigit(s[0]) || !isUpperOrDigit(s[1]) || !isUpperOrDigit(s[2]) {
		return fail("segment name must be 3 uppercase letters or digits")
	}
	p := Path{Segment: s[:3]}
	rest := s[4:]

	var err string
	if p.Field, rest, err = readNumber(rest, "field"); err != "" {
		return fail(err)
	}
	if strings.HasPrefix(rest, "(") {
		if p.Repetition, rest, err = readNumber(rest[1:], "repetition"); err != "" {
			return fail(err)
		}
		if !strings.HasPrefix(rest, ")") {
			return fail("repetition must end with )")
		}
		rest = rest[1:]
	}
	if strings.HasPrefix(rest, ".") {
		if p.Component, rest, err = readNumber(rest[1:], "component"); err != "" {
			return fail(err)
		}
	}
	if p.Component > 0 && strings.HasPrefix(rest, ".") {
		if p.Subcomponent, rest, err = readNumber(rest[1:], "subcomponent"); err != "" {
			return fail(err)
		}
	}
	if rest != "" {
		return fail("unexpected text after the " + lastPart(p))
	}
	return p, nil
}

// MustParsePath is like [ParsePath] but panics on an invalid path. It is
// meant for paths fixed in code.
func MustParsePath(s string) Path {
	p, err := ParsePath(s)
	if err != nil {
		panic(err)
	}
	return p
}

// readNumber reads the number at the start of s. It returns the number, the
// rest of s, and a reason when the number is missing or invalid.
func readNumber(s, part string) (int, string, string) {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	switch {
	case n == 0:
		return 0, s, part + " number is missing"
	case s[0] == '0':
		return 0, s, part + " number must be 1 or more, without a leading zero"
	case n > len(strconv.Itoa(maxPathNumber)):
		return 0, s, part + " number must be at most " + strconv.Itoa(maxPathNumber)
	}
	v, _ := strconv.Atoi(s[:n])
	return v, s[n:], ""
}

// lastPart names the last part of p that was read, for error messages.
func lastPart(p Path) string {
	switch {
	case p.Subcomponent > 0:
		return "subcomponent"
	case p.Component > 0:
		return "component"
	case p.Repetition > 0:
		return "repetition"
	}
	return "field"
}

// String returns the text form that [ParsePath] reads. It leaves out parts
// that are zero, but writes component 1 when only a subcomponent is given.
func (p Path) String() string {
	var b strings.Builder
	b.WriteString(p.Segment)
	b.WriteByte('-')
	b.WriteString(strconv.Itoa(p.Field))
	if p.Repetition > 0 {
		b.WriteString("(" + strconv.Itoa(p.Repetition) + ")")
	}
	if p.Component > 0 || p.Subcomponent > 0 {
		b.WriteString("." + strconv.Itoa(orFirst(p.Component)))
		if p.Subcomponent > 0 {
			b.WriteString("." + strconv.Itoa(p.Subcomponent))
		}
	}
	return b.String()
}

// Get returns the decoded value at p in the first segment named p.Segment,
// or "" when there is no such segment. See [Segment.Get].
func (m *Message) Get(p Path) string {
	s := m.First(p.Segment)
	if s == nil {
		return ""
	}
	return s.Get(p)
}

// Values returns the values at p for every repetition of the field in the
// first segment named p.Segment. See [Segment.Values].
func (m *Message) Values(p Path) []string {
	s := m.First(p.Segment)
	if s == nil {
		return nil
	}
	return s.Values(p)
}

// IsNull reports whether the value at p in the first segment named
// p.Segment is the HL7 null value. See [Segment.IsNull].
func (m *Message) IsNull(p Path) bool {
	s := m.First(p.Segment)
	return s != nil && s.IsNull(p)
}

// Get returns the decoded value at p: the selected repetition of the field
// (the first when p.Repetition is 0), then component p.Component (1 when
// 0), then subcomponent p.Subcomponent (1 when 0). So PID-5 returns the
// family name, the first component of the first name, and OBX-5 of a
// numeric result returns the number. Get returns "" when the value is
// absent, when it is the HL7 null value "", and when p names a different
// segment (a Path with an empty Segment matches any segment).
func (s *Segment) Get(p Path) string {
	if !s.matches(p) {
		return ""
	}
	return s.Field(p.Field).Repetition(orFirst(p.Repetition)).
		Subcomponent(orFirst(p.Component), orFirst(p.Subcomponent))
}

// Values returns the decoded value at p's component and subcomponent for
// every repetition of the field, in order, with "" for an empty or null
// repetition. With a repetition selector it returns that repetition alone.
// It returns nil when the field is empty, the repetition is absent or p
// names a different segment.
func (s *Segment) Values(p Path) []string {
	if !s.matches(p) {
		return nil
	}
	field := s.Field(p.Field)
	component, subcomponent := orFirst(p.Component), orFirst(p.Subcomponent)
	if p.Repetition > 0 {
		if p.Repetition > field.RepetitionCount() {
			return nil
		}
		return []string{field.Repetition(p.Repetition).Subcomponent(component, subcomponent)}
	}

	n := field.RepetitionCount()
	if n == 0 {
		return nil
	}
	out := make([]string, 0, n)
	if field.literal {
		return append(out, field.Repetition(1).Subcomponent(component, subcomponent))
	}
	forEachPiece(field.text, field.delims.Repetition, func(text string) {
		r := Repetition{text: text, delims: field.delims}
		out = append(out, r.Subcomponent(component, subcomponent))
	})
	return out
}

// IsNull reports whether the value at p, or the field, repetition or
// component that contains it, is the HL7 null value "" (two double quotes).
// A null instructs the receiver to delete its stored value, while an empty
// value means "no information". [Segment.Get] returns "" for both.
func (s *Segment) IsNull(p Path) bool {
	if !s.matches(p) {
		return false
	}
	field := s.Field(p.Field)
	if field.literal {
		return false
	}
	if field.IsNull() {
		return true
	}
	r := field.Repetition(orFirst(p.Repetition))
	if r.IsNull() {
		return true
	}
	component := r.RawComponent(orFirst(p.Component))
	if component == null {
		return true
	}
	return piece(component, r.delims.Subcomponent, orFirst(p.Subcomponent)) == null
}

// matches reports whether p may be read from s.
func (s *Segment) matches(p Path) bool {
	return p.Segment == "" || p.Segment == s.name
}

// orFirst maps the "not given" zero of a path number to 1.
func orFirst(n int) int {
	if n == 0 {
		return 1
	}
	return n
}
