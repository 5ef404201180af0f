package receiver_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/receiver"
	"github.com/a12b7632/elementevents/receiver/receivertest"
	"github.com/a12b7632/elementevents/signature"
)

// captured is a notification as the Notifier sent it, both schemes
// signed at recvT0, and the same request stripped down to its Cloud
// Elements headers, as an attacker who captured it can send it.
func captured(t *testing.T, id string) (full, stripped http.Header, body []byte) {
	t.Helper()
	body, err := json.Marshal(recvNotification(id))
	require.NoError(t, err)
	full = receivertest.Sign(recvKey, id, recvT0, body)
	stripped = full.Clone()
	for _, k := range []string{signature.HeaderWebhookID, signature.HeaderWebhookTimestamp, signature.HeaderWebhookSignature} {
		delete(stripped, k)
	}
	return full, stripped, body
}

// handRequest is a POST of body whose header map is h as given, keys
// not canonicalised, as an adapter that builds an http.Header by hand
// (from a gateway that lowercases names, say) passes it on.
func handRequest(h http.Header, body []byte) *http.Request {
	req := httptest.NewRequest(http.MethodPost, "/events", strings.NewReader(string(body)))
	req.Header = h
	return req
}

// A captured notification replayed with only its Cloud Elements
// signature, which has no timestamp, is refused by default however late
// it comes: after the dedupe window, or by a Receiver that has just
// started and remembers nothing.
func TestReceiverLegacyReplayRefused(t *testing.T) {
	t.Parallel()
	full, stripped, body := captured(t, "evt-replay")

	f := setupReceiver(t, nil)
	require.Equal(t, http.StatusOK, recvServe(f.rc, handRequest(full.Clone(), body)).Code)
	require.Len(t, f.got(), 1)

	f.clock.Advance(24*time.Hour + time.Second)
	w := recvServe(f.rc, handRequest(stripped.Clone(), body))
	require.Equal(t, http.StatusUnauthorized, w.Code, "after the dedupe window: %s", w.Body)
	require.Contains(t, w.Body.String(), "missing signature headers")
	require.ErrorIs(t, f.logs.last(), signature.ErrMissingHeader)
	require.ErrorIs(t, f.logs.last(), receiver.ErrBadSignature)

	restarted := setupReceiver(t, nil)
	restarted.clock.Advance(time.Hour)
	w = recvServe(restarted.rc, handRequest(stripped.Clone(), body))
	require.Equal(t, http.StatusUnauthorized, w.Code, "after a restart: %s", w.Body)

	require.Len(t, f.got(), 1, "the replay is not handled")
	require.Empty(t, restarted.got())
}

// Header names are matched whatever their case, and a Standard Webhooks
// header under any case decides the scheme: a request that has one is
// never verified in the Cloud Elements scheme instead, even where that
// scheme is allowed.
func TestReceiverHeaderCase(t *testing.T) {
	t.Parallel()
	full, stripped, body := captured(t, "evt-case")
	lower := func(h http.Header, names ...string) http.Header {
		h = h.Clone()
		for _, k := range names {
			h[strings.ToLower(k)] = h[k]
			delete(h, k)
		}
		return h
	}
	std := []string{signature.HeaderWebhookID, signature.HeaderWebhookTimestamp, signature.HeaderWebhookSignature}
	all := append([]string{signature.HeaderElementsID, signature.HeaderElementsSignature}, std...)

	tests := []struct {
		name       string
		header     http.Header
		advance    time.Duration // on the receiver's clock, after signing
		wantStatus int
		wantErr    error
		// elementsOnly: refused by default (missing header), accepted
		// with AllowElementsScheme; wantStatus and wantErr are unused.
		elementsOnly bool
	}{
		{name: "every key lowercase", header: lower(full, all...), wantStatus: http.StatusOK},
		{
			name:   "Cloud Elements only, keys lowercase",
			header: lower(stripped, signature.HeaderElementsID, signature.HeaderElementsSignature), elementsOnly: true,
		},
		{name: "Standard keys lowercase", header: lower(full, std...), wantStatus: http.StatusOK},
		{
			name: "Standard keys upper case", wantStatus: http.StatusOK,
			header: func() http.Header {
				h := full.Clone()
				for _, k := range std {
					h[strings.ToUpper(k)] = h[k]
					delete(h, k)
				}
				return h
			}(),
		},
		{
			name:   "lowercase Standard keys replayed late, Cloud Elements signature good",
			header: lower(full, std...), advance: 10 * time.Minute,
			wantStatus: http.StatusUnauthorized, wantErr: signature.ErrTooOld,
		},
		{
			name: "lowercase garbage webhook-signature, Cloud Elements signature good",
			header: func() http.Header {
				h := lower(full, std...)
				h["webhook-signature"] = []string{"v1,garbage"}
				return h
			}(),
			wantStatus: http.StatusUnauthorized, wantErr: signature.ErrNoMatch,
		},
		{
			name: "webhook-id and webhook-timestamp without webhook-signature",
			header: func() http.Header {
				h := lower(full, std...)
				delete(h, "webhook-signature")
				return h
			}(),
			wantStatus: http.StatusUnauthorized, wantErr: signature.ErrMissingHeader,
		},
		{
			name: "empty webhook-signature",
			header: func() http.Header {
				h := full.Clone()
				h[signature.HeaderWebhookSignature] = []string{""}
				return h
			}(),
			wantStatus: http.StatusUnauthorized, wantErr: signature.ErrMissingHeader,
		},
		{
			name: "the canonical key wins over another case of it",
			header: func() http.Header {
				h := full.Clone()
				h["webhook-signature"] = h[signature.HeaderWebhookSignature]
				h[signature.HeaderWebhookSignature] = []string{"v1,garbage"}
				return h
			}(),
			wantStatus: http.StatusUnauthorized, wantErr: signature.ErrNoMatch,
		},
	}
	for _, tt := range tests {
		for _, allow := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/AllowElementsScheme=%v", tt.name, allow), func(t *testing.T) {
				t.Parallel()
				f := setupReceiver(t, func(c *receiver.Config) { c.AllowElementsScheme = allow })
				f.clock.Advance(tt.advance)
				wantStatus, wantErr := tt.wantStatus, tt.wantErr
				if tt.elementsOnly {
					wantStatus, wantErr = http.StatusOK, nil
					if !allow {
						wantStatus, wantErr = http.StatusUnauthorized, signature.ErrMissingHeader
					}
				}
				for range 2 {
					w := recvServe(f.rc, handRequest(tt.header.Clone(), body))
					require.Equal(t, wantStatus, w.Code, "body: %s", w.Body)
					if wantErr != nil {
						require.ErrorIs(t, f.logs.last(), wantErr)
						require.ErrorIs(t, f.logs.last(), receiver.ErrBadSignature)
					}
				}
				if wantStatus == http.StatusOK {
					require.Len(t, f.got(), 1, "the second is a duplicate")
				} else {
					require.Empty(t, f.got())
				}
			})
		}
	}
}

// With AllowElementsScheme a Cloud Elements-only request is accepted,
// deduped by its signed eventId (never by the unsigned
// Elements-Webhook-Id), and accepted again once the dedupe window has
// passed: why the scheme is off by default.
func TestReceiverAllowElementsScheme(t *testing.T) {
	t.Parallel()
	full, stripped, body := captured(t, "evt-legacy")
	f := setupReceiver(t, allowElements)

	w := recvServe(f.rc, handRequest(stripped.Clone(), body))
	require.Equal(t, http.StatusOK, w.Code, "body: %s", w.Body)
	require.Len(t, f.got(), 1)

	forged := stripped.Clone()
	forged.Set(signature.HeaderElementsID, "something-else")
	w = recvServe(f.rc, handRequest(forged, body))
	require.Equal(t, http.StatusOK, w.Code)
	require.Contains(t, w.Body.String(), "duplicate")

	// The full request, late: its Standard Webhooks headers decide.
	f.clock.Advance(10 * time.Minute)
	w = recvServe(f.rc, handRequest(full.Clone(), body))
	require.Equal(t, http.StatusUnauthorized, w.Code)
	require.ErrorIs(t, f.logs.last(), signature.ErrTooOld)

	f.clock.Advance(24 * time.Hour)
	w = recvServe(f.rc, handRequest(stripped.Clone(), body))
	require.Equal(t, http.StatusOK, w.Code)
	require.NotContains(t, w.Body.String(), "duplicate")
	require.Len(t, f.got(), 2, "the replay after the window is handled again")
}
