package console

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/a12b7632/elementevents/engine"
)

// ErrConfig reports a Config that New cannot use; the error names the
// field.
var ErrConfig = errors.New("console: bad configuration")

// Backend is what the console needs of an engine; *engine.Engine is one.
type Backend interface {
	Create(ctx context.Context, tenant string, body []byte) (*engine.Instance, error)
	Get(ctx context.Context, tenant, id string) (*engine.Instance, error)
	List(ctx context.Context, f engine.Filter) ([]engine.Record, error)
	Update(ctx context.Context, tenant, id string, version int64, body []byte) (*engine.Instance, error)
	Delete(ctx context.Context, tenant, id string, version int64) error
	SetEnabled(ctx context.Context, tenant, id string, enabled bool) (*engine.Instance, error)
	PollNow(ctx context.Context, tenant, id string) error
	Events(ctx context.Context, f engine.EventFilter) ([]engine.LoggedEvent, error)
	Event(ctx context.Context, tenant, id string) (engine.LoggedEvent, error)
	Replay(ctx context.Context, tenant, eventID string) error
	EnableEndpoint(ctx context.Context, tenant, id string) error
	Status(ctx context.Context, tenant, id string) (engine.InstanceStatus, error)
}

// Config configures a [Handler]. Engine and Authenticate are required;
// every other field documents its default.
type Config struct {
	// Engine runs the instances the console shows and changes. Required.
	Engine Backend

	// Authenticate names the tenant of a request: the same hook as
	// api.Config.Authenticate (api.ElementsAuth, or the host's own, which
	// may read the host's session cookie). A tenant sees and changes only
	// its own instances and events. Required.
	Authenticate func(*http.Request) (engine.Tenant, error)

	// SessionKey, when set (32 bytes or more), turns on the console's own
	// sign-in: a form takes the documented credentials (user and
	// organization secrets), checks them with Authenticate as an
	// "Authorization: User ..., Organization ..." header, and keeps the
	// tenant in a signed, HttpOnly, SameSite=Strict cookie for SessionTTL.
	// Without it, every request must authenticate by itself (a host's own
	// session, or a header), and one that does not is answered 401.
	SessionKey []byte

	// SessionTTL is how long a sign-in lasts. Default 12 hours.
	SessionTTL time.Duration

	// Prefix is the path the console is mounted at, without a trailing
	// slash: mount the handler at Prefix + "/". Default "/console".
	Prefix string

	// Clock dates sessions and shows "now" in date formats. Default: the
	// real clock.
	Clock clockwork.Clock

	// Logger receives the console's errors; the causes of failed pages
	// are logged, never shown. Default: slog.Default().
	Logger *slog.Logger
}

// Handler is the console: an http.Handler mounted at Config.Prefix + "/".
// It is safe for concurrent use.
type Handler struct {
	cfg   Config
	mux   *http.ServeMux
	views *views
	root  http.Handler
}

// New returns the console for cfg. An error wraps [ErrConfig] and names
// the field at fault.
func New(cfg Config) (*Handler, error) {
	switch {
	case cfg.Engine == nil:
		return nil, fmt.Errorf("%w: Config.Engine is required", ErrConfig)
	case cfg.Authenticate == nil:
		return nil, fmt.Errorf("%w: Config.Authenticate is required", ErrConfig)
	case cfg.SessionKey != nil && len(cfg.SessionKey) < 32:
		return nil, fmt.Errorf("%w: Config.SessionKey has %d bytes, want 32 or more", ErrConfig, len(cfg.SessionKey))
	case cfg.SessionTTL < 0:
		return nil, fmt.Errorf("%w: Config.SessionTTL is negative", ErrConfig)
	}
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if cfg.Prefix == "" {
		cfg.Prefix = "/console"
	}
	if !strings.HasPrefix(cfg.Prefix, "/") || strings.HasSuffix(cfg.Prefix, "/") {
		return nil, fmt.Errorf("%w: Config.Prefix %q must start with / and not end with one", ErrConfig, cfg.Prefix)
	}
	if cfg.Clock == nil {
		cfg.Clock = clockwork.NewRealClock()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	v, err := parseViews(cfg.Prefix)
	if err != nil {
		return nil, fmt.Errorf("console: templates: %w", err)
	}
	h := &Handler{cfg: cfg, mux: http.NewServeMux(), views: v}
	h.register()
	h.root = secure(http.StripPrefix(cfg.Prefix, h.mux))
	return h, nil
}

// ServeHTTP serves the console's pages.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.root.ServeHTTP(w, r) }
