package hl7

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParsePath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Path
	}{
		{"PID-3", Path{Segment: "PID", Field: 3}},
		{"PID-5.1", Path{Segment: "PID", Field: 5, Component: 1}},
		{"PID-11.1.2", Path{Segment: "PID", Field: 11, Component: 1, Subcomponent: 2}},
		{"PID-3(2)", Path{Segment: "PID", Field: 3, Repetition: 2}},
		{"PID-3(2).4", Path{Segment: "PID", Field: 3, Repetition: 2, Component: 4}},
		{"PID-3(12).4.2", Path{Segment: "PID", Field: 3, Repetition: 12, Component: 4, Subcomponent: 2}},
		{"MSH-9.2", Path{Segment: "MSH", Field: 9, Component: 2}},
		{"ZP1-9999", Path{Segment: "ZP1", Field: 9999}},
		{"AL1-3", Path{Segment: "AL1", Field: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParsePath(tt.in)
			if err != nil {
				t.Fatalf("ParsePath: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParsePath (-want +got):\n%s", diff)
			}
			if s := got.String(); s != tt.in {
				t.Errorf("String: got %q, want %q", s, tt.in)
			}
		})
	}
}

func TestParsePathErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in         string
		wantReason string
	}{
		{"", "must start with a segment name"},
		{"PID", "must start with a segment name"},
		{"PID-", "must start with a segment name"},
		{"PID5", "must start with a segment name"},
		{"PID.5", "must start with a segment name"},
		{"pid-5", "segment name must be"},
		{"P-D-5", "segment name must be"},
		{"PIDX-5", "must start with a segment name"},
		{"PID-x", "field number is missing"},
		{"PID-0", "field number must be 1 or more"},
		{"PID-05", "field number must be 1 or more"},
		{"PID-10000", "field number must be at most 9999"},
		{"PID-99999999999999999999", "field number must be at most 9999"},
		{"PID-5.", "component number is missing"},
		{"PID-5.0", "component number must be 1 or more"},
		{"PID-5.1.", "subcomponent number is missing"},
		{"PID-5.1.0", "subcomponent number must be 1 or more"},
		{"PID-5.1.1.1", "unexpected text after the subcomponent"},
		{"PID-3()", "repetition number is missing"},
		{"PID-3(0)", "repetition number must be 1 or more"},
		{"PID-3(2", "repetition must end with )"},
		{"PID-3(2)(3)", "unexpected text after the repetition"},
		{"PID-3.1(2)", "unexpected text after the component"},
		{"PID-3 ", "unexpected text after the field"},
		{"PID-3-1", "unexpected text after the field"},
		{"PID-+3", "field number is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParsePath(tt.in)
			if err == nil {
				t.Fatalf("ParsePath: got %+v, want error", got)
			}
			var pe *PathError
			if !errors.As(err, &pe) {
				t.Fatalf("ParsePath: got error type %T, want *PathError", err)
			}
			if !strings.Contains(pe.Reason, tt.wantReason) {
				t.Errorf("reason: got %q, want it to contain %q", pe.Reason, tt.wantReason)
			}
			if pe.Path != tt.in {
				t.Errorf("Path: got %q, want %q", pe.Path, tt.in)
			}
		})
	}
}

func TestPathString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		path Path
		want string
	}{
		{"field", Path{Segment: "OBX", Field: 5}, "OBX-5"},
		{"subcomponent without component", Path{Segment: "PID", Field: 3, Subcomponent: 2}, "PID-3.1.2"},
		{"no segment", Path{Field: 5}, "-5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.path.String(); got != tt.want {
				t.Errorf("String: got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMustParsePathPanics(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Errorf("MustParsePath(bad): got no panic, want one")
		}
	}()
	MustParsePath("bad")
}

// TestGetDefaults checks the rule that a path without a repetition,
// component or subcomponent reads the first one.
func TestGetDefaults(t *testing.T) {
	t.Parallel()
	m := mustParse(t, repetitionMessage)
	tests := []struct {
		path, want string
	}{
		{"PID-5", "FAM"},
		{"PID-5.1", "FAM"},
		{"PID-5.1.1", "FAM"},
		{"PID-5(1).1.1", "FAM"},
		{"PID-5.2", "GIV"},
		{"PID-5(2)", "ALIAS"},
		{"PID-5(2).2", "A"},
		{"PID-5(3)", ""},
		{"PID-3", "MRN1"},
		{"PID-3.4", "HOSP"},
		{"PID-3.4.2", "1.2.3"},
		{"PID-3(2).4", "SSA"},
		{"PID-3(2).5", "SS"},
		{"PID-3(3)", ""},
		{"PID-3(4)", ""},
		{"PID-7", "19800101"},
		{"PID-8", ""},
		{"PID-99", ""},
		{"OBX-5", "172.5"},
		{"OBX-6", "cm"},
		{"OBX-3.2", "Body height"},
		{"NTE-3", ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			if got := get(t, m, tt.path); got != tt.want {
				t.Errorf("%s: got %q, want %q", tt.path, got, tt.want)
			}
		})
	}
}

func TestSegmentGetName(t *testing.T) {
	t.Parallel()
	m := mustParse(t, repetitionMessage)
	obx := m.First("OBX")
	tests := []struct {
		name string
		path Path
		want string
	}{
		{"same segment", MustParsePath("OBX-5"), "172.5"},
		{"other segment", MustParsePath("PID-5"), ""},
		{"no segment name", Path{Field: 5}, "172.5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := obx.Get(tt.path); got != tt.want {
				t.Errorf("Get: got %q, want %q", got, tt.want)
			}
		})
	}
	if got := obx.Values(MustParsePath("PID-5")); got != nil {
		t.Errorf("Values of another segment's path: got %q, want nil", got)
	}
	if obx.IsNull(MustParsePath("PID-3")) {
		t.Errorf("IsNull of another segment's path: got true, want false")
	}
}

func TestValues(t *testing.T) {
	t.Parallel()
	m := mustParse(t, repetitionMessage+"\rNK1|1|A\\S\\B~C")
	tests := []struct {
		path string
		want []string
	}{
		{"PID-3", []string{"MRN1", "SSN1", "", ""}},
		{"PID-3.5", []string{"MR", "SS", "", ""}},
		{"PID-3.4.2", []string{"1.2.3", "", "", ""}},
		{"PID-3(2).4", []string{"SSA"}},
		{"PID-3(9)", nil},
		{"PID-5.2", []string{"GIV", "A"}},
		{"PID-7", []string{"19800101"}},
		{"PID-2", nil},
		{"NK1-2", []string{"A^B", "C"}},
		{"MSH-2", []string{`^~\&`}},
		{"MSH-1", []string{"|"}},
		{"EVN-1", nil},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			got := m.Values(MustParsePath(tt.path))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Values(%s) (-want +got):\n%s", tt.path, diff)
			}
		})
	}
}
