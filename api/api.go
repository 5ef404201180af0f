package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/a12b7632/elementevents/engine"
)

// DefaultMaxBodyBytes is the default [Config.MaxBodyBytes]: 1 MiB.
const DefaultMaxBodyBytes = 1 << 20

// ErrConfig reports a Config that New cannot use; the error names the
// field.
var ErrConfig = errors.New("api: bad configuration")

// Backend is what the handler needs of an engine: the methods of
// *engine.Engine it calls, with their contracts there. Implementations
// must be safe for concurrent use and return the engine's sentinel errors
// (engine.ErrNotFound, engine.ErrConflict, ...), which the handler maps
// to statuses.
type Backend interface {
	// Create stores and starts a new instance of tenant from a body.
	Create(ctx context.Context, tenant string, data []byte) (*engine.Instance, error)
	// Get returns the instance id of tenant, or engine.ErrNotFound.
	Get(ctx context.Context, tenant, id string) (*engine.Instance, error)
	// List returns a page of the tenant's instances, in id order.
	List(ctx context.Context, f engine.Filter) ([]engine.Record, error)
	// Update replaces an instance's body, at version (0: any).
	Update(ctx context.Context, tenant, id string, version int64, data []byte) (*engine.Instance, error)
	// Patch merges a JSON merge patch into an instance, at version (0: any).
	Patch(ctx context.Context, tenant, id string, version int64, data []byte) (*engine.Instance, error)
	// SetEnabled enables or disables an instance.
	SetEnabled(ctx context.Context, tenant, id string, enabled bool) (*engine.Instance, error)
	// Delete removes an instance, at version (0: any).
	Delete(ctx context.Context, tenant, id string, version int64) error
	// ByToken returns the instance of an instance token, whatever its
	// tenant.
	ByToken(ctx context.Context, token string) (*engine.Instance, error)
	// PollNow starts a cycle of a polling instance soon.
	PollNow(ctx context.Context, tenant, id string) error
	// Resync resyncs one resource of an instance, or all, and returns
	// when done.
	Resync(ctx context.Context, tenant, id, resource string, mode engine.ResyncMode) error
	// Events returns a page of the tenant's logged notifications.
	Events(ctx context.Context, f engine.EventFilter) ([]engine.LoggedEvent, error)
	// Event returns one logged notification, or engine.ErrEventNotFound.
	Event(ctx context.Context, tenant, id string) (engine.LoggedEvent, error)
	// Replay sends a notification again with the same id.
	Replay(ctx context.Context, tenant, eventID string) error
	// ReplayAll replays every notification f selects and counts them.
	ReplayAll(ctx context.Context, f engine.EventFilter) (int, error)
	// EnableEndpoint re-enables an instance's callback URL after a 410.
	EnableEndpoint(ctx context.Context, tenant, id string) error
}

// Config configures a [Handler].
type Config struct {
	// Engine runs the instances; usually an *engine.Engine. Required.
	Engine Backend

	// Authenticate returns the tenant a request comes from, or an error
	// when it carries no valid credentials (the request is then answered
	// 401 with a WWW-Authenticate header, and the error is not shown).
	// [ElementsAuth] builds one for the documented header form. Required.
	Authenticate func(*http.Request) (engine.Tenant, error)

	// MaxBodyBytes bounds a request body; a longer one is answered 413.
	// Default [DefaultMaxBodyBytes] (1 MiB).
	MaxBodyBytes int64

	// Logger receives the errors the handler does not show to callers
	// (5xx causes). Default: slog.Default().
	Logger *slog.Logger
}

// withDefaults returns c with its defaults filled in, or an error naming
// the field at fault.
func (c Config) withDefaults() (Config, error) {
	switch {
	case c.Engine == nil:
		return c, fmt.Errorf("%w: Engine is required", ErrConfig)
	case c.Authenticate == nil:
		return c, fmt.Errorf("%w: Authenticate is required", ErrConfig)
	case c.MaxBodyBytes < 0:
		return c, fmt.Errorf("%w: MaxBodyBytes is %d, must be 0 (default) or more", ErrConfig, c.MaxBodyBytes)
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c, nil
}

// Handler serves the /instances API. It is an http.Handler, safe for
// concurrent use; mount it under any prefix with http.StripPrefix.
type Handler struct {
	cfg Config
	mux *http.ServeMux
}

// New returns a Handler for cfg, with defaults filled in. An error wraps
// [ErrConfig] and names the field at fault.
func New(cfg Config) (*Handler, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	h := &Handler{cfg: cfg, mux: http.NewServeMux()}
	h.register()
	return h, nil
}

// ServeHTTP answers one request. Paths the API does not have are answered
// 404, and methods a path does not take 405 (with Allow), both as problem
// details.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setCommonHeaders(w.Header())
	if _, pattern := h.mux.Handler(r); pattern == "" {
		h.noRoute(w, r)
		return
	}
	h.mux.ServeHTTP(w, r)
}

// setCommonHeaders sets the headers of every response: responses hold
// tenants' data, so nothing is cached or sniffed.
func setCommonHeaders(hd http.Header) {
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "no-store")
}

// noRoute answers a request the mux has no route for: 405 when the path
// exists with other methods, else 404.
func (h *Handler) noRoute(w http.ResponseWriter, r *http.Request) {
	h2, _ := h.mux.Handler(r)
	rec := &statusRecorder{header: http.Header{}}
	h2.ServeHTTP(rec, r)
	if rec.status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", rec.header.Get("Allow"))
		h.problem(w, r, &Problem{Status: http.StatusMethodNotAllowed,
			Detail: fmt.Sprintf("%s is not allowed here; allowed: %s", r.Method, rec.header.Get("Allow"))}, nil)
		return
	}
	h.problem(w, r, &Problem{Status: http.StatusNotFound, Detail: "no such route"}, nil)
}

// statusRecorder keeps the status and header the mux's own 404 or 405
// handler writes, and drops its body.
type statusRecorder struct {
	header http.Header
	status int
}

func (s *statusRecorder) Header() http.Header         { return s.header }
func (s *statusRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (s *statusRecorder) WriteHeader(code int)        { s.status = code }

// request is what a route's function gets: the request, its tenant, and
// the secrets of its body (kept out of every answer).
type request struct {
	*http.Request
	tenant  engine.Tenant
	secrets []string
}

// route is one operation of the API.
type route struct {
	// Method and Pattern are the ServeMux pattern's two halves; Pattern
	// is relative to the mount point.
	Method, Pattern string
	// serve answers the request; an error is written as a problem.
	serve func(h *Handler, w http.ResponseWriter, r *request) error
}

// wrap authenticates the request, bounds its body, and writes serve's
// error as a problem.
func (h *Handler) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt.Pattern == openAPIPath { // public: it describes, holds nothing
			_ = rt.serve(h, w, &request{Request: r})
			return
		}
		t, err := h.cfg.Authenticate(r)
		if err != nil || t.ID == "" {
			w.Header().Set("WWW-Authenticate", `User realm="instances"`)
			h.problem(w, r, &Problem{Status: http.StatusUnauthorized,
				Detail: "missing or invalid credentials in the Authorization header"}, nil)
			return
		}
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, h.cfg.MaxBodyBytes)
		}
		req := &request{Request: r, tenant: t}
		if err := rt.serve(h, w, req); err != nil {
			h.problem(w, r, h.toProblem(err, req), req.secrets)
		}
	})
}
