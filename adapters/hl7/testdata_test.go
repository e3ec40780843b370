package hl7

import (
	"os"
	"path/filepath"
	"testing"
)

// TestTestdataMessages reads values from the synthetic benchmark messages,
// so the benchmarks measure messages that parse as intended.
func TestTestdataMessages(t *testing.T) {
	t.Parallel()
	read := func(name string) *Message {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatalf("ReadFile: %v", err)
		}
		m, err := Parse(data)
		if err != nil {
			t.Fatalf("Parse %s: %v", name, err)
		}
		return m
	}
	adt, oru := read("adt_a01.hl7"), read("oru_r01.hl7")

	tests := []struct {
		name string
		m    *Message
		path string
		want string
	}{
		{"ADT type", adt, "MSH-9", "ADT"},
		{"ADT trigger", adt, "MSH-9.2", "A01"},
		{"ADT charset", adt, "MSH-18", "UNICODE UTF-8"},
		{"ADT family name", adt, "PID-5", "SYNTHETIC"},
		{"ADT alias", adt, "PID-5(2).2", "AL"},
		{"ADT MRN authority OID", adt, "PID-3.4.2", "2.16.840.1.113883.9.3"},
		{"ADT second identifier type", adt, "PID-3(2).5", "SS"},
		{"ADT birth date", adt, "PID-7", "19800229"},
		{"ADT first OBX value", adt, "OBX-5", "172.5"},
		{"ADT IN2 set id", adt, "IN2-1", "1"},
		{"ORU type", oru, "MSH-9.3", "ORU_R01"},
		{"ORU first result", oru, "OBX-5", "13.2"},
		{"ORU unit", oru, "OBX-6", "g/dL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := get(t, tt.m, tt.path); got != tt.want {
				t.Errorf("%s: got %q, want %q", tt.path, got, tt.want)
			}
		})
	}

	t.Run("ADT note escapes", func(t *testing.T) {
		note := adt.All("OBX")[2].Get(MustParsePath("OBX-5"))
		want := "Patient arrived by car\nPain score 7^10; see & chart \\ notes"
		if note != want {
			t.Errorf("OBX(3)-5: got %q, want %q", note, want)
		}
	})
	t.Run("ORU structured numeric", func(t *testing.T) {
		obx := oru.All("OBX")[3]
		if got := obx.Get(MustParsePath("OBX-5.2")); got != "200" {
			t.Errorf("OBX-5.2: got %q, want %q", got, "200")
		}
	})
	t.Run("ORU text repetitions", func(t *testing.T) {
		got := oru.All("OBX")[4].Values(MustParsePath("OBX-5"))
		if len(got) != 2 {
			t.Fatalf("OBX-5 values: got %d, want 2", len(got))
		}
	})
	t.Run("ADT null field", func(t *testing.T) {
		if !adt.IsNull(MustParsePath("ZPD-3")) {
			t.Errorf("ZPD-3 IsNull: got false, want true")
		}
		in2 := adt.First("IN2")
		last := Path{Field: in2.FieldCount()}
		if !in2.IsNull(last) {
			t.Errorf("IN2-%d IsNull: got false, want true", last.Field)
		}
	})
}
