package receiver_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/receiver"
	"github.com/a12b7632/elementevents/receiver/receivertest"
	"github.com/a12b7632/elementevents/signature"
)

func TestReceiverDuplicate(t *testing.T) {
	t.Parallel()
	f := setupReceiver(t, allowElements)
	n := recvNotification("evt-dup")
	req := func() *http.Request {
		return receivertest.NewRequest(t, "/events", recvKey, n, f.clock.Now())
	}

	require.Equal(t, http.StatusOK, recvServe(f.rc, req()).Code)
	w := recvServe(f.rc, req())
	require.Equal(t, http.StatusOK, w.Code)
	require.Contains(t, w.Body.String(), "duplicate")

	// The Cloud Elements id header is not signed: changing it does not
	// make the same body a new notification.
	body, err := json.Marshal(n)
	require.NoError(t, err)
	forged := recvElementsOnly(recvSignedRequest(t, recvKey, "evt-dup", f.clock.Now(), string(body)))
	forged.Header.Set(signature.HeaderElementsID, "something-else")
	w = recvServe(f.rc, forged)
	require.Equal(t, http.StatusOK, w.Code)
	require.Contains(t, w.Body.String(), "duplicate")

	require.Len(t, f.got(), 1, "Handle is called once")

	// After the TTL the id is forgotten.
	f.clock.Advance(24 * time.Hour)
	w = recvServe(f.rc, req())
	require.Equal(t, http.StatusOK, w.Code)
	require.NotContains(t, w.Body.String(), "duplicate")
	require.Len(t, f.got(), 2)
}

func TestReceiverHandleErrorThenRetry(t *testing.T) {
	t.Parallel()
	f := setupReceiver(t, nil)
	n := recvNotification("evt-retry")
	send := func() *httptest.ResponseRecorder {
		return recvServe(f.rc, receivertest.NewRequest(t, "/events", recvKey, n, f.clock.Now()))
	}

	boom := errors.New("database is down: password=hunter2")
	f.setFail(boom)
	w := send()
	require.Equal(t, http.StatusInternalServerError, w.Code)
	require.NotContains(t, w.Body.String(), "hunter2", "the handler's error is logged, not answered")
	require.ErrorIs(t, f.logs.last(), boom)
	require.Empty(t, f.got())

	f.setFail(nil)
	f.clock.Advance(5 * time.Second) // the Notifier's second attempt
	w = send()
	require.Equal(t, http.StatusOK, w.Code)
	require.NotContains(t, w.Body.String(), "duplicate", "a failed attempt is not marked")
	require.Len(t, f.got(), 1)

	w = send()
	require.Equal(t, http.StatusOK, w.Code)
	require.Contains(t, w.Body.String(), "duplicate")
	require.Len(t, f.got(), 1)
}

// A retry that arrives while the first attempt is still being handled is
// told to come back, and then finds it handled.
func TestReceiverRetryWhileHandling(t *testing.T) {
	t.Parallel()
	entered, unblock := make(chan struct{}), make(chan struct{})
	var calls int
	f := setupReceiver(t, func(c *receiver.Config) {
		c.Handle = func(context.Context, events.Notification) error {
			calls++
			close(entered)
			<-unblock
			return nil
		}
	})
	n := recvNotification("evt-slow")
	first := make(chan int)
	go func() {
		first <- recvServe(f.rc, receivertest.NewRequest(t, "/events", recvKey, n, f.clock.Now())).Code
	}()
	<-entered

	w := recvServe(f.rc, receivertest.NewRequest(t, "/events", recvKey, n, f.clock.Now()))
	require.Equal(t, http.StatusServiceUnavailable, w.Code)

	// Another notification is not held up.
	other := recvServe(f.rc, receivertest.NewRequest(t, "/events", []byte("wrong"), recvNotification("evt-other"), f.clock.Now()))
	require.Equal(t, http.StatusUnauthorized, other.Code)

	close(unblock)
	require.Equal(t, http.StatusOK, <-first)
	w = recvServe(f.rc, receivertest.NewRequest(t, "/events", recvKey, n, f.clock.Now()))
	require.Equal(t, http.StatusOK, w.Code)
	require.Contains(t, w.Body.String(), "duplicate")
	require.Equal(t, 1, calls)
}

// recvFailingDeduper fails every call.
type recvFailingDeduper struct{ err error }

func TestReceiverDeduperDown(t *testing.T) {
	t.Parallel()
	down := errors.New("redis: connection refused")
	f := setupReceiver(t, func(c *receiver.Config) { c.Deduper = recvFailingDeduper{down} })
	w := recvServe(f.rc, receivertest.NewRequest(t, "/events", recvKey, recvNotification("evt-1"), f.clock.Now()))
	require.Equal(t, http.StatusServiceUnavailable, w.Code, "retried by the Notifier")
	require.NotContains(t, w.Body.String(), "redis")
	require.ErrorIs(t, f.logs.last(), down)
	require.Empty(t, f.got())
}

// recvMarkFailingDeduper sees nothing and cannot mark.
type recvMarkFailingDeduper struct{ err error }

// A notification handled but not marked is still answered 200: a 5xx
// would only bring a retry that the Deduper cannot catch either.
func TestReceiverMarkFails(t *testing.T) {
	t.Parallel()
	down := errors.New("redis: read only")
	f := setupReceiver(t, func(c *receiver.Config) { c.Deduper = recvMarkFailingDeduper{down} })
	w := recvServe(f.rc, receivertest.NewRequest(t, "/events", recvKey, recvNotification("evt-1"), f.clock.Now()))
	require.Equal(t, http.StatusOK, w.Code)
	require.ErrorIs(t, f.logs.last(), down)
	require.Len(t, f.got(), 1)
}
