package riverstore_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/notify"
	"github.com/a12b7632/elementevents/riverstore"
)

// The compressed schedule of the delivery tests: three attempts, 150 ms
// apart, no jitter.
var testSchedule = []time.Duration{0, 150 * time.Millisecond, 150 * time.Millisecond}

func TestDeliverSignedOnce(t *testing.T) {
	t.Parallel()
	pool, _ := setup(t, 12)
	rc := newReceiver(t)
	var at attempts
	r := startReplica(t, pool, riverstore.Config{Policy: notify.DeliveryPolicy{Schedule: testSchedule, Jitter: -1}, OnAttempt: at.add})

	b := batch("inst-1", "customers", rc.srv.URL+"/events", 0, 12) // 12 events: two notifications
	ids := noteIDs(b)
	require.Len(t, ids, 2)
	require.NoError(t, r.Publish(t.Context(), b))
	require.NoError(t, r.Publish(t.Context(), b), "the same batch again is not a second delivery")
	for _, id := range ids {
		eventually(t, 10*time.Second, func() bool { return rc.acceptedCount(id) == 1 }, "notification %s delivered", id)
	}
	time.Sleep(200 * time.Millisecond) // room for a second delivery, if there were one
	for _, id := range ids {
		require.Equal(t, 1, rc.requestCount(id), "notification %s requested once", id)
		got := at.of(id)
		require.Len(t, got, 1)
		require.Equal(t, notify.OutcomeDelivered, got[0].Outcome)
		require.Equal(t, 1, got[0].Number)
		require.Equal(t, http.StatusOK, got[0].Status)
	}
	require.Len(t, rc.eventCounts(), 12)
}

func TestDeliverRetriesOnSchedule(t *testing.T) {
	t.Parallel()
	pool, _ := setup(t, 12)
	rc := newReceiver(t)
	var at attempts
	r := startReplica(t, pool, riverstore.Config{Policy: notify.DeliveryPolicy{Schedule: testSchedule, Jitter: -1}, OnAttempt: at.add})
	rc.setScript(func(_ string, n int) (int, http.Header) {
		switch n {
		case 1:
			return http.StatusServiceUnavailable, http.Header{"Retry-After": {"3600"}} // clamped to twice the step
		case 2:
			return http.StatusMovedPermanently, http.Header{"Location": {"http://127.0.0.1:1/elsewhere"}} // not followed: retried
		}
		return http.StatusNoContent, nil
	})

	b := batch("inst-1", "orders", rc.srv.URL+"/events", 0, 1)
	id := noteIDs(b)[0]
	require.NoError(t, r.Publish(t.Context(), b))
	// The receiver counts a delivery before the worker has read the answer
	// and reported the attempt: wait for both.
	eventually(t, 10*time.Second, func() bool { return rc.acceptedCount(id) == 1 && len(at.of(id)) == 3 }, "delivered on the third attempt")
	got := at.of(id)
	require.Len(t, got, 3)
	require.Equal(t, notify.OutcomeRetry, got[0].Outcome)
	require.Equal(t, http.StatusServiceUnavailable, got[0].Status)
	require.Equal(t, 2*testSchedule[1], got[0].NextAttempt.Sub(got[0].At.Add(got[0].Latency)).Round(10*time.Millisecond),
		"Retry-After: 3600 is kept to twice the step")
	require.Equal(t, notify.OutcomeRetry, got[1].Outcome)
	require.Equal(t, http.StatusMovedPermanently, got[1].Status)
	require.GreaterOrEqual(t, got[1].At.Sub(got[0].At), 2*testSchedule[1], "River waited for NextAttempt")
	require.GreaterOrEqual(t, got[2].At.Sub(got[1].At), testSchedule[2])
	require.Equal(t, notify.OutcomeDelivered, got[2].Outcome)
	require.Equal(t, []int{1, 2, 3}, []int{got[0].Number, got[1].Number, got[2].Number})
}

func TestDeliverDeadLettersAndReplays(t *testing.T) {
	t.Parallel()
	pool, _ := setup(t, 12)
	rc := newReceiver(t)
	var exhausted atomic.Int32
	r := startReplica(t, pool, riverstore.Config{Policy: notify.DeliveryPolicy{Schedule: testSchedule, Jitter: -1}, OnExhausted: func(notify.Delivery) { exhausted.Add(1) }})
	ep := rc.srv.URL + "/events"
	bad := batch("inst-1", "customers", ep, 0, 1)  // answered 400: dead at once
	flaky := batch("inst-1", "orders", ep, 100, 1) // answered 500: dead after the last attempt
	badID, flakyID := noteIDs(bad)[0], noteIDs(flaky)[0]
	var open atomic.Bool
	rc.setScript(func(id string, _ int) (int, http.Header) {
		switch {
		case open.Load():
			return http.StatusOK, nil
		case id == badID:
			return http.StatusBadRequest, nil
		}
		return http.StatusInternalServerError, nil
	})
	require.NoError(t, r.Publish(t.Context(), bad))
	require.NoError(t, r.Publish(t.Context(), flaky))

	var dead []notify.Delivery
	eventually(t, 10*time.Second, func() bool {
		var err error
		dead, err = r.DeadLetters(t.Context(), riverstore.DeadLetterFilter{Endpoint: ep})
		require.NoError(t, err)
		return len(dead) == 2
	}, "both dead-lettered")
	// OnExhausted runs once the dead letter is stored: a moment later.
	eventually(t, 10*time.Second, func() bool { return exhausted.Load() == 2 }, "OnExhausted called for both")
	byID := map[string]notify.Delivery{dead[0].ID: dead[0], dead[1].ID: dead[1]}
	require.Equal(t, "400 Bad Request", byID[badID].DeadReason)
	require.Len(t, byID[badID].Attempts, 1, "a 400 is not retried")
	require.Equal(t, http.StatusBadRequest, byID[badID].Attempts[0].Status)
	require.Equal(t, "gave up after 3 attempts: 500 Internal Server Error", byID[flakyID].DeadReason)
	require.Len(t, byID[flakyID].Attempts, 3)
	require.Equal(t, 1, rc.requestCount(badID))
	require.Equal(t, 3, rc.requestCount(flakyID))
	require.Equal(t, notify.Dead, byID[badID].State)
	require.JSONEq(t, string(mustNote(t, bad)), string(byID[badID].Body))

	open.Store(true)
	require.NoError(t, r.Replay(t.Context(), badID))
	require.NoError(t, r.Replay(t.Context(), flakyID))
	require.ErrorIs(t, r.Replay(t.Context(), badID), riverstore.ErrNotFound, "replayed already")
	for _, id := range []string{badID, flakyID} {
		eventually(t, 10*time.Second, func() bool { return rc.acceptedCount(id) == 1 }, "replayed %s delivered", id)
	}
	dead, err := r.DeadLetters(t.Context(), riverstore.DeadLetterFilter{})
	require.NoError(t, err)
	require.Empty(t, dead)
}

func mustNote(t *testing.T, b events.Batch) []byte {
	t.Helper()
	ns := events.Notifications(b, 0)
	require.Len(t, ns, 1)
	body, err := jsonMarshal(ns[0])
	require.NoError(t, err)
	return body
}

func TestDeliverGoneDisablesUntilEnabled(t *testing.T) {
	t.Parallel()
	pool, _ := setup(t, 12)
	rc := newReceiver(t)
	var disabled atomic.Int32
	var gone atomic.Bool
	gone.Store(true)
	rc.setScript(func(string, int) (int, http.Header) {
		if gone.Load() {
			return http.StatusGone, nil
		}
		return http.StatusOK, nil
	})
	r := startReplica(t, pool, riverstore.Config{
		Policy: notify.DeliveryPolicy{Schedule: testSchedule, Jitter: -1}, Concurrency: 1,
		DisabledRecheck: time.Hour, // only Enable wakes them in time
		OnDisabled:      func(string, string) { disabled.Add(1) },
	})
	ep := rc.srv.URL + "/events"
	b := batch("inst-1", "customers", ep, 0, 30) // three notifications
	ids := noteIDs(b)
	require.NoError(t, r.Publish(t.Context(), b))
	eventually(t, 10*time.Second, func() bool { return disabled.Load() == 1 }, "endpoint disabled")
	time.Sleep(300 * time.Millisecond)
	total := 0
	for _, id := range ids {
		total += rc.requestCount(id)
	}
	require.Less(t, total, len(ids)+1, "after the 410, deliveries wait instead of trying")
	eps, err := r.Endpoints(t.Context())
	require.NoError(t, err)
	require.Len(t, eps, 1)
	require.True(t, eps[0].Disabled)
	require.Equal(t, "410 Gone", eps[0].Reason)

	gone.Store(false)
	require.NoError(t, r.Enable(t.Context(), ep))
	for _, id := range ids {
		eventually(t, 10*time.Second, func() bool { return rc.acceptedCount(id) == 1 }, "notification %s delivered after Enable", id)
	}
	dead, err := r.DeadLetters(t.Context(), riverstore.DeadLetterFilter{})
	require.NoError(t, err)
	require.Empty(t, dead, "a 410 dead-letters nothing")
	require.Equal(t, int32(1), disabled.Load())
}

func TestDeliverPerEndpointConcurrency(t *testing.T) {
	t.Parallel()
	pool, _ := setup(t, 16)
	rc := newReceiver(t)
	hold := make(chan struct{})
	rc.mu.Lock()
	rc.hold = hold
	rc.mu.Unlock()
	other := newReceiver(t)
	r := startReplica(t, pool, riverstore.Config{Policy: notify.DeliveryPolicy{Schedule: testSchedule, Jitter: -1}, Concurrency: 2, Workers: 8, BusySnooze: 20 * time.Millisecond})
	// Six notifications of six object types: those of one type would be
	// attempted one at a time, in order.
	var slowIDs []string
	for i := range 6 {
		slow := batch("inst-1", "customers-"+strconv.Itoa(i), rc.srv.URL+"/events", 10*i, 10)
		slowIDs = append(slowIDs, noteIDs(slow)...)
		require.NoError(t, r.Publish(t.Context(), slow))
	}
	eventually(t, 10*time.Second, func() bool {
		rc.mu.Lock()
		defer rc.mu.Unlock()
		return rc.inflight == 2
	}, "two attempts in flight to the slow endpoint")

	fast := batch("inst-2", "customers", other.srv.URL+"/events", 0, 1)
	require.NoError(t, r.Publish(t.Context(), fast))
	eventually(t, 10*time.Second, func() bool { return other.acceptedCount(noteIDs(fast)[0]) == 1 },
		"another endpoint is served while the slow one holds its slots")
	close(hold)
	for _, id := range slowIDs {
		eventually(t, 10*time.Second, func() bool { return rc.acceptedCount(id) == 1 }, "notification %s delivered", id)
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	require.Equal(t, 2, rc.maxIn, "never more than Concurrency attempts at once")
}

func TestPublishTxIsTheOutbox(t *testing.T) {
	t.Parallel()
	pool, _ := setup(t, 12)
	rc := newReceiver(t)
	r := startReplica(t, pool, riverstore.Config{Policy: notify.DeliveryPolicy{Schedule: testSchedule, Jitter: -1}})
	ctx := t.Context()
	ep := rc.srv.URL + "/events"

	rolledBack := batch("inst-1", "customers", ep, 0, 1)
	tx, err := pool.Begin(ctx)
	require.NoError(t, err)
	require.NoError(t, r.PublishTx(ctx, tx, rolledBack))
	require.NoError(t, tx.Rollback(ctx))

	committed := batch("inst-1", "customers", ep, 1, 1)
	require.NoError(t, pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "CREATE TABLE app_orders (id int)") // the caller's own write
		if err != nil {
			return err
		}
		return r.PublishTx(ctx, tx, committed)
	}))
	eventually(t, 10*time.Second, func() bool { return rc.acceptedCount(noteIDs(committed)[0]) == 1 }, "committed batch delivered")
	time.Sleep(300 * time.Millisecond)
	require.Zero(t, rc.requestCount(noteIDs(rolledBack)[0]), "a rolled-back batch is never delivered")
}

func TestPublishRefusesBadEndpoints(t *testing.T) {
	t.Parallel()
	pool, _ := setup(t, 4)
	r := newReplica(t, pool, riverstore.Config{})
	for _, ep := range []string{"", "/relative", "ftp://example.com/x", "http://"} {
		err := r.Publish(t.Context(), batch("inst-1", "customers", ep, 0, 1))
		require.ErrorIs(t, err, notify.ErrInvalidEndpoint, "endpoint %q", ep)
	}
	require.NoError(t, r.Publish(t.Context(), events.Batch{}), "an empty batch is nothing to do")
}

// TestDeliverGuardRefusesLoopbackByDefault: Publish refuses a loopback
// callback URL; one stored by a replica that allowed it is refused when
// attempted, and dead-lettered.
func TestDeliverGuardRefusesLoopbackByDefault(t *testing.T) {
	t.Parallel()
	pool, _ := setup(t, 12)
	rc := newReceiver(t)
	cfg := riverstore.Config{Pool: pool, River: fastRiver(), Logger: quiet, Policy: notify.DeliveryPolicy{Schedule: testSchedule, Jitter: -1}}
	r, err := riverstore.New(cfg) // the zero Guard: loopback refused
	require.NoError(t, err)
	b := batch("inst-1", "customers", rc.srv.URL+"/events", 0, 1)
	err = r.Publish(t.Context(), b)
	require.ErrorIs(t, err, netguard.ErrRefused)
	require.ErrorContains(t, err, `riverstore: instance "inst-1": event.notification.callback.url: `)

	allowing := cfg
	allowing.River, allowing.Policy.Guard = fastRiver(), netguard.Guard{AllowPrivate: true}
	pub, err := riverstore.New(allowing) // never started: it only publishes
	require.NoError(t, err)
	require.NoError(t, pub.Publish(t.Context(), b))
	require.NoError(t, r.Start(context.Background()))
	t.Cleanup(func() { _ = r.Stop(context.Background()) })
	var dead []notify.Delivery
	eventually(t, 10*time.Second, func() bool {
		dead, err = r.DeadLetters(t.Context(), riverstore.DeadLetterFilter{})
		require.NoError(t, err)
		return len(dead) == 1
	}, "dead-lettered by the guard")
	require.Contains(t, dead[0].DeadReason, netguard.ErrRefused.Error())
	require.Zero(t, rc.requestCount(noteIDs(b)[0]))
}

func TestNewRefusesBadConfig(t *testing.T) {
	t.Parallel()
	_, err := riverstore.New(riverstore.Config{})
	require.ErrorIs(t, err, riverstore.ErrConfig)
	pool, _ := setup(t, 2)
	for name, tc := range map[string]struct {
		cfg   riverstore.Config
		field string
	}{
		"jitter":   {riverstore.Config{Pool: pool, Policy: notify.DeliveryPolicy{Jitter: 1}}, "Jitter"},
		"schedule": {riverstore.Config{Pool: pool, Policy: notify.DeliveryPolicy{Schedule: []time.Duration{0, -time.Second}}}, "Schedule[1]"},
	} {
		_, err := riverstore.New(tc.cfg)
		require.ErrorIs(t, err, riverstore.ErrConfig, name)
		require.ErrorIs(t, err, notify.ErrConfig, name)
		require.ErrorContains(t, err, "Config.Policy: ", name)
		require.ErrorContains(t, err, "DeliveryPolicy."+tc.field+" ", name)
	}
	var _ = errors.New
}

func TestDisableHoldsDeliveries(t *testing.T) {
	t.Parallel()
	pool, _ := setup(t, 12)
	rc := newReceiver(t)
	r := startReplica(t, pool, riverstore.Config{Policy: notify.DeliveryPolicy{Schedule: testSchedule, Jitter: -1}, DisabledRecheck: time.Hour})
	ep := rc.srv.URL + "/events"
	require.NoError(t, r.Disable(t.Context(), ep, "maintenance"))
	b := batch("inst-1", "customers", ep, 0, 1)
	require.NoError(t, r.Publish(t.Context(), b))
	time.Sleep(400 * time.Millisecond)
	require.Zero(t, rc.requestCount(noteIDs(b)[0]), "no attempt to a disabled endpoint")
	eps, err := r.Endpoints(t.Context())
	require.NoError(t, err)
	require.Equal(t, []riverstore.EndpointStatus{{URL: ep, Disabled: true, Reason: "maintenance", Changed: eps[0].Changed}}, eps)
	require.NoError(t, r.Enable(t.Context(), ep))
	eventually(t, 10*time.Second, func() bool { return rc.acceptedCount(noteIDs(b)[0]) == 1 }, "delivered once enabled")
}

func TestDeliverStatus(t *testing.T) {
	t.Parallel()
	pool, _ := setup(t, 12)
	rc := newReceiver(t)
	r := startReplica(t, pool, riverstore.Config{Policy: notify.DeliveryPolicy{Schedule: testSchedule, Jitter: -1}})

	b := batch("inst-s", "customers", rc.srv.URL+"/events", 0, 0)
	b.Status = &events.Status{State: events.NeedsReauthorization, Date: time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC),
		Reason: "refresh token refused", ConfigKey: "oauth.refresh.token"}
	ids := noteIDs(b)
	require.Len(t, ids, 1, "a status batch is one notification")
	require.NoError(t, r.Publish(t.Context(), b))
	eventually(t, 10*time.Second, func() bool { return rc.acceptedCount(ids[0]) == 1 }, "status %s delivered", ids[0])
}
