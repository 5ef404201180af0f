package loadtest_test

// Vendor faults against the poller: a fake WooCommerce store served by
// httptest misbehaves while poller.Poller and poller.HTTPSource, driven by
// the woocommercerest definition, poll it on a fake clock. Every change the
// store makes must come out as exactly one event: none missing, no false
// DELETED, no repeats.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
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
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/poller"
)

const (
	vendorKey     = "ck_loadtest_vendor"
	vendorSecret  = "cs_loadtest_vendor"
	vendorLayout  = "2006-01-02T15:04:05"
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

// vfault is how the store answers one request for a page.
type vfault struct {
	status     int    // answer this status (with a WordPress error body)
	retryAfter string // with this Retry-After
	hang       bool   // answer nothing until the client gives up
	truncate   bool   // 200 with the JSON cut in the middle of a record
	cut        bool   // 200 announcing the whole body, then close the connection half way
	empty      bool   // 200 with no records, the headers as usual
}

func (f vfault) String() string {
	switch {
	case f.hang:
		return "hang"
	case f.truncate:
		return "truncated JSON"
	case f.cut:
		return "connection cut"
	case f.empty:
		return "empty page"
	case f.retryAfter != "":
		return fmt.Sprintf("%d, Retry-After %s", f.status, f.retryAfter)
	}
	return strconv.Itoa(f.status)
}

// repeat returns n copies of f.
func repeat(n int, f vfault) []vfault {
	out := make([]vfault, n)
	for i := range out {
		out[i] = f
	}
	return out
}

// vstep is one poll cycle of a scenario.
type vstep struct {
	// change runs one second after the previous poll, with the store's
	// changes dated by its clock.
	change func(s *vendorStore)
	// faults says how the store answers the requests for a page in this
	// cycle: the i-th request of page p gets faults[p][i], and requests
	// beyond the list are served normally.
	faults map[int][]vfault
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
				{change: all(create(11), update(3)), faults: map[int][]vfault{2: {{hang: true}}}},
				{change: all(update(4), del(7)), faults: map[int][]vfault{1: {{hang: true}}, 5: {{hang: true}, {hang: true}}}},
			},
		},
		{
			name: "page times out on every try: the cycle fails, the next catches up", resources: vendorCustomers,
			steps: []vstep{
				{change: all(create(11), update(5), del(2)), faults: map[int][]vfault{3: repeat(poller.DefaultRetryPolicy.Tries, vfault{hang: true})}, wantErr: poller.ErrVendor},
				{change: update(6)},
			},
		},
		{
			name: "truncated JSON: the cycle fails, the next catches up", resources: vendorCustomers,
			steps: []vstep{
				{change: all(create(11), update(1), del(9)), faults: map[int][]vfault{2: {{truncate: true}}}, wantErr: poller.ErrMalformedPage},
				{change: all(create(12), update(8)), faults: map[int][]vfault{6: {{truncate: true}}}, wantErr: poller.ErrMalformedPage},
				{},
			},
		},
		{
			name: "connection cut mid-page, retried", resources: vendorCustomers,
			steps: []vstep{
				{change: all(create(11), update(10), del(4)), faults: map[int][]vfault{3: {{cut: true}, {cut: true}}, 5: {{cut: true}}}},
			},
		},
		{
			name: "429 storm with Retry-After on every page, retried", resources: vendorCustomers,
			steps: []vstep{
				{change: all(create(11), update(2), del(6)), faults: map[int][]vfault{
					1: repeat(3, vfault{status: 429, retryAfter: retryAfter}), 2: repeat(4, vfault{status: 429, retryAfter: retryAfter}),
					3: repeat(2, vfault{status: 429, retryAfter: retryAfter}), 4: repeat(4, vfault{status: 429, retryAfter: retryAfter}),
					5: repeat(3, vfault{status: 429, retryAfter: retryAfter}),
				}, waitEach: 30 * time.Second},
				{change: update(11)},
			},
		},
		{
			name: "429 storm longer than the retries: the cycle fails, the next catches up", resources: vendorCustomers,
			steps: []vstep{
				{change: all(create(11), update(2), del(6)), faults: map[int][]vfault{
					2: repeat(2, vfault{status: 429, retryAfter: retryAfter}),
					4: repeat(poller.DefaultRetryPolicy.Tries, vfault{status: 429, retryAfter: retryAfter}),
				}, wantErr: poller.ErrVendor},
				{change: create(12), faults: map[int][]vfault{1: repeat(3, vfault{status: 429, retryAfter: "120"})}, waitEach: 2 * time.Minute},
			},
		},
		{
			name: "page 3 of 5 answers 404 mid-snapshot", resources: vendorCustomers,
			steps: []vstep{
				{change: all(update(1), update(9), del(5)), faults: map[int][]vfault{3: {{status: 404}}}, wantErr: poller.ErrVendor},
				{change: update(2)},
			},
		},
		{
			name: "page 3 of 5 answers 500 until the retries run out", resources: vendorCustomers,
			steps: []vstep{
				{change: all(update(1), update(9), del(5)), faults: map[int][]vfault{3: repeat(poller.DefaultRetryPolicy.Tries, vfault{status: 500})}, wantErr: poller.ErrVendor},
				{change: update(2)},
			},
		},
		{
			name: "page 3 of 5 answers 503 twice, then is served", resources: vendorCustomers,
			steps: []vstep{
				{change: all(update(1), update(9), del(5)), faults: map[int][]vfault{3: repeat(2, vfault{status: 503})}},
			},
		},
		{
			name: "page 3 of 5 comes back empty mid-snapshot", resources: vendorCustomers,
			steps: []vstep{
				// Without customer 5, customer 9 is on page 4 and the new 11
				// on page 5: neither is fetched.
				{change: all(create(11), update(9), del(5)), faults: map[int][]vfault{3: {{empty: true}}}},
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
	require.Empty(t, r.sink.take(), "the baseline reports nothing")

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
		emitted = append(emitted, r.sink.take()...)
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
	sink  *vendorSink
	p     *poller.Poller
}

func newVendorRig(t *testing.T, sc vendorScenario) *vendorRig {
	t.Helper()
	clock := &reportingClock{FakeClock: clockwork.NewFakeClockAt(vendorT0), waits: make(chan time.Duration, 64)}
	store := newVendorStore(clock, sc.skew, sc.dateSkew)
	srv := httptest.NewServer(store)
	t.Cleanup(srv.Close)
	t.Cleanup(store.close) // first: hung handlers return before Close waits for them

	body, err := json.Marshal(map[string]any{
		"id": "vendor-1", "name": "faulty shop", "element": map[string]string{"key": "woocommercerest"},
		"configuration": map[string]any{
			"store.url": srv.URL, "oauth.api.key": vendorKey, "oauth.api.secret": vendorSecret,
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
		Guard: netguard.Guard{AllowAddrPorts: []netip.AddrPort{netip.MustParseAddrPort(srv.Listener.Addr().String())}}})
	require.NoError(t, err)
	sink := &vendorSink{}
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

// vendorSink keeps the events the poller publishes.
type vendorSink struct {
	mu  sync.Mutex
	evs []events.Event
}

func (s *vendorSink) Publish(_ context.Context, b events.Batch) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.evs = append(s.evs, b.Events...)
	return nil
}

func (s *vendorSink) take() []events.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	evs := s.evs
	s.evs = nil
	return evs
}

// ---------------------------------------------------------------------------
// The fake store.

// vendorRecord is a customer or an order as the store keeps it.
type vendorRecord struct {
	id                int
	created, modified time.Time // by the store's clock
	version           int
}

// vendorStore is a fake WooCommerce store with customers and orders (the
// same records under both paths): page and per_page paging, X-WP-Total and
// X-WP-TotalPages, orderby id or modified, order asc or desc,
// modified_after in GMT, Basic auth, and a Date header. Its clock is the
// test's fake clock plus skew; its Date header is that plus dateSkew. It
// logs every change it makes, as the events a poller should report.
type vendorStore struct {
	clock    clockwork.Clock
	skew     time.Duration
	dateSkew time.Duration
	hung     chan struct{} // a request is hanging
	done     chan struct{} // closed when the test ends

	mu      sync.Mutex
	records map[int]*vendorRecord
	log     []string
	// changedAt is when each record last changed, by the test's clock,
	// to catch scenarios that change a record twice between successful
	// polls.
	changedAt  map[int]time.Time
	cycleStart time.Time
	lastGood   time.Time // start of the last successful poll
	scriptErrs []string

	faults  map[int][]vfault
	during  map[int]func(s *vendorStore)
	served  map[int]int // requests per page this cycle
	nFaults int
	// records served this cycle, and the distinct ones
	nServed  int
	idServed map[int]bool
}

func newVendorStore(clock clockwork.Clock, skew, dateSkew time.Duration) *vendorStore {
	return &vendorStore{
		clock: clock, skew: skew, dateSkew: dateSkew,
		hung: make(chan struct{}, 8), done: make(chan struct{}),
		records: map[int]*vendorRecord{}, changedAt: map[int]time.Time{},
	}
}

func (s *vendorStore) close() { close(s.done) }

// now is the store's clock, to the second as WooCommerce stores dates.
func (s *vendorStore) now() time.Time { return s.clock.Now().Add(s.skew).Truncate(time.Second) }

// seed adds a record changed long ago, before the baseline.
func (s *vendorStore) seed(id int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := vendorT0.Add(-30 * 24 * time.Hour)
	s.records[id] = &vendorRecord{id: id, created: old.Add(time.Duration(id) * time.Hour), modified: vendorT0.Add(-24 * time.Hour).Add(time.Duration(id) * time.Minute)}
}

// The changes: each is logged as the event it should produce.

func (s *vendorStore) create(id int) {
	s.locked(func() {
		now := s.now()
		s.touch(id)
		s.records[id] = &vendorRecord{id: id, created: now, modified: now}
		s.log = append(s.log, vendorKeyOf(events.Created, strconv.Itoa(id), now))
	})
}

func (s *vendorStore) update(id int) {
	s.locked(func() {
		r := s.records[id]
		now := s.now()
		s.touch(id)
		r.modified, r.version = now, r.version+1
		s.log = append(s.log, vendorKeyOf(events.Updated, strconv.Itoa(id), now))
	})
}

func (s *vendorStore) remove(id int) {
	s.locked(func() {
		s.touch(id)
		delete(s.records, id)
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
func (s *vendorStore) startCycle(faults map[int][]vfault, during map[int]func(*vendorStore)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults, s.during, s.served = faults, during, map[int]int{}
	s.nServed, s.idServed = 0, map[int]bool{}
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
	s.mu.Lock()
	defer s.mu.Unlock()
	require.Empty(t, s.scriptErrs, "step %d: the scenario is wrong", step)
	for p, fs := range s.faults {
		require.GreaterOrEqual(t, s.served[p], len(fs), "step %d: page %d was requested %d times, but %d faults were planned", step, p, s.served[p], len(fs))
	}
	for p := range s.during {
		require.Positive(t, s.served[p], "step %d: page %d, with a change planned, was never requested", step, p)
	}
}

// servedRecords returns the records served in this cycle, and how many
// of them were distinct.
func (s *vendorStore) servedRecords() (served, distinct int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nServed, len(s.idServed)
}

func (s *vendorStore) faultsServed() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nFaults
}

func (s *vendorStore) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=UTF-8")
	if u, p, ok := r.BasicAuth(); !ok || u != vendorKey || p != vendorSecret {
		wpError(w, http.StatusUnauthorized, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
		return
	}
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	perPage, _ := strconv.Atoi(q.Get("per_page"))
	if page < 1 || perPage < 1 || perPage > 100 {
		wpError(w, http.StatusBadRequest, "rest_invalid_param", "Invalid parameter(s): page, per_page")
		return
	}
	if r.URL.Path != "/wp-json/wc/v3/customers" && r.URL.Path != "/wp-json/wc/v3/orders" {
		wpError(w, http.StatusNotFound, "rest_no_route", "No route was found matching the URL and request method.")
		return
	}

	s.mu.Lock()
	try := s.served[page]
	s.served[page]++
	during := s.during[page]
	s.mu.Unlock()
	if try == 0 && during != nil {
		during(s) // a change while the poller pages
	}

	s.mu.Lock()
	locked := true
	unlock := func() {
		if locked {
			locked = false
			s.mu.Unlock()
		}
	}
	defer unlock()
	h.Set("Date", s.clock.Now().Add(s.skew+s.dateSkew).UTC().Format(http.TimeFormat))
	var fault vfault
	if fs := s.faults[page]; try < len(fs) {
		fault = fs[try]
		s.nFaults++
	}
	switch {
	case fault.hang:
		unlock()
		s.hung <- struct{}{}
		select {
		case <-r.Context().Done():
		case <-s.done:
		}
		return
	case fault.status != 0:
		if fault.retryAfter != "" {
			h.Set("Retry-After", fault.retryAfter)
		}
		wpError(w, fault.status, "loadtest_fault", http.StatusText(fault.status))
		return
	}

	// The records, filtered and sorted as asked.
	var after time.Time
	if v := q.Get("modified_after"); v != "" {
		t, err := time.Parse(vendorLayout, v)
		if err != nil {
			wpError(w, http.StatusBadRequest, "rest_invalid_param", "Invalid parameter(s): modified_after")
			return
		}
		after = t
	}
	list := make([]*vendorRecord, 0, len(s.records))
	for _, rec := range s.records {
		if rec.modified.After(after) {
			list = append(list, rec)
		}
	}
	less := func(a, b *vendorRecord) int { return a.id - b.id }
	if q.Get("orderby") == "modified" {
		less = func(a, b *vendorRecord) int { return cmpTime(a.modified, b.modified, a.id-b.id) }
	}
	slices.SortFunc(list, less)
	if q.Get("order") == "desc" {
		slices.Reverse(list)
	}
	total := len(list)
	lo, hi := min((page-1)*perPage, total), min(page*perPage, total)
	body := []byte("[")
	if !fault.empty {
		for i, rec := range list[lo:hi] {
			if i > 0 {
				body = append(body, ',')
			}
			s.nServed++
			s.idServed[rec.id] = true
			body = fmt.Appendf(body, `{"id":%d,"date_created":%q,"date_created_gmt":%q,"date_modified":%q,"date_modified_gmt":%q,"email":"customer%d@example.com","status":"processing","version":%d,"meta_data":[]}`,
				rec.id, rec.created.UTC().Format(vendorLayout), rec.created.UTC().Format(vendorLayout),
				rec.modified.UTC().Format(vendorLayout), rec.modified.UTC().Format(vendorLayout), rec.id, rec.version)
		}
	}
	body = append(body, ']')
	h.Set("X-WP-Total", strconv.Itoa(total))
	h.Set("X-WP-TotalPages", strconv.Itoa((total+perPage-1)/perPage))
	switch {
	case fault.truncate:
		body = body[:len(body)*2/3]
	case fault.cut:
		h.Set("Content-Length", strconv.Itoa(len(body)))
		body = body[:len(body)/2] // the server closes the connection short of Content-Length
	}
	_, _ = w.Write(body)
}

func cmpTime(a, b time.Time, tie int) int {
	if c := a.Compare(b); c != 0 {
		return c
	}
	return tie
}

// wpError writes a WordPress REST error.
func wpError(w http.ResponseWriter, status int, code, message string) {
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"code": code, "message": message, "data": map[string]int{"status": status}})
}
