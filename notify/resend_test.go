package notify_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/notify"
)

func TestNotifierResendSendsADeliveredNotificationAgain(t *testing.T) {
	n, clock := setup(t, notify.Config{})
	rc := newReceiver(t, clock, status(http.StatusOK))
	publish(t, n, batch(rc.URL, []byte("k"), evt("customers", "1", events.Created, `{"id":1}`)))
	drive(t, n, clock, func() bool { return len(rc.got()) == 1 })
	first := rc.got()[0]
	id := first.header.Get("webhook-id")
	left, err := n.Outbox().List(context.Background(), notify.Filter{})
	require.NoError(t, err)
	require.Empty(t, left, "a delivered notification leaves the outbox")

	d := notify.Delivery{ID: id, Endpoint: rc.URL, Key: []byte("k"), Body: first.body, Events: 1,
		Attempts: []notify.Attempt{{Status: 200}}, State: notify.Dead, DeadReason: "stale"}
	require.NoError(t, n.Resend(context.Background(), d))
	drive(t, n, clock, func() bool { return len(rc.got()) == 2 })
	again := rc.got()[1]
	require.Equal(t, id, again.header.Get("webhook-id"), "the same id")
	require.Equal(t, first.body, again.body)
	err = verifier(clock, []byte("k")).Verify(again.body, again.header)
	require.NoError(t, err, "signed afresh")
}
