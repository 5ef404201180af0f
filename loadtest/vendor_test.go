package loadtest_test

// Vendor faults against the poller: vendortest's fake WooCommerce store
// misbehaves while poller.Poller and poller.HTTPSource, driven by the
// woocommercerest definition, poll it on a fake clock. Every change the
// store makes must come out as exactly one event: none missing, no false
// DELETED, no repeats.

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/events"
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
	vendorSettle = 4 // the poller's default Config.SnapshotEvery
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
