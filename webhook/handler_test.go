package webhook_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/events/eventstest"
	"github.com/a12b7632/elementevents/signature"
	"github.com/a12b7632/elementevents/vendortest"
	"github.com/a12b7632/elementevents/webhook"
)

var (
	// handlerT0 is the fake clock's time: the date of changes whose body
	// has none.
	handlerT0 = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

	// handlerStdKey is the Standard Webhooks key of instance std-1.
	handlerStdKey = []byte("standard webhooks test key")
)

const (
	handlerWooSecret = "wc-webhook-secret"
	handlerHexSecret = "hex-vendor-secret"
	handlerB64Secret = "b64-vendor-secret"
)

// handlerCatalogue holds the built-in elements and the test vendors:
// hexvendor (hex HMAC with a sha256= prefix, arrays of changes, nested
// paths, forms and GET), b64vendor (base64 HMAC, one change per body) and
// stdvendor (Standard Webhooks).
var handlerCatalogue = func() *element.Catalogue {
	c := &element.Catalogue{}
	for _, d := range element.Builtins() {
		if err := c.Register(d); err != nil {
			panic(err)
		}
	}
	for _, js := range []string{`{
		"key": "hexvendor", "hub": "crm", "baseUrl": "https://api.hex.example",
		"webhook": {
			"signatureScheme": "hmac-sha256", "signatureHeader": "X-Hex-Signature",
			"signatureEncoding": "hex", "signaturePrefix": "sha256=", "secretKey": "webhook.secret",
			"changesPath": "data.changes", "objectTypePath": "kind", "objectIdPath": "object.id",
			"eventTypePath": "action", "datePath": "at",
			"topics": {"objects": {"contact": "contacts"}, "actions": {"add": "CREATED", "edit": "UPDATED", "remove": "DELETED"}},
			"methods": ["POST", "GET"], "formEncoded": true
		}}`, `{
		"key": "b64vendor", "hub": "crm", "baseUrl": "https://api.b64.example",
		"webhook": {
			"signatureScheme": "hmac-sha256", "signatureHeader": "X-B64-Signature", "secretKey": "webhook.secret",
			"objectTypePath": "type", "objectIdPath": "id", "eventTypePath": "event", "datePath": "ts",
			"dateFormat": "milliseconds"
		}}`, `{
		"key": "stdvendor", "hub": "general", "baseUrl": "https://api.std.example",
		"webhook": {
			"signatureScheme": "standard-webhooks", "secretKey": "webhook.secret",
			"objectTypePath": "type", "objectIdPath": "data.id", "eventTypePath": "event"
		}}`} {
		def, err := element.ParseDefinition([]byte(js))
		if err != nil {
			panic(err)
		}
		if err := c.Register(def); err != nil {
			panic(err)
		}
	}
	return c
}()

// handlerDefinition finds the test vendors, then the built-in elements.
func handlerDefinition(key string) (*element.Definition, bool) {
	if def, ok := handlerCatalogue.Lookup(key); ok {
		return def, true
	}
	return element.Default().Lookup(key)
}

// handlerInstance parses an enabled webhook instance of elementKey with
// the extra configuration (a nil value removes a key).
func handlerInstance(t testing.TB, id, elementKey string, extra map[string]any) *element.Instance {
	t.Helper()
	config := map[string]any{
		"event.notification.enabled":       true,
		"event.vendor.type":                "webhook",
		"event.notification.callback.url":  "https://app.example/callback",
		"event.notification.signature.key": "notify-key",
	}
	for k, v := range extra {
		if v == nil {
			delete(config, k)
			continue
		}
		config[k] = v
	}
	body, err := json.Marshal(map[string]any{
		"id": id, "name": "instance " + id, "tags": []string{"test"},
		"element": map[string]string{"key": elementKey}, "configuration": config,
	})
	require.NoError(t, err)
	inst, err := handlerCatalogue.Parse(body)
	require.NoError(t, err)
	return inst
}

// withElementKey gives inst an element key that Parse would refuse, as an
// instance built in Go may have.
func withElementKey(inst *element.Instance, key string) *element.Instance {
	inst.Element.Key = key
	return inst
}

// handlerInstances are the instances of the default fixture.
func handlerInstances(t testing.TB) []*element.Instance {
	return []*element.Instance{
		handlerInstance(t, "woo-1", "woocommercerest", map[string]any{"webhook.secret": handlerWooSecret}),
		handlerInstance(t, "woo-open", "woocommercerest", nil),
		handlerInstance(t, "woo-off", "woocommercerest", map[string]any{"webhook.secret": handlerWooSecret, "event.notification.enabled": false}),
		handlerInstance(t, "gen-1", "generic", map[string]any{"event.notification.signature.key": nil}),
		handlerInstance(t, "hex-1", "hexvendor", map[string]any{"webhook.secret": handlerHexSecret}),
		handlerInstance(t, "b64-1", "b64vendor", map[string]any{"webhook.secret": handlerB64Secret}),
		handlerInstance(t, "std-1", "stdvendor", map[string]any{"webhook.secret": "whsec_" + base64.StdEncoding.EncodeToString(handlerStdKey)}),
	}
}

// handlerSink is the fixture's eventstest.Recorder.
type handlerSink struct{ eventstest.Recorder }

// fail makes the sink refuse batches with err, or accept them for nil.
func (s *handlerSink) fail(err error) { s.Err = err }

// got returns the batches accepted.
func (s *handlerSink) got() []events.Batch { return s.Batches() }

// handlerLogs is a concurrency-safe buffer for a slog.TextHandler.
type handlerLogs struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *handlerLogs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *handlerLogs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// handlerFixture is a Handler behind a loopback server.
type handlerFixture struct {
	h     *webhook.Handler
	srv   *httptest.Server
	sink  *handlerSink
	clock *clockwork.FakeClock
	logs  *handlerLogs
}

// setupHandler starts a Handler configured by cfg, filled with the test
// defaults (the default instances unless Resolve or Instances is set), and
// mounted by mount (default: a ServeMux with the pattern
// /events/{elementKey}/{instanceID}, any method, so the Handler answers
// 405 itself).
func setupHandler(t *testing.T, cfg webhook.Config, mount func(http.Handler) http.Handler) *handlerFixture {
	t.Helper()
	f := &handlerFixture{sink: &handlerSink{}, clock: clockwork.NewFakeClockAt(handlerT0), logs: &handlerLogs{}}
	if cfg.Resolve == nil && cfg.Instances == nil {
		cfg.Instances = handlerInstances(t)
	}
	if cfg.Sink == nil {
		cfg.Sink = f.sink
	}
	if cfg.Clock == nil {
		cfg.Clock = f.clock
	}
	if cfg.Definition == nil {
		cfg.Definition = handlerDefinition
	}
	cfg.Logger = slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h, err := webhook.New(cfg)
	require.NoError(t, err)
	f.h = h
	if mount == nil {
		mount = func(h http.Handler) http.Handler {
			mux := http.NewServeMux()
			mux.Handle("/events/{elementKey}/{instanceID}", h)
			return mux
		}
	}
	f.srv = httptest.NewServer(mount(h))
	t.Cleanup(f.srv.Close)
	return f
}

// handlerReply is what the server answered.
type handlerReply struct {
	status int
	body   string
	header http.Header
}

// do sends a request with the headers (pairs of name and value) and reads
// the answer.
func (f *handlerFixture) do(t *testing.T, method, path string, body []byte, headers ...string) handlerReply {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, f.srv.URL+path, bytes.NewReader(body))
	require.NoError(t, err)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	return f.send(t, req)
}

func (f *handlerFixture) send(t *testing.T, req *http.Request) handlerReply {
	t.Helper()
	resp, err := f.srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return handlerReply{status: resp.StatusCode, body: strings.TrimSpace(string(b)), header: resp.Header}
}

// woo posts a WooCommerce delivery of body with topic to instance id,
// signed with secret ("" for no signature), with the delivery id if any.
func (f *handlerFixture) woo(t *testing.T, id, topic, secret, delivery string, body []byte) handlerReply {
	t.Helper()
	h := []string{"Content-Type", "application/json", vendortest.WooHeaderTopic, topic}
	if secret != "" {
		h = append(h, vendortest.WooHeaderSignature, vendortest.WooSignature(secret, body))
	}
	if delivery != "" {
		h = append(h, vendortest.WooHeaderDeliveryID, delivery)
	}
	return f.do(t, http.MethodPost, "/events/woocommercerest/"+id, body, h...)
}

func handlerMAC(secret string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return m.Sum(nil)
}

func handlerB64MAC(secret string, body []byte) string {
	return base64.StdEncoding.EncodeToString(handlerMAC(secret, body))
}

func handlerHexMAC(secret string, body []byte) string {
	return hex.EncodeToString(handlerMAC(secret, body))
}

func TestHandlerWooCommerceTopics(t *testing.T) {
	t.Parallel()
	modified := time.Date(2026, 11, 24, 11, 59, 30, 0, time.UTC)
	const dated = `"date_created_gmt":"2026-11-20T08:00:00","date_modified_gmt":"2026-11-24T11:59:30"`
	tests := []struct {
		topic    string
		body     string
		wantType events.Type
		wantObj  string
		wantID   string
		wantDate time.Time
	}{
		{"customer.created", `{"id":25,` + dated + `,"email":"john@example.com"}`, events.Created, "customers", "25", modified},
		{"customer.updated", `{"id":25,` + dated + `,"billing":{"city":"Paris"}}`, events.Updated, "customers", "25", modified},
		{"customer.deleted", `{"id":25}`, events.Deleted, "customers", "25", handlerT0},
		{"order.created", `{"id":"727",` + dated + `,"line_items":[{"id":1}]}`, events.Created, "orders", "727", modified},
		{"order.updated", `{"id":727,` + dated + `,"status":"completed"}`, events.Updated, "orders", "727", modified},
		{"order.deleted", `{"id":727}`, events.Deleted, "orders", "727", handlerT0},
		{"order.restored", `{"id":727,` + dated + `}`, events.Updated, "orders", "727", modified},
		{"product.created", `{"id":93,` + dated + `}`, events.Created, "products", "93", modified},
		{"product.updated", `{"id":93,` + dated + `}`, events.Updated, "products", "93", modified},
		{"product.deleted", `{"id":93}`, events.Deleted, "products", "93", handlerT0},
		{"product.restored", `{"id":93,` + dated + `}`, events.Updated, "products", "93", modified},
		{"coupon.created", `{"id":719,` + dated + `}`, events.Created, "coupons", "719", modified},
		{"coupon.updated", `{"id":719,` + dated + `}`, events.Updated, "coupons", "719", modified},
		{"coupon.deleted", `{"id":719}`, events.Deleted, "coupons", "719", handlerT0},
		{"coupon.restored", `{"id":719,` + dated + `}`, events.Updated, "coupons", "719", modified},
		{"action.woocommerce_add_to_cart", `{"action":"woocommerce_add_to_cart","arg":"9f61"}`, events.Unknown, "action", "", handlerT0},
		{"order.date_null", `{"id":5,"date_modified_gmt":null}`, events.Unknown, "orders", "5", handlerT0},
		{"customer.updated", `{"id":7,"date_modified_gmt":"not a date"}`, events.Updated, "customers", "7", handlerT0},
	}
	f := setupHandler(t, webhook.Config{}, nil)
	for i, tt := range tests {
		t.Run(tt.topic, func(t *testing.T) {
			t.Parallel()
			r := f.woo(t, "woo-1", tt.topic, handlerWooSecret, "delivery-topics-"+strconv.Itoa(i), []byte(tt.body))
			require.Equal(t, http.StatusOK, r.status, r.body)
			var got *events.Batch
			for _, b := range f.sink.got() {
				if string(b.Raw) == tt.body && b.Events[0].Type == tt.wantType && b.Events[0].ObjectType == tt.wantObj {
					got = &b
				}
			}
			require.NotNil(t, got, "no batch for the body")
			require.Equal(t, events.FromWebhook, got.Source)
			require.Equal(t, events.Instance{ID: "woo-1", Name: "instance woo-1", ElementKey: "woocommercerest", Tags: []string{"test"}}, got.Instance)
			require.Equal(t, events.Endpoint{URL: "https://app.example/callback", Key: []byte("notify-key")}, got.Endpoint)
			require.Len(t, got.Events, 1)
			ev := got.Events[0]
			require.Equal(t, events.Event{
				ID:         events.NewID("woo-1", tt.wantObj, tt.wantID, tt.wantType, tt.wantDate),
				Type:       tt.wantType,
				ObjectType: tt.wantObj,
				ObjectID:   tt.wantID,
				ElementKey: "woocommercerest",
				HubKey:     "ecommerce",
				Date:       tt.wantDate,
				Raw:        json.RawMessage(tt.body),
			}, ev)
		})
	}
}

func TestHandlerWooCommercePing(t *testing.T) {
	t.Parallel()
	f := setupHandler(t, webhook.Config{}, nil)
	form := "application/x-www-form-urlencoded"
	for _, id := range []string{"woo-1", "woo-open"} {
		r := f.do(t, http.MethodPost, "/events/woocommercerest/"+id, []byte("webhook_id=15"), "Content-Type", form)
		require.Equal(t, http.StatusOK, r.status, r.body)
	}
	// Not a ping: a topic header, a signature, or no webhook_id.
	r := f.do(t, http.MethodPost, "/events/woocommercerest/woo-1", []byte("webhook_id=15"),
		"Content-Type", form, vendortest.WooHeaderTopic, "customer.updated")
	require.Equal(t, http.StatusUnauthorized, r.status)
	r = f.do(t, http.MethodPost, "/events/woocommercerest/woo-1", []byte("webhook_id=15"),
		"Content-Type", form, vendortest.WooHeaderSignature, vendortest.WooSignature("wrong", []byte("webhook_id=15")))
	require.Equal(t, http.StatusUnauthorized, r.status)
	r = f.do(t, http.MethodPost, "/events/woocommercerest/woo-1", []byte("hello=15"), "Content-Type", form)
	require.Equal(t, http.StatusUnauthorized, r.status)
	// A ping for an unknown or disabled instance fails, so the store
	// shows the error when the webhook is created.
	r = f.do(t, http.MethodPost, "/events/woocommercerest/nope", []byte("webhook_id=15"), "Content-Type", form)
	require.Equal(t, http.StatusNotFound, r.status)
	r = f.do(t, http.MethodPost, "/events/woocommercerest/woo-off", []byte("webhook_id=15"), "Content-Type", form)
	require.Equal(t, http.StatusNotFound, r.status)
	require.Empty(t, f.sink.got(), "a ping yields no events")
}

func TestHandlerAnswers(t *testing.T) {
	t.Parallel()
	customer := []byte(`{"id":25,"date_modified_gmt":"2026-11-24T11:59:30"}`)
	tests := []struct {
		name       string
		method     string
		path       string
		body       []byte
		headers    []string
		wantStatus int
		wantBody   string
		wantAllow  string
		wantEvents int
	}{
		{"signed", http.MethodPost, "/events/woocommercerest/woo-1", customer,
			[]string{vendortest.WooHeaderTopic, "customer.updated", vendortest.WooHeaderSignature, vendortest.WooSignature(handlerWooSecret, customer)},
			http.StatusOK, "ok", "", 1},
		{"wrong signature", http.MethodPost, "/events/woocommercerest/woo-1", customer,
			[]string{vendortest.WooHeaderTopic, "customer.updated", vendortest.WooHeaderSignature, vendortest.WooSignature("other secret", customer)},
			http.StatusUnauthorized, "signature does not verify", "", 0},
		{"signature of another body", http.MethodPost, "/events/woocommercerest/woo-1", customer,
			[]string{vendortest.WooHeaderTopic, "customer.updated", vendortest.WooHeaderSignature, vendortest.WooSignature(handlerWooSecret, []byte(`{"id":26}`))},
			http.StatusUnauthorized, "signature does not verify", "", 0},
		{"missing signature", http.MethodPost, "/events/woocommercerest/woo-1", customer,
			[]string{vendortest.WooHeaderTopic, "customer.updated"},
			http.StatusUnauthorized, "missing signature", "", 0},
		{"malformed signature", http.MethodPost, "/events/woocommercerest/woo-1", customer,
			[]string{vendortest.WooHeaderTopic, "customer.updated", vendortest.WooHeaderSignature, "not base64!"},
			http.StatusUnauthorized, "malformed signature", "", 0},
		{"hex signature where base64 is expected", http.MethodPost, "/events/woocommercerest/woo-1", customer,
			[]string{vendortest.WooHeaderTopic, "customer.updated", vendortest.WooHeaderSignature, handlerHexMAC(handlerWooSecret, customer)},
			http.StatusUnauthorized, "malformed signature", "", 0},
		{"no secret configured", http.MethodPost, "/events/woocommercerest/woo-open", customer,
			[]string{vendortest.WooHeaderTopic, "customer.updated"},
			http.StatusOK, "ok", "", 1},
		{"unknown instance", http.MethodPost, "/events/woocommercerest/woo-404", customer,
			[]string{vendortest.WooHeaderTopic, "customer.updated"},
			http.StatusNotFound, "unknown instance", "", 0},
		{"instance of another element", http.MethodPost, "/events/concur/woo-1", customer,
			[]string{vendortest.WooHeaderTopic, "customer.updated", vendortest.WooHeaderSignature, vendortest.WooSignature(handlerWooSecret, customer)},
			http.StatusNotFound, "unknown instance", "", 0},
		{"events disabled", http.MethodPost, "/events/woocommercerest/woo-off", customer,
			[]string{vendortest.WooHeaderTopic, "customer.updated", vendortest.WooHeaderSignature, vendortest.WooSignature(handlerWooSecret, customer)},
			http.StatusNotFound, "events are disabled for this instance", "", 0},
		{"GET to a POST-only element", http.MethodGet, "/events/woocommercerest/woo-1", nil, nil,
			http.StatusMethodNotAllowed, "method not allowed", "POST", 0},
		{"DELETE to the generic element", http.MethodDelete, "/events/generic/gen-1", nil, nil,
			http.StatusMethodNotAllowed, "method not allowed", "POST, PUT", 0},
		{"PUT to the generic element", http.MethodPut, "/events/generic/gen-1", []byte(`{"objectType":"contacts","objectId":1,"eventType":"update"}`), nil,
			http.StatusOK, "ok", "", 1},
		{"bad JSON", http.MethodPost, "/events/woocommercerest/woo-1", []byte(`{"id":25,`),
			[]string{vendortest.WooHeaderTopic, "customer.updated", vendortest.WooHeaderSignature, vendortest.WooSignature(handlerWooSecret, []byte(`{"id":25,`))},
			http.StatusBadRequest, "body is not valid JSON: unexpected end of JSON input", "", 0},
		{"empty body", http.MethodPost, "/events/woocommercerest/woo-open", nil,
			[]string{vendortest.WooHeaderTopic, "customer.updated"},
			http.StatusBadRequest, "empty body", "", 0},
		{"JSON that is not an object", http.MethodPost, "/events/woocommercerest/woo-open", []byte(`"hello"`),
			[]string{vendortest.WooHeaderTopic, "customer.updated"},
			http.StatusBadRequest, "body is not a JSON object", "", 0},
		{"id that is an object", http.MethodPost, "/events/woocommercerest/woo-open", []byte(`{"id":{"n":1}}`),
			[]string{vendortest.WooHeaderTopic, "customer.updated"},
			http.StatusBadRequest, "id is an object or an array, want a string or a number", "", 0},
		{"no topic", http.MethodPost, "/events/woocommercerest/woo-open", customer, nil,
			http.StatusBadRequest, "no object type (no X-WC-Webhook-Topic header)", "", 0},
		{"no instance named", http.MethodPost, "/hooks", customer, nil,
			http.StatusNotFound, "no instance named in the path or the Element-Instances header", "", 0},
	}
	f := setupHandler(t, webhook.Config{}, func(h http.Handler) http.Handler {
		mux := http.NewServeMux()
		mux.Handle("/events/{elementKey}/{instanceID}", h)
		mux.Handle("/hooks", h)
		return mux
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(f.sink.got())
			r := f.do(t, tt.method, tt.path, tt.body, tt.headers...)
			require.Equal(t, tt.wantStatus, r.status, r.body)
			require.Equal(t, tt.wantBody, r.body)
			require.Equal(t, tt.wantAllow, r.header.Get("Allow"))
			if tt.wantStatus >= 400 {
				require.Equal(t, "text/plain; charset=utf-8", r.header.Get("Content-Type"))
				require.NotContains(t, r.body, handlerWooSecret)
			}
			got := f.sink.got()[before:]
			n := 0
			for _, b := range got {
				n += len(b.Events)
			}
			require.Equal(t, tt.wantEvents, n)
		})
	}
}

func TestHandlerTooLarge(t *testing.T) {
	t.Parallel()
	f := setupHandler(t, webhook.Config{MaxBodyBytes: 64}, nil)
	small := []byte(`{"id":1}`)
	big := []byte(`{"id":1,"note":"` + strings.Repeat("x", 100) + `"}`)
	r := f.woo(t, "woo-open", "customer.updated", "", "", small)
	require.Equal(t, http.StatusOK, r.status, r.body)

	// With a Content-Length, refused before reading.
	r = f.woo(t, "woo-open", "customer.updated", "", "", big)
	require.Equal(t, http.StatusRequestEntityTooLarge, r.status)
	require.Equal(t, "body larger than 64 bytes", r.body)

	// Chunked, refused once the limit is crossed.
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, f.srv.URL+"/events/woocommercerest/woo-open",
		io.MultiReader(bytes.NewReader(big[:50]), bytes.NewReader(big[50:])))
	require.NoError(t, err)
	req.ContentLength = -1
	req.Header.Set(vendortest.WooHeaderTopic, "customer.updated")
	r = f.send(t, req)
	require.Equal(t, http.StatusRequestEntityTooLarge, r.status)
	require.Len(t, f.sink.got(), 1)

	// The default is 1 MiB. In process: a client may not see the answer
	// to a body the server stops reading this early.
	d := setupHandler(t, webhook.Config{}, nil)
	for _, size := range []int{webhook.DefaultMaxBodyBytes - 20, webhook.DefaultMaxBodyBytes + 1} {
		body := []byte(`{"id":1,"note":"` + strings.Repeat("x", size-18) + `"}`)
		require.Len(t, body, size)
		req := httptest.NewRequest(http.MethodPost, "/events/woocommercerest/woo-open", bytes.NewReader(body))
		req.SetPathValue("elementKey", "woocommercerest")
		req.SetPathValue("instanceID", "woo-open")
		req.Header.Set(vendortest.WooHeaderTopic, "customer.updated")
		if size%2 == 1 {
			req.ContentLength = -1 // read, not refused on its announced length
		}
		w := httptest.NewRecorder()
		d.h.ServeHTTP(w, req)
		want := http.StatusOK
		if size > webhook.DefaultMaxBodyBytes {
			want = http.StatusRequestEntityTooLarge
		}
		require.Equal(t, want, w.Code, w.Body.String())
	}
}

func TestHandlerSinkFailsThenRetry(t *testing.T) {
	t.Parallel()
	f := setupHandler(t, webhook.Config{}, nil)
	body := []byte(`{"id":25,"date_modified_gmt":"2026-11-24T11:59:30"}`)
	f.sink.fail(errors.New("outbox full"))
	r := f.woo(t, "woo-1", "customer.updated", handlerWooSecret, "d-503", body)
	require.Equal(t, http.StatusServiceUnavailable, r.status)
	require.Equal(t, "events could not be accepted; retry later", r.body)
	require.NotContains(t, r.body, "outbox full")
	require.Contains(t, f.logs.String(), "outbox full")

	// The delivery was not remembered: the vendor's retry goes through.
	f.sink.fail(nil)
	r = f.woo(t, "woo-1", "customer.updated", handlerWooSecret, "d-503", body)
	require.Equal(t, http.StatusOK, r.status, r.body)
	require.Len(t, f.sink.got(), 1)
}

func TestHandlerDuplicateDelivery(t *testing.T) {
	t.Parallel()
	f := setupHandler(t, webhook.Config{DedupeTTL: time.Hour}, nil)
	body := []byte(`{"id":25,"date_modified_gmt":"2026-11-24T11:59:30"}`)
	for range 3 {
		r := f.woo(t, "woo-1", "customer.updated", handlerWooSecret, "d-1", body)
		require.Equal(t, http.StatusOK, r.status, r.body)
	}
	require.Len(t, f.sink.got(), 1, "one event for three deliveries of one id")

	// Another delivery id of the same change is another delivery.
	r := f.woo(t, "woo-1", "customer.updated", handlerWooSecret, "d-2", body)
	require.Equal(t, http.StatusOK, r.status)
	require.Len(t, f.sink.got(), 2)

	// The same delivery id on another instance is another delivery.
	r = f.woo(t, "woo-open", "customer.updated", "", "d-1", body)
	require.Equal(t, http.StatusOK, r.status)
	require.Len(t, f.sink.got(), 3)

	// After the TTL the id is forgotten.
	f.clock.Advance(time.Hour)
	r = f.woo(t, "woo-1", "customer.updated", handlerWooSecret, "d-1", body)
	require.Equal(t, http.StatusOK, r.status)
	require.Len(t, f.sink.got(), 4)
}

func TestHandlerDuplicateEventWithoutDeliveryID(t *testing.T) {
	t.Parallel()
	f := setupHandler(t, webhook.Config{}, nil)
	body := []byte(`{"objectType":"contacts","objectId":"c-1","eventType":"update","date":"2026-11-24T11:00:00Z"}`)
	for range 2 {
		r := f.do(t, http.MethodPost, "/events/generic/gen-1", body)
		require.Equal(t, http.StatusOK, r.status, r.body)
	}
	require.Len(t, f.sink.got(), 1, "the same event id is dropped")

	// In a batch, only the events not seen yet are published.
	batch := []byte(`[{"objectType":"contacts","objectId":"c-1","eventType":"update","date":"2026-11-24T11:00:00Z"},
		{"objectType":"contacts","objectId":"c-2","eventType":"update","date":"2026-11-24T11:00:00Z"}]`)
	r := f.do(t, http.MethodPost, "/events/generic/gen-1", batch)
	require.Equal(t, http.StatusOK, r.status, r.body)
	got := f.sink.got()
	require.Len(t, got, 2)
	require.Len(t, got[1].Events, 1)
	require.Equal(t, "c-2", got[1].Events[0].ObjectID)

	// Changes without a date are dated on arrival, so a repeat after the
	// clock moved is a new event.
	undated := []byte(`{"objectType":"contacts","objectId":"c-3","eventType":"update"}`)
	require.Equal(t, http.StatusOK, f.do(t, http.MethodPost, "/events/generic/gen-1", undated).status)
	f.clock.Advance(time.Second)
	require.Equal(t, http.StatusOK, f.do(t, http.MethodPost, "/events/generic/gen-1", undated).status)
	require.Len(t, f.sink.got(), 4)
}

func TestHandlerDedupeOff(t *testing.T) {
	t.Parallel()
	f := setupHandler(t, webhook.Config{DedupeTTL: -1}, nil)
	body := []byte(`{"id":25,"date_modified_gmt":"2026-11-24T11:59:30"}`)
	for range 2 {
		require.Equal(t, http.StatusOK, f.woo(t, "woo-1", "customer.updated", handlerWooSecret, "d-1", body).status)
	}
	require.Len(t, f.sink.got(), 2)
}

// handlerFailingDeduper fails every call.
type handlerFailingDeduper struct{}

func (handlerFailingDeduper) Seen(context.Context, string) (bool, error) {
	return false, errors.New("deduper down")
}

func (handlerFailingDeduper) Mark(context.Context, string, time.Duration) error {
	return errors.New("deduper down")
}

func TestHandlerDeduperDown(t *testing.T) {
	t.Parallel()
	f := setupHandler(t, webhook.Config{Deduper: handlerFailingDeduper{}}, nil)
	body := []byte(`{"id":25}`)
	r := f.woo(t, "woo-1", "customer.deleted", handlerWooSecret, "d-1", body)
	require.Equal(t, http.StatusOK, r.status, "a duplicate is better than a lost event")
	require.Len(t, f.sink.got(), 1)
	require.Contains(t, f.logs.String(), "deduper down")
}

func TestHandlerGenericSignatures(t *testing.T) {
	t.Parallel()
	one := []byte(`{"data":{"changes":[{"kind":"contact","object":{"id":7},"action":"edit","at":"2026-11-24T10:00:00+01:00"}]}}`)
	b64 := []byte(`{"type":"deal","id":42,"event":"CREATED","ts":1795521600000}`)
	tests := []struct {
		name       string
		path       string
		body       []byte
		header     string
		value      string
		wantStatus int
	}{
		{"hex with prefix", "/events/hexvendor/hex-1", one, "X-Hex-Signature", "sha256=" + handlerHexMAC(handlerHexSecret, one), http.StatusOK},
		{"hex upper-case prefix", "/events/hexvendor/hex-1", one, "X-Hex-Signature", "SHA256=" + handlerHexMAC(handlerHexSecret, one), http.StatusOK},
		{"hex without prefix", "/events/hexvendor/hex-1", one, "X-Hex-Signature", handlerHexMAC(handlerHexSecret, one), http.StatusOK},
		{"hex upper-case digits", "/events/hexvendor/hex-1", one, "X-Hex-Signature", strings.ToUpper(handlerHexMAC(handlerHexSecret, one)), http.StatusOK},
		{"hex wrong key", "/events/hexvendor/hex-1", one, "X-Hex-Signature", "sha256=" + handlerHexMAC("nope", one), http.StatusUnauthorized},
		{"hex other algorithm", "/events/hexvendor/hex-1", one, "X-Hex-Signature", "sha1=" + handlerHexMAC(handlerHexSecret, one), http.StatusUnauthorized},
		{"base64 without prefix", "/events/b64vendor/b64-1", b64, "X-B64-Signature", handlerB64MAC(handlerB64Secret, b64), http.StatusOK},
		{"base64 with prefix", "/events/b64vendor/b64-1", b64, "X-B64-Signature", "sha256=" + handlerB64MAC(handlerB64Secret, b64), http.StatusOK},
		{"base64 URL-safe", "/events/b64vendor/b64-1", b64, "X-B64-Signature", base64.URLEncoding.EncodeToString(handlerMAC(handlerB64Secret, b64)), http.StatusOK},
		{"base64 wrong key", "/events/b64vendor/b64-1", b64, "X-B64-Signature", handlerB64MAC("nope", b64), http.StatusUnauthorized},
	}
	f := setupHandler(t, webhook.Config{DedupeTTL: -1}, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := f.do(t, http.MethodPost, tt.path, tt.body, tt.header, tt.value)
			require.Equal(t, tt.wantStatus, r.status, r.body)
		})
	}

	// Key rotation on the sender's side: any value of the header may match.
	r := f.do(t, http.MethodPost, "/events/b64vendor/b64-1", b64,
		"X-B64-Signature", handlerB64MAC("old", b64), "X-B64-Signature", handlerB64MAC(handlerB64Secret, b64))
	require.Equal(t, http.StatusOK, r.status, r.body)

	var deal *events.Event
	for _, b := range f.sink.got() {
		if b.Events[0].ObjectType == "deal" {
			deal = &b.Events[0]
		}
	}
	require.NotNil(t, deal)
	require.Equal(t, events.Created, deal.Type)
	require.Equal(t, "42", deal.ObjectID)
	require.Equal(t, time.UnixMilli(1795521600000).UTC(), deal.Date)
	require.Equal(t, "crm", deal.HubKey)
}

func TestHandlerStandardWebhooks(t *testing.T) {
	t.Parallel()
	f := setupHandler(t, webhook.Config{}, nil)
	body := []byte(`{"type":"invoice","event":"UPDATED","data":{"id":"in_1"}}`)
	signer, err := signature.NewSigner(handlerStdKey)
	require.NoError(t, err)
	post := func(id string, at time.Time, payload []byte) handlerReply {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, f.srv.URL+"/events/stdvendor/std-1", bytes.NewReader(payload))
		require.NoError(t, err)
		signer.SetHeaders(req.Header, id, at, body)
		return f.send(t, req)
	}
	r := post("msg_1", handlerT0, body)
	require.Equal(t, http.StatusOK, r.status, r.body)
	got := f.sink.got()
	require.Len(t, got, 1)
	require.Equal(t, "invoice", got[0].Events[0].ObjectType)
	require.Equal(t, "in_1", got[0].Events[0].ObjectID)
	require.Equal(t, events.Updated, got[0].Events[0].Type)

	r = post("msg_2", handlerT0, []byte(`{"type":"invoice","event":"DELETED","data":{"id":"in_1"}}`))
	require.Equal(t, http.StatusUnauthorized, r.status)
	require.Equal(t, "signature does not verify", r.body)
	r = post("msg_3", handlerT0.Add(-time.Hour), body)
	require.Equal(t, http.StatusUnauthorized, r.status)
	require.Equal(t, "signature timestamp outside the tolerance", r.body)
	r = f.do(t, http.MethodPost, "/events/stdvendor/std-1", body)
	require.Equal(t, http.StatusUnauthorized, r.status)
	require.Equal(t, "missing signature", r.body)
	require.Len(t, f.sink.got(), 1)
}

func TestHandlerGenericBodies(t *testing.T) {
	t.Parallel()
	f := setupHandler(t, webhook.Config{DedupeTTL: -1}, nil)
	hexPost := func(t *testing.T, body []byte, headers ...string) handlerReply {
		return f.do(t, http.MethodPost, "/events/hexvendor/hex-1", body,
			append([]string{"X-Hex-Signature", "sha256=" + handlerHexMAC(handlerHexSecret, body)}, headers...)...)
	}
	at := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	t.Run("array of changes", func(t *testing.T) {
		body := []byte(`{"data":{"changes":[
			{"kind":"contact","object":{"id":1},"action":"add","at":"2026-11-24T10:00:00+01:00"},
			{"kind":"contact","object":{"id":"2"},"action":"remove","at":"2026-11-24T09:00:00Z"},
			{"kind":"lead","object":{"id":3},"action":"archive"}]}, "meta": {"page": 1}}`)
		r := hexPost(t, body)
		require.Equal(t, http.StatusOK, r.status, r.body)
		b := f.sink.got()[len(f.sink.got())-1]
		require.JSONEq(t, string(body), string(b.Raw))
		require.Len(t, b.Events, 3)
		require.Equal(t, []string{"contacts", "contacts", "lead"}, []string{b.Events[0].ObjectType, b.Events[1].ObjectType, b.Events[2].ObjectType})
		require.Equal(t, []events.Type{events.Created, events.Deleted, events.Unknown}, []events.Type{b.Events[0].Type, b.Events[1].Type, b.Events[2].Type})
		require.Equal(t, []string{"1", "2", "3"}, []string{b.Events[0].ObjectID, b.Events[1].ObjectID, b.Events[2].ObjectID})
		require.Equal(t, at, b.Events[0].Date)
		require.Equal(t, at, b.Events[1].Date)
		require.Equal(t, handlerT0, b.Events[2].Date)
		require.JSONEq(t, `{"kind":"lead","object":{"id":3},"action":"archive"}`, string(b.Events[2].Raw))
	})
	t.Run("no changes", func(t *testing.T) {
		before := len(f.sink.got())
		for _, body := range []string{`{"data":{}}`, `{"data":{"changes":null}}`, `{"data":{"changes":[]}}`} {
			r := hexPost(t, []byte(body))
			require.Equal(t, http.StatusOK, r.status, r.body)
		}
		require.Len(t, f.sink.got(), before, "nothing to publish")
	})
	t.Run("changes not an array", func(t *testing.T) {
		r := hexPost(t, []byte(`{"data":{"changes":{"kind":"contact"}}}`))
		require.Equal(t, http.StatusBadRequest, r.status)
		require.Equal(t, "data.changes is not an array", r.body)
		r = hexPost(t, []byte(`{"data":{"changes":[{"kind":"contact"}, 5]}}`))
		require.Equal(t, http.StatusBadRequest, r.status)
		require.Equal(t, "change 1 is not a JSON object", r.body)
	})
	t.Run("form body", func(t *testing.T) {
		body := []byte("kind=contact&object.id=9&action=edit&at=2026-11-24T09%3A00%3A00Z")
		r := hexPost(t, body, "Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		require.Equal(t, http.StatusOK, r.status, r.body)
		b := f.sink.got()[len(f.sink.got())-1]
		require.JSONEq(t, `{"kind":"contact","object.id":"9","action":"edit","at":"2026-11-24T09:00:00Z"}`, string(b.Raw))
		require.Len(t, b.Events, 1)
		require.Equal(t, events.Event{
			ID: events.NewID("hex-1", "contacts", "9", events.Updated, at), Type: events.Updated,
			ObjectType: "contacts", ObjectID: "9", ElementKey: "hexvendor", HubKey: "crm", Date: at, Raw: b.Raw,
		}, b.Events[0])
	})
	t.Run("form body where forms are not accepted", func(t *testing.T) {
		body := []byte("type=deal&id=1&event=created")
		r := f.do(t, http.MethodPost, "/events/b64vendor/b64-1", body,
			"Content-Type", "application/x-www-form-urlencoded", "X-B64-Signature", handlerB64MAC(handlerB64Secret, body))
		require.Equal(t, http.StatusBadRequest, r.status)
	})
	t.Run("GET with query parameters", func(t *testing.T) {
		query := "kind=contact&object.id=10&action=add"
		r := f.do(t, http.MethodGet, "/events/hexvendor/hex-1?"+query, nil,
			"X-Hex-Signature", handlerHexMAC(handlerHexSecret, []byte(query)))
		require.Equal(t, http.StatusOK, r.status, r.body)
		b := f.sink.got()[len(f.sink.got())-1]
		require.Equal(t, "10", b.Events[0].ObjectID)
		require.Equal(t, events.Created, b.Events[0].Type)
		require.JSONEq(t, `{"kind":"contact","object.id":"10","action":"add"}`, string(b.Raw))

		// The signature covers the raw query.
		r = f.do(t, http.MethodGet, "/events/hexvendor/hex-1?"+query+"&x=1", nil,
			"X-Hex-Signature", handlerHexMAC(handlerHexSecret, []byte(query)))
		require.Equal(t, http.StatusUnauthorized, r.status)
	})
	t.Run("generic element", func(t *testing.T) {
		body := []byte(`{"objectType":"accounts","objectId":77,"eventType":"created","date":"2026-11-24T09:00:00Z"}`)
		r := f.do(t, http.MethodPost, "/events/generic/gen-1", body)
		require.Equal(t, http.StatusOK, r.status, r.body)
		b := f.sink.got()[len(f.sink.got())-1]
		require.Equal(t, events.Event{
			ID: events.NewID("gen-1", "accounts", "77", events.Created, at), Type: events.Created,
			ObjectType: "accounts", ObjectID: "77", ElementKey: "generic", HubKey: "general", Date: at, Raw: body,
		}, b.Events[0])
		require.Equal(t, events.Endpoint{URL: "https://app.example/callback"}, b.Endpoint, "no signature key, no Key")

		r = f.do(t, http.MethodPost, "/events/generic/gen-1", []byte(`{"objectId":77}`))
		require.Equal(t, http.StatusBadRequest, r.status)
		require.Equal(t, "no object type (no value at objectType)", r.body)
	})
}

func TestHandlerInstanceIDs(t *testing.T) {
	t.Parallel()
	body := []byte(`{"id":25}`)
	wooHeaders := []string{vendortest.WooHeaderTopic, "customer.deleted", vendortest.WooHeaderSignature, vendortest.WooSignature(handlerWooSecret, body)}
	tests := []struct {
		name       string
		path       string
		headers    []string
		wantStatus int
	}{
		{"as given", "/events/woocommercerest/woo-1", nil, http.StatusOK},
		{"base64", "/events/woocommercerest/" + base64.StdEncoding.EncodeToString([]byte("woo-1")), nil, http.StatusOK},
		{"base64 URL-safe unpadded", "/events/woocommercerest/" + base64.RawURLEncoding.EncodeToString([]byte("woo-1")), nil, http.StatusOK},
		{"base64 of an unknown id", "/events/woocommercerest/" + base64.StdEncoding.EncodeToString([]byte("woo-9")), nil, http.StatusNotFound},
		{"Element-Instances header", "/hooks", []string{"Element-Instances", "woo-1"}, http.StatusOK},
		{"Element-Instances header in base64", "/hooks", []string{"Element-Instances", base64.StdEncoding.EncodeToString([]byte("woo-1"))}, http.StatusOK},
		{"Element-Instances header, unknown", "/hooks", []string{"Element-Instances", "woo-9"}, http.StatusNotFound},
		{"header with the element in the path", "/hooks/woocommercerest", []string{"Element-Instances", "woo-1"}, http.StatusOK},
		{"header with another element in the path", "/hooks/concur", []string{"Element-Instances", "woo-1"}, http.StatusNotFound},
		{"base64 with an escaped slash", "/events/woocommercerest/YT8%2F", nil, http.StatusOK},
		{"base64 URL-safe of the same", "/events/woocommercerest/YT8_", nil, http.StatusOK},
	}
	insts := append(handlerInstances(t), handlerInstance(t, "a??", "woocommercerest", map[string]any{"webhook.secret": handlerWooSecret}))
	f := setupHandler(t, webhook.Config{DedupeTTL: -1, Instances: insts}, func(h http.Handler) http.Handler {
		mux := http.NewServeMux()
		mux.Handle("POST /events/{elementKey}/{instanceID}", h)
		mux.Handle("POST /hooks", h)
		mux.Handle("POST /hooks/{elementKey}", h)
		return mux
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := f.do(t, http.MethodPost, tt.path, body, append(tt.headers, wooHeaders...)...)
			require.Equal(t, tt.wantStatus, r.status, r.body)
		})
	}
	for _, b := range f.sink.got() {
		require.Contains(t, []string{"woo-1", "a??"}, b.Instance.ID, "events carry the decoded id")
		require.Equal(t, events.NewID(b.Instance.ID, "customers", "25", events.Deleted, handlerT0), b.Events[0].ID)
	}
}

func TestHandlerFirstSightConcurrent(t *testing.T) {
	t.Parallel()
	inst := handlerInstance(t, "open", "woocommercerest", nil)
	f := setupHandler(t, webhook.Config{Resolve: func(_ context.Context, _, id string) (*element.Instance, error) {
		if id != "open" {
			return nil, webhook.ErrUnknownInstance
		}
		// A new value each time, as a resolver reading a database returns.
		c := *inst
		return &c, nil
	}}, nil)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			r := f.woo(t, "open", "order.deleted", "", "d-"+strconv.Itoa(i), []byte(`{"id":`+strconv.Itoa(i)+`}`))
			if r.status != http.StatusOK {
				t.Errorf("status %d: %s", r.status, r.body)
			}
		})
	}
	wg.Wait()
	require.Len(t, f.sink.got(), 16)
	require.Equal(t, 1, strings.Count(f.logs.String(), "no webhook secret"), "one warning for the instance")
}

func TestHandlerMounting(t *testing.T) {
	t.Parallel()
	body := []byte(`{"id":25}`)
	headers := []string{vendortest.WooHeaderTopic, "customer.deleted", vendortest.WooHeaderSignature, vendortest.WooSignature(handlerWooSecret, body)}
	tests := []struct {
		name  string
		mount func(http.Handler) http.Handler
		path  string
	}{
		{"StripPrefix around a mux", func(h http.Handler) http.Handler {
			mux := http.NewServeMux()
			mux.Handle("POST /events/{elementKey}/{instanceID}", h)
			return http.StripPrefix("/api/v1", mux)
		}, "/api/v1/events/woocommercerest/woo-1"},
		{"mux around StripPrefix", func(h http.Handler) http.Handler {
			mux := http.NewServeMux()
			mux.Handle("POST /api/events/{elementKey}/{instanceID}", http.StripPrefix("/api", h))
			return mux
		}, "/api/events/woocommercerest/woo-1"},
		{"StripPrefix without a pattern", func(h http.Handler) http.Handler {
			return http.StripPrefix("/hooks", h)
		}, "/hooks/events/woocommercerest/woo-1"},
		{"bare handler, escaped id", func(h http.Handler) http.Handler { return h }, "/events/woocommercerest/woo%2D1/"},
		{"host middleware", func(h http.Handler) http.Handler {
			mux := http.NewServeMux()
			mux.Handle("POST /events/{elementKey}/{instanceID}", h)
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-Request-Id", "req-1")
				r = r.WithContext(context.WithValue(r.Context(), struct{}{}, "tenant"))
				mux.ServeHTTP(w, r)
			})
		}, "/events/woocommercerest/woo-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setupHandler(t, webhook.Config{}, tt.mount)
			r := f.do(t, http.MethodPost, tt.path, body, headers...)
			require.Equal(t, http.StatusOK, r.status, r.body)
			got := f.sink.got()
			require.Len(t, got, 1)
			require.Equal(t, "woo-1", got[0].Instance.ID)
		})
	}
}

func TestHandlerResolve(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	insts := map[string]*element.Instance{
		"woo-1": handlerInstance(t, "woo-1", "woocommercerest", map[string]any{"webhook.secret": handlerWooSecret}),
		"woo-2": handlerInstance(t, "woo-2", "woocommercerest", nil),
		"noid":  handlerInstance(t, "", "woocommercerest", nil),
		"nodef": withElementKey(handlerInstance(t, "nodef", "generic", nil), "nosuchelement"),
	}
	var calls []string
	resolve := func(_ context.Context, elementKey, id string) (*element.Instance, error) {
		mu.Lock()
		defer mu.Unlock()
		calls = append(calls, elementKey+"/"+id)
		switch id {
		case "boom":
			return nil, errors.New("database is down")
		case "nil":
			return nil, nil
		}
		inst, ok := insts[id]
		if !ok {
			return nil, webhook.ErrUnknownInstance
		}
		return inst, nil
	}
	f := setupHandler(t, webhook.Config{Resolve: resolve}, nil)
	body := []byte(`{"id":25}`)
	sign := func(secret string) []string {
		return []string{vendortest.WooHeaderTopic, "customer.deleted", vendortest.WooHeaderSignature, vendortest.WooSignature(secret, body)}
	}
	r := f.do(t, http.MethodPost, "/events/woocommercerest/woo-1", body, sign(handlerWooSecret)...)
	require.Equal(t, http.StatusOK, r.status, r.body)
	require.Equal(t, "woocommercerest/woo-1", calls[0], "the resolver gets the element key and id")

	r = f.do(t, http.MethodPost, "/events/woocommercerest/boom", body, sign(handlerWooSecret)...)
	require.Equal(t, http.StatusServiceUnavailable, r.status)
	require.Equal(t, "instance lookup failed; retry later", r.body)
	r = f.do(t, http.MethodPost, "/events/woocommercerest/nil", body, sign(handlerWooSecret)...)
	require.Equal(t, http.StatusNotFound, r.status)
	r = f.do(t, http.MethodPost, "/events/nosuchelement/nodef", body, sign(handlerWooSecret)...)
	require.Equal(t, http.StatusInternalServerError, r.status)
	require.Contains(t, f.logs.String(), "nosuchelement")

	// An instance without an ID takes the id it was found by.
	r = f.do(t, http.MethodPost, "/events/woocommercerest/noid", body, sign("")...)
	require.Equal(t, http.StatusOK, r.status, r.body)
	require.Equal(t, "noid", f.sink.got()[1].Instance.ID)

	// Unverified instances are reported once, when first seen.
	require.Equal(t, 0, strings.Count(f.logs.String(), "woo-2"))
	for range 3 {
		require.Equal(t, http.StatusOK, f.do(t, http.MethodPost, "/events/woocommercerest/woo-2", body, sign("")...).status)
	}
	require.Equal(t, 1, strings.Count(f.logs.String(), "instance=woo-2"))
	require.Contains(t, f.logs.String(), "configKey=webhook.secret")

	// A secret set (or rotated) later is used from the next request on.
	mu.Lock()
	insts["woo-2"] = handlerInstance(t, "woo-2", "woocommercerest", map[string]any{"webhook.secret": "new secret"})
	mu.Unlock()
	require.Equal(t, http.StatusUnauthorized, f.do(t, http.MethodPost, "/events/woocommercerest/woo-2", body, sign("")...).status)
	require.Equal(t, http.StatusOK, f.do(t, http.MethodPost, "/events/woocommercerest/woo-2", body, sign("new secret")...).status)
	require.NotContains(t, f.logs.String(), "new secret")
	require.NotContains(t, f.logs.String(), handlerWooSecret)
}

func TestHandlerStaticWarnings(t *testing.T) {
	t.Parallel()
	f := setupHandler(t, webhook.Config{}, nil)
	logs := f.logs.String()
	// At construction: woo-open (no secret) and gen-1 (unsigned element).
	require.Equal(t, 1, strings.Count(logs, "instance=woo-open"), logs)
	require.Equal(t, 1, strings.Count(logs, "instance=gen-1"), logs)
	require.Contains(t, logs, "the element does not sign its webhooks")
	require.NotContains(t, logs, "instance=woo-1")
	for range 2 {
		require.Equal(t, http.StatusOK, f.woo(t, "woo-open", "customer.deleted", "", "", []byte(`{"id":1}`)).status)
	}
	require.Equal(t, 1, strings.Count(f.logs.String(), "level=WARN msg=\"webhook: instance has no webhook secret"))
	require.NotContains(t, f.logs.String(), handlerWooSecret)
}

func TestNew(t *testing.T) {
	t.Parallel()
	sink := events.SinkFunc(func(context.Context, events.Batch) error { return nil })
	resolve := func(context.Context, string, string) (*element.Instance, error) {
		return nil, webhook.ErrUnknownInstance
	}
	woo := handlerInstance(t, "w", "woocommercerest", nil)
	tests := []struct {
		name    string
		cfg     webhook.Config
		wantErr string
	}{
		{"resolver", webhook.Config{Sink: sink, Resolve: resolve}, ""},
		{"static", webhook.Config{Sink: sink, Instances: []*element.Instance{woo}}, ""},
		{"no static instances", webhook.Config{Sink: sink, Instances: []*element.Instance{}}, ""},
		{"no sink", webhook.Config{Resolve: resolve}, "Config.Sink is required"},
		{"no instances", webhook.Config{Sink: sink}, "Config.Resolve or Config.Instances is required"},
		{"both", webhook.Config{Sink: sink, Resolve: resolve, Instances: []*element.Instance{woo}}, "not both"},
		{"negative body limit", webhook.Config{Sink: sink, Resolve: resolve, MaxBodyBytes: -1}, "MaxBodyBytes is negative"},
		{"nil instance", webhook.Config{Sink: sink, Instances: []*element.Instance{nil}}, "Instances[0] is nil"},
		{"no id", webhook.Config{Sink: sink, Instances: []*element.Instance{handlerInstance(t, "", "generic", nil)}}, "has no ID"},
		{"duplicate id", webhook.Config{Sink: sink, Instances: []*element.Instance{woo, woo}}, `two instances with ID "w"`},
		{"unknown element", webhook.Config{Sink: sink, Instances: []*element.Instance{withElementKey(handlerInstance(t, "x", "generic", nil), "nosuch")}}, `no element definition for "nosuch"`},
		{"bad Standard Webhooks secret", webhook.Config{Sink: sink, Definition: handlerDefinition,
			Instances: []*element.Instance{handlerInstance(t, "s", "stdvendor", map[string]any{"webhook.secret": "whsec_!!"})}}, "whsec_"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.cfg.Logger = slog.New(slog.DiscardHandler)
			h, err := webhook.New(tt.cfg)
			if tt.wantErr == "" {
				require.NoError(t, err)
				require.NotNil(t, h)
				return
			}
			require.ErrorContains(t, err, tt.wantErr)
			require.NotContains(t, err.Error(), "whsec_!!", "secrets stay out of errors")
		})
	}
}

func TestHandlerConcurrent(t *testing.T) {
	t.Parallel()
	f := setupHandler(t, webhook.Config{}, nil)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 10 {
				body := []byte(`{"id":` + strconv.Itoa(g*100+i) + `}`)
				r := f.woo(t, "woo-1", "order.deleted", handlerWooSecret, "c-"+strconv.Itoa(g)+"-"+strconv.Itoa(i), body)
				if r.status != http.StatusOK {
					t.Errorf("status %d: %s", r.status, r.body)
				}
			}
		})
	}
	wg.Wait()
	require.Len(t, f.sink.got(), 80)
}
