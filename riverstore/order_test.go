package riverstore_test

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

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

// TestOrderSweepReleasesAfterCancel: a head cancelled through River holds
// its successors back until the sweep; Enable does not release them.
func TestOrderSweepReleasesAfterCancel(t *testing.T) {
	t.Parallel()
	pool, _ := setup(t, 12)
	rc := newReceiver(t)
	r := startReplica(t, pool, riverstore.Config{Policy: notify.DeliveryPolicy{Schedule: testSchedule, Jitter: -1, PollingBatchSize: 1}, DisabledRecheck: time.Hour})
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
