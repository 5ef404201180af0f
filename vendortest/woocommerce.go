package vendortest

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
)

// WooCommerce's REST API, as the fake serves it.
const (
	// WooAPIPath is the REST API v3 root under the store's URL.
	WooAPIPath = "/wp-json/wc/v3"
	// WooDateLayout is how WooCommerce writes dates: no zone, no
	// fraction, in the site's zone (date_created) or in GMT
	// (date_created_gmt).
	WooDateLayout = "2006-01-02T15:04:05"
)

// The headers of a list: the number of records over all its pages, and
// the number of pages.
const (
	wooHeaderTotal      = "X-WP-Total"
	wooHeaderTotalPages = "X-WP-TotalPages"
)

// WooConfig configures a [WooCommerce] store. Zero values are documented
// defaults.
type WooConfig struct {
	// Key and Secret are the REST API consumer key and secret the store
	// accepts. As in WooCommerce, a store whose URL is http:// takes only
	// OAuth 1.0a one-legged signed requests (HMAC-SHA1 or HMAC-SHA256,
	// 15-minute timestamp window, no nonce twice); an https:// store takes
	// them with HTTP Basic auth or as the consumer_key and consumer_secret
	// query parameters. Required.
	Key, Secret string
	// Clock dates the changes made with CreateCustomer and the like, and
	// the Date header; Delay faults wait on it. Default: the real clock.
	Clock clockwork.Clock
	// Site is the store's time zone: date_created and date_modified are
	// written in it, and a modified_after without dates_are_gmt is read in
	// it. Default: UTC.
	Site *time.Location
	// Client sends the webhooks. Default: a client with a 10 s timeout.
	Client *http.Client
	// OnRequest, when set, is called with every authenticated, well-formed
	// request for a list before it is answered, with the log entry so far
	// (Status is 0) and the Fault that will answer it, if any. It runs
	// without the store's lock, so it may change the store: a change while
	// a client pages. It must be safe for concurrent use.
	OnRequest func(LoggedRequest)
}

// WooCommerce is a fake WooCommerce store: the customers and orders of its
// REST API v3 (see [WooAPIPath]), and the webhooks it sends when they
// change (see [WooCommerce.AddWebhook]). It is an [http.Handler]; serve
// it with [ServeWooCommerce] in a test, or on a server of your own and
// tell it its URL with [Fake.SetURL].
//
// It serves GET /customers and GET /orders with WooCommerce's field
// shapes; page and per_page (1 to 100, default 10); orderby and order
// (customers: name, id, include, registered_date, ascending by name by
// default; orders: date, modified, id, include, newest first by default);
// for orders, after, before, modified_after and modified_before, in the
// site's zone or in GMT with dates_are_gmt; the X-WP-Total and
// X-WP-TotalPages headers and a Link header with rel="prev" and "next"; a
// Date header from its clock; and WordPress's error bodies,
// {"code","message","data":{"status"}}. A page past the last is empty for
// customers and an error for orders, as in WooCommerce.
//
// It also serves the webhooks resource: GET /webhooks (page, per_page,
// status; newest first; X-WP-Total and X-WP-TotalPages), POST /webhooks
// (name, topic, delivery_url, secret, status; answered 201, the new
// webhook's URL pinged with webhook_id=N), GET, PUT and DELETE
// /webhooks/{id} (DELETE only with force=true, else 501
// woocommerce_rest_trash_not_supported), with WooCommerce's field names,
// ids and error codes; the secret is write-only. Every change to a
// customer or order is then delivered, signed, to each active webhook of
// its topic; five failed deliveries in a row disable a webhook (see
// [WooCommerce.SetWebhookStatus] to do it at once).
//
// Every request is logged (see [Fake.Log]) and may be answered by an
// injected [Fault]. Its methods are safe for concurrent use.
type WooCommerce struct {
	Fake

	site      *time.Location
	client    *http.Client
	onRequest func(LoggedRequest)

	mu          sync.Mutex
	key, secret string
	nonces      map[string]time.Time // OAuth 1.0a nonces seen in the last 15 minutes, and their timestamps
	records     map[string]map[int]wooRecord
	lastID      map[string]int
	webhooks    []wooWebhook
	lastWebhook int // the last webhook id given
}

// NewWooCommerce returns an empty store. It returns an error wrapping
// [ErrConfig] if cfg lacks Key or Secret.
func NewWooCommerce(cfg WooConfig) (*WooCommerce, error) {
	if cfg.Key == "" || cfg.Secret == "" {
		return nil, fmt.Errorf("%w: WooConfig.Key and WooConfig.Secret are required", ErrConfig)
	}
	s := &WooCommerce{
		site: cfg.Site, client: cfg.Client, onRequest: cfg.OnRequest,
		key: cfg.Key, secret: cfg.Secret,
		records: make(map[string]map[int]wooRecord), lastID: make(map[string]int),
	}
	var onClose func()
	if s.site == nil {
		s.site = time.UTC
	}
	if s.client == nil {
		s.client = &http.Client{Timeout: 10 * time.Second}
		onClose = s.client.CloseIdleConnections
	}
	s.init(cfg.Clock, wooSource, onClose)
	for name := range wooResources {
		s.records[name] = make(map[int]wooRecord)
	}
	return s, nil
}

// ServeWooCommerce starts a store on an [httptest.Server] and tells it its
// URL. The test fails at once if cfg is invalid; the store and the server
// are closed when the test ends.
func ServeWooCommerce(t testing.TB, cfg WooConfig) *WooCommerce {
	t.Helper()
	s, err := NewWooCommerce(cfg)
	if err != nil {
		t.Fatalf("vendortest: ServeWooCommerce: %v", err)
	}
	s.start(t, s)
	return s
}

// SetCredentials changes the consumer key and secret the store accepts,
// as when the shop's admin revokes or regenerates them.
func (s *WooCommerce) SetCredentials(key, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.key, s.secret = key, secret
}

// ServeHTTP serves the REST API; see [WooCommerce].
func (s *WooCommerce) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sw := &statusWriter{ResponseWriter: w}
	entry := newRequest(r, s.clock.Now())
	defer func() {
		entry.Status = sw.status
		s.log.add(entry)
	}()
	s.serve(sw, r, &entry)
}

// serve answers r and fills in its log entry.
func (s *WooCommerce) serve(w http.ResponseWriter, r *http.Request, entry *LoggedRequest) {
	name, _ := strings.CutPrefix(r.URL.Path, WooAPIPath+"/")
	if rest, ok := strings.CutPrefix(name, "webhooks"); ok && (rest == "" || rest[0] == '/') {
		s.serveWebhooks(w, r, entry, strings.TrimPrefix(rest, "/"))
		return
	}
	res, ok := wooResources[name]
	if !ok || r.Method != http.MethodGet {
		s.fail(w, wpError{http.StatusNotFound, "rest_no_route", "No route was found matching the URL and request method.", nil})
		return
	}
	entry.Resource = name
	if e := s.authenticate(r); e != nil {
		s.fail(w, *e)
		return
	}
	page, perPage, e := pageParams(entry.Query)
	if e != nil {
		s.fail(w, *e)
		return
	}
	entry.Page = page
	f := s.faults.match(name, page)
	entry.Fault = f
	if s.onRequest != nil {
		s.onRequest(*entry)
	}
	if !holdFor(s.clock, s.closed, r, f) {
		return
	}
	if f != nil && f.Status != 0 {
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		s.fail(w, wpError{f.Status, "vendortest_fault", http.StatusText(f.Status), nil})
		return
	}
	s.list(w, r, entry, res, page, perPage, f)
}

// authenticate checks the request as WooCommerce does: OAuth 1.0a when
// the store's URL is http (see authenticateOAuth); over https, the
// consumer key and secret from Basic auth or the query.
func (s *WooCommerce) authenticate(r *http.Request) *wpError {
	if strings.HasPrefix(s.URL(), "http:") {
		return s.authenticateOAuth(r)
	}
	key, secret, ok := r.BasicAuth()
	if !ok {
		q := r.URL.Query()
		key, secret = q.Get("consumer_key"), q.Get("consumer_secret")
	}
	s.mu.Lock()
	wantKey, wantSecret := s.key, s.secret
	s.mu.Unlock()
	switch {
	case key == "" && secret == "":
		return &wpError{http.StatusUnauthorized, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.", nil}
	case subtle.ConstantTimeCompare([]byte(key), []byte(wantKey)) != 1:
		return &wpError{http.StatusUnauthorized, "woocommerce_rest_authentication_error", "Consumer key is invalid.", nil}
	case subtle.ConstantTimeCompare([]byte(secret), []byte(wantSecret)) != 1:
		return &wpError{http.StatusUnauthorized, "woocommerce_rest_authentication_error", "Consumer secret is invalid.", nil}
	}
	return nil
}

// wpError is a WordPress REST API error.
type wpError struct {
	status        int
	code, message string
	params        map[string]string // the data.params of rest_invalid_param
}

// fail answers e as WordPress does.
func (s *WooCommerce) fail(w http.ResponseWriter, e wpError) {
	type data struct {
		Status int               `json:"status"`
		Params map[string]string `json:"params,omitempty"`
	}
	body, _ := wpJSON(struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Data    data   `json:"data"`
	}{e.code, e.message, data{e.status, e.params}})
	h := w.Header()
	h.Set("Date", s.clock.Now().UTC().Format(http.TimeFormat))
	h.Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(e.status)
	_, _ = w.Write(body)
}

// wpJSON encodes v as WordPress's wp_json_encode does: "/" written as
// "\/", and <, > and & left alone. A webhook's signature covers these
// exact bytes, which is why a receiver must verify the raw body, never a
// re-encoding.
func wpJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	// A "/" can only occur inside a JSON string, so this is safe.
	return bytes.ReplaceAll(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), []byte("/"), []byte(`\/`)), nil
}

// statusWriter remembers the status answered.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
