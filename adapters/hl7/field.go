package hl7

import (
	"log/slog"
	"strings"
)

// null is the HL7 null value. A field, component or subcomponent sent as
// two double quotes instructs the receiver to delete the stored value.
const null = `""`

// Field is one field of a [Segment], with all its repetitions. Its zero
// value is an empty field.
type Field struct {
	text   string
	delims Delimiters
	// literal marks MSH-1 and MSH-2, which hold delimiters and so are
	// neither split nor decoded.
	literal bool
}

// String returns the field in its encoded form, as it appears in the
// message, with repetition, component and subcomponent separators and
// escape sequences left in place.
func (f Field) String() string { return f.text }

// IsEmpty reports whether the field is absent or empty. An empty field
// carries no information, unlike an HL7 null (see [Field.IsNull]).
func (f Field) IsEmpty() bool { return f.text == "" }

// IsNull reports whether the field is the HL7 null value "" (two double
// quotes), which instructs the receiver to delete its stored value.
func (f Field) IsNull() bool { return f.text == null }

// RepetitionCount returns the number of repetitions: 0 for an empty field,
// 1 for a field without repetition separators.
func (f Field) RepetitionCount() int {
	if f.text == "" {
		return 0
	}
	if f.literal {
		return 1
	}
	return strings.Count(f.text, string(f.delims.Repetition)) + 1
}

// Repetition returns repetition i (1-based), or an empty Repetition when
// the field has no repetition i.
func (f Field) Repetition(i int) Repetition {
	if f.literal {
		if i != 1 {
			return Repetition{}
		}
		return Repetition{text: f.text, literal: true}
	}
	return Repetition{text: piece(f.text, f.delims.Repetition, i), delims: f.delims}
}

// Repetitions returns every repetition in order, or nil for an empty field.
func (f Field) Repetitions() []Repetition {
	n := f.RepetitionCount()
	if n == 0 {
		return nil
	}
	if f.literal {
		return []Repetition{{text: f.text, literal: true}}
	}
	out := make([]Repetition, 0, n)
	forEachPiece(f.text, f.delims.Repetition, func(text string) {
		out = append(out, Repetition{text: text, delims: f.delims})
	})
	return out
}

// LogValue hides the field content, which may be patient data.
func (f Field) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// Repetition is one occurrence of a repeating field, made of components
// that may hold subcomponents. Its zero value is empty.
type Repetition struct {
	text    string
	delims  Delimiters
	literal bool
}

// String returns the repetition in its encoded form, as it appears in the
// message.
func (r Repetition) String() string { return r.text }

// IsNull reports whether the whole repetition is the HL7 null value "".
func (r Repetition) IsNull() bool { return r.text == null }

// ComponentCount returns the number of components, or 0 when the
// repetition is empty.
func (r Repetition) ComponentCount() int {
	if r.text == "" {
		return 0
	}
	if r.literal {
		return 1
	}
	return strings.Count(r.text, string(r.delims.Component)) + 1
}

// Component returns the decoded value of subcomponent 1 of component c
// (1-based), so for a component with subcomponents it returns the first.
// It returns "" for an absent component and for the HL7 null value.
func (r Repetition) Component(c int) string { return r.Subcomponent(c, 1) }

// Subcomponent returns the decoded value of subcomponent s of component c
// (both 1-based). It returns "" when either is absent and for the HL7 null
// value.
func (r Repetition) Subcomponent(c, s int) string {
	raw := r.rawSubcomponent(c, s)
	if raw == null {
		return ""
	}
	if r.literal {
		return raw
	}
	return decode(raw, r.delims)
}

// RawComponent returns component c (1-based) in its encoded form, with its
// subcomponent separators and escape sequences.
func (r Repetition) RawComponent(c int) string {
	if r.literal {
		if c != 1 {
			return ""
		}
		return r.text
	}
	return piece(r.text, r.delims.Component, c)
}

// rawSubcomponent returns subcomponent s of component c, still encoded.
func (r Repetition) rawSubcomponent(c, s int) string {
	component := r.RawComponent(c)
	if r.literal {
		if s != 1 {
			return ""
		}
		return component
	}
	return piece(component, r.delims.Subcomponent, s)
}

// LogValue hides the repetition content, which may be patient data.
func (r Repetition) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// piece returns piece n (1-based) of s split at sep, or "" when s has fewer
// pieces or n is not positive. It does not allocate.
func piece(s string, sep byte, n int) string {
	if n < 1 {
		return ""
	}
	for ; n > 1; n-- {
		i := strings.IndexByte(s, sep)
		if i < 0 {
			return ""
		}
		s = s[i+1:]
	}
	if i := strings.IndexByte(s, sep); i >= 0 {
		return s[:i]
	}
	return s
}

// forEachPiece calls fn with every piece of s split at sep.
func forEachPiece(s string, sep byte, fn func(string)) {
	for {
		i := strings.IndexByte(s, sep)
		if i < 0 {
			fn(s)
			return
		}
		fn(s[:i])
		s = s[i+1:]
	}
}
