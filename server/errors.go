package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/ehrbridge/ehrbridge/search"
	"github.com/ehrbridge/ehrbridge/store"
)

// errPanic marks an error recovered from a handler panic.
var errPanic = errors.New("handler panic")

// FHIR issue type codes (valueset issue-type, the same in DSTU2 and STU3).
const (
	issueInvalid      = "invalid"
	issueSecurity     = "security"
	issueLogin        = "login"
	issueForbidden    = "forbidden"
	issueNotSupported = "not-supported"
	issueNotFound     = "not-found"
	issueTooLong      = "too-long"
	issueTooCostly    = "too-costly"
	issueException    = "exception"
	issueTimeout      = "timeout"
)

// apiError is an error with the HTTP status and the issue returned to the
// client. diagnostics goes to the client, so it must not contain request
// values that may be PHI. cause, if any, goes only to the log.
type apiError struct {
	status      int
	code        string
	diagnostics string
	cause       error
}

func (e *apiError) Error() string {
	if e.cause != nil {
		return e.diagnostics + ": " + e.cause.Error()
	}
	return e.diagnostics
}

func (e *apiError) Unwrap() error { return e.cause }

func newError(status int, code, diagnostics string) *apiError {
	return &apiError{status: status, code: code, diagnostics: diagnostics}
}

// operationOutcome is the FHIR OperationOutcome resource, whose shape is
// the same in DSTU2 and STU3 for the elements used here.
type operationOutcome struct {
	ResourceType string  `json:"resourceType"`
	Issue        []issue `json:"issue"`
}

type issue struct {
	Severity    string `json:"severity"`
	Code        string `json:"code"`
	Diagnostics string `json:"diagnostics"`
}

// outcome maps an error to the response status and OperationOutcome, and
// logs it: a server fault at Error level with the full error, a client
// error at Debug level. It is the only place that turns errors into
// responses, for whole requests and for batch entries alike.
func (s *server) outcome(ctx context.Context, err error) (int, operationOutcome) {
	e := classify(err)
	if e.status >= 500 {
		e.diagnostics = fmt.Sprintf("%s (request id %s)", e.diagnostics, RequestID(ctx))
	}
	level := slog.LevelDebug
	if e.status >= 500 {
		level = slog.LevelError
	}
	s.log.LogAttrs(ctx, level, "request failed",
		slog.Int("status", e.status), slog.String("err", err.Error()),
		slog.String("request_id", RequestID(ctx)))
	return e.status, operationOutcome{
		ResourceType: "OperationOutcome",
		Issue:        []issue{{Severity: "error", Code: e.code, Diagnostics: e.diagnostics}},
	}
}

// classify returns the client-facing form of err. Errors that are not
// known to be safe become a generic 500.
func classify(err error) apiError {
	var (
		api      *apiError
		searchEr *search.Error
		tooLarge *http.MaxBytesError
	)
	switch {
	case errors.As(err, &api):
		return *api
	case errors.As(err, &searchEr):
		// search.Error names the parameter and the expected form, never the value.
		return apiError{status: http.StatusBadRequest, code: issueInvalid, diagnostics: searchEr.Error()}
	case errors.Is(err, store.ErrNotFound):
		return apiError{status: http.StatusNotFound, code: issueNotFound, diagnostics: msgNotFound}
	case errors.As(err, &tooLarge):
		return apiError{status: http.StatusRequestEntityTooLarge, code: issueTooLong,
			diagnostics: fmt.Sprintf("the request body exceeds %d bytes", tooLarge.Limit)}
	case errors.Is(err, context.DeadlineExceeded):
		return apiError{status: http.StatusServiceUnavailable, code: issueTimeout,
			diagnostics: "the request timed out; retry later"}
	default:
		return apiError{status: http.StatusInternalServerError, code: issueException,
			diagnostics: "internal server error"}
	}
}

// msgNotFound is the diagnostics text for every unknown id. It is the same whether the
// id exists for another tenant or nowhere, and it does not echo the id.
const msgNotFound = "no resource of this type has this id"

// writeError writes the OperationOutcome of err.
func (s *server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, oo := s.outcome(r.Context(), err)
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", bearerChallenge)
	}
	s.writeFHIR(w, r, status, oo)
}

// bearerChallenge is the WWW-Authenticate value of every 401 (RFC 6750 §3).
const bearerChallenge = `Bearer realm="ehrbridge", error="invalid_token", ` +
	`error_description="send a valid access token from the token endpoint"`

func isMaxBytes(err error) bool {
	var tooLarge *http.MaxBytesError
	return errors.As(err, &tooLarge)
}
