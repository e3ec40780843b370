package schemas

import (
	"testing"

	"github.com/ehrbridge/ehrbridge/fhir"
)

// BenchmarkValidate measures one Validate call on a small valid resource,
// with its schemas already compiled.
func BenchmarkValidate(b *testing.B) {
	v := validator(b)
	for _, ver := range fhir.Versions {
		for _, name := range []string{"patient", "observation"} {
			data := encode(b, fixture(b, ver, name))
			if err := v.Validate(ver, data); err != nil {
				b.Fatalf("validate %s %s: %v", ver, name, err)
			}
			b.Run(string(ver)+"/"+name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := v.Validate(ver, data); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkNewValidator measures start-up, which compiles nothing.
func BenchmarkNewValidator(b *testing.B) {
	for b.Loop() {
		if _, err := NewValidator(); err != nil {
			b.Fatal(err)
		}
	}
}
