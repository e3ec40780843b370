package hl7

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readTestdata(b *testing.B, name string) []byte {
	b.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		b.Fatalf("ReadFile: %v", err)
	}
	return data
}

// BenchmarkParse parses synthetic ADT^A01 and ORU^R01 messages.
func BenchmarkParse(b *testing.B) {
	for _, name := range []string{"adt_a01.hl7", "oru_r01.hl7"} {
		b.Run(name, func(b *testing.B) {
			data := readTestdata(b, name)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(data); err != nil {
					b.Fatalf("Parse: %v", err)
				}
			}
		})
	}
}

// BenchmarkParseBaseline splits the ADT^A01 into segments and fields with
// strings.Split, the plain approach, as a yardstick for BenchmarkParse.
func BenchmarkParseBaseline(b *testing.B) {
	data := readTestdata(b, "adt_a01.hl7")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		fields := 0
		for _, segment := range strings.Split(string(data), "\r") {
			fields += len(strings.Split(segment, "|"))
		}
		if fields == 0 {
			b.Fatalf("no fields")
		}
	}
}

// BenchmarkGet reads the values a Patient mapping reads from an ADT^A01.
func BenchmarkGet(b *testing.B) {
	m, err := Parse(readTestdata(b, "adt_a01.hl7"))
	if err != nil {
		b.Fatalf("Parse: %v", err)
	}
	var paths []Path
	for _, s := range []string{"PID-3", "PID-3.4", "PID-5", "PID-5.2", "PID-7", "PID-8", "PID-11.3", "MSH-9.2"} {
		paths = append(paths, MustParsePath(s))
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range paths {
			_ = m.Get(p)
		}
	}
}

// BenchmarkParseAndGet parses an ORU^R01 and reads every OBX result, as the
// feed consumer does for each message.
func BenchmarkParseAndGet(b *testing.B) {
	data := readTestdata(b, "oru_r01.hl7")
	code, value, unit := MustParsePath("OBX-3"), MustParsePath("OBX-5"), MustParsePath("OBX-6")
	b.ReportAllocs()
	for b.Loop() {
		m, err := Parse(data)
		if err != nil {
			b.Fatalf("Parse: %v", err)
		}
		for _, obx := range m.All("OBX") {
			_, _, _ = obx.Get(code), obx.Get(value), obx.Get(unit)
		}
	}
}

func BenchmarkSplit(b *testing.B) {
	data := append(readTestdata(b, "adt_a01.hl7"), readTestdata(b, "oru_r01.hl7")...)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Split(data); err != nil {
			b.Fatalf("Split: %v", err)
		}
	}
}

func BenchmarkParseTime(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		t, err := ParseTime("20240315083012.123+0215")
		if err != nil {
			b.Fatalf("ParseTime: %v", err)
		}
		_ = t.FHIRDateTime(nil)
	}
}
