package poller

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/internal/quote"
	"github.com/a12b7632/elementevents/internal/redact"
	"github.com/a12b7632/elementevents/internal/urltemplate"
	"github.com/a12b7632/elementevents/internal/vocab"
	"github.com/a12b7632/elementevents/javatime"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/jonboulle/clockwork"
)

// Defaults of [HTTPConfig].
const (
	DefaultHTTPTimeout  = 60 * time.Second
	DefaultMaxPageBytes = 32 << 20
)

// sourceUserAgent names the library to vendors, whose support desks ask.
const sourceUserAgent = "elementevents-poller (+https://github.com/a12b7632/elementevents)"

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
	// means [DefaultHTTPTimeout]; negative means no timeout beyond the
	// context's.
	Timeout time.Duration

	// MaxPageBytes bounds a page body: a larger one is an error wrapping
	// [ErrMalformedPage], never silently truncated. Zero means
	// [DefaultMaxPageBytes].
	MaxPageBytes int64

	// OnAuthError, if set, is called with the resource name and the error
	// when the vendor answers 401 or 403, so the host can flag the instance
	// for new credentials. It must not block.
	OnAuthError func(resource string, err error)
}

// HTTPSource is the [Source] of a vendor's REST API, driven by an element
// [element.Definition]: base URL, auth, pagination and records path. It is
// safe for concurrent use.
type HTTPSource struct {
	def      *element.Definition
	pag      element.Pagination // with its defaults filled
	base     string
	auth     sourceAuth
	client   *http.Client
	clock    clockwork.Clock
	retry    RetryPolicy
	timeout  time.Duration
	maxBytes int64
	onAuth   func(resource string, err error)

	guard      netguard.Guard
	baseKey    string // the configuration key(s) base comes from, for errors
	instanceID string // names the instance in errors

	// templates caches the compiled resource URLs by templateKey: the
	// instance's resources are compiled by NewHTTPSource, and any other
	// Request.Config on first use.
	templates sync.Map
}

var _ Source = (*HTTPSource)(nil)

// sourceAuth holds the credentials the definition's auth style sends.
// They are Secrets so that printing an HTTPSource cannot show them.
type sourceAuth struct {
	style          string
	user, password redact.Secret // basic
	token          redact.Secret // bearer, query, header
	param, prefix  string        // query parameter or header name; header prefix
}

// NewHTTPSource returns a source for cfg's instance. It fails with an error
// wrapping [ErrConfig] when the definition is not found or invalid, the base
// URL cannot be filled from the configuration, a credential key is missing
// (the error names the key), or a resource URL of the instance does not
// compile. It fails with an error wrapping both [ErrConfig] and
// [netguard.ErrRefused], naming the instance and the configuration key,
// when Guard refuses the base URL or a resource URL before resolving it.
func NewHTTPSource(cfg HTTPConfig) (*HTTPSource, error) {
	inst := cfg.Instance
	if inst == nil {
		return nil, fmt.Errorf("poller: HTTPConfig.Instance is required: %w", ErrConfig)
	}
	def, err := sourceDefinition(cfg)
	if err != nil {
		return nil, err
	}
	s := &HTTPSource{
		def:      def,
		pag:      paginationDefaults(def.Pagination),
		clock:    cfg.Clock,
		retry:    cfg.Retry.withDefaults(),
		timeout:  cfg.Timeout,
		maxBytes: cfg.MaxPageBytes,
		onAuth:   cfg.OnAuthError,

		guard:      cfg.Guard,
		baseKey:    baseURLKey(cfg, def),
		instanceID: inst.ID,
	}
	if s.base, err = sourceBaseURL(cfg, def); err != nil {
		return nil, err
	}
	if s.auth, err = readCredentials(def, inst.Configuration); err != nil {
		return nil, err
	}
	s.client = s.newClient(cfg)
	if s.clock == nil {
		s.clock = clockwork.NewRealClock()
	}
	if s.timeout == 0 {
		s.timeout = DefaultHTTPTimeout
	}
	if s.maxBytes <= 0 {
		s.maxBytes = DefaultMaxPageBytes
	}
	// Compiling now turns a typo in a resource URL into a start-up error
	// rather than a failure at the first poll.
	for name, res := range inst.Configuration.Events.Resources {
		if _, err := s.template(res); err != nil {
			return nil, fmt.Errorf("poller: resource %s: %w", name, err)
		}
	}
	if err := s.checkConfiguredURLs(inst.Configuration.Events.Resources); err != nil {
		return nil, err
	}
	return s, nil
}

// sourceDefinition returns cfg's definition, or the catalogue's.
func sourceDefinition(cfg HTTPConfig) (*element.Definition, error) {
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

// paginationDefaults fills the defaults that element fills in definitions
// it parses, for a definition built as a Go literal.
func paginationDefaults(p element.Pagination) element.Pagination {
	if p.Style == "" {
		p.Style = vocab.PaginationNone
	}
	if p.PageParam == "" {
		p.PageParam = "page"
	}
	if p.FirstPage == 0 && p.Style == vocab.PaginationPage {
		p.FirstPage = 1
	}
	if p.OffsetParam == "" {
		p.OffsetParam = "offset"
	}
	return p
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

// readCredentials reads the configuration keys the auth style names.
func readCredentials(def *element.Definition, conf element.Configuration) (sourceAuth, error) {
	a := def.Auth
	c := sourceAuth{style: a.Style, param: a.Param, prefix: a.Prefix}
	get := func(key string) (redact.Secret, error) {
		v, ok := conf.Get(key)
		if !ok || strings.TrimSpace(v) == "" {
			return redact.Secret{}, fmt.Errorf("poller: %s auth: configuration key %q is missing: %w", def.Key, key, ErrConfig)
		}
		return redact.NewSecret(v), nil
	}
	var err error
	switch a.Style {
	case vocab.AuthBasic:
		if c.user, err = get(a.UsernameKey); err != nil {
			return c, err
		}
		if a.PasswordKey != "" {
			c.password, err = get(a.PasswordKey)
		}
	case vocab.AuthBearer, vocab.AuthQuery, vocab.AuthHeader:
		c.token, err = get(a.TokenKey)
	case "", vocab.AuthNone:
		c.style = vocab.AuthNone
	default:
		err = fmt.Errorf("poller: %s: unknown auth style %q: %w", def.Key, a.Style, ErrConfig)
	}
	return c, err
}

// templateKey identifies a compiled resource URL: the same URL compiles
// differently in another zone.
type templateKey struct{ url, zone string }

// template returns the compiled URL of res: its hub path mapped to the
// vendor path, appended to the base URL unless absolute, with
// placeholders expanded in the zone of the updated date.
func (s *HTTPSource) template(res element.Resource) (*urltemplate.Template, error) {
	key := templateKey{res.URL, res.Dates.UpdatedTimezone}
	if t, ok := s.templates.Load(key); ok {
		return t.(*urltemplate.Template), nil
	}
	if strings.TrimSpace(res.URL) == "" {
		return nil, fmt.Errorf("resource url is empty: %w", ErrConfig)
	}
	zone := time.UTC
	if key.zone != "" {
		z, err := javatime.LoadLocation(key.zone)
		if err != nil {
			return nil, fmt.Errorf("updated date time zone: %w: %w", ErrConfig, err)
		}
		zone = z
	}
	raw := s.def.VendorPath(res.URL)
	if !isAbsoluteURL(raw) {
		if !strings.HasPrefix(raw, "/") && !strings.HasPrefix(raw, "?") {
			raw = "/" + raw
		}
		raw = s.base + raw
	}
	t, err := urltemplate.Compile(raw, zone)
	if err != nil {
		return nil, fmt.Errorf("url: %w: %w", ErrConfig, err)
	}
	s.templates.Store(key, t)
	return t, nil
}

func isAbsoluteURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// Fetch returns the page of req.Resource at req.Token. See [Source] for
// the errors; every error names the resource and, once the URL is built,
// the URL without credentials.
func (s *HTTPSource) Fetch(ctx context.Context, req Request) (*Page, error) {
	tmpl, err := s.template(req.Config)
	if err != nil {
		return nil, fmt.Errorf("poller: %s: %w", req.Resource, err)
	}
	first, err := url.Parse(tmpl.Expand(req.Since))
	if err != nil || !isHTTPURL(first) {
		// Not quoted: a hand-written URL may hold a key.
		return nil, fmt.Errorf("poller: %s: resource URL is not an absolute http(s) URL: %w", req.Resource, ErrConfig)
	}
	cur, err := s.decodeToken(req.Token)
	if err == nil && cur.next != nil {
		err = s.checkFollow(cur.next, first)
	}
	if errors.Is(err, netguard.ErrRefused) {
		return nil, fmt.Errorf("poller: instance %s: %s: %w: %w", quote.Cut(s.instanceID), req.Resource, ErrConfig, err)
	}
	if err != nil {
		return nil, fmt.Errorf("poller: %s: %w: %w", req.Resource, ErrConfig, err)
	}
	size := s.pageSize(req.Config)
	target := s.pageURL(first, cur, size)
	if s.auth.style == vocab.AuthQuery {
		target.RawQuery = setQueryParam(target.RawQuery, s.auth.param, s.auth.token.Reveal())
	}
	if s.pag.SizeParam == "" || cur.next != nil {
		size = 0 // not sent, so a short page says nothing
	}
	c := &fetchCall{resource: req.Resource, from: s.origin(req, cur), url: target, redacted: s.redact(target), cursor: cur,
		size: size, first: first, recordsPath: req.Config.RecordsPath}
	if c.recordsPath == "" {
		c.recordsPath = s.def.RecordsPath
	}
	for try := 1; ; try++ {
		page, fail, err := s.attempt(ctx, c)
		if err != nil || fail == nil {
			return page, err
		}
		if try >= s.retry.Tries {
			return nil, retriesExhausted(c, fail, try)
		}
		wait := fail.retryAfter
		if wait < 0 {
			wait = s.retry.backoff(try, jitterRand())
		}
		if err := waitClock(ctx, s.clock, min(wait, s.retry.Max)); err != nil {
			return nil, fmt.Errorf("poller: %s: GET %s: waiting to retry after %s: %w", c.resource, c.redacted, fail.reason, err)
		}
	}
}

// pageSize is the page size to ask for: the resource's, else the
// definition's default, capped at its maximum; 0 for none.
func (s *HTTPSource) pageSize(res element.Resource) int {
	size := res.PageSize
	if size <= 0 {
		size = s.def.DefaultPageSize
	}
	if m := s.def.MaxPageSize; m > 0 && size > m {
		size = m
	}
	return max(size, 0)
}

// fetchCall is one Fetch: what its attempts share.
type fetchCall struct {
	resource    string
	from        string   // where url came from, for a refusal: see origin
	url         *url.URL // credentials included, for query auth
	redacted    string   // url for errors and Page.URL
	cursor      pageCursor
	size        int
	first       *url.URL
	recordsPath string
}

// retryable is a failure that another try may cure.
type retryable struct {
	reason     string        // "status 503", "timed out after 1m0s", ...
	err        error         // the cause, scrubbed of the URL; may be nil
	retryAfter time.Duration // the vendor's Retry-After, or -1
}

// retriesExhausted is the error after the last try failed.
func retriesExhausted(c *fetchCall, fail *retryable, tries int) error {
	if fail.err == nil {
		return fmt.Errorf("poller: %s: GET %s: %s (attempt %d of %d): %w", c.resource, c.redacted, fail.reason, tries, tries, ErrVendor)
	}
	return fmt.Errorf("poller: %s: GET %s: %s (attempt %d of %d): %w: %w", c.resource, c.redacted, fail.reason, tries, tries, ErrVendor, fail.err)
}

// errAttemptTimeout cancels an attempt that outlived HTTPConfig.Timeout.
var errAttemptTimeout = errors.New("request timed out")

// attempt sends one request. It returns the page, a retryable failure to
// retry, or a final error.
func (s *HTTPSource) attempt(ctx context.Context, c *fetchCall) (*Page, *retryable, error) {
	// The timeout runs on the injected clock, which context.WithTimeout
	// would not use.
	actx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	if s.timeout > 0 {
		t := s.clock.AfterFunc(s.timeout, func() { cancel(errAttemptTimeout) })
		defer t.Stop()
	}
	failed := func(err error) (*Page, *retryable, error) {
		if ctx.Err() != nil {
			return nil, nil, fmt.Errorf("poller: %s: GET %s: %w", c.resource, c.redacted, ctx.Err())
		}
		if errors.Is(context.Cause(actx), errAttemptTimeout) {
			return nil, &retryable{reason: fmt.Sprintf("timed out after %s", s.timeout), retryAfter: -1}, nil
		}
		return nil, &retryable{reason: "network error", err: scrubURLError(err), retryAfter: -1}, nil
	}

	hreq, err := http.NewRequestWithContext(actx, http.MethodGet, c.url.String(), nil)
	if err != nil {
		return nil, nil, fmt.Errorf("poller: %s: GET %s: %w: %w", c.resource, c.redacted, ErrConfig, scrubURLError(err))
	}
	hreq.Header.Set("Accept", "application/json")
	hreq.Header.Set("User-Agent", sourceUserAgent)
	s.authorize(hreq)
	resp, err := s.client.Do(hreq)
	switch {
	case errors.Is(err, errOffOrigin), errors.Is(err, errRedirectRefused):
		// Permanent: another try gets the same redirect.
		if errors.Is(err, netguard.ErrRefused) {
			return nil, nil, s.refusedError(c, c.from, fmt.Errorf("%w: %w", ErrVendor, scrubURLError(err)))
		}
		return nil, nil, fmt.Errorf("poller: %s: GET %s: %w: %w", c.resource, c.redacted, ErrVendor, scrubURLError(err))
	case errors.Is(err, netguard.ErrRefused):
		// Permanent: the address is refused, whatever the try.
		return nil, nil, s.refusedError(c, c.from, fmt.Errorf("%w: %w", ErrConfig, scrubURLError(err)))
	}
	if err != nil {
		return failed(err)
	}
	defer drainBody(resp.Body)

	if st := resp.StatusCode; st < 200 || st > 299 {
		return s.statusFailure(c, resp)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, s.maxBytes+1))
	if err != nil {
		return failed(err)
	}
	if int64(len(body)) > s.maxBytes {
		return nil, nil, fmt.Errorf("poller: %s: GET %s: page too large: more than %d bytes: %w",
			c.resource, c.redacted, s.maxBytes, ErrMalformedPage)
	}
	page, err := s.readPage(c, resp, body)
	if errors.Is(err, netguard.ErrRefused) {
		return nil, nil, s.refusedError(c, c.resource, err) // a next-page link
	}
	if err != nil {
		return nil, nil, fmt.Errorf("poller: %s: GET %s: %w", c.resource, c.redacted, err)
	}
	return page, nil, nil
}

// statusFailure classifies a non-2xx answer.
func (s *HTTPSource) statusFailure(c *fetchCall, resp *http.Response) (*Page, *retryable, error) {
	st := resp.StatusCode
	reason := fmt.Sprintf("status %d", st)
	switch {
	case st == http.StatusUnauthorized || st == http.StatusForbidden:
		// Retrying would only hammer the vendor with credentials it
		// refuses, and may lock the account.
		err := fmt.Errorf("poller: %s: GET %s: %s: %w", c.resource, c.redacted, reason, ErrUnauthorized)
		if s.onAuth != nil {
			s.onAuth(c.resource, err)
		}
		return nil, nil, err
	case st == http.StatusTooManyRequests || st == http.StatusServiceUnavailable:
		after := time.Duration(-1)
		if d, ok := retryAfter(resp.Header, s.clock.Now()); ok {
			after = d
		}
		return nil, &retryable{reason: reason, retryAfter: after}, nil
	case st == http.StatusRequestTimeout || st >= 500:
		return nil, &retryable{reason: reason, retryAfter: -1}, nil
	default:
		return nil, nil, fmt.Errorf("poller: %s: GET %s: %s: %w", c.resource, c.redacted, reason, ErrVendor)
	}
}

// readPage reads the records, totals and next token of a 2xx body.
func (s *HTTPSource) readPage(c *fetchCall, resp *http.Response, body []byte) (*Page, error) {
	raw, err := splitRecords(body, c.recordsPath)
	if err != nil {
		return nil, err
	}
	records := make([]json.RawMessage, len(raw))
	for i, r := range raw {
		records[i] = r // same bytes: RawMessage is a []byte
	}
	page := &Page{Records: records, URL: c.redacted}
	if page.Total, page.TotalPages, err = s.totals(resp.Header, body); err != nil {
		return nil, err
	}
	if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		page.Date = d
	}
	fetched := c.url
	if resp.Request != nil && resp.Request.URL != nil {
		fetched = resp.Request.URL // after redirects, links are relative to it
	}
	page.Next, err = s.nextToken(pageState{
		cursor: c.cursor, size: c.size, page: page, header: resp.Header, body: body, fetched: fetched, first: c.first,
	})
	if err != nil {
		return nil, err
	}
	return page, nil
}

// authorize adds the header credentials; query credentials are in the URL.
func (s *HTTPSource) authorize(r *http.Request) {
	a := s.auth
	switch a.style {
	case vocab.AuthBasic:
		r.SetBasicAuth(a.user.Reveal(), a.password.Reveal())
	case vocab.AuthBearer:
		r.Header.Set("Authorization", "Bearer "+a.token.Reveal())
	case vocab.AuthHeader:
		r.Header.Set(a.param, a.prefix+a.token.Reveal())
	}
}

// errOffOrigin is the cause of a redirect the poller refuses to follow.
var errOffOrigin = errors.New("redirect to another origin refused")

// redact returns u for errors and Page.URL: without user info or
// fragment, and with the values of the query-auth parameter and of
// parameters whose names look secret replaced (see [events.RedactURL]),
// so that a key written into a resource URL by hand is redacted too.
func (s *HTTPSource) redact(u *url.URL) string {
	return redact.URL(u, s.isAuthParam)
}

// isAuthParam reports whether name is the query-auth parameter.
func (s *HTTPSource) isAuthParam(name string) bool {
	return s.auth.style == vocab.AuthQuery && name == s.auth.param
}

// scrubURLError drops the URL a *url.Error carries, which may hold the
// query-auth key; the caller's message names the redacted URL instead.
func scrubURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// drainBody reads what is left of a body, up to a bound, and closes it,
// so that the connection can be reused without reading an endless body.
func drainBody(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 64<<10))
	_ = body.Close()
}
