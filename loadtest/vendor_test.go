package loadtest_test

// Vendor faults against the poller: vendortest's fake WooCommerce store
// misbehaves while poller.Poller and poller.HTTPSource, driven by the
// woocommercerest definition, poll it on a fake clock. Every change the
// store makes must come out as exactly one event: none missing, no false
// DELETED, no repeats.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"sort"
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

const (
	vendorKey     = "ck_loadtest_vendor"
	vendorSecret  = "cs_loadtest_vendor"
	vendorRefresh = 15 * time.Minute
	// vendorTimeout is the HTTPSource's per-request timeout.
	vendorTimeout = 30 * time.Second
	// vendorSeed is the number of records the store starts with; two a
	// page, so five pages.
	vendorSeed = 10
	// vendorSettle is the number of fault-free cycles that end every
	// scenario, enough for a filtered resource to take a full snapshot.
	vendorSettle = poller.DefaultSnapshotEvery
)

var vendorT0 = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// The resources a scenario polls.
const (
	// vendorCustomers is the definition's customers resource, two a page:
	// no date in its URL, so every cycle is a full snapshot.
	vendorCustomers = `{"customers": {"url": "/hubs/ecommerce/customers?orderby=id&order=asc", "idField": "id", "pageSize": 2,
	  "datesConfiguration": {"updatedDateField": "date_modified_gmt", "updatedDateFormat": "yyyy-MM-dd'T'HH:mm:ss", "updatedDateTimezone": "GMT",
	    "createdDateField": "date_created_gmt", "createdDateFormat": "yyyy-MM-dd'T'HH:mm:ss", "createdDateTimezone": "GMT"}}}`
	// vendorCustomersNewestFirst lists the newest customers first, so
	// that a customer added while the poller pages pushes every later page
	// down by one: the last record of a page comes again on the next.
	vendorCustomersNewestFirst = `{"customers": {"url": "/hubs/ecommerce/customers?orderby=id&order=desc", "idField": "id", "pageSize": 2,
	  "datesConfiguration": {"updatedDateField": "date_modified_gmt", "updatedDateFormat": "yyyy-MM-dd'T'HH:mm:ss", "updatedDateTimezone": "GMT",
	    "createdDateField": "date_created_gmt", "createdDateFormat": "yyyy-MM-dd'T'HH:mm:ss", "createdDateTimezone": "GMT"}}}`
	// vendorOrders is the definition's orders resource, two a page: the
	// store filters by modified_after, the window's start, and every
	// fourth cycle is a full snapshot.
	vendorOrders = `{"orders": {"url": "/hubs/ecommerce/orders?orderby=modified&order=asc&dates_are_gmt=true&modified_after=${gmtDate:yyyy-MM-dd'T'HH:mm:ss}",
	  "idField": "id", "pageSize": 2,
	  "datesConfiguration": {"updatedDateField": "date_modified_gmt", "updatedDateFormat": "yyyy-MM-dd'T'HH:mm:ss", "updatedDateTimezone": "GMT",
	    "createdDateField": "date_created_gmt", "createdDateFormat": "yyyy-MM-dd'T'HH:mm:ss", "createdDateTimezone": "GMT"}}}`
)

// vstep is one poll cycle of a scenario.
type vstep struct {
	// change runs one second after the previous poll, with the store's
	// changes dated by its clock.
	change func(s *vendorStore)
	// faults are injected for this cycle, each for its Page: the requests
	// for a page get its faults in order, and requests beyond them are
	// served normally. Every one must be used.
	faults []vendortest.Fault
	// during runs right before page p is first served in this cycle: a
	// change while the poller pages.
	during map[int]func(s *vendorStore)
	// wantErr is the cycle's error (errors.Is), nil when it succeeds.
	wantErr error
	// waitEach, when set, is what every wait of the source before a retry
	// must be (a Retry-After honoured to the second).
	waitEach time.Duration
	// wantDupes says the store served some record twice in the cycle.
	wantDupes bool
}

type vendorScenario struct {
	name      string
	resources string // event.poller.configuration
	skew      time.Duration
	dateSkew  time.Duration
	steps     []vstep
	// bug, when set, skips the scenario after it ran, saying what core
	// bug makes it fail; the scenario stays so that it passes once fixed.
	bug string
}

func TestVendorFaults(t *testing.T) {
	checkNoLeak(t)
	const retryAfter = "30"
	// Changes that scenarios make.
	create := func(ids ...int) func(s *vendorStore) {
		return func(s *vendorStore) {
			for _, id := range ids {
				s.create(id)
			}
		}
	}
	update := func(ids ...int) func(s *vendorStore) {
		return func(s *vendorStore) {
			for _, id := range ids {
				s.update(id)
			}
		}
	}
	del := func(ids ...int) func(s *vendorStore) {
		return func(s *vendorStore) {
			for _, id := range ids {
				s.remove(id)
			}
		}
	}
	all := func(fs ...func(s *vendorStore)) func(s *vendorStore) {
		return func(s *vendorStore) {
			for _, f := range fs {
				f(s)
			}
		}
	}

	scenarios := []vendorScenario{
		{
			name: "page times out once, retried", resources: vendorCustomers,
			steps: []vstep{
				{change: all(create(11), update(3)), faults: []vendortest.Fault{{Page: 2, Hang: true}}},
				{change: all(update(4), del(7)), faults: []vendortest.Fault{{Page: 1, Hang: true}, {Page: 5, Hang: true, Times: 2}}},
			},
		},
		{
			name: "page times out on every try: the cycle fails, the next catches up", resources: vendorCustomers,
			steps: []vstep{
				{change: all(create(11), update(5), del(2)), faults: []vendortest.Fault{{Page: 3, Hang: true, Times: poller.DefaultRetryPolicy.Tries}}, wantErr: poller.ErrVendor},
				{change: update(6)},
			},
		},
		{
			name: "truncated JSON: the cycle fails, the next catches up", resources: vendorCustomers,
			steps: []vstep{
				{change: all(create(11), update(1), del(9)), faults: []vendortest.Fault{{Page: 2, Truncate: true}}, wantErr: poller.ErrMalformedPage},
				{change: all(create(12), update(8)), faults: []vendortest.Fault{{Page: 6, Truncate: true}}, wantErr: poller.ErrMalformedPage},
				{},
			},
		},
		{
			name: "connection cut mid-page, retried", resources: vendorCustomers,
			steps: []vstep{
				{change: all(create(11), update(10), del(4)), faults: []vendortest.Fault{{Page: 3, Cut: true, Times: 2}, {Page: 5, Cut: true}}},
			},
		},
		{
			name: "429 storm with Retry-After on every page, retried", resources: vendorCustomers,
			steps: []vstep{
				{change: all(create(11), update(2), del(6)), faults: []vendortest.Fault{
					{Page: 1, Status: 429, RetryAfter: retryAfter, Times: 3}, {Page: 2, Status: 429, RetryAfter: retryAfter, Times: 4},
					{Page: 3, Status: 429, RetryAfter: retryAfter, Times: 2}, {Page: 4, Status: 429, RetryAfter: retryAfter, Times: 4},
					{Page: 5, Status: 429, RetryAfter: retryAfter, Times: 3},
				}, waitEach: 30 * time.Second},
				{change: update(11)},
			},
		},
		{
			name: "429 storm longer than the retries: the cycle fails, the next catches up", resources: vendorCustomers,
			steps: []vstep{
				{change: all(create(11), update(2), del(6)), faults: []vendortest.Fault{
					{Page: 2, Status: 429, RetryAfter: retryAfter, Times: 2},
					{Page: 4, Status: 429, RetryAfter: retryAfter, Times: poller.DefaultRetryPolicy.Tries},
				}, wantErr: poller.ErrVendor},
				{change: create(12), faults: []vendortest.Fault{{Page: 1, Status: 429, RetryAfter: "120", Times: 3}}, waitEach: 2 * time.Minute},
			},
		},
		{
			name: "page 3 of 5 answers 404 mid-snapshot", resources: vendorCustomers,
			steps: []vstep{
				{change: all(update(1), update(9), del(5)), faults: []vendortest.Fault{{Page: 3, Status: 404}}, wantErr: poller.ErrVendor},
				{change: update(2)},
			},
		},
		{
			name: "page 3 of 5 answers 500 until the retries run out", resources: vendorCustomers,
			steps: []vstep{
				{change: all(update(1), update(9), del(5)), faults: []vendortest.Fault{{Page: 3, Status: 500, Times: poller.DefaultRetryPolicy.Tries}}, wantErr: poller.ErrVendor},
				{change: update(2)},
			},
		},
		{
			name: "page 3 of 5 answers 503 twice, then is served", resources: vendorCustomers,
			steps: []vstep{
				{change: all(update(1), update(9), del(5)), faults: []vendortest.Fault{{Page: 3, Status: 503, Times: 2}}},
			},
		},
		{
			name: "page 3 of 5 comes back empty mid-snapshot", resources: vendorCustomers,
			steps: []vstep{
				// Without customer 5, customer 9 is on page 4 and the new 11
				// on page 5: neither is fetched.
				{change: all(create(11), update(9), del(5)), faults: []vendortest.Fault{{Page: 3, Empty: true}}},
				{},
			},
		},
		{
			name: "records added ahead of the cursor: duplicates across pages", resources: vendorCustomersNewestFirst,
			steps: []vstep{
				{change: update(3), during: map[int]func(s *vendorStore){2: create(11), 4: create(12)}, wantDupes: true},
				{change: del(8), during: map[int]func(s *vendorStore){3: all(create(13), update(1))}, wantDupes: true},
			},
		},
		{
			name:      "record removed ahead of the cursor and one added at the end: a record skipped, counts agree",
			resources: vendorCustomers,
			steps: []vstep{
				// After page 1 (customers 1, 2), customer 1 goes and 11 comes:
				// page 2 is then 4, 5, so customer 3 is never served.
				{change: update(7), during: map[int]func(s *vendorStore){2: all(del(1), create(11))}},
				{},
			},
		},
		{
			name: "vendor clock 10 minutes ahead (Date header and records)", resources: vendorOrders, skew: 10 * time.Minute,
			steps: vendorSkewSteps(create, update, del),
		},
		{
			name: "vendor clock 10 minutes behind (Date header and records)", resources: vendorOrders, skew: -10 * time.Minute,
			steps: vendorSkewSteps(create, update, del),
		},
		{
			name: "vendor Date header 10 minutes behind local time and the records' dates", resources: vendorOrders, dateSkew: -10 * time.Minute,
			steps: vendorSkewSteps(create, update, del),
		},
		{
			name: "vendor Date header 10 minutes ahead of local time and the records' dates", resources: vendorOrders, dateSkew: 10 * time.Minute,
			steps: vendorSkewSteps(create, update, del),
		},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			report := runVendorScenario(t, sc)
			t.Log(report)
		})
	}
}

// vendorSkewSteps changes orders right after each poll, when a window
// computed on the wrong clock would leave them out.
func vendorSkewSteps(create, update, del func(ids ...int) func(*vendorStore)) []vstep {
	return []vstep{
		{change: create(11)},
		{change: func(s *vendorStore) { update(3)(s); create(12)(s) }},
		{change: func(s *vendorStore) { update(11)(s); del(6)(s) }},
		{change: func(s *vendorStore) { create(13)(s); update(12)(s) }},
		{change: update(1)},
	}
}

// runVendorScenario runs sc's steps after a baseline cycle, then
// fault-free cycles until everything must have been reported, and
// compares the events with the store's changes. It returns the report
// line; on a mismatch it fails the test, or skips it if sc.bug is set.
func runVendorScenario(t *testing.T, sc vendorScenario) string {
	r := newVendorRig(t, sc)
	for id := 1; id <= vendorSeed; id++ {
		r.store.seed(id)
	}
	res, _ := r.poll(t, vstep{})
	require.NoError(t, res.Err, "baseline")
	r.store.succeeded()
	require.Empty(t, r.sink.Take(), "the baseline reports nothing")

	steps := slices.Clone(sc.steps)
	for range vendorSettle {
		steps = append(steps, vstep{})
	}
	var emitted []events.Event
	failed := 0
	for i, st := range steps {
		res, waits := r.poll(t, st)
		if st.wantErr != nil {
			require.ErrorIs(t, res.Err, st.wantErr, "step %d", i+1)
			failed++
		} else {
			require.NoError(t, res.Err, "step %d", i+1)
			r.store.succeeded()
		}
		r.store.checkFaultsUsed(t, i+1)
		if st.waitEach != 0 {
			require.NotEmpty(t, waits, "step %d", i+1)
			for _, w := range waits {
				require.Equal(t, st.waitEach, w, "step %d: the source waits as Retry-After says", i+1)
			}
		}
		if served, distinct := r.store.servedRecords(); st.wantDupes {
			require.Greater(t, served, distinct, "step %d: records were served twice", i+1)
		}
		for _, b := range r.sink.Take() {
			emitted = append(emitted, b.Events...)
		}
	}

	// Compare with the store's changes.
	want := map[string]bool{}
	for _, c := range r.store.changes() {
		want[c] = true
	}
	got := map[string]int{}
	ids := map[string]int{}
	for _, e := range emitted {
		got[vendorKeyOf(e.Type, e.ObjectID, e.Date)]++
		ids[e.ID]++
	}
	var missing, falseDeleted, repeats, unexpected []string
	for k := range want {
		if got[k] == 0 {
			missing = append(missing, k)
		}
	}
	for k, n := range got {
		if n > 1 {
			repeats = append(repeats, fmt.Sprintf("%s ×%d", k, n))
		}
		if !want[k] {
			if strings.HasPrefix(k, string(events.Deleted)) {
				falseDeleted = append(falseDeleted, k)
			} else {
				unexpected = append(unexpected, k)
			}
		}
	}
	for id, n := range ids {
		if n > 1 {
			repeats = append(repeats, fmt.Sprintf("event id %s ×%d", id, n))
		}
	}
	for _, s := range [][]string{missing, falseDeleted, repeats, unexpected} {
		sort.Strings(s)
	}
	report := fmt.Sprintf("%s: events emitted %d, expected %d: missing %d, false DELETED %d, repeats %d, unexpected %d "+
		"(%d cycles, %d failed as planned, %d faults served, %v of retry waits)",
		sc.name, len(emitted), len(want), len(missing), len(falseDeleted), len(repeats), len(unexpected),
		len(steps)+1, failed, r.store.faultsServed(), r.clock.total())
	ok := len(missing)+len(falseDeleted)+len(repeats)+len(unexpected) == 0
	if !ok && sc.bug != "" {
		t.Log(report)
		t.Logf("missing %v, false DELETED %v, repeats %v, unexpected %v", missing, falseDeleted, repeats, unexpected)
		t.Skip("bug: " + sc.bug)
	}
	require.Empty(t, missing, "missing events")
	require.Empty(t, falseDeleted, "false DELETED")
	require.Empty(t, repeats, "repeated events")
	require.Empty(t, unexpected, "events for changes that did not happen")
	require.Empty(t, sc.bug, "the scenario passes: the bug it was skipped for is fixed; remove its bug field")
	return report
}

// vendorKeyOf is how an event is compared with a change: its type, the
// record's id and, except for DELETED (dated by the poll), its date.
func vendorKeyOf(typ events.Type, id string, date time.Time) string {
	if typ == events.Deleted {
		return string(typ) + " " + id
	}
	return string(typ) + " " + id + " " + date.UTC().Format(time.RFC3339)
}

// ---------------------------------------------------------------------------
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
func (s *vendorStore) onRequest(r vendortest.Request) {
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
