// Package fhir holds the few FHIR facts that every other package shares:
// the FHIR versions ehrbridge serves and their names on the wire.
package fhir

import "fmt"

// Version is a FHIR release that ehrbridge maps to, stores and serves.
type Version string

// The FHIR versions ehrbridge serves.
const (
	DSTU2 Version = "dstu2" // FHIR 1.0.2
	STU3  Version = "stu3"  // FHIR 3.0.1
)

// Versions lists every supported version in a stable order.
var Versions = []Version{DSTU2, STU3}

// ParseVersion returns the Version named by s ("dstu2" or "stu3").
func ParseVersion(s string) (Version, error) {
	switch Version(s) {
	case DSTU2, STU3:
		return Version(s), nil
	}
	return "", fmt.Errorf("invalid FHIR version %q: use dstu2 or stu3", s)
}

// Release returns the FHIR release number that the version's
// capability statement reports as fhirVersion.
func (v Version) Release() string {
	switch v {
	case DSTU2:
		return "1.0.2"
	case STU3:
		return "3.0.1"
	}
	return ""
}

// MediaType returns the FHIR JSON media type of the version.
func (v Version) MediaType() string {
	if v == DSTU2 {
		return "application/json+fhir"
	}
	return "application/fhir+json"
}
