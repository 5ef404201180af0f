package webhooktest_test

import (
	"io"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/signature"
	"github.com/a12b7632/elementevents/webhook/webhooktest"
)

func TestNewWooCommerceRequest(t *testing.T) {
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
			req := webhooktest.NewWooCommerceRequest(t, "/events/woocommercerest/123", "wc-secret", tt.topic, body)
			require.Equal(t, http.MethodPost, req.Method)
			require.Equal(t, "application/json", req.Header.Get("Content-Type"))
			require.Equal(t, webhooktest.WooCommerceSource, req.Header.Get("X-WC-Webhook-Source"))
			require.Equal(t, tt.topic, req.Header.Get("X-WC-Webhook-Topic"))
			require.Equal(t, tt.resource, req.Header.Get("X-WC-Webhook-Resource"))
			require.Equal(t, tt.event, req.Header.Get("X-WC-Webhook-Event"))
			require.Equal(t, strconv.Itoa(webhooktest.WooCommerceWebhookID), req.Header.Get("X-WC-Webhook-ID"))
			require.Regexp(t, `^[0-9a-f]{32}$`, req.Header.Get("X-WC-Webhook-Delivery-ID"))

			got, err := io.ReadAll(req.Body)
			require.NoError(t, err)
			require.Equal(t, body, got)

			sig := req.Header.Get("X-WC-Webhook-Signature")
			require.NoError(t, signature.NewVerifier([]byte("wc-secret")).VerifyHMAC(got, sig, signature.Base64))
			require.ErrorIs(t, signature.NewVerifier([]byte("other")).VerifyHMAC(got, sig, signature.Base64), signature.ErrNoMatch)
			require.ErrorIs(t, signature.NewVerifier([]byte("wc-secret")).VerifyHMAC([]byte(`{}`), sig, signature.Base64), signature.ErrNoMatch)
		})
	}
}

func TestNewWooCommerceRequestDeliveryIDs(t *testing.T) {
	t.Parallel()
	seen := make(map[string]bool)
	for range 100 {
		req := webhooktest.NewWooCommerceRequest(t, "/events", "s", "order.updated", []byte(`{}`))
		id := req.Header.Get("X-WC-Webhook-Delivery-ID")
		require.False(t, seen[id], "delivery id %s repeated", id)
		seen[id] = true
	}
}

func TestNewWooCommercePing(t *testing.T) {
	t.Parallel()
	req := webhooktest.NewWooCommercePing(t, "/events/woocommercerest/123", 17)
	require.Equal(t, http.MethodPost, req.Method)
	require.Equal(t, "application/x-www-form-urlencoded", req.Header.Get("Content-Type"))
	for k := range req.Header {
		require.NotContains(t, http.CanonicalHeaderKey(k), "X-Wc-", "a ping has no WooCommerce headers")
	}
	require.NoError(t, req.ParseForm())
	require.Equal(t, "17", req.PostForm.Get("webhook_id"))
	require.Len(t, req.PostForm, 1)
}
