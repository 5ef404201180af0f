package webhook_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/a12b7632/elementevents/internal/logbuf"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/events/eventstest"
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

// handlerFixture is a Handler behind a loopback server.
type handlerFixture struct {
	h     *webhook.Handler
	srv   *httptest.Server
	sink  *handlerSink
	clock *clockwork.FakeClock
	logs  *logbuf.Buffer
}

// setupHandler starts a Handler configured by cfg, filled with the test
// defaults (the default instances unless Resolve or Instances is set), and
// mounted by mount (default: a ServeMux with the pattern
// /events/{elementKey}/{instanceID}, any method, so the Handler answers
// 405 itself).
func setupHandler(t *testing.T, cfg webhook.Config, mount func(http.Handler) http.Handler) *handlerFixture {
	t.Helper()
	f := &handlerFixture{sink: &handlerSink{}, clock: clockwork.NewFakeClockAt(handlerT0), logs: &logbuf.Buffer{}}
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

// TestHandlerAnswerContentType checks that every answer is plain text with
// one Content-Type, also when a middleware adds to the header after the
// Handler: the value the Handler shares between answers is never changed.
func TestHandlerAnswerContentType(t *testing.T) {
	t.Parallel()
	f := setupHandler(t, webhook.Config{}, func(h http.Handler) http.Handler {
		mux := http.NewServeMux()
		mux.Handle("/events/{elementKey}/{instanceID}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h.ServeHTTP(w, r)
			w.Header().Add("Content-Type", "application/x-middleware")
		}))
		return mux
	})
	for i, tc := range []struct {
		delivery string
		wantBody string
	}{
		{"ct-1", "ok"},
		{"ct-2", "ok"},
		{"ct-1", "duplicate delivery"},
	} {
		r := f.woo(t, "woo-1", "order.updated", handlerWooSecret, tc.delivery, []byte(`{"id":`+strconv.Itoa(i)+`}`))
		require.Equal(t, http.StatusOK, r.status, r.body)
		require.Equal(t, tc.wantBody, r.body)
		require.Equal(t, []string{"text/plain; charset=utf-8"}, r.header.Values("Content-Type"), "answer %d", i)
	}
}
