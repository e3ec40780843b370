package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"time"

	"github.com/ehrbridge/ehrbridge/fhir"
	"github.com/ehrbridge/ehrbridge/search"
	"github.com/ehrbridge/ehrbridge/store"
)

// maxSearchFormBytes bounds the form body of POST _search.
const maxSearchFormBytes = 64 << 10

// idPattern is the FHIR id syntax, the same in DSTU2 and STU3.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9\-.]{1,64}$`)

// bundle is a FHIR Bundle: a searchset or a batch-response.
type bundle struct {
	ResourceType string       `json:"resourceType"`
	ID           string       `json:"id"`
	Meta         *bundleMeta  `json:"meta,omitempty"`
	Type         string       `json:"type"`
	Total        *int         `json:"total,omitempty"`
	Link         []bundleLink `json:"link,omitempty"`
	Entry        []entry      `json:"entry,omitempty"`
}

type bundleMeta struct {
	LastUpdated string `json:"lastUpdated"`
}

type bundleLink struct {
	Relation string `json:"relation"`
	URL      string `json:"url"`
}

type entry struct {
	FullURL  string         `json:"fullUrl,omitempty"`
	Resource any            `json:"resource,omitempty"`
	Search   *entrySearch   `json:"search,omitempty"`
	Response *entryResponse `json:"response,omitempty"`
}

type entrySearch struct {
	Mode string `json:"mode"`
}

type entryResponse struct {
	Status       string `json:"status"`
	Location     string `json:"location,omitempty"`
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"lastModified,omitempty"`
}

// serveRead handles GET [base]/Type/id, and GET [base]/Type/_search as a
// search.
func (s *server) serveRead(w http.ResponseWriter, r *http.Request, c *call) {
	resourceType, id := r.PathValue("type"), r.PathValue("id")
	if id == "_search" {
		s.respondSearch(w, r, c, resourceType, r.URL.Query())
		return
	}
	res, err := s.read(r.Context(), c, resourceType, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("ETag", etag(res))
	if !res.LastUpdated.IsZero() {
		w.Header().Set("Last-Modified", res.LastUpdated.UTC().Format(http.TimeFormat))
	}
	s.writeFHIR(w, r, http.StatusOK, res.Body)
}

// read returns the current version of one resource of the call's tenant.
func (s *server) read(ctx context.Context, c *call, resourceType, id string) (store.Resource, error) {
	if err := s.checkType(ctx, c.version, resourceType); err != nil {
		return store.Resource{}, err
	}
	if !idPattern.MatchString(id) {
		return store.Resource{}, newError(http.StatusNotFound, issueNotFound, msgNotFound)
	}
	return c.store.Read(ctx, c.version, resourceType, id)
}

func etag(res store.Resource) string {
	if res.VersionID == "" {
		return ""
	}
	return `W/"` + res.VersionID + `"`
}

func (s *server) serveSearchGet(w http.ResponseWriter, r *http.Request, c *call) {
	s.respondSearch(w, r, c, r.PathValue("type"), r.URL.Query())
}

// serveSearchPost handles POST [base]/Type/_search. Parameters come from
// the form body and the query string together.
func (s *server) serveSearchPost(w http.ResponseWriter, r *http.Request, c *call) {
	mediaType := requestMediaType(r)
	if mediaType != "" && mediaType != "application/x-www-form-urlencoded" {
		s.writeError(w, r, newError(http.StatusUnsupportedMediaType, issueNotSupported,
			"POST _search takes a form body: send Content-Type application/x-www-form-urlencoded"))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxSearchFormBytes))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	params, err := url.ParseQuery(string(body))
	if err != nil {
		s.writeError(w, r, newError(http.StatusBadRequest, issueInvalid,
			"the form body is not valid application/x-www-form-urlencoded"))
		return
	}
	for key, values := range r.URL.Query() {
		params[key] = append(params[key], values...)
	}
	s.respondSearch(w, r, c, r.PathValue("type"), params)
}

func (s *server) respondSearch(w http.ResponseWriter, r *http.Request, c *call, resourceType string, params url.Values) {
	b, err := s.search(r.Context(), c, resourceType, params)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeFHIR(w, r, http.StatusOK, b)
}

// search runs a search in the call's tenant and returns the searchset.
func (s *server) search(ctx context.Context, c *call, resourceType string, params url.Values) (*bundle, error) {
	if err := s.checkType(ctx, c.version, resourceType); err != nil {
		return nil, err
	}
	q, err := search.Parse(c.version, resourceType, params)
	if err != nil {
		return nil, err
	}
	res, err := c.store.Search(ctx, c.version, q)
	if err != nil {
		return nil, err
	}
	return s.searchset(c.version, q, res), nil
}

// searchset builds the searchset Bundle of one page. Its links carry only
// search parameters, so a link replayed with another token searches that
// token's tenant.
func (s *server) searchset(v fhir.Version, q search.Query, res store.SearchResult) *bundle {
	total := res.Total
	b := newBundle("searchset")
	b.Total = &total
	b.Link = []bundleLink{{Relation: "self", URL: s.searchURL(v, q)}}
	if next, ok := nextPage(q, len(res.Resources), res.Total); ok {
		b.Link = append(b.Link, bundleLink{Relation: "next", URL: s.searchURL(v, next)})
	}
	b.Entry = make([]entry, 0, len(res.Resources))
	for _, r := range res.Resources {
		b.Entry = append(b.Entry, entry{
			FullURL:  s.fhirURL(v, r.ResourceType+"/"+r.ID),
			Resource: r.Body,
			Search:   &entrySearch{Mode: "match"},
		})
	}
	return b
}

// nextPage returns the query of the page after q, and false when q is the
// last page or the next offset exceeds what search.Parse accepts.
func nextPage(q search.Query, pageLen, total int) (search.Query, bool) {
	if q.Count <= 0 || pageLen == 0 || q.Offset+pageLen >= total {
		return q, false
	}
	next := q
	next.Offset = q.Offset + q.Count
	return next, next.Offset <= search.MaxOffset
}

func (s *server) searchURL(v fhir.Version, q search.Query) string {
	return s.fhirURL(v, q.ResourceType) + "?" + q.Encode().Encode()
}

func newBundle(bundleType string) *bundle {
	return &bundle{
		ResourceType: "Bundle",
		ID:           newID(),
		Meta:         &bundleMeta{LastUpdated: time.Now().UTC().Format(time.RFC3339Nano)},
		Type:         bundleType,
	}
}

// newID returns a random id for a Bundle that is not stored.
func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never returns an error since Go 1.24
	return hex.EncodeToString(b)
}
