// Package mappings ships the mapping files that come with ehrbridge: the
// sample EHR's tables (sample-ehr) and HL7 v2 ADT and ORU messages (hl7v2).
// Configurations refer to these folders as builtin:sample-ehr and
// builtin:hl7v2.
package mappings

import "embed"

// FS holds the shipped mapping folders.
//
//go:embed sample-ehr hl7v2
var FS embed.FS

// Folders lists the shipped mapping folders.
var Folders = []string{"sample-ehr", "hl7v2"}
