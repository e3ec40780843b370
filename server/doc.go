// Package server is the read-only FHIR REST API of ehrbridge, with the
// OAuth 2.0 token endpoint, the JWKS and the SMART configuration beside it.
//
// [New] returns one http.Handler with these routes:
//
//	GET  /fhir/{version}/metadata                         capability statement, no token
//	GET  /fhir/{version}/.well-known/smart-configuration  SMART configuration, no token
//	GET  /fhir/{version}/{type}/{id}                      read
//	GET  /fhir/{version}/{type}                           search
//	POST /fhir/{version}/{type}/_search                   search with a form body
//	POST /fhir/{version}                                  batch Bundle of reads and searches
//	POST /oauth/token                                     client credentials token endpoint
//	GET  /.well-known/jwks.json                           token signing keys
//	GET  /healthz                                         liveness
//
// The version is dstu2 (FHIR 1.0.2) or stu3 (FHIR 3.0.1). Every other method
// on a FHIR path gets 405 with an Allow header, because the API is read-only.
//
// The tenant of a data request comes only from the verified access token.
// The handler opens that tenant's store and no other, so no path, query,
// body, batch entry or paging link can reach another tenant's data. An id
// that exists only for another tenant gets the same 404 as an id that exists
// nowhere.
//
// Responses are FHIR JSON in the version's media type. Every error is an
// OperationOutcome with its HTTP status, and server faults carry only a
// generic message with the request id. The access log records the route
// template, status, duration, tenant, client id and request id, never the
// raw path, query string, body or token, since those may contain PHI.
package server
