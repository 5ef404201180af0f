package receiver_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/receiver"
	"github.com/a12b7632/elementevents/signature"
)

// The names Svix gives the Standard Webhooks headers, as it sends them.
const (
	svixID        = "Svix-Id"
	svixTimestamp = "Svix-Timestamp"
	svixSignature = "Svix-Signature"
)

// svixNames maps the Standard Webhooks headers to the names Svix sends.
var svixNames = map[string]string{
	signature.HeaderWebhookID:        svixID,
	signature.HeaderWebhookTimestamp: svixTimestamp,
	signature.HeaderWebhookSignature: svixSignature,
}

// asSvix renames the Standard Webhooks headers of h, signed by our own
// Signer, to Svix's names, and drops the Cloud Elements ones unless
// keepElements: what a consumer moving from Svix receives.
func asSvix(h http.Header, keepElements bool) http.Header {
	h = h.Clone()
	for from, to := range svixNames {
		h[to] = h[from]
		delete(h, from)
	}
	if !keepElements {
		delete(h, signature.HeaderElementsSignature)
		delete(h, signature.HeaderElementsID)
	}
	return h
}

// A request signed by signature.Signer with its Standard Webhooks headers
// under Svix's names verifies as it does under the webhook- names: same
// tolerance, same dedupe on the signed id, no fallback to the Cloud
// Elements scheme.
func TestReceiverSvixHeaders(t *testing.T) {
	t.Parallel()
	full, _, body := captured(t, "evt-svix")
	svix := asSvix(full, false)
	lower := http.Header{}
	for k, v := range svix {
		lower[strings.ToLower(k)] = v
	}

	tests := []struct {
		name       string
		header     http.Header
		advance    time.Duration
		wantStatus int
		wantErr    error
	}{
		{name: "svix names", header: svix, wantStatus: http.StatusOK},
		{name: "svix names, lowercase", header: lower, wantStatus: http.StatusOK},
		{name: "svix names next to webhook- ones", header: func() http.Header {
			h := asSvix(full, true)
			for from := range svixNames {
				h[from] = full[from]
			}
			return h
		}(), wantStatus: http.StatusOK},
		{
			name: "webhook- names decide when both are present", wantStatus: http.StatusUnauthorized, wantErr: signature.ErrNoMatch,
			header: func() http.Header {
				h := svix.Clone()
				h[signature.HeaderWebhookID] = svix[svixID]
				h[signature.HeaderWebhookTimestamp] = svix[svixTimestamp]
				h[signature.HeaderWebhookSignature] = []string{"v1,garbage"}
				return h
			}(),
		},
		{
			name: "never a mix: webhook-id with svix-signature", wantStatus: http.StatusUnauthorized, wantErr: signature.ErrMissingHeader,
			header: func() http.Header {
				h := svix.Clone()
				h[signature.HeaderWebhookID] = h[svixID]
				delete(h, svixID)
				return h
			}(),
		},
		{name: "svix names replayed late", header: svix, advance: 10 * time.Minute, wantStatus: http.StatusUnauthorized, wantErr: signature.ErrTooOld},
		{
			name: "garbage svix-signature, Cloud Elements signature good", wantStatus: http.StatusUnauthorized, wantErr: signature.ErrNoMatch,
			header: func() http.Header {
				h := asSvix(full, true)
				h[svixSignature] = []string{"v1,garbage"}
				return h
			}(),
		},
		{
			name: "svix-id and svix-timestamp alone, Cloud Elements signature good", wantStatus: http.StatusUnauthorized, wantErr: signature.ErrMissingHeader,
			header: func() http.Header {
				h := asSvix(full, true)
				delete(h, svixSignature)
				return h
			}(),
		},
		{
			name: "svix-id changed after signing", wantStatus: http.StatusUnauthorized, wantErr: signature.ErrNoMatch,
			header: func() http.Header {
				h := asSvix(full, false)
				h[svixID] = []string{"evt-other"}
				return h
			}(),
		},
	}
	for _, tt := range tests {
		for _, allow := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/AllowElementsScheme=%v", tt.name, allow), func(t *testing.T) {
				t.Parallel()
				f := setupReceiver(t, func(c *receiver.Config) { c.AllowElementsScheme = allow })
				f.clock.Advance(tt.advance)
				for i := range 2 {
					w := recvServe(f.rc, handRequest(tt.header.Clone(), body))
					require.Equal(t, tt.wantStatus, w.Code, "body: %s", w.Body)
					if tt.wantErr != nil {
						require.ErrorIs(t, f.logs.last(), tt.wantErr)
						require.ErrorIs(t, f.logs.last(), receiver.ErrBadSignature)
					} else if i == 1 {
						require.Contains(t, w.Body.String(), "duplicate", "deduped on svix-id")
					}
				}
				if tt.wantStatus == http.StatusOK {
					require.Len(t, f.got(), 1)
				} else {
					require.Empty(t, f.got())
				}
			})
		}
	}
}

// Over HTTP, through the middleware: the next handler gets the body.
func TestReceiverSvixOverHTTP(t *testing.T) {
	t.Parallel()
	full, _, body := captured(t, "evt-svix-http")
	f := setupReceiver(t, nil)
	var got []byte
	srv := httptest.NewServer(f.rc.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = io.ReadAll(r.Body)
	})))
	t.Cleanup(srv.Close)

	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL, strings.NewReader(string(body)))
	require.NoError(t, err)
	for k, v := range asSvix(full, false) {
		req.Header[strings.ToLower(k)] = v // the client writes them as given
	}
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, body, got)
	require.Len(t, f.got(), 1)
}
