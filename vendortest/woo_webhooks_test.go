package vendortest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/signature"
	"github.com/a12b7632/elementevents/vendortest"
)

func TestNewWooWebhookRequest(t *testing.T) {
	t.Parallel()
	body := []byte(`{"id":42,"email":"ann@example.com","date_modified_gmt":"2026-11-24T11:59:00"}`)
	tests := []struct {
		topic, resource, event string
	}{
		{"customer.updated", "customer", "updated"},
		{"order.created", "order", "created"},
		{"product.deleted", "product", "deleted"},
		{"action.woocommerce_add_to_cart", "action", "woocommerce_add_to_cart"},
	}
	for _, tt := range tests {
		t.Run(tt.topic, func(t *testing.T) {
			t.Parallel()
			req := vendortest.NewWooWebhookRequest(t, "/events/woocommercerest/123", "wc-secret", tt.topic, body)
			require.Equal(t, http.MethodPost, req.Method)
			require.Equal(t, "application/json", req.Header.Get("Content-Type"))
			require.Equal(t, "WooCommerce/9.4.2 Hookshot (WordPress/6.7.1)", req.Header.Get("User-Agent"))
			require.Equal(t, "https://store.example.com/", req.Header.Get("X-WC-Webhook-Source"))
			require.Equal(t, tt.topic, req.Header.Get(vendortest.WooHeaderTopic))
			require.Equal(t, tt.resource, req.Header.Get("X-WC-Webhook-Resource"))
			require.Equal(t, tt.event, req.Header.Get("X-WC-Webhook-Event"))
			require.Equal(t, strconv.Itoa(1), req.Header.Get("X-WC-Webhook-ID"))
			require.Regexp(t, `^[0-9a-f]{32}$`, req.Header.Get(vendortest.WooHeaderDeliveryID))

			got, err := io.ReadAll(req.Body)
			require.NoError(t, err)
			require.Equal(t, body, got)

			sig := req.Header.Get(vendortest.WooHeaderSignature)
			require.Equal(t, vendortest.WooSignature("wc-secret", body), sig)
			require.NoError(t, wooVerifier(t, "wc-secret").VerifyHMAC(got, sig))
			require.ErrorIs(t, wooVerifier(t, "other").VerifyHMAC(got, sig), signature.ErrNoMatch)
			require.ErrorIs(t, wooVerifier(t, "wc-secret").VerifyHMAC([]byte(`{}`), sig), signature.ErrNoMatch)
		})
	}
}

func TestNewWooWebhookRequestDeliveryIDs(t *testing.T) {
	t.Parallel()
	seen := make(map[string]bool)
	for range 100 {
		req := vendortest.NewWooWebhookRequest(t, "/events", "s", "order.updated", []byte(`{}`))
		id := req.Header.Get(vendortest.WooHeaderDeliveryID)
		require.False(t, seen[id], "delivery id %s repeated", id)
		seen[id] = true
	}
	h := vendortest.WooWebhookHeader("order.updated", "s", []byte(`{}`))
	require.NotEqual(t, h.Get(vendortest.WooHeaderDeliveryID),
		vendortest.WooWebhookHeader("order.updated", "s", []byte(`{}`)).Get(vendortest.WooHeaderDeliveryID))
}

func TestNewWooPingRequest(t *testing.T) {
	t.Parallel()
	req := vendortest.NewWooPingRequest(t, "/events/woocommercerest/123", 17)
	require.Equal(t, http.MethodPost, req.Method)
	require.Equal(t, "application/x-www-form-urlencoded", req.Header.Get("Content-Type"))
	for k := range req.Header {
		require.NotContains(t, http.CanonicalHeaderKey(k), "X-Wc-", "a ping has no WooCommerce headers")
	}
	require.NoError(t, req.ParseForm())
	require.Equal(t, "17", req.PostForm.Get("webhook_id"))
	require.Len(t, req.PostForm, 1)
}

// delivery is a request a webhook receiver got.
type delivery struct {
	header http.Header
	body   []byte
}

// hookServer records what it is sent.
type hookServer struct {
	mu  sync.Mutex
	got []delivery
}

func (h *hookServer) ServeHTTP(_ http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.got = append(h.got, delivery{r.Header.Clone(), b})
}

func (h *hookServer) deliveries() []delivery {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]delivery(nil), h.got...)
}

// TestWooCommerceWebhooks checks that the store pings a webhook when it is
// added, refuses one whose URL does not answer the ping, and signs each
// delivery over the exact bytes sent.
func TestWooCommerceWebhooks(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	var hook hookServer
	hookSrv := httptest.NewServer(&hook)
	t.Cleanup(hookSrv.Close)
	refusing := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(refusing.Close)

	_, err := s.AddWebhook(t.Context(), "customer.created", refusing.URL, "x")
	require.ErrorIs(t, err, vendortest.ErrWebhookRefused)
	require.ErrorContains(t, err, "did not accept the ping")
	_, err = s.AddWebhook(t.Context(), "customer", hookSrv.URL, "x")
	require.ErrorIs(t, err, vendortest.ErrConfig)
	for i, topic := range []string{"customer.created", "customer.deleted", "order.updated"} {
		id, err := s.AddWebhook(t.Context(), topic, hookSrv.URL, "wc-secret")
		require.NoError(t, err)
		require.Equal(t, i+1, id)
	}
	c, err := s.CreateCustomer(t.Context(), vendortest.Customer{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com"})
	require.NoError(t, err)
	require.Equal(t, 4, c.ID, "after the three customers of newStore")
	require.Equal(t, t0, c.Created)
	_, err = s.UpdateCustomer(t.Context(), c.ID, func(c *vendortest.Customer) { c.Email = "x@example.com" }) // no webhook for updated
	require.NoError(t, err)
	require.NoError(t, s.Delete(t.Context(), "customers", c.ID))
	require.ErrorIs(t, s.Delete(t.Context(), "customers", c.ID), vendortest.ErrNoRecord)
	_, err = s.UpdateCustomer(t.Context(), c.ID, func(*vendortest.Customer) {})
	require.ErrorIs(t, err, vendortest.ErrNoRecord)
	o, err := s.CreateOrder(t.Context(), vendortest.Order{Status: "processing"})
	require.NoError(t, err)
	_, err = s.UpdateOrder(t.Context(), o.ID, func(o *vendortest.Order) { o.Status = "completed" })
	require.NoError(t, err)

	got := hook.deliveries()
	require.Len(t, got, 6, "three pings, customer.created, customer.deleted, order.updated")
	for i := range 3 {
		require.Equal(t, "webhook_id"+"="+strconv.Itoa(i+1), string(got[i].body))
		require.Empty(t, got[i].header.Get(vendortest.WooHeaderSignature), "the ping is not signed")
	}
	v := wooVerifier(t, "wc-secret")
	for i, topic := range map[int]string{3: "customer.created", 4: "customer.deleted", 5: "order.updated"} {
		h := got[i].header
		require.Equal(t, topic, h.Get(vendortest.WooHeaderTopic))
		resource, event, _ := strings.Cut(topic, ".")
		require.Equal(t, resource, h.Get("X-WC-Webhook-Resource"))
		require.Equal(t, event, h.Get("X-WC-Webhook-Event"))
		require.Regexp(t, `^[0-9a-f]{32}$`, h.Get(vendortest.WooHeaderDeliveryID))
		require.Equal(t, s.URL()+"/", h.Get("X-WC-Webhook-Source"))
		require.NoError(t, v.VerifyHMAC(got[i].body, h.Get(vendortest.WooHeaderSignature)))
	}
	require.Equal(t, "1", got[3].header.Get("X-WC-Webhook-ID"))
	require.Equal(t, "3", got[5].header.Get("X-WC-Webhook-ID"))
	require.JSONEq(t, `{"id":4}`, string(got[4].body), "customer.deleted carries only the id")
	require.Contains(t, string(got[3].body), `"avatar_url":"https:\/\/`, "slashes escaped as WordPress does")
	var created struct {
		ID    int    `json:"id"`
		Email string `json:"email"`
	}
	require.NoError(t, json.Unmarshal(got[3].body, &created))
	require.Equal(t, 4, created.ID)
	require.Equal(t, "ada@example.com", created.Email)
	var updated struct {
		Status string `json:"status"`
	}
	require.NoError(t, json.Unmarshal(got[5].body, &updated))
	require.Equal(t, "completed", updated.Status)
}

// A delivery the receiver refuses is an error of the change, which is
// made all the same.
func TestWooCommerceWebhookRefused(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	var refuse bool
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if refuse {
			http.Error(w, "signature mismatch", http.StatusUnauthorized)
		}
	}))
	t.Cleanup(srv.Close)
	_, err := s.AddWebhook(t.Context(), "customer.updated", srv.URL, "wc-secret")
	require.NoError(t, err)
	mu.Lock()
	refuse = true
	mu.Unlock()
	c, err := s.UpdateCustomer(t.Context(), 1, func(c *vendortest.Customer) { c.Billing.City = "Berkeley" })
	require.ErrorIs(t, err, vendortest.ErrWebhookRefused)
	require.ErrorContains(t, err, "401 Unauthorized: signature mismatch")
	require.Equal(t, 1, c.ID)
}

// wooVerifier verifies what a store signs with a webhook's secret.
func wooVerifier(t *testing.T, secret string) *signature.Verifier {
	t.Helper()
	v, err := signature.NewVerifier(signature.VerifierConfig{Keys: []signature.Key{signature.Key(secret)}})
	require.NoError(t, err)
	return v
}
