package notify_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/notify"
)

func TestNotifierResendSendsADeliveredNotificationAgain(t *testing.T) {
	n, clock := setup(t, notify.Config{})
	rc := newReceiver(t, clock, status(http.StatusOK))
	publish(t, n, batch(rc.URL, []byte("k"), evt("customers", "1", events.Created, `{"id":1}`)))
	drive(t, n, clock, func() bool {
		left, err := n.Outbox().List(context.Background(), notify.Filter{})
		require.NoError(t, err)
		return len(rc.got()) == 1 && len(left) == 0 // delivered, and gone from the outbox
	})
	first := rc.got()[0]
	id := first.header.Get("webhook-id")

	d := notify.Delivery{ID: id, Endpoint: rc.URL, Key: []byte("k"), Body: first.body, Events: 1,
		Attempts: []notify.Attempt{{Status: 200}}, State: notify.Dead, DeadReason: "stale"}
	require.NoError(t, n.Resend(context.Background(), d))
	drive(t, n, clock, func() bool { return len(rc.got()) == 2 })
	again := rc.got()[1]
	require.Equal(t, id, again.header.Get("webhook-id"), "the same id")
	require.Equal(t, first.body, again.body)
	err := verifier(clock, []byte("k")).Verify(again.body, again.header)
	require.NoError(t, err, "signed afresh")
}

func TestNotifierRetryNowBringsTheNextAttemptForward(t *testing.T) {
	n, clock := setup(t, notify.Config{})
	failing := true
	var mu sync.Mutex
	rc := newReceiver(t, clock, func(_ int, w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if failing {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	})
	publish(t, n, batch(rc.URL, nil, evt("customers", "1", events.Created, `{"id":1}`)))
	// The first attempt is due at once: wait for its failure without
	// moving the clock (drive would move it to the retry).
	var pending []notify.Delivery
	require.Eventually(t, func() bool {
		var err error
		pending, err = n.Outbox().List(context.Background(), notify.Filter{State: notify.Pending})
		require.NoError(t, err)
		return len(pending) == 1 && len(pending[0].Attempts) == 1 // the failure is recorded
	}, 5*time.Second, time.Millisecond, "the first attempt's failure was not recorded")
	require.True(t, pending[0].NextAttempt.After(clock.Now()), "the retry waits")

	mu.Lock()
	failing = false
	mu.Unlock()
	require.NoError(t, n.RetryNow(context.Background(), pending[0].ID))
	require.Eventually(t, func() bool { return len(rc.got()) == 2 }, 5*time.Second, time.Millisecond,
		"RetryNow did not attempt at once (the fake clock did not move)")
	require.ErrorIs(t, n.RetryNow(context.Background(), "nope"), notify.ErrNotFound)
}
