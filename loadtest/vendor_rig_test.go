package loadtest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/events/eventstest"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/poller"
	"github.com/a12b7632/elementevents/vendortest"
)

// The rig: store, clock, source, poller and sink.

type vendorRig struct {
	clock *reportingClock
	store *vendorStore
	sink  *eventstest.Recorder
	p     *poller.Poller
}

func newVendorRig(t *testing.T, sc vendorScenario) *vendorRig {
	t.Helper()
	clock := &reportingClock{FakeClock: clockwork.NewFakeClockAt(vendorT0), waits: make(chan time.Duration, 64)}
	store := newVendorStore(t, clock, sc)

	body, err := json.Marshal(map[string]any{
		"id": "vendor-1", "name": "faulty shop", "element": map[string]string{"key": "woocommercerest"},
		"configuration": map[string]any{
			"store.url": store.woo.URL(), "oauth.api.key": vendorKey, "oauth.api.secret": vendorSecret,
			"event.notification.enabled": true, "event.vendor.type": "polling",
			"event.notification.callback.url": "https://app.example.com/events",
			"event.poller.refresh_interval":   int(vendorRefresh / time.Minute),
			"event.poller.configuration":      json.RawMessage(sc.resources),
		},
	})
	require.NoError(t, err)
	inst, err := element.Parse(body)
	require.NoError(t, err)
	require.NoError(t, inst.Validate())

	src, err := poller.NewHTTPSource(poller.HTTPConfig{Instance: inst, Clock: clock, Timeout: vendorTimeout,
		Guard: netguard.Guard{AllowAddrPorts: []netip.AddrPort{netip.MustParseAddrPort(strings.TrimPrefix(store.woo.URL(), "http://"))}}})
	require.NoError(t, err)
	sink := &eventstest.Recorder{}
	p, err := poller.New(poller.Config{
		Instance: inst, Source: src, Sink: sink, State: poller.NewMemoryState(), Clock: clock,
		Logger: discard,
	})
	require.NoError(t, err)
	return &vendorRig{clock: clock, store: store, sink: sink, p: p}
}

// poll makes st's change one second after the last poll, waits for the
// next refresh and polls once with st's faults, moving the fake clock
// through every wait the source starts and every timeout it runs into.
func (r *vendorRig) poll(t *testing.T, st vstep) (poller.Result, []time.Duration) {
	t.Helper()
	r.clock.Advance(time.Second)
	if st.change != nil {
		st.change(r.store)
	}
	r.clock.Advance(vendorRefresh - time.Second)
	r.store.startCycle(st.faults, st.during)

	done := make(chan []poller.Result, 1)
	go func() { done <- r.p.Poll(t.Context()) }()
	stuck := time.NewTimer(30 * time.Second) // real time: a stuck poll fails rather than hangs
	defer stuck.Stop()
	var waits []time.Duration
	for {
		select {
		case res := <-done:
			require.Len(t, res, 1)
			require.Empty(t, r.clock.waits, "a wait was started after Poll returned")
			return res[0], waits
		case d := <-r.clock.waits:
			waits = append(waits, d)
			r.clock.add(d)
			r.clock.Advance(d)
		case <-r.store.hung:
			// The attempt's timer was set before the request was sent.
			r.clock.Advance(vendorTimeout)
		case <-stuck.C:
			t.Fatal("Poll did not return")
		}
	}
}

// reportingClock is a fake clock that reports the timers started with
// NewTimer (the source's waits before a retry), once registered, so that
// the test advances the clock exactly as far as the source waits.
type reportingClock struct {
	*clockwork.FakeClock
	waits chan time.Duration

	mu     sync.Mutex
	waited time.Duration
}

func (c *reportingClock) NewTimer(d time.Duration) clockwork.Timer {
	tm := c.FakeClock.NewTimer(d)
	c.waits <- d
	return tm
}

func (c *reportingClock) add(d time.Duration) {
	c.mu.Lock()
	c.waited += d
	c.mu.Unlock()
}

func (c *reportingClock) total() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.waited.Round(time.Second)
}

// skewedClock is the store's clock: the test's, off by skew.
type skewedClock struct {
	clockwork.Clock
	skew time.Duration
}

func (c skewedClock) Now() time.Time { return c.Clock.Now().Add(c.skew) }

// ---------------------------------------------------------------------------
// The store.

// vendorStore is vendortest's WooCommerce store with the customers or the
// orders a scenario polls, and the scenario's bookkeeping. Its clock is the
// test's fake clock plus skew, which dates its changes; its Date header is
// that plus dateSkew. It logs every change it makes, as the events a
// poller should report.
type vendorStore struct {
	woo      *vendortest.WooCommerce
	orders   bool // the scenario polls orders, not customers
	clock    clockwork.Clock
	skew     time.Duration
	hung     chan struct{} // a request is hanging
	cycleLog int           // the store's log length when the cycle started

	mu  sync.Mutex
	log []string
	// changedAt is when each record last changed, by the test's clock,
	// to catch scenarios that change a record twice between successful
	// polls.
	changedAt  map[int]time.Time
	cycleStart time.Time
	lastGood   time.Time // start of the last successful poll
	scriptErrs []string

	during  map[int]func(s *vendorStore)
	served  map[int]int // requests per page this cycle
	nFaults int
}

func newVendorStore(t *testing.T, clock clockwork.Clock, sc vendorScenario) *vendorStore {
	s := &vendorStore{
		orders: strings.Contains(sc.resources, `"orders"`), clock: clock, skew: sc.skew,
		hung: make(chan struct{}, 8), changedAt: map[int]time.Time{},
	}
	s.woo = vendortest.ServeWooCommerce(t, vendortest.WooConfig{
		Key: vendorKey, Secret: vendorSecret, Clock: skewedClock{clock, sc.skew + sc.dateSkew}, OnRequest: s.onRequest,
	})
	return s
}

// onRequest runs a change planned for the page when it is first asked
// for, and reports a hanging request.
func (s *vendorStore) onRequest(r vendortest.LoggedRequest) {
	s.mu.Lock()
	try := s.served[r.Page]
	s.served[r.Page]++
	during := s.during[r.Page]
	if r.Fault != nil {
		s.nFaults++
	}
	s.mu.Unlock()
	if try == 0 && during != nil {
		during(s) // a change while the poller pages
	}
	if r.Fault != nil && r.Fault.Hang {
		s.hung <- struct{}{}
	}
}

// now is the store's clock, to the second as WooCommerce stores dates.
func (s *vendorStore) now() time.Time { return s.clock.Now().Add(s.skew).Truncate(time.Second) }

// put stores record id of the polled resource, without a webhook.
func (s *vendorStore) put(id int, created, modified time.Time) {
	if s.orders {
		s.woo.PutOrder(vendortest.Order{ID: id, Status: "processing", Created: created, Modified: modified})
		return
	}
	s.woo.PutCustomer(vendortest.Customer{ID: id, Email: fmt.Sprintf("customer%d@example.com", id), Created: created, Modified: modified})
}

// seed adds a record changed long ago, before the baseline.
func (s *vendorStore) seed(id int) {
	old := vendorT0.Add(-30 * 24 * time.Hour)
	s.put(id, old.Add(time.Duration(id)*time.Hour), vendorT0.Add(-24*time.Hour).Add(time.Duration(id)*time.Minute))
}

// The changes: each is logged as the event it should produce.

func (s *vendorStore) create(id int) {
	s.locked(func() {
		now := s.now()
		s.touch(id)
		s.put(id, now, now)
		s.log = append(s.log, vendorKeyOf(events.Created, strconv.Itoa(id), now))
	})
}

func (s *vendorStore) update(id int) {
	s.locked(func() {
		now := s.now()
		s.touch(id)
		if s.orders {
			o, _ := s.woo.Order(id)
			o.Modified = now
			s.woo.PutOrder(o)
		} else {
			c, _ := s.woo.Customer(id)
			c.Modified = now
			s.woo.PutCustomer(c)
		}
		s.log = append(s.log, vendorKeyOf(events.Updated, strconv.Itoa(id), now))
	})
}

func (s *vendorStore) remove(id int) {
	s.locked(func() {
		s.touch(id)
		var err error
		if s.orders {
			err = s.woo.Delete(context.Background(), "orders", id)
		} else {
			err = s.woo.Delete(context.Background(), "customers", id)
		}
		if err != nil {
			s.scriptErrs = append(s.scriptErrs, err.Error())
		}
		s.log = append(s.log, vendorKeyOf(events.Deleted, strconv.Itoa(id), time.Time{}))
	})
}

func (s *vendorStore) locked(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f()
}

// touch notes a scenario that changes a record twice between two
// successful polls: the poller can only report the last of such changes,
// so the expected events would be wrong.
func (s *vendorStore) touch(id int) {
	if at, ok := s.changedAt[id]; ok && !at.Before(s.lastGood) {
		s.scriptErrs = append(s.scriptErrs, fmt.Sprintf("record %d changed twice between successful polls", id))
	}
	s.changedAt[id] = s.clock.Now()
}

func (s *vendorStore) changes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.log)
}

// startCycle sets the faults and the changes of the coming poll.
func (s *vendorStore) startCycle(faults []vendortest.Fault, during map[int]func(*vendorStore)) {
	s.woo.TakeFaults()
	s.woo.Inject(faults...)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.during, s.served = during, map[int]int{}
	s.cycleLog = s.woo.Log().Len()
	s.cycleStart = s.clock.Now()
}

// succeeded records that the poll started by the last startCycle
// succeeded.
func (s *vendorStore) succeeded() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastGood = s.cycleStart
}

// checkFaultsUsed fails the test if a fault or change planned for the
// cycle was not served: the scenario would prove nothing.
func (s *vendorStore) checkFaultsUsed(t *testing.T, step int) {
	t.Helper()
	require.Empty(t, s.woo.TakeFaults(), "step %d: faults planned but not served", step)
	s.mu.Lock()
	defer s.mu.Unlock()
	require.Empty(t, s.scriptErrs, "step %d: the scenario is wrong", step)
	for p := range s.during {
		require.Positive(t, s.served[p], "step %d: page %d, with a change planned, was never requested", step, p)
	}
}

// servedRecords returns the records served in this cycle, and how many
// of them were distinct.
func (s *vendorStore) servedRecords() (served, distinct int) {
	s.mu.Lock()
	from := s.cycleLog
	s.mu.Unlock()
	ids := map[string]bool{}
	for _, rq := range s.woo.Log().Since(from) {
		served += len(rq.IDs)
		for _, id := range rq.IDs {
			ids[id] = true
		}
	}
	return served, len(ids)
}

func (s *vendorStore) faultsServed() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nFaults
}
