package vendortest

import (
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"
)

// LoggedRequest is one request a fake saw, as its [RequestLog] keeps it.
type LoggedRequest struct {
	// At is when the request arrived, on the fake's clock. Zero for a
	// request kept by [RequestLog.Record], which knows no clock.
	At time.Time
	// Method, Path and RawQuery are the request's, as sent: Path is the
	// URL path the handler saw, RawQuery the query before decoding. Path,
	// "?" and RawQuery are what a client following a next-page URL byte
	// for byte must have asked for.
	Method, Path, RawQuery string
	// Query is RawQuery decoded.
	Query url.Values
	// Header is a copy of the request's headers.
	Header http.Header

	// Resource is the resource asked for ("customers", "orders",
	// "reports"), or "" when the path names none.
	Resource string
	// Page is the page asked for, from 1 (Concur: the offset's page), or 0
	// when the request is not for a list.
	Page int
	// Status is the status answered, or 0 when the fake answered nothing
	// (a Hang fault that the client gave up on).
	Status int
	// IDs are the ids of the records served, in order, a record served
	// twice (an Overlap fault) twice.
	IDs []string
	// Next is the next page's URL the answer named (WooCommerce's Link
	// rel="next", Concur's NextPage), or "".
	Next string
	// Fault is the fault that answered the request, with the Times it
	// had left, or nil.
	Fault *Fault
}

// RequestLog keeps the requests a fake saw, in the order they were
// answered. The fakes keep one each (see [Fake.Log]); a test's
// own handler can keep one with [RequestLog.Record]. The zero value is
// ready to use and it is safe for concurrent use.
type RequestLog struct {
	mu   sync.Mutex
	reqs []LoggedRequest
}

// Record keeps r's method, path, query and headers. It is for handlers of
// a test's own; the fakes log their requests themselves.
func (l *RequestLog) Record(r *http.Request) {
	l.add(newRequest(r, time.Time{}))
}

// Since returns the requests kept after the first n: pass 0 for every
// request, or [RequestLog.Len] taken before a step for that step's
// requests.
func (l *RequestLog) Since(n int) []LoggedRequest {
	l.mu.Lock()
	defer l.mu.Unlock()
	if n >= len(l.reqs) {
		return nil
	}
	return slices.Clone(l.reqs[max(n, 0):])
}

// Len returns how many requests were kept.
func (l *RequestLog) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.reqs)
}

// Last returns the request kept last, and false if there is none.
func (l *RequestLog) Last() (LoggedRequest, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.reqs) == 0 {
		return LoggedRequest{}, false
	}
	return l.reqs[len(l.reqs)-1], true
}

func (l *RequestLog) add(r LoggedRequest) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reqs = append(l.reqs, r)
}

// newRequest starts the log entry of r, arrived at at.
func newRequest(r *http.Request, at time.Time) LoggedRequest {
	return LoggedRequest{
		At: at, Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
		Query: r.URL.Query(), Header: r.Header.Clone(),
	}
}
