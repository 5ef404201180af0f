package receiver_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/receiver"
	"github.com/a12b7632/elementevents/receiver/receivertest"
	"github.com/a12b7632/elementevents/signature"
)

// A request captured on the wire and sent again once its timestamp is
// outside the tolerance is refused, though its signature is good.
func TestReceiverReplayOutsideTolerance(t *testing.T) {
	t.Parallel()
	f := setupReceiver(t, nil)
	var (
		mu       sync.Mutex
		captured *http.Request
		body     []byte
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		if captured == nil {
			captured, body = r.Clone(context.Background()), b
		}
		mu.Unlock()
		r.Body = io.NopCloser(strings.NewReader(string(b)))
		f.rc.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)

	send := func(h http.Header, b []byte) (int, string) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/events", strings.NewReader(string(b)))
		require.NoError(t, err)
		req.Header = h.Clone()
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		text, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(text)
	}

	resp, err := srv.Client().Do(receivertest.NewRequest(t, srv.URL+"/events", recvKey, recvNotification("evt-replay"), f.clock.Now()))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Len(t, f.got(), 1)

	f.clock.Advance(5*time.Minute + time.Second)
	status, text := send(captured.Header, body)
	require.Equal(t, http.StatusUnauthorized, status)
	require.Contains(t, text, "outside the tolerance")
	require.ErrorIs(t, f.logs.last(), signature.ErrTooOld)
	require.ErrorIs(t, f.logs.last(), receiver.ErrBadSignature)

	// Stripped of the Standard Webhooks headers, the replay is refused:
	// the Cloud Elements signature alone, which has no timestamp, is not
	// accepted by default (TestReceiverAllowElementsScheme opts in).
	stripped := captured.Header.Clone()
	for _, k := range []string{signature.HeaderWebhookID, signature.HeaderWebhookTimestamp, signature.HeaderWebhookSignature} {
		stripped.Del(k)
	}
	stripped.Set(signature.HeaderElementsID, "forged")
	status, text = send(stripped, body)
	require.Equal(t, http.StatusUnauthorized, status)
	require.Contains(t, text, "missing signature headers")
	require.ErrorIs(t, f.logs.last(), signature.ErrMissingHeader)
	require.Len(t, f.got(), 1, "the replay is not handled")
}
