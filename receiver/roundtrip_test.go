package receiver_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/notify"
	"github.com/a12b7632/elementevents/receiver"
	"github.com/a12b7632/elementevents/signature"
)

// A Notifier delivers to a Receiver over HTTP while the key is rotated:
// during the overlap both keys are accepted, afterwards only the new one.
func TestReceiverNotifierRoundTripKeyRotation(t *testing.T) {
	t.Parallel()
	clock := clockwork.NewFakeClockAt(recvT0)
	oldKey, newKey := []byte("old-signing-key"), []byte("new-signing-key")

	var mu sync.Mutex
	var handled []events.Notification
	newRC := func(keys ...signature.Key) *receiver.Receiver {
		rc, err := receiver.New(receiver.Config{
			Keys:   keys,
			Clock:  clock,
			Logger: slog.New(slog.DiscardHandler),
			Handle: func(_ context.Context, n events.Notification) error {
				mu.Lock()
				handled = append(handled, n)
				mu.Unlock()
				return nil
			},
		})
		require.NoError(t, err)
		return rc
	}
	var current struct {
		sync.Mutex
		rc *receiver.Receiver
	}
	current.rc = newRC(newKey, oldKey)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		current.Lock()
		rc := current.rc
		current.Unlock()
		rc.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)

	n, err := notify.New(notify.Config{
		Clock:  clock,
		Policy: notify.DeliveryPolicy{Guard: netguard.Guard{AllowPrivate: true}},
		Logger: slog.New(slog.DiscardHandler),
	})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})

	publish := func(objectID string, key []byte) string {
		t.Helper()
		date := recvT0.Add(-time.Minute)
		e := events.Event{
			ID:         events.NewID("123", "customers", objectID, events.Updated, date),
			Type:       events.Updated,
			ObjectType: "customers",
			ObjectID:   objectID,
			ElementKey: "woocommercerest",
			Date:       date,
		}
		require.NoError(t, n.Publish(ctx, events.Batch{
			Instance: events.Instance{ID: "123", Name: "shop", ElementKey: "woocommercerest"},
			Endpoint: events.Endpoint{URL: srv.URL + "/events", Key: key},
			Source:   events.FromWebhook,
			Events:   []events.Event{e},
		}))
		return e.ID
	}
	waitFor := func(what string, cond func(notify.Stats) bool) {
		t.Helper()
		require.Eventually(t, func() bool { return cond(n.Stats()) }, 10*time.Second, time.Millisecond, "%s: %+v", what, n.Stats())
	}

	// Overlap: the receiver knows both keys.
	idOld := publish("1", oldKey)
	waitFor("old key delivered", func(s notify.Stats) bool { return s.Delivered == 1 })
	idNew := publish("2", newKey)
	waitFor("new key delivered", func(s notify.Stats) bool { return s.Delivered == 2 })

	// Rotation done: the old key is dropped.
	current.Lock()
	current.rc = newRC(newKey)
	current.Unlock()
	idStale := publish("3", oldKey)
	waitFor("old key refused", func(s notify.Stats) bool { return s.Dead == 1 })
	idFresh := publish("4", newKey)
	waitFor("new key still delivered", func(s notify.Stats) bool { return s.Delivered == 3 })

	mu.Lock()
	var ids []string
	for _, h := range handled {
		ids = append(ids, h.Message.EventID)
		require.Equal(t, "123", h.Message.InstanceID)
		require.Len(t, h.Message.Events, 1)
	}
	mu.Unlock()
	require.Equal(t, []string{idOld, idNew, idFresh}, ids)

	dead, err := n.Outbox().List(t.Context(), notify.Filter{State: notify.Dead})
	require.NoError(t, err)
	require.Len(t, dead, 1)
	require.Equal(t, idStale, dead[0].ID)
	require.Len(t, dead[0].Attempts, 1)
	require.Equal(t, http.StatusUnauthorized, dead[0].Attempts[0].Status)
	require.Contains(t, string(dead[0].Attempts[0].Response), "signature does not match")
}
