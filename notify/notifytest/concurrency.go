package notifytest

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/a12b7632/elementevents/notify"
	"github.com/stretchr/testify/require"
)

var concurrencyCases = []testCase{
	{Name: "ClaimersNeverShareADelivery", Test: testConcurrentClaims},
	{Name: "WorkersDeliverOnceAndInOrder", Test: testConcurrentWorkers},
	{Name: "VolumeDeliversEachOnceInOrder", Test: testVolume},
}

// testConcurrentClaims races claimers on one endpoint. Nothing is acked
// and leases outlast the test, so each delivery must be handed out once.
func testConcurrentClaims(t *testing.T, o notify.Outbox) {
	const n, claimers = 600, 12
	var ds []notify.Delivery
	for i := range n {
		ds = append(ds, NewDelivery(fmt.Sprintf("d%04d", i), epA, ""))
	}
	enqueue(t, o, t0, ds...)

	var (
		mu      sync.Mutex
		got     = map[string]int{}
		claimed int
		errs    []error
		wg      sync.WaitGroup
	)
	for range claimers {
		wg.Go(func() {
			for {
				batch, err := o.Claim(t.Context(), epA, t0, time.Hour, 7)
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				}
				for _, d := range batch {
					got[d.ID]++
					claimed++
				}
				// Past n claims some delivery came twice: stop rather than
				// spin on an outbox that ignores its leases.
				over := claimed > n
				mu.Unlock()
				if err != nil || len(batch) == 0 || over {
					return
				}
			}
		})
	}
	wg.Wait()

	require.NoError(t, errors.Join(errs...))
	require.Len(t, got, n, "every delivery claimed")
	for id, c := range got {
		require.Equal(t, 1, c, "%s claimed more than once within its lease", id)
	}
}

// testConcurrentWorkers runs producers, workers and readers at once, the
// way a Notifier uses an outbox, and checks that every delivery is acked
// once, that no two deliveries of one OrderKey are ever out together, and
// that each OrderKey's deliveries go out in Seq order.
func testConcurrentWorkers(t *testing.T, o notify.Outbox) {
	const producers, perProducer, batch, workers = 4, 200, 20, 8
	const total = producers * perProducer
	eps := []string{epA, epB}

	var (
		mu      sync.Mutex
		errs    []error
		out     = map[string]bool{}      // endpoint+key of deliveries held by a worker
		lastSeq = map[string]uint64{}    // endpoint+key -> Seq of its latest claimed delivery
		acked   = map[string]int{}       // id -> times acked
		done    atomic.Int64             // deliveries acked
		stop    atomic.Bool              // set on the first error
		fail    = func(err error) bool { // records err, if any; reports whether it did
			if err == nil {
				return false
			}
			mu.Lock()
			errs = append(errs, err)
			mu.Unlock()
			stop.Store(true)
			return true
		}
	)
	ctx := t.Context()
	running := func() bool { return done.Load() < total && !stop.Load() }

	var wg sync.WaitGroup
	for p := range producers {
		wg.Go(func() {
			for start := 0; start < perProducer; start += batch {
				var ds []notify.Delivery
				for i := start; i < start+batch; i++ {
					key := fmt.Sprintf("k%d", i%5)
					if i%4 == 0 {
						key = ""
					}
					ds = append(ds, NewDelivery(fmt.Sprintf("p%d-%03d", p, i), eps[i%2], key))
				}
				if fail(o.Enqueue(ctx, t0, ds...)) {
					return
				}
			}
		})
	}
	for range 2 {
		wg.Go(func() {
			for range 100 { // enough to overlap the others without hogging the lock
				if !running() {
					return
				}
				_, err := o.List(ctx, notify.Filter{State: notify.Pending, Limit: 10})
				if fail(err) {
					return
				}
				_, err = o.Endpoints(ctx)
				if fail(err) {
					return
				}
				runtime.Gosched()
			}
		})
	}
	for w := range workers {
		wg.Go(func() {
			idle := 0
			for turn := w; running(); turn++ {
				ds, err := o.Claim(ctx, eps[turn%len(eps)], t0, time.Hour, 4)
				if fail(err) {
					return
				}
				if len(ds) == 0 {
					if idle++; idle > 1_000_000 {
						fail(errors.New("worker starved: deliveries never became claimable"))
						return
					}
					runtime.Gosched()
					continue
				}
				idle = 0
				if fail(takeOut(&mu, out, lastSeq, ds)) {
					return
				}
				runtime.Gosched() // let other workers try to claim what is out
				for _, d := range ds {
					mu.Lock()
					delete(out, d.Endpoint+" "+d.OrderKey)
					acked[d.ID]++
					mu.Unlock()
					if fail(o.Ack(ctx, d.ID, notify.Attempt{At: t0, Status: 200})) {
						return
					}
					done.Add(1)
				}
			}
		})
	}
	wg.Wait()

	require.NoError(t, errors.Join(errs...))
	require.Len(t, acked, total)
	for id, c := range acked {
		require.Equal(t, 1, c, "%s acked more than once", id)
	}
	require.Empty(t, list(t, o, notify.Filter{}))
	require.Empty(t, endpoints(t, o))
}

// takeOut marks freshly claimed deliveries as held, failing if one of
// their OrderKeys is already held or comes out of Seq order.
func takeOut(mu *sync.Mutex, out map[string]bool, lastSeq map[string]uint64, ds []notify.Delivery) error {
	mu.Lock()
	defer mu.Unlock()
	for _, d := range ds {
		if d.OrderKey == "" {
			continue
		}
		k := d.Endpoint + " " + d.OrderKey
		if out[k] {
			return fmt.Errorf("%s: OrderKey %q already has a delivery out", d.ID, d.OrderKey)
		}
		if d.Seq <= lastSeq[k] {
			return fmt.Errorf("%s: Seq %d of OrderKey %q after Seq %d", d.ID, d.Seq, d.OrderKey, lastSeq[k])
		}
		out[k], lastSeq[k] = true, d.Seq
	}
	return nil
}

// testVolume pushes 10,000 deliveries over 3 endpoints and 50 OrderKeys
// through claim rounds, failing a few once, and checks each is delivered
// exactly once and every key's deliveries arrive in enqueue order. For an
// in-memory store it runs in a fraction of a second.
func testVolume(t *testing.T, o notify.Outbox) {
	const n, keys, batch, perClaim = 10_000, 50, 500, 100
	eps := []string{epA, epB, epC}

	order := make(map[string]int, n) // id -> enqueue index
	for start := 0; start < n; start += batch {
		ds := make([]notify.Delivery, 0, batch)
		for i := start; i < start+batch; i++ {
			key := fmt.Sprintf("k%02d", i%keys)
			if i%11 == 0 {
				key = ""
			}
			id := fmt.Sprintf("v%05d", i)
			order[id] = i
			ds = append(ds, NewDelivery(id, eps[i%len(eps)], key))
		}
		enqueue(t, o, t0, ds...)
	}

	delivered := make(map[string]int, n)
	last := map[string]int{} // endpoint+key -> enqueue index of its last delivery
	retried := map[string]bool{}
	for round := 0; len(delivered) < n; round++ {
		require.Less(t, round, n, "no progress: %d of %d delivered", len(delivered), n)
		now := at(time.Duration(round) * time.Second)
		for _, ep := range eps {
			for _, d := range claim(t, o, ep, now, perClaim) {
				i := order[d.ID]
				if i%7 == 0 && !retried[d.ID] {
					retried[d.ID] = true
					require.NoError(t, o.Retry(t.Context(), d.ID, attempt(now, 503), now.Add(time.Second)))
					continue
				}
				require.NoError(t, o.Ack(t.Context(), d.ID, notify.Attempt{At: now, Status: 200}))
				// Plain checks: this loop runs 10,000 times.
				if delivered[d.ID]++; delivered[d.ID] > 1 {
					t.Fatalf("%s delivered twice", d.ID)
				}
				if d.OrderKey != "" {
					k := ep + " " + d.OrderKey
					if prev, ok := last[k]; ok && i < prev {
						t.Fatalf("%s (enqueued %d) delivered after %d of OrderKey %q", d.ID, i, prev, d.OrderKey)
					}
					last[k] = i
				}
			}
		}
	}
	require.Empty(t, list(t, o, notify.Filter{}))
	require.Empty(t, endpoints(t, o))
}
