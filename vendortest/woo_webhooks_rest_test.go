package vendortest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/vendortest"
)

// call sends method path with a JSON body (nil for none), signed as the
// store's key, and reads the answer.
func call(t *testing.T, s *vendortest.WooCommerce, method, path, body string) reply {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = bytes.NewReader([]byte(body))
	}
	req, err := http.NewRequestWithContext(t.Context(), method, s.URL()+vendortest.WooAPIPath+path, rd)
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	signed(req)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return reply{resp.StatusCode, resp.Header, b}
}

// wpCode reads the code of a WordPress error body.
func wpCode(t *testing.T, r reply) string {
	t.Helper()
	var e struct {
		Code string `json:"code"`
		Data struct {
			Status int `json:"status"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal(r.body, &e), string(r.body))
	require.Equal(t, r.status, e.Data.Status)
	return e.Code
}

// TestWooCommerceWebhooksREST walks the webhooks resource as WooCommerce
// serves it: create (pinged, secret never shown), list by pages, retrieve,
// update, and delete only with force=true.
func TestWooCommerceWebhooksREST(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	var hook hookServer
	hookSrv := httptest.NewServer(&hook)
	t.Cleanup(hookSrv.Close)

	for i, topic := range []string{"customer.created", "customer.updated", "order.deleted"} {
		r := call(t, s, http.MethodPost, "/webhooks", `{"name":"ours `+topic+`","topic":"`+topic+`","delivery_url":"`+hookSrv.URL+`","secret":"s3cr3t-value","status":"active"}`)
		require.Equal(t, http.StatusCreated, r.status, string(r.body))
		require.NotContains(t, string(r.body), "s3cr3t-value", "the secret is write-only")
		var h struct {
			ID          int    `json:"id"`
			Status      string `json:"status"`
			Topic       string `json:"topic"`
			Resource    string `json:"resource"`
			DeliveryURL string `json:"delivery_url"`
		}
		require.NoError(t, json.Unmarshal(r.body, &h))
		require.Equal(t, i+1, h.ID)
		require.Equal(t, "active", h.Status)
		require.Equal(t, topic, h.Topic)
		require.Equal(t, hookSrv.URL, h.DeliveryURL)
	}
	require.Len(t, hook.deliveries(), 3, "each new webhook is pinged")

	r := call(t, s, http.MethodGet, "/webhooks?per_page=2&page=1", "")
	require.Equal(t, http.StatusOK, r.status)
	require.Equal(t, "3", r.header.Get("X-WP-Total"))
	require.Equal(t, "2", r.header.Get("X-WP-TotalPages"))
	var page []struct {
		ID int `json:"id"`
	}
	require.NoError(t, json.Unmarshal(r.body, &page))
	require.Len(t, page, 2)
	require.Equal(t, 3, page[0].ID, "newest first")
	r = call(t, s, http.MethodGet, "/webhooks?per_page=2&page=2", "")
	require.NoError(t, json.Unmarshal(r.body, &page))
	require.Len(t, page, 1)

	r = call(t, s, http.MethodPut, "/webhooks/2", `{"status":"paused","delivery_url":"https://elsewhere.example/hook"}`)
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	hooks := s.Webhooks()
	require.Equal(t, vendortest.WooWebhook{ID: 2, Name: "ours customer.updated", Topic: "customer.updated",
		DeliveryURL: "https://elsewhere.example/hook", Status: "paused"}, hooks[1])

	r = call(t, s, http.MethodDelete, "/webhooks/1", "")
	require.Equal(t, http.StatusNotImplemented, r.status)
	require.Equal(t, "woocommerce_rest_trash_not_supported", wpCode(t, r))
	r = call(t, s, http.MethodDelete, "/webhooks/1?force=true", "")
	require.Equal(t, http.StatusOK, r.status)
	r = call(t, s, http.MethodGet, "/webhooks/1", "")
	require.Equal(t, http.StatusNotFound, r.status)
	require.Equal(t, "woocommerce_rest_shop_webhook_invalid_id", wpCode(t, r))
	require.Len(t, s.Webhooks(), 2)
}

func TestWooCommerceWebhooksRESTRefusals(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	tests := []struct {
		name, method, path, body string
		auth                     bool
		wantStatus               int
		wantCode                 string
	}{
		{"list without auth", http.MethodGet, "/webhooks", "", false, 401, "woocommerce_rest_cannot_view"},
		{"create without auth", http.MethodPost, "/webhooks", `{"topic":"customer.created","delivery_url":"https://x.example/"}`, false, 401, "woocommerce_rest_cannot_view"},
		{"unknown topic", http.MethodPost, "/webhooks", `{"topic":"customer.exploded","delivery_url":"https://x.example/"}`, true, 400, "woocommerce_rest_shop_webhook_invalid_topic"},
		{"no topic", http.MethodPost, "/webhooks", `{"delivery_url":"https://x.example/"}`, true, 400, "woocommerce_rest_shop_webhook_invalid_topic"},
		{"ftp delivery URL", http.MethodPost, "/webhooks", `{"topic":"customer.created","delivery_url":"ftp://x.example/"}`, true, 400, "woocommerce_rest_shop_webhook_invalid_delivery_url"},
		{"bad status", http.MethodPost, "/webhooks", `{"topic":"customer.created","delivery_url":"https://x.example/","status":"on"}`, true, 400, "rest_invalid_param"},
		{"bad JSON", http.MethodPost, "/webhooks", `{"topic":`, true, 400, "rest_invalid_json"},
		{"update unknown", http.MethodPut, "/webhooks/99", `{"status":"active"}`, true, 404, "woocommerce_rest_shop_webhook_invalid_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, err := http.NewRequestWithContext(t.Context(), tt.method, s.URL()+vendortest.WooAPIPath+tt.path, bytes.NewReader([]byte(tt.body)))
			require.NoError(t, err)
			if tt.auth {
				signed(req)
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			r := reply{resp.StatusCode, resp.Header, b}
			require.Equal(t, tt.wantStatus, r.status, string(b))
			require.Equal(t, tt.wantCode, wpCode(t, r))
		})
	}
	require.Empty(t, s.Webhooks())
}

// TestWooCommerceWebhookDisabled checks that only active webhooks are
// delivered to, and that five failed deliveries in a row disable one, as
// in WooCommerce.
func TestWooCommerceWebhookDisabled(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	var mu sync.Mutex
	refuse, got := false, 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.Header.Get(vendortest.WooHeaderTopic) == "" {
			return // the ping
		}
		got++
		if refuse {
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	t.Cleanup(srv.Close)
	id, err := s.AddWebhook(t.Context(), "customer.updated", srv.URL, "x")
	require.NoError(t, err)
	touch := func() error {
		_, err := s.UpdateCustomer(t.Context(), 1, func(c *vendortest.Customer) { c.FirstName += "!" })
		return err
	}
	count := func() int { mu.Lock(); defer mu.Unlock(); return got }

	require.NoError(t, s.SetWebhookStatus(id, "paused"))
	require.NoError(t, touch())
	require.Equal(t, 0, count(), "a paused webhook is not delivered")
	require.NoError(t, s.SetWebhookStatus(id, "active"))
	require.NoError(t, touch())
	require.Equal(t, 1, count())

	mu.Lock()
	refuse = true
	mu.Unlock()
	for i := range 5 {
		require.ErrorIs(t, touch(), vendortest.ErrWebhookRefused)
		want := "active"
		if i == 4 {
			want = "disabled"
		}
		require.Equal(t, want, s.Webhooks()[0].Status, "after %d failures", i+1)
	}
	require.NoError(t, touch(), "a disabled webhook is not delivered to")
	require.Equal(t, 6, count())
	require.ErrorIs(t, s.SetWebhookStatus(99, "active"), vendortest.ErrNoRecord)
	require.NoError(t, s.DeleteWebhook(id))
	require.Empty(t, s.Webhooks())
	require.ErrorIs(t, s.DeleteWebhook(id), vendortest.ErrNoRecord)
}
