package webhook_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/vendortest"
	"github.com/a12b7632/elementevents/webhook"
)

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
