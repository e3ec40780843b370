// Package search defines the FHIR search parameters ehrbridge serves, parses
// search requests into a Query, and extracts index values from resources.
package search

// Query is a parsed, validated search over one resource type.
type Query struct {
	ResourceType string
	// Clauses must all match (AND). Each clause matches when any of its
	// values matches (OR).
	Clauses []Clause
	Sort    []SortKey
	Count   int // page size after defaults and limits
	Offset  int // number of matches skipped before this page
}

// Clause is one search parameter with its values.
type Clause struct {
	Param    string   // search parameter name, e.g. "family"
	Modifier string   // e.g. "contains", "exact"; empty for the default
	Values   []string // alternatives (comma-separated in the request)
}

// SortKey orders matches by one search parameter.
type SortKey struct {
	Param      string
	Descending bool
}
