package riverstore_test

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/notify"
	"github.com/a12b7632/elementevents/poller"
	"github.com/a12b7632/elementevents/riverstore"
	"github.com/a12b7632/elementevents/vendortest"
)

// A simulated day, compressed: the instances poll every simulated hour
// (event.poller.refresh_interval 60), and an hour lasts dayHour of real
// time, since River schedules on the real clock. 24 hours are 24 s: an
// hour shorter than a second is shorter than a poll of 50 instances takes
// on a loaded 2-core machine, and than River's leader failover.
const (
	dayHour      = time.Second
	dayHours     = 24
	dayInstances = 50
	dayReplicas  = 3
	dayWorkers   = 8
)

// vendor is a WooCommerce store per instance (vendortest's), all on one
// loopback server under /{instance}: every request but those after freeze
// adds a customer to the instance's store, created and modified now, and
// the store answers with all of its customers. So every poll has exactly
// one new record to report, and the test knows the event each one must
// become.
type vendor struct {
	srv *httptest.Server

	mu       sync.Mutex
	frozen   bool
	stores   map[string]*vendortest.WooCommerce // by instance
	requests map[string]int
	inflight map[string]int
	maxIn    int // most requests of one instance at once

	// before, when set, runs before each request is served, with the
	// instance and the request's number for it (from 1).
	before func(inst string, n int)
}

// The store's credentials.
const (
	vendorKey    = "ck_riverstore"
	vendorSecret = "cs_riverstore"
)

func newVendor(t *testing.T) *vendor {
	v := &vendor{stores: map[string]*vendortest.WooCommerce{}, requests: map[string]int{}, inflight: map[string]int{}}
	v.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		inst, _, _ := strings.Cut(strings.TrimPrefix(req.URL.Path, "/"), "/")
		v.mu.Lock()
		store := v.store(t, inst)
		v.requests[inst]++
		n, before := v.requests[inst], v.before
		v.inflight[inst]++
		v.maxIn = max(v.maxIn, v.inflight[inst])
		v.mu.Unlock()
		defer func() {
			v.mu.Lock()
			v.inflight[inst]--
			v.mu.Unlock()
		}()
		if before != nil {
			before(inst, n)
		}
		v.mu.Lock()
		if !v.frozen {
			now := time.Now().Truncate(time.Second) // WooCommerce keeps seconds
			store.PutCustomer(vendortest.Customer{Email: inst + "@example.com", Created: now, Modified: now})
		}
		v.mu.Unlock()
		http.StripPrefix("/"+inst, store).ServeHTTP(w, req)
	}))
	t.Cleanup(v.srv.Close)
	return v
}

// store returns the store of inst, made the first time. v.mu is held.
func (v *vendor) store(t *testing.T, inst string) *vendortest.WooCommerce {
	if s, ok := v.stores[inst]; ok {
		return s
	}
	s, err := vendortest.NewWooCommerce(vendortest.WooConfig{Key: vendorKey, Secret: vendorSecret})
	require.NoError(t, err)
	s.SetURL(v.srv.URL + "/" + inst)
	v.stores[inst] = s
	return s
}

// expected returns the id of the CREATED event every customer must
// become.
func (v *vendor) expected(t *testing.T) map[string]string {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := map[string]string{}
	for inst, s := range v.stores {
		for id := 1; ; id++ {
			c, ok := s.Customer(id)
			if !ok {
				break
			}
			out[events.NewID(inst, "customers", strconv.Itoa(id), events.Created, c.Modified)] = inst + "/" + strconv.Itoa(id)
		}
	}
	return out
}

// customers returns how many customers the store of inst has.
func (v *vendor) customers(inst string) int {
	s, ok := v.stores[inst]
	if !ok {
		return 0
	}
	n := 0
	for ; ; n++ {
		if _, ok := s.Customer(n + 1); !ok {
			return n
		}
	}
}

func dayInstance(t *testing.T, id, vendorURL, callback string) *element.Instance {
	t.Helper()
	body := fmt.Sprintf(`{"id": %q, "name": "shop %s", "element": {"key": "woocommercerest"}, "tags": ["day"],
	  "configuration": {
	    "store.url": %q, "oauth.api.key": %q, "oauth.api.secret": %q,
	    "event.notification.enabled": true,
	    "event.vendor.type": "polling",
	    "event.notification.callback.url": %q,
	    "event.notification.signature.key": %q,
	    "event.poller.refresh_interval": "60",
	    "event.objects": "customers"}}`,
		id, id, vendorURL+"/"+id, vendorKey, vendorSecret, callback, testKey)
	inst, err := element.Parse([]byte(body))
	require.NoError(t, err)
	require.NoError(t, inst.Validate())
	return inst
}

// polls counts the successful polls of each instance in each interval.
type polls struct {
	mu      sync.Mutex
	count   map[string]map[int64]int // instance -> interval -> successful polls
	failed  []string
	skipped int
	maxLate time.Duration // the latest a poll started after it was due
	took    time.Duration // all successful polls together
	n       int
}

func (p *polls) add(i riverstore.PollInfo) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case i.Skipped:
		p.skipped++
	case i.Result.Err != nil:
		p.failed = append(p.failed, fmt.Sprintf("%s interval %d: %v", i.Instance, i.Interval, i.Result.Err))
	default:
		p.maxLate = max(p.maxLate, i.Result.Start.Sub(i.Due))
		p.took += i.Result.Duration
		p.n++
		if p.count[i.Instance] == nil {
			p.count[i.Instance] = map[int64]int{}
		}
		p.count[i.Instance][i.Interval]++
	}
}

// TestReplicasPollADay runs three replicas (three River clients in this
// process, each with its own pool) polling 50 instances for a simulated
// day, and stops the leader with its jobs cancelled half way. Each
// interval of each instance must be polled exactly once, but for those of
// the elections (at most two, while River elects a leader at the start
// and after the stop), and every
// change the vendor made delivered, none twice but for the attempts cut
// short by the stop.
//
// It does not run in parallel with the other tests: its three pools need
// most of the server's connections.
func TestReplicasPollADay(t *testing.T) {
	if testing.Short() {
		t.Skip("a simulated day takes 25 s")
	}
	admin := connect(t, "", 2)
	schema := newSchema(t, admin)
	v := newVendor(t)
	rc := newReceiver(t)
	var insts []*element.Instance
	for i := range dayInstances {
		insts = append(insts, dayInstance(t, fmt.Sprintf("inst-%02d", i), v.srv.URL, rc.srv.URL+"/events"))
	}
	p := &polls{count: map[string]map[int64]int{}}
	var at attempts
	replicas := make([]*riverstore.Replica, dayReplicas)
	for i := range replicas {
		replicas[i] = newReplica(t, connect(t, schema, 28), riverstore.Config{
			ID:        fmt.Sprintf("replica-%d", i),
			Instances: insts,
			Poller: func(*element.Instance) poller.Config {
				return poller.Config{Interval: dayHour, FirstRun: poller.EmitAll, Logger: quiet}
			},
			Workers: dayWorkers, PollWorkers: dayWorkers,
			Policy: notify.DeliveryPolicy{Schedule: []time.Duration{0, 100 * time.Millisecond, 200 * time.Millisecond}, Jitter: -1},
			OnPoll: p.add, OnAttempt: at.add,
		})
	}
	interval := func() int64 { return time.Now().UnixNano() / int64(dayHour) }
	first := interval()
	for _, r := range replicas {
		require.NoError(t, r.Start(context.Background()))
	}
	stopped := -1
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for i, r := range replicas {
			if i != stopped {
				_ = r.Stop(ctx)
			}
		}
	})

	// Half way through the day, the leader stops, cancelling its jobs.
	time.Sleep(dayHours / 2 * dayHour)
	var leader string
	require.NoError(t, admin.QueryRow(t.Context(), "SELECT leader_id FROM "+schema+".river_leader").Scan(&leader))
	stopped = slices.IndexFunc(replicas, func(r *riverstore.Replica) bool { return r.Client().ID() == leader })
	require.GreaterOrEqual(t, stopped, 0, "leader %q is one of the replicas", leader)
	stopAt := interval()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	require.NoError(t, replicas[stopped].StopAndCancel(ctx))
	cancel()
	t.Logf("stopped the leader, %s, in interval %d of the day", leader, stopAt-first)

	time.Sleep(time.Duration(first+dayHours+1-interval()) * dayHour)
	last := interval() // the day is intervals first..last-1
	v.mu.Lock()
	v.frozen = true // no more changes: what is left is delivery
	v.mu.Unlock()

	want := v.expected(t)
	eventually(t, 20*time.Second, func() bool {
		got := rc.eventCounts()
		for id := range want {
			if got[id] == 0 {
				return false
			}
		}
		return true
	}, "every change delivered")

	// Polls start up to a few hundred milliseconds late on a busy
	// machine: wait for those of the day's last interval.
	polled := func(inst string, k int64) int {
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.count[inst][k]
	}
	// firstPolled is the first interval from k in which any instance was
	// polled.
	firstPolled := func(k int64) int64 {
		for ; k < last; k++ {
			for _, inst := range insts {
				if polled(inst.ID, k) > 0 {
					return k
				}
			}
		}
		return last
	}
	// Until River has elected a leader, at the start and after the
	// leader stopped, nobody enqueues the periodic jobs: the intervals
	// before the first poll pass unpolled, and the interval it falls in
	// only partly polled, the next poll's window covering them (every
	// change is still delivered, checked above). On this compressed clock
	// an election, a fixed real time, spans an interval or two; it must
	// not span more.
	started, resumed := firstPolled(first), firstPolled(stopAt+1)
	require.LessOrEqual(t, started-first, int64(2), "polling started %d intervals after the replicas", started-first)
	require.LessOrEqual(t, resumed-stopAt, int64(3), "polling resumed %d intervals after the leader stopped", resumed-stopAt)
	t.Logf("polling started in interval %d and resumed in interval %d, %d after the leader stopped", started-first, resumed-first, resumed-stopAt)
	election := func(k int64) bool { return k <= started || (k > stopAt && k < resumed) }
	var missing []string
	deadline := time.Now().Add(10 * time.Second)
	for {
		missing = missing[:0]
		for _, inst := range insts {
			for k := first + 1; k < last; k++ {
				if polled(inst.ID, k) == 0 && !election(k) {
					missing = append(missing, fmt.Sprintf("%s/%d", inst.ID, k-first))
				}
			}
		}
		if len(missing) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.mu.Lock()
	skipped, failed := p.skipped, p.failed
	p.mu.Unlock()
	require.Empty(t, failed, "failed polls")
	// Under -race, with the other packages' tests beside it, a poll of 50
	// instances can outlast a one-second hour: the next interval's poll
	// then waits a whole interval and is skipped, by design, its window
	// covered by the poll after it. That every hour is polled is a matter
	// of speed, checked without -race; that none is polled twice, and that
	// every change arrives, is checked always.
	if !raceEnabled {
		require.Empty(t, missing, "intervals never polled (%d skipped, failed: %v)", skipped, failed)
		require.Zero(t, skipped, "no poll had to be skipped for overlapping its predecessor")
	} else if len(missing) > 0 {
		t.Logf("under -race: %d intervals not polled (%d skipped): %v", len(missing), skipped, missing)
	}
	p.mu.Lock()
	count := make(map[string]map[int64]int, len(p.count))
	for inst, c := range p.count {
		count[inst] = maps.Clone(c)
	}
	took, n, maxLate := p.took, p.n, p.maxLate
	p.mu.Unlock()
	for _, inst := range insts {
		counts := count[inst.ID]
		for k := first + 1; k < last; k++ {
			if !election(k) && !raceEnabled {
				require.Equal(t, 1, counts[k], "instance %s, interval %d of the day (leader stopped in %d): polls", inst.ID, k-first, stopAt-first)
			}
		}
		for k, n := range counts {
			require.LessOrEqual(t, n, 1, "instance %s, interval %d: polls", inst.ID, k-first)
		}
	}

	got := rc.eventCounts()
	var dups []string
	for id, n := range got {
		_, ok := want[id]
		require.True(t, ok, "event %s was never a change at the vendor", id)
		if n > 1 {
			dups = append(dups, fmt.Sprintf("%s x%d", want[id], n))
		}
	}
	// Only attempts in flight on the stopped replica can be repeated: at
	// most its workers.
	require.LessOrEqual(t, len(dups), dayWorkers, "events delivered twice: %s", strings.Join(dups, ", "))
	requests := 0
	v.mu.Lock()
	for _, n := range v.requests {
		requests += n
	}
	v.mu.Unlock()
	t.Logf("%d instances, %d intervals of %v: %d polls at the vendor (%v each on average, the latest %v after due), %d changes delivered, %d delivered twice (%s), %d attempts",
		dayInstances, last-first, dayHour, requests, (took / time.Duration(max(n, 1))).Round(time.Millisecond), maxLate.Round(time.Millisecond), len(want), len(dups), strings.Join(dups, ", "), at.count())
}
