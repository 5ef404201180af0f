package webhooktest

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// What NewWooCommerceRequest sends as the store and the webhook.
const (
	// WooCommerceSource is the X-WC-Webhook-Source of every delivery: the
	// store's home URL.
	WooCommerceSource = "https://store.example.com/"
	// WooCommerceWebhookID is the X-WC-Webhook-ID of every delivery; pass
	// it to NewWooCommercePing to imitate the same webhook's creation.
	WooCommerceWebhookID = 1
	// WooCommerceUserAgent is the User-Agent WooCommerce sends.
	WooCommerceUserAgent = "WooCommerce/9.4.0 Hookshot (WordPress/6.7.1)"
)

// NewWooCommerceRequest returns a WooCommerce webhook delivery of body to
// url: a POST with Content-Type application/json and the headers
// WooCommerce sends, X-WC-Webhook-Source ([WooCommerceSource]),
// X-WC-Webhook-Topic (topic, such as "customer.updated"),
// X-WC-Webhook-Resource and X-WC-Webhook-Event (the topic's two halves),
// X-WC-Webhook-Signature (base64 of HMAC-SHA256 of body with secret),
// X-WC-Webhook-ID ([WooCommerceWebhookID]) and X-WC-Webhook-Delivery-ID
// (new on every call, so two calls are two deliveries; copy the header to
// imitate a redelivery). The test fails at once if url does not parse.
func NewWooCommerceRequest(t testing.TB, url, secret, topic string, body []byte) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatalf("webhooktest: NewWooCommerceRequest: %v", err)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	resource, event, _ := strings.Cut(topic, ".")
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", WooCommerceUserAgent)
	h.Set("X-WC-Webhook-Source", WooCommerceSource)
	h.Set("X-WC-Webhook-Topic", topic)
	h.Set("X-WC-Webhook-Resource", resource)
	h.Set("X-WC-Webhook-Event", event)
	h.Set("X-WC-Webhook-Signature", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	h.Set("X-WC-Webhook-ID", strconv.Itoa(WooCommerceWebhookID))
	h.Set("X-WC-Webhook-Delivery-ID", newDeliveryID())
	return req
}

// NewWooCommercePing returns the request WooCommerce sends when a webhook
// is created or its URL changes: a form POST of webhook_id=N, with none of
// the X-WC-Webhook headers and no signature. A handler must answer it 2xx
// or WooCommerce refuses to save the webhook. The test fails at once if
// url does not parse.
func NewWooCommercePing(t testing.TB, url string, webhookID int) *http.Request {
	t.Helper()
	body := "webhook_id=" + strconv.Itoa(webhookID)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatalf("webhooktest: NewWooCommercePing: %v", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", WooCommerceUserAgent)
	return req
}

// newDeliveryID returns 32 random hex digits, the shape of WooCommerce's
// delivery ids.
func newDeliveryID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
