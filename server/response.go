package server

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/ehrbridge/ehrbridge/fhir"
)

// jsonMediaTypes are the media types a client may request or send for FHIR
// JSON: plain JSON, the DSTU2 type and the STU3 type, accepted in either
// version.
var jsonMediaTypes = map[string]bool{
	"application/json":      true,
	"application/json+fhir": true,
	"application/fhir+json": true,
}

// acceptsJSON reports whether the request accepts a FHIR JSON response,
// from _format when present (it overrides Accept) or from Accept.
func acceptsJSON(r *http.Request) bool {
	if format := r.URL.Query().Get("_format"); format != "" {
		// A '+' that was not percent-encoded in the URL arrives as a space.
		format = strings.ReplaceAll(format, " ", "+")
		if format == "json" {
			return true
		}
		mediaType, _, err := mime.ParseMediaType(format)
		return err == nil && jsonMediaTypes[mediaType]
	}
	accept := strings.Join(r.Header.Values("Accept"), ",")
	if strings.TrimSpace(accept) == "" {
		return true
	}
	for _, part := range strings.Split(accept, ",") {
		mediaType, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		if q, err := strconv.ParseFloat(params["q"], 64); err == nil && q == 0 {
			continue
		}
		if jsonMediaTypes[mediaType] || mediaType == "*/*" || mediaType == "application/*" {
			return true
		}
	}
	return false
}

// requestMediaType returns the media type of the request body, "" when the
// request has no Content-Type.
func requestMediaType(r *http.Request) string {
	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return r.Header.Get("Content-Type")
	}
	return mediaType
}

// writeFHIR writes a FHIR JSON response in the media type of the request's
// FHIR version. Data responses are never cached.
func (s *server) writeFHIR(w http.ResponseWriter, r *http.Request, status int, body any) {
	v, pretty := fhir.STU3, false
	if info := infoFrom(r.Context()); info != nil {
		pretty = info.pretty
		if info.version != "" {
			v = info.version
		}
	}

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep narrative XHTML readable: <div> instead of \u003cdiv\u003e
	if pretty {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(body); err != nil {
		status, oo := s.outcome(r.Context(), err)
		buf.Reset()
		_ = json.NewEncoder(&buf).Encode(oo)
		writeBody(w, v, status, buf.Bytes())
		return
	}
	writeBody(w, v, status, buf.Bytes())
}

func writeBody(w http.ResponseWriter, v fhir.Version, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", v.MediaType()+"; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
