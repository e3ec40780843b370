package hl7

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

const repetitionMessage = "MSH|^~\\&|APP\r" +
	"PID|1||MRN1^^^HOSP&1.2.3&ISO^MR~SSN1^^^SSA^SS~~\"\"||FAM^GIV^MID~ALIAS^A||19800101\r" +
	"OBX|1|NM|8302-2^Body height^LN||172.5|cm^centimeter^UCUM"

func TestFieldRepetitions(t *testing.T) {
	t.Parallel()
	m := mustParse(t, repetitionMessage)
	pid := m.First("PID")

	reps := pid.Repetitions(3)
	var texts []string
	for _, r := range reps {
		texts = append(texts, r.String())
	}
	want := []string{"MRN1^^^HOSP&1.2.3&ISO^MR", "SSN1^^^SSA^SS", "", `""`}
	if diff := cmp.Diff(want, texts); diff != "" {
		t.Errorf("PID-3 repetitions (-want +got):\n%s", diff)
	}

	tests := []struct {
		name string
		got  any
		want any
	}{
		{"field RepetitionCount", pid.Field(3).RepetitionCount(), 4},
		{"empty field RepetitionCount", pid.Field(2).RepetitionCount(), 0},
		{"empty field Repetitions", pid.Repetitions(2) == nil, true},
		{"field beyond end Repetitions", pid.Repetitions(40) == nil, true},
		{"Component", reps[0].Component(1), "MRN1"},
		{"Component with subcomponents", reps[0].Component(4), "HOSP"},
		{"Subcomponent", reps[0].Subcomponent(4, 2), "1.2.3"},
		{"Subcomponent 3", reps[0].Subcomponent(4, 3), "ISO"},
		{"Subcomponent beyond end", reps[0].Subcomponent(4, 4), ""},
		{"Subcomponent of simple component", reps[0].Subcomponent(5, 1), "MR"},
		{"Subcomponent 2 of simple component", reps[0].Subcomponent(5, 2), ""},
		{"Component beyond end", reps[0].Component(9), ""},
		{"Component zero", reps[0].Component(0), ""},
		{"RawComponent", reps[0].RawComponent(4), "HOSP&1.2.3&ISO"},
		{"ComponentCount", reps[0].ComponentCount(), 5},
		{"ComponentCount empty", reps[2].ComponentCount(), 0},
		{"second repetition", reps[1].Component(5), "SS"},
		{"null repetition IsNull", reps[3].IsNull(), true},
		{"null repetition Component", reps[3].Component(1), ""},
		{"Repetition beyond end", pid.Field(3).Repetition(5).String(), ""},
		{"Repetition zero", pid.Field(3).Repetition(0).String(), ""},
		{"Field String", pid.Field(5).String(), "FAM^GIV^MID~ALIAS^A"},
		{"Field IsEmpty", pid.Field(2).IsEmpty(), true},
		{"Field beyond end IsEmpty", pid.Field(99).IsEmpty(), true},
		{"Field zero IsEmpty", pid.Field(0).IsEmpty(), true},
		{"Field negative IsEmpty", pid.Field(-1).IsEmpty(), true},
		{"MSH-1 repetition", m.First("MSH").Field(1).Repetition(1).Component(1), "|"},
		{"MSH-2 not split", m.First("MSH").Field(2).RepetitionCount(), 1},
		{"MSH-2 Repetitions", len(m.First("MSH").Repetitions(2)), 1},
		{"MSH-2 repetition 2", m.First("MSH").Field(2).Repetition(2).String(), ""},
		{"MSH-2 RawComponent 2", m.First("MSH").Field(2).Repetition(1).RawComponent(2), ""},
		{"MSH-2 ComponentCount", m.First("MSH").Field(2).Repetition(1).ComponentCount(), 1},
		{"zero Repetition", Repetition{}.Component(1), ""},
		{"zero Field", Field{}.Repetition(1).Component(1), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
}

func TestEscapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		header string // MSH-2 and the separator after it
		value  string // encoded OBX-5
		want   string
	}{
		{"no escape", `^~\&|`, "plain text", "plain text"},
		{"field separator", `^~\&|`, `a\F\b`, "a|b"},
		{"component separator", `^~\&|`, `a\S\b`, "a^b"},
		{"subcomponent separator", `^~\&|`, `a\T\b`, "a&b"},
		{"repetition separator", `^~\&|`, `a\R\b`, "a~b"},
		{"escape character", `^~\&|`, `a\E\b`, `a\b`},
		{"all in a row", `^~\&|`, `\F\\S\\T\\R\\E\`, `|^&~\`},
		{"line break", `^~\&|`, `line 1\.br\line 2`, "line 1\nline 2"},
		{"highlight dropped", `^~\&|`, `\H\bold\N\ text`, "bold text"},
		{"hex uppercase", `^~\&|`, `\X41\\X4243\`, "ABC"},
		{"hex lowercase", `^~\&|`, `\Xc3a9\`, "é"},
		{"hex odd length kept", `^~\&|`, `a\X414\b`, `a\X414\b`},
		{"hex invalid digit kept", `^~\&|`, `\X4G\`, `\X4G\`},
		{"hex without digits kept", `^~\&|`, `\X\`, `\X\`},
		{"unknown kept", `^~\&|`, `a\Zlocal\b`, `a\Zlocal\b`},
		{"character set switch kept", `^~\&|`, `\C2842\x`, `\C2842\x`},
		{"other formatting kept", `^~\&|`, `a\.sp\b`, `a\.sp\b`},
		{"empty sequence kept", `^~\&|`, `a\\b`, `a\\b`},
		{"lowercase letter kept", `^~\&|`, `a\f\b`, `a\f\b`},
		{"unterminated kept", `^~\&|`, `50\S`, `50\S`},
		{"lone escape at end", `^~\&|`, `50\`, `50\`},
		{"unknown then known", `^~\&|`, `\Q\\F\`, `\Q\|`},
		{"truncation without truncation character", `^~\&|`, `a\P\`, `a\P\`},
		{"truncation character", `^~\&#|`, `a\P\`, "a#"},
		{"custom escape character", `^~/&|`, `a/F/b/S/c`, "a|b^c"},
		{"custom escape keeps backslash", `^~/&|`, `a\b`, `a\b`},
		{"custom delimiters", `$*/%|`, `a/S/b/R/c/T/d`, "a$b*c%d"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := mustParse(t, "MSH|"+tt.header+"APP\rOBX|1|TX|CODE||"+tt.value)
			if got := get(t, m, "OBX-5"); got != tt.want {
				t.Errorf("OBX-5: got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestEscapeSplitsBeforeDecoding(t *testing.T) {
	t.Parallel()
	// An escaped separator must not split: \S\ stays inside component 1.
	m := mustParse(t, "MSH|^~\\&|APP\rOBX|1|TX|CODE||a\\S\\b^c\\T\\d&e")
	tests := []struct {
		path, want string
	}{
		{"OBX-5.1", "a^b"},
		{"OBX-5.2", "c&d"},
		{"OBX-5.2.2", "e"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			if got := get(t, m, tt.path); got != tt.want {
				t.Errorf("%s: got %q, want %q", tt.path, got, tt.want)
			}
		})
	}
}

func TestDecodeAllocations(t *testing.T) {
	d := Delimiters{'|', '^', '~', '\\', '&', 0}
	tests := []struct {
		name  string
		value string
		want  float64
	}{
		{"no escape", "plain value", 0},
		{"escape", `a\S\b`, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := testing.AllocsPerRun(100, func() { _ = decode(tt.value, d) })
			if got != tt.want {
				t.Errorf("allocations: got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNull(t *testing.T) {
	t.Parallel()
	m := mustParse(t, "MSH|^~\\&|APP\r"+
		`PID|1||""~ID2||""^GIV|""|19800101|`+"\r"+
		`NK1|1|FAM^&""^""|||`)
	tests := []struct {
		path     string
		wantNull bool
		wantGet  string
	}{
		{"PID-2", false, ""},
		{"PID-3", true, ""},
		{"PID-3(2)", false, "ID2"},
		{"PID-5", true, ""},
		{"PID-5.1", true, ""},
		{"PID-5.2", false, "GIV"},
		{"PID-6", true, ""},
		{"PID-6.2", true, ""},
		{"PID-6.1.2", true, ""},
		{"PID-7", false, "19800101"},
		{"PID-8", false, ""},
		{"NK1-2.2", false, ""},
		{"NK1-2.2.2", true, ""},
		{"NK1-2.3", true, ""},
		{"NK1-2.3.2", true, ""},
		{"NK1-2.1", false, "FAM"},
		{"MSH-2", false, `^~\&`},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			p := MustParsePath(tt.path)
			if got := m.IsNull(p); got != tt.wantNull {
				t.Errorf("IsNull: got %v, want %v", got, tt.wantNull)
			}
			if got := m.Get(p); got != tt.wantGet {
				t.Errorf("Get: got %q, want %q", got, tt.wantGet)
			}
		})
	}

	t.Run("Field IsNull", func(t *testing.T) {
		pid := m.First("PID")
		if !pid.Field(6).IsNull() {
			t.Errorf("PID-6 Field.IsNull: got false, want true")
		}
		if pid.Field(3).IsNull() {
			t.Errorf("PID-3 Field.IsNull: got true for a field with a null repetition, want false")
		}
		if pid.Field(2).IsNull() {
			t.Errorf("PID-2 Field.IsNull: got true for an empty field, want false")
		}
	})
	t.Run("Values", func(t *testing.T) {
		got := m.Values(MustParsePath("PID-3"))
		if diff := cmp.Diff([]string{"", "ID2"}, got); diff != "" {
			t.Errorf("Values(PID-3) (-want +got):\n%s", diff)
		}
	})
	t.Run("absent segment", func(t *testing.T) {
		if m.IsNull(MustParsePath("OBX-5")) {
			t.Errorf("IsNull(OBX-5): got true for an absent segment, want false")
		}
	})
}
