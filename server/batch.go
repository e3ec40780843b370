package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/ehrbridge/ehrbridge/fhir"
)

// Batch limits.
const (
	maxBatchBytes   = 1 << 20 // request body
	maxBatchEntries = 100
)

// batchRequest is the part of a batch Bundle the server reads.
type batchRequest struct {
	ResourceType string              `json:"resourceType"`
	Type         string              `json:"type"`
	Entry        []batchRequestEntry `json:"entry"`
}

// batchRequestEntry is one entry of a batch Bundle.
type batchRequestEntry struct {
	Request *struct {
		Method string `json:"method"`
		URL    string `json:"url"`
	} `json:"request"`
	// Resource is the Parameters resource of a POST Type/_search entry.
	Resource json.RawMessage `json:"resource"`
}

// serveBatch handles POST [base] with a batch Bundle. Each entry is a read
// or a search in the token's tenant. An entry that fails gets its own status
// and OperationOutcome, and the others still run.
func (s *server) serveBatch(w http.ResponseWriter, r *http.Request, c *call) {
	if mediaType := requestMediaType(r); mediaType != "" && !jsonMediaTypes[mediaType] {
		s.writeError(w, r, newError(http.StatusUnsupportedMediaType, issueNotSupported,
			"the batch Bundle must be FHIR JSON: send Content-Type "+c.version.MediaType()))
		return
	}
	var req batchRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBatchBytes))
	if err := dec.Decode(&req); err != nil {
		if isMaxBytes(err) {
			s.writeError(w, r, err)
			return
		}
		s.writeError(w, r, newError(http.StatusBadRequest, issueInvalid,
			"the request body is not a JSON Bundle"))
		return
	}
	if err := checkBatch(req); err != nil {
		s.writeError(w, r, err)
		return
	}

	resp := newBundle("batch-response")
	resp.Entry = make([]entry, 0, len(req.Entry))
	for _, e := range req.Entry {
		resp.Entry = append(resp.Entry, s.batchEntry(r.Context(), c, e))
	}
	s.writeFHIR(w, r, http.StatusOK, resp)
}

func checkBatch(req batchRequest) error {
	switch {
	case req.ResourceType != "Bundle":
		return newError(http.StatusBadRequest, issueInvalid, "the request body must be a Bundle")
	case req.Type == "transaction":
		return newError(http.StatusBadRequest, issueNotSupported,
			"transactions are not supported by this read-only API: send a Bundle of type batch")
	case req.Type != "batch":
		return newError(http.StatusBadRequest, issueInvalid, "the Bundle type must be batch")
	case len(req.Entry) > maxBatchEntries:
		return newError(http.StatusBadRequest, issueTooCostly,
			fmt.Sprintf("the batch has %d entries, the maximum is %d: split it", len(req.Entry), maxBatchEntries))
	}
	return nil
}

// batchEntry runs one entry and returns its response entry.
func (s *server) batchEntry(ctx context.Context, c *call, req batchRequestEntry) entry {
	e, err := s.runEntry(ctx, c, req)
	if err != nil {
		status, oo := s.outcome(ctx, err)
		return entry{Resource: oo, Response: &entryResponse{Status: statusLine(status)}}
	}
	return e
}

func (s *server) runEntry(ctx context.Context, c *call, req batchRequestEntry) (entry, error) {
	method, rawURL := "", ""
	if req.Request != nil {
		method, rawURL = req.Request.Method, req.Request.URL
	}
	if method != http.MethodGet && method != http.MethodPost {
		return entry{}, newError(http.StatusMethodNotAllowed, issueNotSupported,
			"a batch entry must use GET, or POST to Type/_search: this FHIR API is read-only")
	}
	segments, params, err := s.entryTarget(c.version, rawURL)
	if err != nil {
		return entry{}, err
	}
	if slices.Contains(segments, "_history") {
		return entry{}, errHistory
	}

	searchPost := method == http.MethodPost && len(segments) == 2 && segments[1] == "_search"
	if hasResource(req.Resource) && method == http.MethodGet {
		// A resource that the entry does not read could hold search
		// parameters, and ignoring them would widen the search.
		return entry{}, newError(http.StatusBadRequest, issueInvalid,
			"a GET batch entry must not carry a resource: put search parameters in request.url, "+
				"or POST to Type/_search with a Parameters resource")
	}

	switch {
	case len(segments) == 1 && segments[0] == "metadata" && method == http.MethodGet:
		return entry{Resource: json.RawMessage(s.metadata[c.version]), Response: &entryResponse{Status: statusLine(http.StatusOK)}}, nil
	case len(segments) == 1 && method == http.MethodGet:
		return s.searchEntry(ctx, c, segments[0], params)
	case searchPost:
		if err := addParameters(params, req.Resource); err != nil {
			return entry{}, err
		}
		return s.searchEntry(ctx, c, segments[0], params)
	case len(segments) == 2 && segments[1] == "_search":
		return s.searchEntry(ctx, c, segments[0], params)
	case len(segments) == 2 && method == http.MethodGet:
		return s.readEntry(ctx, c, segments[0], segments[1])
	case method == http.MethodPost:
		return entry{}, newError(http.StatusMethodNotAllowed, issueNotSupported,
			"a batch entry may POST only to Type/_search: this FHIR API is read-only")
	default:
		return entry{}, newError(http.StatusBadRequest, issueNotSupported,
			"a batch entry URL must be Type, Type/id, Type?params or Type/_search?params")
	}
}

func (s *server) searchEntry(ctx context.Context, c *call, resourceType string, params url.Values) (entry, error) {
	b, err := s.search(ctx, c, resourceType, params)
	if err != nil {
		return entry{}, err
	}
	return entry{Resource: b, Response: &entryResponse{Status: statusLine(http.StatusOK)}}, nil
}

func (s *server) readEntry(ctx context.Context, c *call, resourceType, id string) (entry, error) {
	res, err := s.read(ctx, c, resourceType, id)
	if err != nil {
		return entry{}, err
	}
	resp := &entryResponse{Status: statusLine(http.StatusOK), ETag: etag(res)}
	if !res.LastUpdated.IsZero() {
		resp.LastModified = res.LastUpdated.UTC().Format("2006-01-02T15:04:05.999999999Z07:00")
	}
	return entry{
		FullURL:  s.fhirURL(c.version, res.ResourceType+"/"+res.ID),
		Resource: res.Body,
		Response: resp,
	}, nil
}

// entryTarget resolves a batch entry URL against the version's base and
// returns its path segments and query parameters. A relative URL such as
// Patient/1 or Observation?patient=1 is relative to the base. An absolute
// URL, or a path starting with /, must lie under this server's base for the
// same version: anything else is rejected, so no entry can reach another
// server or version.
func (s *server) entryTarget(v fhir.Version, rawURL string) ([]string, url.Values, error) {
	invalid := func(msg string) error { return newError(http.StatusBadRequest, issueInvalid, msg) }
	if rawURL == "" {
		return nil, nil, invalid("the batch entry has no request.url")
	}
	u, err := url.Parse(rawURL)
	if err != nil || u.Fragment != "" || u.Opaque != "" {
		return nil, nil, invalid("the batch entry request.url is not a valid URL")
	}

	path := u.Path
	basePath := strings.TrimSuffix(s.baseURL.Path, "/") + "/fhir/" + string(v) + "/"
	switch {
	case u.Scheme != "" || u.Host != "":
		if !strings.EqualFold(u.Scheme, s.baseURL.Scheme) || !strings.EqualFold(u.Host, s.baseURL.Host) ||
			!strings.HasPrefix(path, basePath) || u.User != nil {
			return nil, nil, invalid("an absolute batch entry URL must start with " + s.fhirURL(v, ""))
		}
		path = strings.TrimPrefix(path, basePath)
	case strings.HasPrefix(path, "/"):
		if !strings.HasPrefix(path, basePath) {
			return nil, nil, invalid("a batch entry path starting with / must start with " + basePath)
		}
		path = strings.TrimPrefix(path, basePath)
	}

	segments := strings.Split(path, "/")
	for _, seg := range segments {
		if seg == "" || seg == "." || seg == ".." {
			return nil, nil, invalid("the batch entry URL has an empty, . or .. path segment")
		}
	}
	params, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, nil, invalid("the batch entry URL has an invalid query string")
	}
	return segments, params, nil
}

func statusLine(status int) string {
	return fmt.Sprintf("%d %s", status, http.StatusText(status))
}
