package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"time"

	"github.com/ehrbridge/ehrbridge/fhir"
)

// requestIDHeader carries the request id in both directions.
const requestIDHeader = "X-Request-Id"

// maxRequestIDLength bounds a reused request id.
const maxRequestIDLength = 64

// requestInfo collects what the access log reports about one request. The
// outer middleware creates it and the handlers fill it in.
type requestInfo struct {
	id           string
	route        string // route template, never the raw path
	version      fhir.Version
	resourceType string // set only when the type is served
	tenant       string
	clientID     string
	pretty       bool // _pretty=true: indent the JSON response
}

type infoKey struct{}

func infoFrom(ctx context.Context) *requestInfo {
	info, _ := ctx.Value(infoKey{}).(*requestInfo)
	return info
}

// RequestID returns the request id that the server assigned to the request
// whose context is ctx, or "" outside a request.
func RequestID(ctx context.Context) string {
	if info := infoFrom(ctx); info != nil {
		return info.id
	}
	return ""
}

// statusWriter records the status code a handler writes.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// middleware wraps the routes with the request id, the access log, panic
// recovery and the headers every response carries.
func (s *server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &requestInfo{id: requestID(r.Header.Get(requestIDHeader))}
		r = r.WithContext(context.WithValue(r.Context(), infoKey{}, info))

		w.Header().Set(requestIDHeader, info.id)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		sw := &statusWriter{ResponseWriter: w}
		defer s.logAccess(r, sw, info, start)
		defer s.recoverPanic(sw, r)
		next.ServeHTTP(sw, r)
	})
}

// requestID reuses a well-formed client request id or generates one.
func requestID(header string) string {
	if wellFormedRequestID(header) {
		return header
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never returns an error since Go 1.24
	return hex.EncodeToString(b)
}

func wellFormedRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		ok := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == ':'
		if !ok {
			return false
		}
	}
	return true
}

// logAccess writes one access log line. It logs the route template and ids,
// never the raw path, query string, body or token, because ids in the path
// and search values in the query may identify a patient.
func (s *server) logAccess(r *http.Request, w *statusWriter, info *requestInfo, start time.Time) {
	status := w.status
	if status == 0 {
		status = http.StatusOK
	}
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	s.log.LogAttrs(r.Context(), level, "request",
		slog.String("method", r.Method),
		slog.String("route", info.route),
		slog.String("fhir_version", string(info.version)),
		slog.String("resource_type", info.resourceType),
		slog.Int("status", status),
		slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
		slog.String("tenant", info.tenant),
		slog.String("client_id", info.clientID),
		slog.String("request_id", info.id),
	)
}

// recoverPanic turns a handler panic into a 500 OperationOutcome. It
// re-panics http.ErrAbortHandler, which aborts the response on purpose.
func (s *server) recoverPanic(w *statusWriter, r *http.Request) {
	p := recover()
	if p == nil {
		return
	}
	if p == http.ErrAbortHandler {
		panic(p)
	}
	// A runtime error text names the failed operation only. Other panic
	// values may carry request data, so only their type is logged.
	detail := fmt.Sprintf("%T", p)
	if rerr, ok := p.(runtime.Error); ok {
		detail = rerr.Error()
	}
	stack := make([]byte, 8<<10)
	stack = stack[:runtime.Stack(stack, false)]
	err := fmt.Errorf("%w: %s\n%s", errPanic, detail, stack)
	if w.status != 0 {
		// The response has started, so only the log can report the panic.
		s.log.LogAttrs(r.Context(), slog.LevelError, "request failed",
			slog.String("err", err.Error()), slog.String("request_id", RequestID(r.Context())))
		return
	}
	s.writeError(w, r, err)
}
