package receiver_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/receiver"
	"github.com/a12b7632/elementevents/receiver/receivertest"
)

func TestReceiverMiddleware(t *testing.T) {
	t.Parallel()
	n := recvNotification("evt-mw")
	body, err := json.Marshal(n)
	require.NoError(t, err)

	tests := []struct {
		name     string
		status   int // what next answers; 0 writes nothing
		wantMark bool
	}{
		{"writes nothing", 0, true},
		{"writes a body only", -1, true},
		{"200", http.StatusOK, true},
		{"202", http.StatusAccepted, true},
		{"204", http.StatusNoContent, true},
		{"400: may be replayed once fixed", http.StatusBadRequest, false},
		{"429: retried", http.StatusTooManyRequests, false},
		{"500: retried", http.StatusInternalServerError, false},
		{"503: retried", http.StatusServiceUnavailable, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setupReceiver(t, func(c *receiver.Config) { c.Handle = nil })
			var mu sync.Mutex
			var calls int
			next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got, err := io.ReadAll(r.Body)
				require.NoError(t, err)
				require.Equal(t, body, got, "the body is restored")
				require.Equal(t, int64(len(body)), r.ContentLength)
				note, ok := receiver.NotificationFromContext(r.Context())
				require.True(t, ok)
				require.Equal(t, n.Message.EventID, note.Message.EventID)
				require.Equal(t, n.Message.Events, note.Message.Events)
				mu.Lock()
				calls++
				mu.Unlock()
				switch tt.status {
				case 0:
				case -1:
					io.WriteString(w, "thanks")
				default:
					w.WriteHeader(tt.status)
				}
			})
			h := f.rc.Middleware(next)

			w := recvServe(h, recvSignedRequest(t, recvKey, "evt-mw", f.clock.Now(), string(body)))
			require.Equal(t, max(tt.status, http.StatusOK), w.Code)
			if tt.status == -1 {
				require.Equal(t, "thanks", w.Body.String())
			}
			w = recvServe(h, recvSignedRequest(t, recvKey, "evt-mw", f.clock.Now(), string(body)))
			if tt.wantMark {
				require.Equal(t, http.StatusOK, w.Code)
				require.Contains(t, w.Body.String(), "duplicate")
				require.Equal(t, 1, calls, "next is not called for a duplicate")
			} else {
				require.Equal(t, 2, calls, "the retry reaches next")
			}
		})
	}
}

func TestReceiverMiddlewareRefuses(t *testing.T) {
	t.Parallel()
	f := setupReceiver(t, nil)
	h := f.rc.Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		t.Error("next is called")
	}))
	require.Equal(t, http.StatusUnauthorized,
		recvServe(h, receivertest.NewRequest(t, "/events", []byte("wrong"), recvNotification("evt-1"), f.clock.Now())).Code)
	require.Equal(t, http.StatusMethodNotAllowed, recvServe(h, httptest.NewRequest(http.MethodGet, "/events", nil)).Code)

	// Handle runs first, and its failure stops the request.
	f.setFail(errors.New("no"))
	require.Equal(t, http.StatusInternalServerError,
		recvServe(h, receivertest.NewRequest(t, "/events", recvKey, recvNotification("evt-1"), f.clock.Now())).Code)
}

// The next handler keeps what the server's ResponseWriter offers:
// flushing, and deadlines through http.ResponseController.
func TestReceiverMiddlewareResponseController(t *testing.T) {
	t.Parallel()
	f := setupReceiver(t, func(c *receiver.Config) { c.Handle = nil })
	errs := make(chan error, 2)
	h := f.rc.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		errs <- rc.SetWriteDeadline(time.Time{})
		errs <- rc.Flush()
		w.(http.Flusher).Flush()
	}))
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	resp, err := srv.Client().Do(receivertest.NewRequest(t, srv.URL, recvKey, recvNotification("evt-1"), f.clock.Now()))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NoError(t, <-errs, "SetWriteDeadline reaches the server's writer")
	require.NoError(t, <-errs, "Flush")
}

// An informational answer (103 Early Hints) is not the final status: a
// 503 after it still leaves the notification unmarked.
func TestReceiverMiddlewareInformational(t *testing.T) {
	t.Parallel()
	f := setupReceiver(t, func(c *receiver.Config) { c.Handle = nil })
	var mu sync.Mutex
	calls := 0
	srv := httptest.NewServer(f.rc.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		mu.Unlock()
		w.Header().Set("Link", "</style.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		w.WriteHeader(http.StatusServiceUnavailable)
	})))
	t.Cleanup(srv.Close)
	for range 2 {
		resp, err := srv.Client().Do(receivertest.NewRequest(t, srv.URL, recvKey, recvNotification("evt-1"), f.clock.Now()))
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	}
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, 2, calls)
}

func TestNotificationFromContextEmpty(t *testing.T) {
	t.Parallel()
	_, ok := receiver.NotificationFromContext(context.Background())
	require.False(t, ok)
}
