// Package webhooktest builds notifications signed as the Notifier signs
// them, for testing a [webhook.Receiver] or any other consumer of them.
//
// The shortest use, in a test of a consumer:
//
//	req := webhooktest.NewNotificationRequest(t, "/events", key, n, clock.Now())
//	w := httptest.NewRecorder()
//	consumer.ServeHTTP(w, req)
//
// The requests are made with [http.NewRequestWithContext] on the test's
// context: pass a path to serve them to a handler directly, or an absolute
// URL to send them with a client. WooCommerce's webhook requests, for
// testing a [webhook.Handler], come from package vendortest, with the fake
// vendors; a sink that records what is published is eventstest.Recorder.
//
// [webhook.Receiver]: https://pkg.go.dev/github.com/a12b7632/elementevents/webhook#Receiver
// [webhook.Handler]: https://pkg.go.dev/github.com/a12b7632/elementevents/webhook#Handler
package webhooktest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/signature"
)

// NewNotificationRequest returns a POST of n to url, as the Notifier sends
// it: JSON, Content-Type application/json, signed with key in both schemes
// with n.Message.EventID as the id and at as the timestamp (pass the
// receiver's clock's Now; a timestamp outside its tolerance is refused).
// The test fails at once if n has no EventID, key is empty or url does not
// parse.
func NewNotificationRequest(t testing.TB, url string, key []byte, n events.Notification, at time.Time) *http.Request {
	t.Helper()
	if n.Message.EventID == "" {
		t.Fatal("webhooktest: NewNotificationRequest: the notification has no Message.EventID")
	}
	if len(key) == 0 {
		t.Fatal("webhooktest: NewNotificationRequest: empty key")
	}
	body, err := json.Marshal(n)
	if err != nil {
		t.Fatalf("webhooktest: NewNotificationRequest: encode notification: %v", err)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatalf("webhooktest: NewNotificationRequest: %v", err)
	}
	for k, v := range SignNotification(key, n.Message.EventID, at, body) {
		req.Header[k] = v
	}
	return req
}

// SignNotification returns the headers the Notifier sends with body:
// Content-Type application/json, Elements-Webhook-Id and
// Elements-Webhook-Signature (the Cloud Elements scheme), and webhook-id,
// webhook-timestamp and webhook-signature (Standard Webhooks), signed with
// key, with id and at. Copy them onto a request of your own, or delete the
// ones a sender you imitate would not send. It panics if key is empty.
func SignNotification(key []byte, id string, at time.Time, body []byte) http.Header {
	s, err := signature.NewSigner(key)
	if err != nil {
		panic("webhooktest: SignNotification: " + err.Error())
	}
	h := http.Header{"Content-Type": {"application/json"}}
	s.SetHeaders(h, id, at, body)
	return h
}
