package main

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/vendortest"
)

// TestRunSubscribes runs the program with -public-url and a webhook
// instance without webhook.secret: it registers the store's webhooks with
// a generated secret once it serves, and a customer created at the store
// reaches the callback through the store's signed webhook. No secret
// reaches the logs.
func TestRunSubscribes(t *testing.T) {
	t.Parallel()
	rc, callback := newReceiver(t, []byte(signatureKey), nil)
	store := vendortest.ServeWooCommerce(t, vendortest.WooConfig{Key: consumerKey, Secret: consumerSecret})
	dir := t.TempDir()
	hooks := writeJSON(t, dir, "subscribed.json", map[string]any{
		"element": map[string]any{"key": "woocommercerest"},
		"name":    "subscribed hooks",
		"configuration": map[string]any{
			"store.url":                        store.URL(),
			"oauth.api.key":                    consumerKey,
			"oauth.api.secret":                 consumerSecret,
			"event.notification.enabled":       true,
			"event.vendor.type":                "webhook",
			"event.objects":                    "customers",
			"event.notification.callback.url":  callback.URL + "/element-events",
			"event.notification.signature.key": signatureKey,
		},
	})
	// The public URL must be known before the program starts: take a free
	// port and give it back.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())

	p := startInProcess(t, []string{"-instance", hooks, "-listen", addr, "-public-url", "http://" + addr,
		"-allow-private", "-shutdown-timeout", "5s", "-log-level", "debug"})
	p.waitFor(t, "the store's webhooks", func() bool { return len(store.Webhooks()) == 3 })
	for _, h := range store.Webhooks() {
		require.Equal(t, "http://"+addr+"/events/woocommercerest/subscribed", h.DeliveryURL)
		require.Equal(t, "active", h.Status)
	}
	p.waitFor(t, "the reconcile's log line", func() bool { return strings.Contains(p.logs.String(), "vendor webhooks in place") })

	_, err = store.CreateCustomer(t.Context(), vendortest.Customer{FirstName: "Ada", Email: "ada@example.com"})
	require.NoError(t, err, "the program verified the store's delivery with the generated secret")
	p.waitFor(t, "CREATED customers 1, from the subscribed webhook", func() bool {
		_, ok := rc.find("subscribed", events.Created, "customers", "1")
		return ok
	})

	p.stop()
	require.Equal(t, exitOK, p.exit(t, 10*time.Second))
	logs := p.logs.String()
	for _, s := range []string{consumerSecret, signatureKey} {
		require.NotContains(t, logs, s)
	}
	for _, r := range store.Log().Since(0) {
		if sig := r.Query.Get("oauth_signature"); sig != "" {
			require.NotContains(t, logs, sig, "an OAuth 1.0a signature was logged")
		}
	}
}
