package vendortest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// What WooCommerce sends with a webhook delivery that a handler's test
// changes: the topic, the signature and the delivery id.
const (
	// WooHeaderTopic is the webhook's topic, resource.event:
	// "customer.updated".
	WooHeaderTopic = "X-WC-Webhook-Topic"
	// WooHeaderSignature is the base64 HMAC-SHA256 of the body, keyed with
	// the webhook's secret (see [WooSignature]).
	WooHeaderSignature = "X-WC-Webhook-Signature"
	// WooHeaderDeliveryID is new for every delivery, 32 hex digits; a
	// redelivery repeats it.
	WooHeaderDeliveryID = "X-WC-Webhook-Delivery-ID"
)

// The rest of what WooCommerce sends with a webhook delivery, and what
// the request builders send as the store and the webhook.
const (
	wooHeaderSource    = "X-WC-Webhook-Source"   // the store's home URL, with a trailing slash
	wooHeaderResource  = "X-WC-Webhook-Resource" // the topic's resource: "customer"
	wooHeaderEvent     = "X-WC-Webhook-Event"    // the topic's event: "updated"
	wooHeaderWebhookID = "X-WC-Webhook-ID"       // the id of the webhook in the store
	// wooPingField is the form field of the ping WooCommerce posts when a
	// webhook is saved: webhook_id=N.
	wooPingField = "webhook_id"
	// wooUserAgent is the User-Agent of WooCommerce's webhook sender.
	wooUserAgent = "WooCommerce/" + wooVersion + " Hookshot (WordPress/6.7.1)"
	// wooSource is the X-WC-Webhook-Source of the requests
	// NewWooWebhookRequest makes, and the home URL of a store not told its
	// own, without its trailing slash.
	wooSource = "https://store.example.com"
	// wooWebhookID is the X-WC-Webhook-ID of the requests
	// NewWooWebhookRequest makes.
	wooWebhookID = 1
)

// wooWebhook is a webhook configured in the store (WooCommerce > Settings
// > Advanced > Webhooks).
type wooWebhook struct {
	id                                       int
	name, topic, deliveryURL, secret, status string
	failures                                 int // deliveries in a row not answered 2xx
	created, modified                        time.Time
}

// AddWebhook saves a webhook as the store's admin does: topic is
// resource.event ("customer.updated"), and the delivery URL is pinged
// with the form body webhook_id=N first. The webhook is saved only if the
// ping is answered 2xx; the error wraps [ErrWebhookRefused] otherwise,
// and [ErrConfig] for a topic that is not resource.event. It returns the
// webhook's id.
//
// WooCommerce sends webhooks from a background queue shortly after a
// change; this store sends them before the change's call returns, one
// after the other, so that a test sees them in a fixed order.
func (s *WooCommerce) AddWebhook(ctx context.Context, topic, deliveryURL, secret string) (int, error) {
	if resource, event, ok := strings.Cut(topic, "."); !ok || resource == "" || event == "" {
		return 0, fmt.Errorf("%w: webhook topic %q is not resource.event", ErrConfig, topic)
	}
	s.mu.Lock()
	id := s.lastWebhook + 1
	s.mu.Unlock()

	if err := s.ping(ctx, id, deliveryURL); err != nil {
		return 0, fmt.Errorf("vendortest: webhook %s not saved: the delivery URL did not accept the ping: %w", topic, err)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastWebhook = max(s.lastWebhook, id)
	now := s.clock.Now()
	s.webhooks = append(s.webhooks, wooWebhook{id: id, name: "Webhook created on " + now.In(s.site).Format("January 2, 2006 @ 03:04 PM"),
		topic: topic, deliveryURL: deliveryURL, secret: secret, status: wooWebhookActive, created: now, modified: now})
	return id, nil
}

// deliver posts payload to every active webhook of resource's topic
// event, each signed with its own secret, and returns the errors of those
// that failed. A webhook whose deliveries failed 5 times in a row is
// disabled, as WooCommerce does.
func (s *WooCommerce) deliver(ctx context.Context, resource, event string, payload any) error {
	topic := wooResources[resource].topic + "." + event
	home := s.URL() + "/"
	s.mu.Lock()
	var hooks []wooWebhook
	for _, h := range s.webhooks {
		if h.topic == topic && h.status == wooWebhookActive {
			hooks = append(hooks, h)
		}
	}
	s.mu.Unlock()
	if len(hooks) == 0 {
		return nil
	}
	body, err := wpJSON(payload)
	if err != nil {
		return fmt.Errorf("vendortest: %s: %w", topic, err)
	}
	var errs []error
	for _, h := range hooks {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.deliveryURL, bytes.NewReader(body))
		if err != nil {
			errs = append(errs, fmt.Errorf("vendortest: webhook %d (%s): %w", h.id, topic, err))
			continue
		}
		setWooHeaders(req.Header, home, h.id, topic, h.secret, body)
		err = s.send(req)
		s.delivered(h.id, err)
		if err != nil {
			errs = append(errs, fmt.Errorf("vendortest: webhook %d (%s): %w", h.id, topic, err))
		}
	}
	return errors.Join(errs...)
}

// send makes a webhook request and wants a 2xx answer.
func (s *WooCommerce) send(req *http.Request) error {
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	reason, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%w: answered %s: %s", ErrWebhookRefused, resp.Status, bytes.TrimSpace(reason))
	}
	return nil
}

// WooSignature returns what WooCommerce sends as X-WC-Webhook-Signature
// with body: the base64 HMAC-SHA256 of body keyed with the webhook's
// secret.
func WooSignature(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// WooWebhookHeader returns the headers WooCommerce sends with a delivery
// of body for topic ("customer.updated"): Content-Type application/json,
// its User-Agent, X-WC-Webhook-Source https://store.example.com/,
// X-WC-Webhook-Topic, X-WC-Webhook-Resource and X-WC-Webhook-Event (the
// topic and its two halves), X-WC-Webhook-Signature ([WooSignature] of
// body with secret), X-WC-Webhook-ID 1, and X-WC-Webhook-Delivery-ID, new
// on every call: copy the header to imitate a redelivery.
func WooWebhookHeader(topic, secret string, body []byte) http.Header {
	h := http.Header{}
	setWooHeaders(h, wooSource+"/", wooWebhookID, topic, secret, body)
	return h
}

// NewWooWebhookRequest returns a WooCommerce webhook delivery of body to
// url, a POST with the headers of [WooWebhookHeader], made on the test's
// context: pass a path to serve it to a handler directly, or an absolute
// URL to send it with a client. The test fails at once if url does not
// parse.
func NewWooWebhookRequest(t testing.TB, url, secret, topic string, body []byte) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatalf("vendortest: NewWooWebhookRequest: %v", err)
	}
	setWooHeaders(req.Header, wooSource+"/", wooWebhookID, topic, secret, body)
	return req
}

// NewWooPingRequest returns the request WooCommerce sends when a webhook
// is saved or its URL changes: a form POST of webhook_id=N, with none of
// the X-WC-Webhook headers and no signature. A handler must answer it 2xx
// or WooCommerce refuses to save the webhook. The test fails at once if
// url does not parse.
func NewWooPingRequest(t testing.TB, url string, webhookID int) *http.Request {
	t.Helper()
	body := wooPingField + "=" + strconv.Itoa(webhookID)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatalf("vendortest: NewWooPingRequest: %v", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", wooUserAgent)
	return req
}

// setWooHeaders sets the headers of a delivery of body by webhook id of
// the store at source.
func setWooHeaders(h http.Header, source string, id int, topic, secret string, body []byte) {
	resource, event, _ := strings.Cut(topic, ".")
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", wooUserAgent)
	h.Set(wooHeaderSource, source)
	h.Set(WooHeaderTopic, topic)
	h.Set(wooHeaderResource, resource)
	h.Set(wooHeaderEvent, event)
	h.Set(WooHeaderSignature, WooSignature(secret, body))
	h.Set(wooHeaderWebhookID, strconv.Itoa(id))
	h.Set(WooHeaderDeliveryID, newDeliveryID())
}

// newDeliveryID returns 32 random hex digits, the shape of WooCommerce's
// delivery ids.
func newDeliveryID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
