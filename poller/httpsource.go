package poller

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/internal/quote"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/vendorauth"
	"github.com/jonboulle/clockwork"
)

// The defaults of [HTTPConfig] that its fields document.
const (
	defaultHTTPTimeout  = 60 * time.Second
	defaultMaxPageBytes = 32 << 20
)

// HTTPConfig configures an [HTTPSource]. Only Instance is required.
type HTTPConfig struct {
	// Instance is the element instance whose vendor API is polled: its
	// configuration fills the base URL and holds the credentials. Required.
	Instance *element.Instance

	// Definition describes the vendor API. Default: the catalogue's
	// definition for Instance.Element.Key (see [element.Default]).
	Definition *element.Definition

	// BaseURL, when set, replaces the definition's base URL template, for
	// tests and for a vendor reached through a proxy. Resource paths are
	// appended to it.
	BaseURL string

	// Guard is the SSRF guard of every request: to the base URL
	// (store.url), resource URLs, pagination links and redirects, checked
	// at dial time on the resolved address. A base URL or absolute
	// resource URL it refuses without resolving (an IP literal, a numeric
	// host, localhost) fails NewHTTPSource. The zero value refuses
	// loopback, private and other non-public addresses; a test allows its
	// own httptest vendor with AllowAddrPorts.
	Guard netguard.Guard

	// Client sends the requests. Default: a client over Transport, with no
	// client timeout: requests are bounded by Timeout on Clock instead.
	//
	// A Client you supply is copied and keeps its Jar and Timeout, but it
	// cannot drop the guard or the redirect rule: its Transport is
	// guarded by [netguard.Guard.RoundTripper] (an *http.Transport is
	// cloned and dials through Guard; any other RoundTripper sees only
	// URLs that Guard.CheckURL passes, and must dial through
	// Guard.DialContext if it dials), and its CheckRedirect runs only for
	// redirects that the poller's rule allows: same origin, at most 10,
	// each passing Guard.
	Client *http.Client

	// Transport is the round tripper of the default client, used when
	// Client is nil; tests use it to fake a vendor without a network. It
	// is guarded as Client's is. Default: a new guarded transport
	// ([netguard.Guard.RoundTripper] of nil), which uses no proxy.
	Transport http.RoundTripper

	// Clock times the requests and the waits between retries. Default: the
	// real clock.
	Clock clockwork.Clock

	// Retry says how often and how long to retry. Zero means
	// [DefaultRetryPolicy].
	Retry RetryPolicy

	// Timeout bounds each request attempt, body included, on Clock. Zero
	// means 60 s; negative means no timeout beyond the
	// context's.
	Timeout time.Duration

	// MaxPageBytes bounds a page body: a larger one is an error wrapping
	// [ErrMalformedPage], never silently truncated. Zero means 32 MiB.
	MaxPageBytes int64

	// OnAuthError, if set, is called with the resource name and the error
	// when the vendor answers 401 or 403 (after the one renewal of an OAuth
	// 2 access token), or refuses the OAuth 2 client, so the host can flag
	// the instance for new credentials. It must not block.
	OnAuthError func(resource string, err error)

	// Tokens keeps the OAuth 2 tokens of the oauth2-refresh and
	// oauth2-client auth styles, under the definition's key + "/" + the
	// instance id, so that a rotated refresh token survives a restart and
	// is shared by every replica. Default: a new
	// [vendorauth.NewMemoryTokenStore], which forgets on restart.
	Tokens vendorauth.TokenStore

	// logger and onRecovered are set by a Poller: where a token store's
	// failure is logged, and what to call when a refused authorisation
	// works again.
	logger      *slog.Logger
	onRecovered func()
	// ownDefinition is set by a Poller whose Definition is its own copy,
	// already valid: the source shares it instead of copying it again.
	ownDefinition bool
}

// HTTPSource is the [Source] of a vendor's REST API, driven by an element
// [element.Definition]: base URL, auth, pagination and records path. It is
// safe for concurrent use.
type HTTPSource struct {
	def      *element.Definition
	pag      element.Pagination // with its defaults filled
	pages    pageReader         // reads page bodies as pag says
	base     string
	creds    *vendorauth.Credentials
	client   *http.Client
	clock    clockwork.Clock
	retry    RetryPolicy
	timeout  time.Duration
	maxBytes int64
	onAuth   func(resource string, err error)

	guard      netguard.Guard
	baseKey    string // the configuration key(s) base comes from, for errors
	instanceID string // names the instance in errors

	// plans holds the plan of each resource of the instance, compiled by
	// NewHTTPSource; others the plans of other Request.Configs, by
	// planKey, compiled at first use. compiled counts the plans compiled.
	plans    map[string]*fetchPlan
	others   sync.Map
	compiled atomic.Int64
}

var _ Source = (*HTTPSource)(nil)

// NewHTTPSource returns a source for cfg's instance, with a plan compiled
// for each of its resources (URL template, page size, records path, id
// and date paths) that Fetch only runs. It fails with an error wrapping
// [ErrConfig] when the definition is not found or invalid, the base URL
// cannot be filled from the configuration, a credential key is missing,
// or a resource URL or its zone does not compile; the error names the
// key. It fails with an error wrapping both [ErrConfig] and
// [netguard.ErrRefused], naming the instance and the configuration key,
// when Guard refuses the base URL or a resource URL before resolving it.
func NewHTTPSource(cfg HTTPConfig) (*HTTPSource, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	inst, def := cfg.Instance, cfg.Definition
	s := &HTTPSource{
		def:      def,
		pag:      paginationDefaults(def.Pagination),
		clock:    cfg.Clock,
		retry:    cfg.Retry,
		timeout:  cfg.Timeout,
		maxBytes: cfg.MaxPageBytes,
		onAuth:   cfg.OnAuthError,

		guard:      cfg.Guard,
		baseKey:    baseURLKey(cfg, def),
		instanceID: inst.ID,
	}
	s.pages = newPageReader(s.pag)
	if s.base, err = sourceBaseURL(cfg, def); err != nil {
		return nil, err
	}
	if s.creds, err = newCredentials(cfg, s.base); err != nil {
		return nil, err
	}
	s.client = s.newClient(cfg)
	// Compiling now turns a typo in a resource URL into a start-up error
	// rather than a failure at the first poll, and leaves Fetch only the
	// plan to run.
	resources := inst.Configuration.Events.Resources
	s.plans = make(map[string]*fetchPlan, len(resources))
	for name, res := range resources {
		p, err := s.compile(planKeyOf(Request{Resource: name, Config: res}))
		if err != nil {
			return nil, err
		}
		s.plans[name] = p
	}
	if err := s.checkConfiguredURLs(); err != nil {
		return nil, err
	}
	return s, nil
}

// withDefaults returns cfg with its zero fields filled as their comments
// say (Client and Transport are filled by newClient, which guards them),
// or an error wrapping [ErrConfig].
func (cfg HTTPConfig) withDefaults() (HTTPConfig, error) {
	if cfg.Instance == nil {
		return cfg, fmt.Errorf("poller: HTTPConfig.Instance is required: %w", ErrConfig)
	}
	def, err := sourceDefinition(cfg)
	if err != nil {
		return cfg, err
	}
	cfg.Definition = def
	if cfg.Clock == nil {
		cfg.Clock = clockwork.NewRealClock()
	}
	cfg.Retry = cfg.Retry.withDefaults()
	if cfg.Timeout == 0 {
		cfg.Timeout = defaultHTTPTimeout
	}
	if cfg.MaxPageBytes <= 0 {
		cfg.MaxPageBytes = defaultMaxPageBytes
	}
	if cfg.Tokens == nil {
		cfg.Tokens = vendorauth.NewMemoryTokenStore()
	}
	if cfg.logger == nil {
		cfg.logger = slog.Default()
	}
	return cfg, nil
}

// sourceDefinition returns cfg's definition, or the catalogue's.
func sourceDefinition(cfg HTTPConfig) (*element.Definition, error) {
	if cfg.Definition != nil && cfg.ownDefinition {
		return cfg.Definition, nil
	}
	if cfg.Definition != nil {
		// A catalogue of its own validates the definition and keeps a
		// copy, so that the caller changing its definition later does not
		// change a running source.
		var own element.Catalogue
		if err := own.Register(cfg.Definition); err != nil {
			return nil, fmt.Errorf("poller: sourceDefinition %s: %w: %w", cfg.Definition.Key, ErrConfig, err)
		}
		def, _ := own.Lookup(cfg.Definition.Key)
		return def, nil
	}
	key := cfg.Instance.Element.Key
	def, ok := element.Default().Lookup(key)
	if !ok {
		return nil, fmt.Errorf("poller: element %q: %w: %w", key, ErrConfig, element.ErrUnknownElement)
	}
	return def, nil
}

func sourceBaseURL(cfg HTTPConfig, def *element.Definition) (string, error) {
	if cfg.BaseURL != "" {
		u, err := url.Parse(cfg.BaseURL)
		if err != nil || !isHTTPURL(u) {
			return "", fmt.Errorf("poller: HTTPConfig.BaseURL must be an absolute http(s) URL: %w", ErrConfig)
		}
		return strings.TrimRight(cfg.BaseURL, "/"), nil
	}
	base, err := def.ExpandBaseURL(cfg.Instance.Configuration.Get)
	if err != nil {
		return "", fmt.Errorf("poller: %s base URL: %w: %w", def.Key, ErrConfig, err)
	}
	return base, nil
}

// newCredentials reads the credentials of cfg's instance for base, whose
// scheme picks the definition's auth.
func newCredentials(cfg HTTPConfig, base string) (*vendorauth.Credentials, error) {
	transport := cfg.Transport
	if cfg.Client != nil {
		transport = cfg.Client.Transport
	}
	c, err := vendorauth.NewCredentials(vendorauth.CredentialsConfig{
		Instance: cfg.Instance, Definition: cfg.Definition, BaseURL: base,
		Clock: cfg.Clock, Guard: cfg.Guard, Transport: transport, Tokens: cfg.Tokens,
		Logger: cfg.logger, OnRecovered: cfg.onRecovered,
	})
	if err != nil {
		return nil, fmt.Errorf("poller: instance %s: %w: %w", quote.Cut(cfg.Instance.ID), ErrConfig, err)
	}
	return c, nil
}
