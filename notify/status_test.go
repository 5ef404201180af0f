package notify_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/notify"
)

// A status batch has no events, yet it is a notification: delivered,
// signed, and ordered apart from the instance's objects, so a status is
// not held behind an object whose deliveries keep failing.
func TestNotifierDeliversStatus(t *testing.T) {
	t.Parallel()
	n, clock := setup(t, notify.Config{})
	rc := newReceiver(t, clock, func(_ int, w http.ResponseWriter, r *http.Request) {
		var note events.Notification
		_ = json.NewDecoder(r.Body).Decode(&note)
		if note.Message.Status == nil {
			w.WriteHeader(http.StatusServiceUnavailable) // the object's delivery keeps failing
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	publish(t, n, batch(rc.URL, key, evt("customers", "42", events.Created, `{"id":42}`)))
	b := batch(rc.URL, key)
	b.Status = &events.Status{State: events.SubscriptionFailing, Date: t0, Reason: "webhook 7 disabled", ObjectType: "customers"}
	publish(t, n, b)
	drive(t, n, clock, func() bool { return n.Stats().Delivered == 1 })

	var got *received
	for _, r := range rc.got() {
		var note events.Notification
		require.NoError(t, json.Unmarshal(r.body, &note))
		if note.Message.Status != nil {
			got = &r
			require.Equal(t, events.SubscriptionFailing, note.Message.Status.State)
			require.Empty(t, note.Message.Events)
		}
	}
	require.NotNil(t, got, "the status notification was not delivered")
	v := verifier(clock, key)
	require.NoError(t, v.VerifyStandard(got.body, got.header.Get("webhook-id"), got.header.Get("webhook-timestamp"), got.header.Get("webhook-signature")))
}
