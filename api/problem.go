package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/engine"
)

// ProblemTypePrefix starts the "type" of every problem the API writes;
// the rest names the kind ("urn:elementevents:problem:validation").
const ProblemTypePrefix = "urn:elementevents:problem:"

// Problem is an error answer, as RFC 9457 problem details
// (application/problem+json).
type Problem struct {
	// Type names the kind of problem: [ProblemTypePrefix] and a word
	// (not-found, conflict, precondition-failed, syntax, invalid,
	// validation, not-polling, too-large, unsupported-media-type,
	// method-not-allowed, unauthorized, internal).
	Type string `json:"type"`
	// Title is the status text.
	Title string `json:"title"`
	// Status is the HTTP status.
	Status int `json:"status"`
	// Detail says what went wrong with this request.
	Detail string `json:"detail,omitempty"`
	// Instance is the request's path.
	Instance string `json:"instance,omitempty"`
	// Errors lists a validation error's problems, one per configuration
	// key or JSON path.
	Errors []ProblemError `json:"errors,omitempty"`
	// Offset, Line and Column locate a JSON syntax error in the body
	// (byte offset from 0; line and column from 1).
	Offset *int64 `json:"offset,omitempty"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
}

// ProblemError is one problem of a validation error.
type ProblemError struct {
	// Key is the configuration key or JSON path at fault; empty for the
	// body as a whole.
	Key string `json:"key"`
	// Detail says what is wrong with it.
	Detail string `json:"detail"`
}

// problemTypes names the problem type of each status.
var problemTypes = map[int]string{
	http.StatusBadRequest:            "invalid",
	http.StatusUnauthorized:          "unauthorized",
	http.StatusNotFound:              "not-found",
	http.StatusMethodNotAllowed:      "method-not-allowed",
	http.StatusConflict:              "conflict",
	http.StatusPreconditionFailed:    "precondition-failed",
	http.StatusRequestEntityTooLarge: "too-large",
	http.StatusUnsupportedMediaType:  "unsupported-media-type",
	http.StatusUnprocessableEntity:   "validation",
	http.StatusInternalServerError:   "internal",
	http.StatusBadGateway:            "vendor",
}

// toProblem maps an error of a route to its problem; the causes of 5xx
// are logged, not shown.
func (h *Handler) toProblem(err error, r *request) *Problem {
	var (
		p    Problem
		pe   *Problem
		syn  *element.SyntaxError
		val  *element.ValidationError
		mbe  *http.MaxBytesError
		conf *engine.ConflictError
	)
	switch {
	case errors.As(err, &pe):
		return pe
	case errors.As(err, &mbe):
		p = Problem{Status: http.StatusRequestEntityTooLarge,
			Detail: "the body is longer than the limit of " + itoa(mbe.Limit) + " bytes"}
	case errors.As(err, &syn):
		off := syn.Offset
		p = Problem{Status: http.StatusBadRequest, Type: ProblemTypePrefix + "syntax",
			Detail: syn.Error(), Offset: &off, Line: syn.Line, Column: syn.Column}
	case errors.As(err, &val):
		p = Problem{Status: http.StatusUnprocessableEntity,
			Detail: "the instance is not valid: " + itoa(int64(len(val.Problems))) + " problem(s)"}
		for _, vp := range val.Problems {
			p.Errors = append(p.Errors, ProblemError{Key: vp.Path, Detail: vp.Message})
		}
	case errors.As(err, &conf):
		p = Problem{Status: http.StatusConflict,
			Detail: "the instance is at version " + itoa(conf.Stored) + ", not " + itoa(conf.Base) + ": it was changed by another write"}
		if r.Header.Get("If-Match") != "" {
			p.Status = http.StatusPreconditionFailed
		}
	case errors.Is(err, engine.ErrNotFound):
		p = Problem{Status: http.StatusNotFound, Detail: "no such instance"}
	case errors.Is(err, engine.ErrEventNotFound):
		p = Problem{Status: http.StatusNotFound, Detail: "no such event"}
	case errors.Is(err, engine.ErrExists):
		p = Problem{Status: http.StatusConflict, Detail: "an instance with this id exists already"}
	case errors.Is(err, engine.ErrConflict):
		p = Problem{Status: http.StatusConflict, Detail: "the instance was changed by another write"}
		if r.Header.Get("If-Match") != "" {
			p.Status = http.StatusPreconditionFailed
		}
	case errors.Is(err, engine.ErrNotPolling):
		p = Problem{Status: http.StatusConflict, Type: ProblemTypePrefix + "not-polling",
			Detail: "the instance polls nothing: it is a webhook instance, disabled, or its events are not enabled"}
	case errors.Is(err, engine.ErrInvalid), errors.Is(err, element.ErrInvalid):
		p = Problem{Status: http.StatusBadRequest, Detail: err.Error()}
	default:
		h.cfg.Logger.ErrorContext(r.Context(), "api: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		p = Problem{Status: http.StatusInternalServerError, Detail: "internal error; the server's log has the cause"}
	}
	return &p
}

// problem writes p, its type, title and instance filled in, with every
// secret of the request body replaced by "***".
func (h *Handler) problem(w http.ResponseWriter, r *http.Request, p *Problem, secrets []string) {
	if p.Type == "" {
		p.Type = ProblemTypePrefix + problemTypes[p.Status]
		if problemTypes[p.Status] == "" {
			p.Type = "about:blank"
		}
	}
	if p.Title == "" {
		p.Title = http.StatusText(p.Status)
	}
	if p.Instance == "" {
		p.Instance = requestPath(r)
	}
	if len(secrets) > 0 {
		p.Detail = scrub(p.Detail, secrets)
		for i := range p.Errors {
			p.Errors[i].Detail = scrub(p.Errors[i].Detail, secrets)
			p.Errors[i].Key = scrub(p.Errors[i].Key, secrets)
		}
	}
	b, _ := json.Marshal(p) // strings and ints marshal
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_, _ = w.Write(b)
}

// Error returns the problem's detail, so that a route may return one.
func (p *Problem) Error() string { return p.Title + ": " + p.Detail }

// badRequest returns a 400 problem.
func badRequest(detail string) *Problem {
	return &Problem{Status: http.StatusBadRequest, Detail: detail}
}

// scrub replaces every secret in s with "***".
func scrub(s string, secrets []string) string {
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, redacted)
		}
	}
	return s
}

// requestPath is the path the client asked for, before any StripPrefix.
func requestPath(r *http.Request) string {
	if r.RequestURI != "" {
		if i := strings.IndexByte(r.RequestURI, '?'); i >= 0 {
			return r.RequestURI[:i]
		}
		return r.RequestURI
	}
	return r.URL.Path
}
