// Package search defines the FHIR search parameters that ehrbridge serves,
// parses search requests into a [Query], and extracts the values a store
// indexes for each resource.
//
// The parameters live in one table of definitions (name, type, element paths
// per FHIR version), so a new resource type or parameter is a new table row,
// not new code. [Params] and [ResourceTypes] list that table for the
// capability statement.
//
// [Parse] is strict: an unknown parameter, an unsupported modifier or a
// malformed value is rejected with an [*Error], because a clinical lookup
// that silently ignores a filter returns more patients than the client asked
// for. Error text names the parameter and the expected form, never the value.
//
// Matching rules that stores implement:
//   - string parameters (family, given, name) match when the indexed text
//     contains the search text, ignoring case and accents ([NormalizeString]).
//     The :exact modifier compares the text as written. The default is
//     "contains", not FHIR's "starts with", because the clients ehrbridge
//     serves send plain family=chau and expect Chauhan to match.
//   - token parameters compare code (and system, when given) exactly
//     ([ParseToken]).
//   - date parameters compare ranges: a value has the range implied by its
//     precision, and the prefix decides how the ranges must relate
//     ([ParseDate], [DateValue]).
//   - reference parameters compare "Type/id" ([ParamDef.Target] is the
//     type a bare id refers to).
//
// Values inside a [Clause] keep FHIR's escapes (\, \| \$ \\) so that
// [Query.Encode] reproduces them; stores read them through [Unescape],
// [ParseToken] and [ParseDate].
package search
