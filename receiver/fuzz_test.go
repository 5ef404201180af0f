package receiver_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/receiver"
	"github.com/a12b7632/elementevents/receiver/receivertest"
	"github.com/a12b7632/elementevents/signature"
)

// recvNoDedupe remembers nothing, so that a long fuzz run holds no state
// and every input reaches Handle.
type recvNoDedupe struct{}

func (recvNoDedupe) Seen(context.Context, string) (bool, error)        { return false, nil }
func (recvNoDedupe) Mark(context.Context, string, time.Duration) error { return nil }

// FuzzReceiver sends arbitrary header values and bodies through ServeHTTP
// and the middleware of a Receiver with the defaults and of one that
// allows the Cloud Elements scheme, with the header keys canonical,
// lowercase and under Svix's names. With sign set the body is signed correctly, so that the
// decoding behind the signature check is fuzzed too. Every answer must be
// one of the documented ones, whatever is accepted must be JSON reaching
// Handle and next unchanged, and the default Receiver accepts nothing
// without a Standard Webhooks signature.
func FuzzReceiver(f *testing.F) {
	valid, _ := json.Marshal(recvNotification("evt-fuzz"))
	signed := receivertest.Sign(recvKey, "evt-fuzz", recvT0, valid)
	f.Add(valid, "evt-fuzz", signed.Get(signature.HeaderWebhookTimestamp), signed.Get(signature.HeaderWebhookSignature), signed.Get(signature.HeaderElementsSignature), false)
	f.Add(valid, "", "", "", signed.Get(signature.HeaderElementsSignature), false)
	f.Add(valid, "evt-fuzz", "", "", "", true)
	f.Add([]byte(`{"message":{"eventId":"x","events":[{"date":"not a date"}]}}`), "x", "", "", "", true)
	f.Add([]byte(`{"message":null}`), "x", "1795521600", "v1,AAAA v2,BBBB", "sha1=abc", false)
	f.Add([]byte(`[]`), "x", "-1", "v1", "sha256=", true)
	f.Add([]byte{}, "\x00", "99999999999999999999", "v1,!!!", "=", false)

	clock := clockwork.NewFakeClockAt(recvT0)
	var got []byte
	newReceiver := func(allowElements bool) *receiver.Receiver {
		rc, err := receiver.New(receiver.Config{
			Keys:                []signature.Key{recvKey, []byte("second")},
			Clock:               clock,
			MaxBodyBytes:        4 << 10,
			AllowElementsScheme: allowElements,
			Deduper:             recvNoDedupe{},
			Logger:              slog.New(slog.DiscardHandler),
			Handle: func(_ context.Context, n events.Notification) error {
				if n.Message.EventID == "" && len(n.Message.Events) == 0 {
					panic("Handle got an empty notification")
				}
				return nil
			},
		})
		if err != nil {
			f.Fatal(err)
		}
		return rc
	}
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = io.ReadAll(r.Body)
		if _, ok := receiver.NotificationFromContext(r.Context()); !ok {
			panic("no notification in the context")
		}
	})
	strict, legacy := newReceiver(false), newReceiver(true)
	handlers := []struct {
		h          http.Handler
		middleware bool
		strict     bool
	}{
		{strict, false, true}, {strict.Middleware(next), true, true},
		{legacy, false, false}, {legacy.Middleware(next), true, false},
	}

	f.Fuzz(func(t *testing.T, body []byte, id, ts, sig, esig string, sign bool) {
		header := http.Header{}
		for k, v := range map[string]string{
			signature.HeaderWebhookID:         id,
			signature.HeaderWebhookTimestamp:  ts,
			signature.HeaderWebhookSignature:  sig,
			signature.HeaderElementsSignature: esig,
			signature.HeaderElementsID:        id,
		} {
			if v != "" {
				header[k] = []string{v}
			}
		}
		if sign {
			header = receivertest.Sign(recvKey, cmp.Or(id, "id"), recvT0, body)
		}
		lower := http.Header{}
		for k, v := range header {
			lower[strings.ToLower(k)] = v
		}
		standard := header.Get(signature.HeaderWebhookSignature) != ""
		for _, hd := range []http.Header{header, lower, asSvix(header, true)} {
			for _, h := range handlers {
				got = nil
				req := httptest.NewRequest(http.MethodPost, "/events", bytes.NewReader(body))
				req.Header = hd.Clone()
				w := httptest.NewRecorder()
				h.h.ServeHTTP(w, req)
				switch w.Code {
				case http.StatusOK:
					if !json.Valid(body) {
						t.Fatalf("accepted a body that is not JSON: %q", body)
					}
					if h.middleware && !bytes.Equal(got, body) {
						t.Fatalf("next read %q, want %q", got, body)
					}
					if h.strict && !standard {
						t.Fatalf("accepted without a webhook-signature: %q", hd)
					}
				case http.StatusBadRequest, http.StatusUnauthorized, http.StatusRequestEntityTooLarge:
				default:
					t.Fatalf("status %d: %s", w.Code, w.Body)
				}
			}
		}
	})
}
