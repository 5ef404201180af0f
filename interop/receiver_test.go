package interop_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	"github.com/stretchr/testify/require"
	svix "github.com/svix/svix-webhooks/go"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/receiver"
	"github.com/a12b7632/elementevents/signature"
)

// notification is a body the Receiver decodes.
var notification = []byte(`{"message":{"eventId":"evt_interop_1","elementKey":"woocommercerest","instanceId":"1","events":[{"eventType":"CREATED","objectType":"customers","objectId":"7","elementKey":"woocommercerest","date":"2026-12-07T10:00:00Z"}]}}`)

// TestInteropReceiverAcceptsOtherSenders checks that a consumer moving from
// Svix or from a Standard Webhooks sender keeps working: the libraries'
// signatures, under the header names each sends (including the lowercase
// keys of a hand-built header map), are accepted, and a tampered body is
// not. The libraries check against the real clock, so this signs at it.
func TestInteropReceiverAcceptsOtherSenders(t *testing.T) {
	t.Parallel()
	secret := "whsec_" + base64.StdEncoding.EncodeToString([]byte("interop receiver key"))
	now := time.Now()
	ts := strconv.FormatInt(now.Unix(), 10)

	svixWH, err := svix.NewWebhook(secret)
	require.NoError(t, err)
	svixSig, err := svixWH.Sign("msg_svix", now, notification)
	require.NoError(t, err)
	stdWH, err := standardwebhooks.NewWebhook(secret)
	require.NoError(t, err)
	stdSig, err := stdWH.Sign("msg_std", now, notification)
	require.NoError(t, err)

	for _, tc := range []struct {
		name   string
		header map[string]string
	}{
		{"svix library, svix- headers", map[string]string{"Svix-Id": "msg_svix", "Svix-Timestamp": ts, "Svix-Signature": svixSig}},
		{"svix library, lowercase svix- keys", map[string]string{"svix-id": "msg_svix", "svix-timestamp": ts, "svix-signature": svixSig}},
		{"standard-webhooks library", map[string]string{"Webhook-Id": "msg_std", "Webhook-Timestamp": ts, "Webhook-Signature": stdSig}},
		{"standard-webhooks library, lowercase keys", map[string]string{"webhook-id": "msg_std", "webhook-timestamp": ts, "webhook-signature": stdSig}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, tampered := range []bool{false, true} {
				var handled []string
				rcv, err := receiver.New(receiver.Config{
					Keys: []signature.Key{mustKey(t, secret)},
					Handle: func(_ context.Context, n events.Notification) error {
						handled = append(handled, n.Message.EventID)
						return nil
					},
				})
				require.NoError(t, err)
				body := notification
				if tampered {
					body = bytes.Replace(notification, []byte(`"7"`), []byte(`"8"`), 1)
				}
				req := httptest.NewRequest(http.MethodPost, "/events", bytes.NewReader(body))
				for k, v := range tc.header {
					req.Header[k] = []string{v} // as written: no canonicalisation
				}
				rec := httptest.NewRecorder()
				rcv.ServeHTTP(rec, req)
				if tampered {
					require.Equal(t, http.StatusUnauthorized, rec.Code, rec.Body.String())
					require.Empty(t, handled)
					continue
				}
				require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
				require.Equal(t, []string{"evt_interop_1"}, handled)
			}
		})
	}
}

func mustKey(t *testing.T, secret string) []byte {
	t.Helper()
	k, err := signature.ParseKey(secret)
	require.NoError(t, err)
	return k
}
