package riverstore_test

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/notify"
	"github.com/a12b7632/elementevents/riverstore"
)

// singleIDs returns the notification ids a batch becomes, one event each.
func singleIDs(b events.Batch) []string {
	var ids []string
	for _, n := range events.Notifications(b, 1) {
		ids = append(ids, n.Message.EventID)
	}
	return ids
}

// arrivals records, per order key, the notifications a receiver accepted,
// in the order it accepted them.
type arrivals struct {
	mu    sync.Mutex
	keyOf map[string]string // notification id -> key
	got   map[string][]string
	all   []string
}

func (a *arrivals) add(id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.got[a.keyOf[id]] = append(a.got[a.keyOf[id]], id)
	a.all = append(a.all, id)
}

func (a *arrivals) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.all)
}

// TestDeliverInOrderPerKey: three object types, thirty notifications each,
// published one by one from three goroutines at once, with random 503s
// forcing retries: each type's notifications arrive in publish order, each
// once.
func TestDeliverInOrderPerKey(t *testing.T) {
	t.Parallel()
	pool, _ := setup(t, 20)
	rc := newReceiver(t)
	r := startReplica(t, pool, riverstore.Config{
		Policy: notify.DeliveryPolicy{
			Schedule: []time.Duration{0, 20 * time.Millisecond, 20 * time.Millisecond, 20 * time.Millisecond},
			Jitter:   -1, PollingBatchSize: 1,
		},
		Workers: 8, Concurrency: 8, BusySnooze: 20 * time.Millisecond,
	})
	ep := rc.srv.URL + "/events"
	const keys, perKey = 3, 30
	arr := &arrivals{keyOf: map[string]string{}, got: map[string][]string{}}
	want := map[string][]string{}
	var batches [keys][]events.Batch
	for k := range keys {
		typ := "type-" + strconv.Itoa(k)
		for i := range perKey {
			b := batch("inst-1", typ, ep, i, 1)
			batches[k] = append(batches[k], b)
			id := singleIDs(b)[0]
			arr.keyOf[id] = typ
			want[typ] = append(want[typ], id)
		}
	}
	var rndMu sync.Mutex
	rnd := rand.New(rand.NewPCG(1, 2))
	rc.setScript(func(id string, n int) (int, http.Header) {
		rndMu.Lock()
		fail := n < 4 && rnd.IntN(4) == 0
		rndMu.Unlock()
		if fail {
			return http.StatusServiceUnavailable, nil
		}
		arr.add(id)
		return http.StatusOK, nil
	})
	var wg sync.WaitGroup
	for k := range keys {
		wg.Go(func() {
			for _, b := range batches[k] {
				if err := r.Publish(context.Background(), b); err != nil {
					t.Errorf("publish: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	eventually(t, 15*time.Second, func() bool { return arr.count() >= keys*perKey }, "all delivered")
	arr.mu.Lock()
	defer arr.mu.Unlock()
	require.Equal(t, want, arr.got, "each object type in publish order, each notification once")
}

// TestOrderKeysNotSerialized: a notification that keeps failing holds back
// the later ones of its object type only; another type's go through.
func TestOrderKeysNotSerialized(t *testing.T) {
	t.Parallel()
	pool, _ := setup(t, 12)
	rc := newReceiver(t)
	r := startReplica(t, pool, riverstore.Config{
		Policy: notify.DeliveryPolicy{
			Schedule: []time.Duration{0, 400 * time.Millisecond, 400 * time.Millisecond},
			Jitter:   -1, PollingBatchSize: 1,
		},
		BusySnooze: 20 * time.Millisecond,
	})
	ep := rc.srv.URL + "/events"
	slow := batch("inst-1", "slow", ep, 0, 3)
	fast := batch("inst-1", "fast", ep, 0, 5)
	slowIDs, fastIDs := singleIDs(slow), singleIDs(fast)
	var (
		mu       sync.Mutex
		accepted []string
	)
	rc.setScript(func(id string, n int) (int, http.Header) {
		if id == slowIDs[0] && n < 3 {
			return http.StatusServiceUnavailable, nil // 800 ms of retries
		}
		mu.Lock()
		defer mu.Unlock()
		accepted = append(accepted, id)
		return http.StatusOK, nil
	})
	require.NoError(t, r.Publish(t.Context(), slow))
	require.NoError(t, r.Publish(t.Context(), fast))
	eventually(t, 10*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(accepted) == len(slowIDs)+len(fastIDs)
	}, "all delivered")
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, fastIDs, accepted[:len(fastIDs)], "the fast type is not held back by the slow one's retries")
	require.Equal(t, slowIDs, accepted[len(fastIDs):], "the slow type in publish order")
	for _, id := range slowIDs[1:] {
		require.Equal(t, 1, rc.requestCount(id), "%s not attempted before its predecessor was delivered", id)
	}
}

// startHoldingReplica starts a replica for the tests that hold a key's
// deliveries on a disabled endpoint: one delivery fetched at a time, the
// test schedule without jitter, and the endpoint rechecked only by Enable.
func startHoldingReplica(t *testing.T, pool *pgxpool.Pool) *riverstore.Replica {
	t.Helper()
	return startReplica(t, pool, riverstore.Config{Policy: notify.DeliveryPolicy{Schedule: testSchedule, Jitter: -1, PollingBatchSize: 1}, DisabledRecheck: time.Hour})
}

// TestOrderSweepReleasesAfterCancel: a head cancelled through River holds
// its successors back until the sweep; Enable does not release them.
func TestOrderSweepReleasesAfterCancel(t *testing.T) {
	t.Parallel()
	pool, _ := setup(t, 12)
	rc := newReceiver(t)
	r := startHoldingReplica(t, pool)
	ep := rc.srv.URL + "/events"
	ctx := t.Context()
	require.NoError(t, r.Disable(ctx, ep, "test"))
	b := batch("inst-1", "customers", ep, 0, 3)
	ids := singleIDs(b)
	require.NoError(t, r.Publish(ctx, b))

	// The head waits for the endpoint; find and cancel it.
	var headID int64
	eventually(t, 10*time.Second, func() bool {
		return pool.QueryRow(ctx, "SELECT id FROM river_job WHERE args->>'id' = $1 AND state = 'scheduled'", ids[0]).Scan(&headID) == nil
	}, "the head snoozed on the disabled endpoint")
	_, err := r.Client().JobCancel(ctx, headID)
	require.NoError(t, err)
	require.NoError(t, r.Enable(ctx, ep))
	time.Sleep(200 * time.Millisecond)
	require.Zero(t, rc.requestCount(ids[1]), "a successor of an unfinished head stays parked through Enable")

	n, err := r.SweepOrder(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	for _, id := range ids[1:] {
		eventually(t, 10*time.Second, func() bool { return rc.acceptedCount(id) == 1 }, "%s delivered after the sweep", id)
	}
	require.Zero(t, rc.requestCount(ids[0]), "the cancelled head is not delivered")
	n, err = r.SweepOrder(ctx)
	require.NoError(t, err)
	require.Zero(t, n, "nothing left to repair")
}

// orderedReceiver returns a receiver that accepts everything and the
// ids it accepted, in the order it accepted them.
func orderedReceiver(t *testing.T, script func(id string) int) (*receiver, func() []string) {
	t.Helper()
	rc := newReceiver(t)
	var (
		mu  sync.Mutex
		got []string
	)
	rc.setScript(func(id string, _ int) (int, http.Header) {
		if script != nil {
			if st := script(id); st != http.StatusOK {
				return st, nil
			}
		}
		mu.Lock()
		defer mu.Unlock()
		got = append(got, id)
		return http.StatusOK, nil
	})
	return rc, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), got...)
	}
}

// waitSnoozed waits until the delivery job of notification id is
// scheduled: snoozed on its disabled endpoint, so that Enable wakes it.
func waitSnoozed(t *testing.T, pool *pgxpool.Pool, id string) {
	t.Helper()
	eventually(t, 10*time.Second, func() bool {
		var n int
		err := pool.QueryRow(t.Context(), "SELECT count(*) FROM river_job WHERE args->>'id' = $1 AND state = 'scheduled'", id).Scan(&n)
		return err == nil && n == 1
	}, "%s snoozed on the disabled endpoint", id)
}

// TestPublishIsIdempotentPerNotification: a notification published again
// is delivered once, whether the first one is its key's head, waits its
// turn, or was delivered already; a batch that repeats some and adds
// others delivers the others, after them, in order.
func TestPublishIsIdempotentPerNotification(t *testing.T) {
	t.Parallel()
	pool, _ := setup(t, 12)
	rc, got := orderedReceiver(t, nil)
	r := startHoldingReplica(t, pool)
	ep := rc.srv.URL + "/events"
	ctx := t.Context()
	ids := singleIDs(batch("inst-1", "customers", ep, 0, 6))

	// Held: the head snoozes on the disabled endpoint, the others wait.
	require.NoError(t, r.Disable(ctx, ep, "test"))
	require.NoError(t, r.Publish(ctx, batch("inst-1", "customers", ep, 0, 3)))
	require.NoError(t, r.Publish(ctx, batch("inst-1", "customers", ep, 0, 3)), "all three again")
	require.NoError(t, r.Publish(ctx, batch("inst-1", "customers", ep, 1, 4)), "two waiting and two new")
	waitSnoozed(t, pool, ids[0])
	require.NoError(t, r.Enable(ctx, ep))
	eventually(t, 10*time.Second, func() bool { return len(got()) >= 5 }, "five delivered")

	// Delivered: all of them again, and one new, whose arrival means
	// that any repeat, ahead of it in its key, would have arrived.
	require.NoError(t, r.Publish(ctx, batch("inst-1", "customers", ep, 0, 6)))
	eventually(t, 10*time.Second, func() bool { return rc.acceptedCount(ids[5]) == 1 }, "the new one delivered")
	require.Equal(t, ids, got(), "each once, in publish order")
	for _, id := range ids {
		require.Equal(t, 1, rc.requestCount(id), "%s attempted once", id)
	}
}

// TestReplayJoinsTheTail: a replayed dead letter is delivered after the
// notifications of its key published since it died, not ahead of them.
func TestReplayJoinsTheTail(t *testing.T) {
	t.Parallel()
	pool, _ := setup(t, 12)
	var refuse sync.Map
	rc, got := orderedReceiver(t, func(id string) int {
		if _, ok := refuse.Load(id); ok {
			return http.StatusBadRequest
		}
		return http.StatusOK
	})
	ep := rc.srv.URL + "/events"
	ids := singleIDs(batch("inst-1", "customers", ep, 0, 3))
	refuse.Store(ids[0], true)
	r := startHoldingReplica(t, pool)
	ctx := t.Context()
	require.NoError(t, r.Publish(ctx, batch("inst-1", "customers", ep, 0, 1)))
	eventually(t, 10*time.Second, func() bool {
		dead, err := r.DeadLetters(ctx, riverstore.DeadLetterFilter{Endpoint: ep})
		require.NoError(t, err)
		return len(dead) == 1
	}, "the first dead-lettered")
	refuse.Delete(ids[0])

	// Two more of its key, held on the disabled endpoint: the replayed one
	// goes behind them.
	require.NoError(t, r.Disable(ctx, ep, "test"))
	require.NoError(t, r.Publish(ctx, batch("inst-1", "customers", ep, 1, 2)))
	require.NoError(t, r.Replay(ctx, ids[0]))
	waitSnoozed(t, pool, ids[1])
	require.NoError(t, r.Enable(ctx, ep))
	eventually(t, 10*time.Second, func() bool { return len(got()) >= 3 }, "all delivered")
	require.Equal(t, []string{ids[1], ids[2], ids[0]}, got())
}

// TestOrderSweepReleasesWaitingWithoutHead: a key whose head's row is
// gone without its successor released (as a replica of a version before
// migration 7 settles it) is repaired by the sweep.
func TestOrderSweepReleasesWaitingWithoutHead(t *testing.T) {
	t.Parallel()
	pool, _ := setup(t, 12)
	rc, got := orderedReceiver(t, nil)
	r := startHoldingReplica(t, pool)
	ep := rc.srv.URL + "/events"
	ctx := t.Context()
	require.NoError(t, r.Disable(ctx, ep, "test"))
	b := batch("inst-1", "customers", ep, 0, 3)
	ids := singleIDs(b)
	require.NoError(t, r.Publish(ctx, b))
	waitSnoozed(t, pool, ids[0])
	_, err := pool.Exec(ctx, "WITH j AS (DELETE FROM river_job WHERE args->>'id' = $1 RETURNING id)"+
		" DELETE FROM elementevents_delivery_order WHERE job_id IN (SELECT id FROM j)", ids[0])
	require.NoError(t, err)
	require.NoError(t, r.Enable(ctx, ep))

	n, err := r.SweepOrder(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	eventually(t, 10*time.Second, func() bool { return len(got()) >= 2 }, "the waiting ones delivered after the sweep")
	require.Equal(t, ids[1:], got())
	n, err = r.SweepOrder(ctx)
	require.NoError(t, err)
	require.Zero(t, n, "nothing left to repair")
}
