package webhook_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/vendortest"
	"github.com/a12b7632/elementevents/webhook"
)

// TestHandlerTypeLimits checks that a topic or an object type longer than
// 256 bytes, or holding a control character, is refused with a short 400
// and no event. The requests go straight to ServeHTTP: an HTTP client would
// not send a control character in a header.
func TestHandlerTypeLimits(t *testing.T) {
	t.Parallel()
	wooBody := []byte(`{"id":42,"date_modified_gmt":"2026-11-24T11:00:00"}`)
	resource := func(n int) string { return strings.Repeat("a", n-len(".updated")) + ".updated" }
	tests := []struct {
		name       string
		path       string
		topic      string // WooCommerce topic; "" for the generic element
		body       []byte // generic body
		wantStatus int
		wantBody   string
		wantType   string // the object type published
	}{
		{name: "topic of 256 bytes", path: "/events/woocommercerest/woo-1", topic: resource(256),
			wantStatus: http.StatusOK, wantType: strings.Repeat("a", 248)},
		{name: "topic of 257 bytes", path: "/events/woocommercerest/woo-1", topic: resource(257),
			wantStatus: http.StatusBadRequest, wantBody: "X-WC-Webhook-Topic header is 257 bytes, over the limit of 256"},
		{name: "topic of 10 MB", path: "/events/woocommercerest/woo-1", topic: resource(10 << 20),
			wantStatus: http.StatusBadRequest, wantBody: "X-WC-Webhook-Topic header is 10485760 bytes, over the limit of 256"},
		{name: "topic with a control character", path: "/events/woocommercerest/woo-1", topic: "customer\x00.updated",
			wantStatus: http.StatusBadRequest, wantBody: "X-WC-Webhook-Topic header holds a control character"},
		{name: "topic with a C1 control character", path: "/events/woocommercerest/woo-1", topic: "customer\u0085.updated",
			wantStatus: http.StatusBadRequest, wantBody: "X-WC-Webhook-Topic header holds a control character"},
		{name: "object type of 256 bytes from the body", path: "/events/generic/gen-1",
			body:       []byte(`{"objectType":"` + strings.Repeat("t", 256) + `","objectId":1}`),
			wantStatus: http.StatusOK, wantType: strings.Repeat("t", 256)},
		{name: "object type of 257 bytes from the body", path: "/events/generic/gen-1",
			body:       []byte(`{"objectType":"` + strings.Repeat("t", 257) + `","objectId":1}`),
			wantStatus: http.StatusBadRequest, wantBody: "object type is 257 bytes, over the limit of 256 (at objectType)"},
		{name: "object type with a newline from the body", path: "/events/generic/gen-1",
			body:       []byte(`{"objectType":"accounts\nINFO forged log line","objectId":1}`),
			wantStatus: http.StatusBadRequest, wantBody: "object type holds a control character (at objectType)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setupHandler(t, webhook.Config{}, nil)
			body := tt.body
			req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, tt.path, nil)
			if tt.topic != "" {
				body = wooBody
				req.Header["X-Wc-Webhook-Topic"] = []string{tt.topic}
				req.Header.Set(vendortest.WooHeaderSignature, vendortest.WooSignature(handlerWooSecret, body))
			}
			req.Body, req.ContentLength = readCloser(body), int64(len(body))
			rec := httptest.NewRecorder()
			f.h.ServeHTTP(rec, req)

			require.Equal(t, tt.wantStatus, rec.Code, rec.Body.String())
			require.Less(t, rec.Body.Len(), 300, "the answer is short")
			got := f.sink.got()
			if tt.wantStatus != http.StatusOK {
				require.Equal(t, tt.wantBody, strings.TrimSpace(rec.Body.String()))
				require.Empty(t, got, "no event for a refused request")
				return
			}
			require.Len(t, got, 1)
			require.Equal(t, tt.wantType, got[0].Events[0].ObjectType)
		})
	}
}

// TestHandlerUnknownInstanceBounded checks that the 404 for a huge unknown
// instance id logs a short error that still says what was refused.
func TestHandlerUnknownInstanceBounded(t *testing.T) {
	t.Parallel()
	f := setupHandler(t, webhook.Config{}, nil)
	id := strings.Repeat("9", 1<<20)
	req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/hooks", strings.NewReader(`{"id":1}`))
	req.Header.Set(webhook.HeaderElementInstances, id)
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)

	require.Equal(t, http.StatusNotFound, rec.Code)
	logs := f.logs.String()
	require.Less(t, len(logs), 1024, "the log does not repeat the id: %.300q", logs)
	require.Contains(t, logs, "webhook: unknown instance")
	require.Contains(t, logs, `…(1048576 bytes)`, "the id is cut, with its length")
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

func readCloser(b []byte) nopCloser { return nopCloser{bytes.NewReader(b)} }
