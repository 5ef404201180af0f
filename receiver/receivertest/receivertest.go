// Package receivertest builds notification requests signed as the
// Notifier signs them, for the tests of a consumer: a [receiver.Receiver]
// or any other handler at a callback URL. Like package receiver, it
// imports only events and signature of this module.
//
// The shortest use, in a test of a consumer:
//
//	req := receivertest.NewRequest(t, "/events", key, n, clock.Now())
//	w := httptest.NewRecorder()
//	consumer.ServeHTTP(w, req)
//
// The requests are made with [http.NewRequestWithContext] on the test's
// context: pass a path to serve them to a handler directly, or an absolute
// URL to send them with a client.
//
// [receiver.Receiver]: https://pkg.go.dev/github.com/a12b7632/elementevents/receiver#Receiver
package receivertest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/signature"
)

// NewRequest returns a POST of n to url, as the Notifier sends it: JSON,
// Content-Type application/json, signed with key in both schemes with
// n.Message.EventID as the id and at as the timestamp (pass the
// receiver's clock's Now; a timestamp outside its tolerance is refused).
// The test fails at once if n has no EventID, key is empty or url does not
// parse.
func NewRequest(t testing.TB, url string, key []byte, n events.Notification, at time.Time) *http.Request {
	t.Helper()
	if n.Message.EventID == "" {
		t.Fatal("receivertest: NewRequest: the notification has no Message.EventID")
	}
	if len(key) == 0 {
		t.Fatal("receivertest: NewRequest: empty key")
	}
	body, err := json.Marshal(n)
	if err != nil {
		t.Fatalf("receivertest: NewRequest: encode notification: %v", err)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatalf("receivertest: NewRequest: %v", err)
	}
	for k, v := range Sign(key, n.Message.EventID, at, body) {
		req.Header[k] = v
	}
	return req
}

// Sign returns the headers the Notifier sends with body: Content-Type
// application/json, Elements-Webhook-Id and Elements-Webhook-Signature
// (the Cloud Elements scheme), and webhook-id, webhook-timestamp and
// webhook-signature (Standard Webhooks), signed with key, with id and at.
// Copy them onto a request of your own, or delete the ones a sender you
// imitate would not send. It panics if key is empty.
func Sign(key []byte, id string, at time.Time, body []byte) http.Header {
	s, err := signature.NewSigner(key)
	if err != nil {
		panic("receivertest: Sign: " + err.Error())
	}
	h := http.Header{"Content-Type": {"application/json"}}
	s.SetHeaders(h, id, at, body)
	return h
}
