package poller_test

// End-to-end tests of the Poller against vendortest's fake WooCommerce
// store: the instance is parsed from JSON as a host receives it, the
// Poller builds its default HTTPSource from the woocommercerest definition,
// and every wait (refresh interval, backoff, Retry-After) runs on a fake
// clock that the test advances.

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
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

// e2eT0 is when every end-to-end test starts, on the fake clock.
var e2eT0 = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// e2eRefresh is the instance's event.poller.refresh_interval.
const e2eRefresh = 15 * time.Minute

// ---------------------------------------------------------------------------
// Shared by the WooCommerce and Concur tests: the clock, the sink, a driver.

// e2eClock is the fake clock the poller and its default HTTPSource run on.
// It reports every timer started with NewTimer (the source's retry and
// Retry-After waits) once the timer is registered, so that the test can
// advance the clock exactly when, and exactly as far as, the poller waits.
// The source's per-attempt timeout uses AfterFunc and is not reported.
type e2eClock struct {
	*clockwork.FakeClock
	waits chan time.Duration
}

func newE2EClock() *e2eClock {
	return &e2eClock{FakeClock: clockwork.NewFakeClockAt(e2eT0), waits: make(chan time.Duration, 64)}
}

func (c *e2eClock) NewTimer(d time.Duration) clockwork.Timer {
	tm := c.FakeClock.NewTimer(d)
	c.waits <- d
	return tm
}

// drive runs p.Poll in another goroutine and, from the test goroutine,
// advances the clock through every wait the poll starts. It returns the
// results and the waits in the order they were started.
func (c *e2eClock) drive(t *testing.T, p *poller.Poller) ([]poller.Result, []time.Duration) {
	t.Helper()
	done := make(chan []poller.Result, 1)
	go func() { done <- p.Poll(t.Context()) }()
	var waits []time.Duration
	hung := time.NewTimer(30 * time.Second) // real time: a stuck poll fails rather than hangs
	defer hung.Stop()
	for {
		select {
		case res := <-done:
			require.Empty(t, c.waits, "a wait was started after Poll returned")
			return res, waits
		case d := <-c.waits:
			waits = append(waits, d)
			c.Advance(d)
		case <-hung.C:
			t.Fatalf("Poll did not return (waits so far: %v)", waits)
		}
	}
}

// e2eSummary returns "TYPE id" for every event of bs, sorted.
func e2eSummary(bs []events.Batch) []string {
	var out []string
	for _, b := range bs {
		for _, e := range b.Events {
			out = append(out, string(e.Type)+" "+e.ObjectID)
		}
	}
	slices.Sort(out)
	return out
}

// e2eWant is a helper for expected summaries: e2eWant("CREATED", "4", "5").
func e2eWant(typ events.Type, ids ...string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = string(typ) + " " + id
	}
	return out
}

func e2eJoin(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	slices.Sort(out)
	return out
}

// e2eExpect is what a published event must carry, beyond its type and id.
type e2eExpect struct {
	instanceID, instanceName, elementKey, hubKey, callback string
	signatureKey                                           string
	tags                                                   []string
	// record returns the vendor's current JSON of an object and its date
	// (updated, else created); ok is false when the vendor no longer has it.
	record func(objectType, id string) (raw []byte, date time.Time, ok bool)
}

// e2eCheckBatches checks every field of every event of bs. pollDate is the
// vendor's Date header of the cycle's first page.
func e2eCheckBatches(t *testing.T, x e2eExpect, bs []events.Batch, pollDate time.Time) {
	t.Helper()
	for _, b := range bs {
		require.Equal(t, x.instanceID, b.Instance.ID)
		require.Equal(t, x.instanceName, b.Instance.Name)
		require.Equal(t, x.elementKey, b.Instance.ElementKey)
		require.Equal(t, x.tags, b.Instance.Tags)
		require.Equal(t, x.callback, b.Endpoint.URL)
		require.Equal(t, x.signatureKey, string(b.Endpoint.Key))
		require.Equal(t, events.FromPolling, b.Source)
		require.NotEmpty(t, b.Events)
		for _, e := range b.Events {
			require.Equal(t, x.elementKey, e.ElementKey, "event %s %s", e.Type, e.ObjectID)
			require.Equal(t, x.hubKey, e.HubKey, "event %s %s", e.Type, e.ObjectID)
			require.WithinDuration(t, pollDate, e.PollDate, 0, "PollDate is the vendor's Date of %s %s", e.Type, e.ObjectID)
			raw, date, exists := x.record(e.ObjectType, e.ObjectID)
			switch e.Type {
			case events.Created, events.Updated:
				require.True(t, exists, "%s %s: the vendor has no such record", e.Type, e.ObjectID)
				require.Equal(t, string(raw), string(e.Raw), "Raw is the record as the vendor served it")
				require.WithinDuration(t, date, e.Date, 0, "Date of %s %s is the record's date", e.Type, e.ObjectID)
			case events.Deleted:
				require.False(t, exists, "DELETED %s, but the vendor still has it", e.ObjectID)
				require.Empty(t, e.Raw)
				require.WithinDuration(t, pollDate, e.Date, 0, "Date of DELETED %s is the poll's", e.ObjectID)
			default:
				t.Fatalf("unexpected event type %q", e.Type)
			}
			require.Equal(t, events.NewID(x.instanceID, e.ObjectType, e.ObjectID, e.Type, e.Date), e.ID)
		}
	}
}

// e2eDiscard is the poller's logger: the failures the tests provoke are
// asserted on the results, not read from logs.
var e2eDiscard = slog.New(slog.DiscardHandler)

// ---------------------------------------------------------------------------
// The store: vendortest's WooCommerce, in the site's zone EST, and the
// changes the scenarios make to it.

const (
	e2eWooKey    = "ck_4f8a1c0e9b7d6a5f3e2d1c0b9a8f7e6d5c4b3a29"
	e2eWooSecret = "cs_0a1b2c3d4e5f60718293a4b5c6d7e8f901234567"
)

// putCustomer creates or replaces a customer. A zero modified date is
// served as null, as for a user WooCommerce never saved.
func (r *e2eWooRig) putCustomer(id int, email string, created, modified time.Time) {
	name, _, _ := strings.Cut(email, "@")
	addr := vendortest.Address{FirstName: "Jo", LastName: "Doe", Address1: "969 Market", City: "San Francisco",
		State: "CA", Postcode: "94103", Country: "US"}
	billing := addr
	billing.Email, billing.Phone = email, "(555) 555-5555"
	r.store.PutCustomer(vendortest.Customer{
		ID: id, Email: email, FirstName: strings.ToUpper(name[:1]) + name[1:], LastName: "Doe", Username: name,
		Billing: billing, Shipping: addr, Created: created, Modified: modified,
	})
}

// touchCustomer changes a customer's email, bumping date_modified to
// modified unless it is zero (a change WooCommerce did not date).
func (r *e2eWooRig) touchCustomer(id int, email string, modified time.Time) {
	c, ok := r.store.Customer(id)
	require.True(r.t, ok, "customer %d", id)
	c.Email, c.Billing.Email = email, email
	if !modified.IsZero() {
		c.Modified = modified
	}
	r.store.PutCustomer(c)
}

func (r *e2eWooRig) deleteCustomer(id int) {
	require.NoError(r.t, r.store.Delete(r.t.Context(), "customers", id))
}

func (r *e2eWooRig) putOrder(id int, status string, created, modified time.Time) {
	r.store.PutOrder(vendortest.Order{
		ID: id, Status: status, Total: "29.35", TotalTax: "1.35", ShippingTotal: "10.00", CustomerID: 7,
		Billing:       vendortest.Address{FirstName: "Jo", LastName: "Doe", City: "San Francisco", Country: "US", Email: "jo@example.com", Phone: "(555) 555-5555"},
		Shipping:      vendortest.Address{FirstName: "Jo", LastName: "Doe", City: "San Francisco", Country: "US"},
		PaymentMethod: "bacs", PaymentMethodTitle: "Direct Bank Transfer",
		LineItems: []vendortest.LineItem{{ID: 315 + id, Name: "Woo Single #1", ProductID: 93, Quantity: 2, Subtotal: "6.00",
			Total: "6.00", Price: 3}},
		MetaData: []vendortest.Meta{{ID: 900 + id, Key: "_order_source", Value: "web"}},
		Created:  created, Modified: modified,
	})
}

func (r *e2eWooRig) deleteOrder(id int) {
	require.NoError(r.t, r.store.Delete(r.t.Context(), "orders", id))
}

// record returns the JSON the store serves for a record, and its date:
// date_modified_gmt, or date_created_gmt when that is null.
func (r *e2eWooRig) record(objectType, id string) ([]byte, time.Time, bool) {
	n, err := strconv.Atoi(id)
	if err != nil {
		return nil, time.Time{}, false
	}
	raw, ok := r.store.Record(objectType, n)
	if !ok {
		return nil, time.Time{}, false
	}
	var date time.Time
	switch objectType {
	case "customers":
		c, _ := r.store.Customer(n)
		date = cmp.Or(c.Modified, c.Created)
	case "orders":
		o, _ := r.store.Order(n)
		date = o.Modified
	}
	return raw, date, true
}

// ---------------------------------------------------------------------------
// Wiring the poller as a host does.

// e2eWooCustomers configures customers as the definition does, with two
// customers a page so that a few records span pages.
const e2eWooCustomers = `"event.poller.configuration": {"customers": {
	"url": "/hubs/ecommerce/customers?orderby=id&order=asc", "idField": "id", "pageSize": 2,
	"datesConfiguration": {
	  "updatedDateField": "date_modified_gmt", "updatedDateFormat": "yyyy-MM-dd'T'HH:mm:ss", "updatedDateTimezone": "GMT",
	  "createdDateField": "date_created_gmt", "createdDateFormat": "yyyy-MM-dd'T'HH:mm:ss", "createdDateTimezone": "GMT"}}}`

// e2eWooOrdersPaged configures orders as the definition does, two a page.
const e2eWooOrdersPaged = `"event.poller.configuration": {"orders": {
	"url": "/hubs/ecommerce/orders?orderby=modified&order=asc&dates_are_gmt=true&modified_after=${gmtDate:yyyy-MM-dd'T'HH:mm:ss}",
	"idField": "id", "pageSize": 2,
	"datesConfiguration": {
	  "updatedDateField": "date_modified_gmt", "updatedDateFormat": "yyyy-MM-dd'T'HH:mm:ss", "updatedDateTimezone": "GMT",
	  "createdDateField": "date_created_gmt", "createdDateFormat": "yyyy-MM-dd'T'HH:mm:ss", "createdDateTimezone": "GMT"}}}`

// e2eWooOrdersDefault asks for the definition's default orders resource.
const e2eWooOrdersDefault = `"event.objects": "orders"`

const e2eWooInstanceID = "4711"

func e2eWooInstance(t *testing.T, storeURL, resources string) *element.Instance {
	t.Helper()
	inst, err := element.Parse([]byte(`{"id": 4711, "name": "Jo's shop", "element": {"key": "woocommercerest"}, "tags": ["shop", "e2e"],
	  "configuration": {
	    "store.url": "` + storeURL + `",
	    "oauth.api.key": "` + e2eWooKey + `", "oauth.api.secret": "` + e2eWooSecret + `",
	    "event.notification.enabled": "true", "event.vendor.type": "polling",
	    "event.notification.callback.url": "https://app.example.com/cb",
	    "event.notification.signature.key": "whsec-e2e",
	    "event.poller.refresh_interval": "15",
	    ` + resources + `}}`))
	require.NoError(t, err)
	require.NoError(t, inst.Validate())
	require.Equal(t, e2eRefresh, inst.Configuration.Events.RefreshInterval)
	return inst
}

type e2eWooRig struct {
	t     *testing.T
	clock *e2eClock
	store *vendortest.WooCommerce
	inst  *element.Instance
	sink  *eventstest.Recorder
	state *poller.MemoryState
	p     *poller.Poller

	authMu     sync.Mutex
	authErrors []string // resources OnAuthError was called for
}

func newE2EWooRig(t *testing.T, resources string, mod func(*poller.Config)) *e2eWooRig {
	t.Helper()
	clock := newE2EClock()
	store := vendortest.ServeWooCommerce(t, vendortest.WooConfig{
		Key: e2eWooKey, Secret: e2eWooSecret, Clock: clock, Site: time.FixedZone("EST", -5*3600),
	})
	r := &e2eWooRig{t: t, clock: clock, store: store, sink: &eventstest.Recorder{}, state: poller.NewMemoryState()}
	r.inst = e2eWooInstance(t, store.URL(), resources)
	r.p = r.newPoller(t, mod)
	return r
}

// newPoller returns a poller on the rig's instance, state, sink and clock,
// with the default HTTPSource unless mod sets one.
func (r *e2eWooRig) newPoller(t *testing.T, mod func(*poller.Config)) *poller.Poller {
	t.Helper()
	cfg := poller.Config{
		Instance: r.inst, Sink: r.sink, Clock: r.clock, State: r.state, Logger: e2eDiscard,
		Guard: allowServers(t, netguard.Guard{}, r.store.URL()),
		// Each case checks the events of one cycle, DELETED included; the
		// default, two snapshots in a row, is tested in cycle_faults_test.go
		// and in loadtest's vendor faults.
		SingleSnapshotDeletes: true,
		OnAuthError: func(resource string, _ error) {
			r.authMu.Lock()
			defer r.authMu.Unlock()
			r.authErrors = append(r.authErrors, resource)
		},
	}
	if mod != nil {
		mod(&cfg)
	}
	p, err := poller.New(cfg)
	require.NoError(t, err)
	return p
}

// e2eWooCycle is what one poll did.
type e2eWooCycle struct {
	res      poller.Result
	waits    []time.Duration
	requests []vendortest.Request
	batches  []events.Batch
}

// pollDate is the Date the store sent with the cycle's first good page.
func (c e2eWooCycle) pollDate(t *testing.T) time.Time {
	t.Helper()
	for _, rq := range c.requests {
		if rq.Status == http.StatusOK {
			return rq.At.Truncate(time.Second)
		}
	}
	t.Fatal("no page was served in this cycle")
	return time.Time{}
}

// poll waits for the next refresh on the fake clock and polls once.
func (r *e2eWooRig) poll(t *testing.T) e2eWooCycle {
	t.Helper()
	r.clock.Advance(e2eRefresh)
	from := r.store.Log().Len()
	res, waits := r.clock.drive(t, r.p)
	require.Len(t, res, 1)
	return e2eWooCycle{res: res[0], waits: waits, requests: r.store.Log().Since(from), batches: r.sink.Take()}
}

// pollOK polls once, requires success, checks every event's fields and
// returns the events as sorted "TYPE id".
func (r *e2eWooRig) pollOK(t *testing.T) []string {
	t.Helper()
	c := r.poll(t)
	require.NoError(t, c.res.Err)
	r.check(t, c)
	return e2eSummary(c.batches)
}

func (r *e2eWooRig) check(t *testing.T, c e2eWooCycle) {
	t.Helper()
	if len(c.batches) == 0 {
		return
	}
	e2eCheckBatches(t, e2eExpect{
		instanceID: e2eWooInstanceID, instanceName: "Jo's shop", elementKey: "woocommercerest", hubKey: "ecommerce",
		callback: "https://app.example.com/cb", signatureKey: "whsec-e2e", tags: []string{"shop", "e2e"},
		record: r.record,
	}, c.batches, c.pollDate(t))
}

func (r *e2eWooRig) load(t *testing.T, resource string) *poller.ResourceState {
	t.Helper()
	st, err := r.state.Load(t.Context(), poller.Key{Instance: e2eWooInstanceID, Resource: resource})
	require.NoError(t, err)
	return st
}

// now is the fake time of the last poll (between polls, the clock stands).
func (r *e2eWooRig) now() time.Time { return r.clock.Now() }

// seedCustomers adds customers 1..n, created two days and modified one day
// before the tests start.
func (r *e2eWooRig) seedCustomers(n int) {
	for id := 1; id <= n; id++ {
		r.putCustomer(id, fmt.Sprintf("customer%d@example.com", id), e2eT0.Add(-48*time.Hour), e2eT0.Add(-24*time.Hour))
	}
}

func e2eIDs(from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, strconv.Itoa(i))
	}
	return out
}

// ---------------------------------------------------------------------------
// Customers: every cycle is a full snapshot.

func TestE2EWooCustomers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// change runs after the baseline cycle, at the baseline's time
		// (the next poll is e2eRefresh later).
		change func(r *e2eWooRig, at time.Time)
		want   []string
		// pages the changed cycle fetches (2 customers a page).
		pages int
	}{
		{
			name:   "nothing changed",
			change: func(*e2eWooRig, time.Time) {},
			pages:  3,
		},
		{
			name: "create is CREATED",
			change: func(r *e2eWooRig, at time.Time) {
				r.putCustomer(6, "new@example.com", at.Add(5*time.Minute), at.Add(5*time.Minute))
			},
			want:  e2eWant(events.Created, "6"),
			pages: 3,
		},
		{
			name: "update with date_modified_gmt bumped is UPDATED",
			change: func(r *e2eWooRig, at time.Time) {
				r.touchCustomer(2, "renamed@example.com", at.Add(5*time.Minute))
			},
			want:  e2eWant(events.Updated, "2"),
			pages: 3,
		},
		{
			name: "update without a date bump (email only) is UPDATED",
			change: func(r *e2eWooRig, _ time.Time) {
				r.touchCustomer(3, "silent@example.com", time.Time{})
			},
			want:  e2eWant(events.Updated, "3"),
			pages: 3,
		},
		{
			name:   "delete is DELETED",
			change: func(r *e2eWooRig, _ time.Time) { r.deleteCustomer(4) },
			want:   e2eWant(events.Deleted, "4"),
			pages:  2,
		},
		{
			name: "create, update, silent update and delete at once",
			change: func(r *e2eWooRig, at time.Time) {
				r.putCustomer(6, "new@example.com", at.Add(time.Minute), at.Add(time.Minute))
				r.touchCustomer(1, "one@example.com", at.Add(2*time.Minute))
				r.touchCustomer(5, "five@example.com", time.Time{})
				r.deleteCustomer(2)
			},
			want:  e2eJoin(e2eWant(events.Created, "6"), e2eWant(events.Updated, "1", "5"), e2eWant(events.Deleted, "2")),
			pages: 3,
		},
		{
			// 6 ends page 3 and 7 starts page 4 (orderby=id, per_page=2).
			name: "same timestamp split across a page boundary: both once",
			change: func(r *e2eWooRig, at time.Time) {
				same := at.Add(3 * time.Minute)
				r.putCustomer(6, "six@example.com", same, same)
				r.putCustomer(7, "seven@example.com", same, same)
			},
			want:  e2eWant(events.Created, "6", "7"),
			pages: 4,
		},
		{
			name: "same record served twice across pages: once",
			change: func(r *e2eWooRig, at time.Time) {
				// 4 ends page 2 and is served again at the top of page 3.
				r.touchCustomer(4, "four@example.com", at.Add(time.Minute))
				r.store.Inject(vendortest.Fault{Overlap: true, Times: -1})
			},
			want:  e2eWant(events.Updated, "4"),
			pages: 3,
		},
		{
			name: "delete while a record is served twice across pages: still a complete snapshot",
			change: func(r *e2eWooRig, _ time.Time) {
				r.deleteCustomer(5)
				r.store.Inject(vendortest.Fault{Overlap: true, Times: -1})
			},
			want:  e2eWant(events.Deleted, "5"),
			pages: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newE2EWooRig(t, e2eWooCustomers, nil)
			r.seedCustomers(5)

			base := r.poll(t)
			require.NoError(t, base.res.Err)
			require.Empty(t, base.batches, "the first cycle takes a baseline silently")
			require.Equal(t, 3, base.res.Pages)
			require.Equal(t, 5, base.res.Records)
			for i, rq := range base.requests {
				require.Equal(t, vendortest.WooAPIPath+"/customers", rq.Path)
				require.Equal(t, strconv.Itoa(i+1), rq.Query.Get("page"))
				require.Equal(t, "2", rq.Query.Get("per_page"))
				require.Equal(t, "id", rq.Query.Get("orderby"))
				require.Equal(t, "asc", rq.Query.Get("order"))
			}
			st := r.load(t, "customers")
			require.EqualValues(t, 1, st.Cycles)
			require.WithinDuration(t, base.pollDate(t), st.Watermark, 0, "the watermark is the vendor's Date")

			tt.change(r, r.now())
			c := r.poll(t)
			require.NoError(t, c.res.Err)
			r.check(t, c)
			require.Equal(t, tt.want, e2eSummary(c.batches))
			require.Equal(t, tt.pages, c.res.Pages)
			require.Len(t, c.requests, tt.pages, "no page fetched twice, none past the end")
			served := 0
			for _, rq := range c.requests {
				served += len(rq.IDs)
			}
			require.Equal(t, served, c.res.Records, "every record served was read, duplicates included")
			require.True(t, c.res.Snapshot, "every customers cycle is a complete snapshot")
			wantCounts := map[events.Type]int{}
			for _, s := range tt.want {
				typ, _, _ := strings.Cut(s, " ")
				wantCounts[events.Type(typ)]++
			}
			require.Equal(t, wantCounts, c.res.Events)

			require.Empty(t, r.pollOK(t), "nothing is reported again on the next cycle")
			require.Empty(t, r.pollOK(t))
		})
	}
}

// A customer whose date_modified is null (a WordPress user WooCommerce
// never saved) has only its creation date: when it first appears, it was
// created.
func TestE2EWooCustomerWithoutModifiedDateIsCreated(t *testing.T) {
	t.Parallel()
	r := newE2EWooRig(t, e2eWooCustomers, nil)
	r.seedCustomers(2)
	require.Empty(t, r.pollOK(t))
	r.putCustomer(3, "registered@example.com", r.now().Add(2*time.Minute), time.Time{})
	require.Equal(t, e2eWant(events.Created, "3"), r.pollOK(t))
	require.Empty(t, r.pollOK(t))
}

// ---------------------------------------------------------------------------
// Faults: a failed cycle reports nothing and changes nothing; the next good
// cycle reports what happened.

func TestE2EWooCustomersFaults(t *testing.T) {
	t.Parallel()
	// backoff is the default policy's n-th wait (1-based), ±20%.
	backoff := func(t *testing.T, n int, got time.Duration) {
		t.Helper()
		mid := float64(time.Second) * math.Pow(2, float64(n-1))
		require.InDelta(t, mid, float64(got), 0.2*mid+1, "wait %d", n)
	}
	tests := []struct {
		name   string
		fault  vendortest.Fault
		source func(t *testing.T, r *e2eWooRig) poller.Source // nil: the default
		// fails: the faulty cycle fails (else the source's retries cure it).
		fails bool
		// page2 is how often page 2 is asked in the faulty cycle.
		page2 int
		waits func(t *testing.T, waits []time.Duration)
	}{
		{
			name:  "500 on page 2 beyond the retry budget",
			fault: vendortest.Fault{Resource: "customers", Page: 2, Status: http.StatusInternalServerError, Times: -1},
			fails: true,
			page2: poller.DefaultRetryPolicy.Tries,
			waits: func(t *testing.T, waits []time.Duration) {
				require.Len(t, waits, poller.DefaultRetryPolicy.Tries-1)
				for i, w := range waits {
					backoff(t, i+1, w)
				}
			},
		},
		{
			name:  "500 on page 2 with Tries: 1",
			fault: vendortest.Fault{Resource: "customers", Page: 2, Status: http.StatusInternalServerError, Times: 1},
			source: func(t *testing.T, r *e2eWooRig) poller.Source {
				src, err := poller.NewHTTPSource(poller.HTTPConfig{Instance: r.inst, Clock: r.clock, Retry: poller.RetryPolicy{Tries: 1},
					Guard: allowServers(t, netguard.Guard{}, r.store.URL())})
				require.NoError(t, err)
				return src
			},
			fails: true,
			page2: 1,
			waits: func(t *testing.T, waits []time.Duration) { require.Empty(t, waits) },
		},
		{
			name:  "500 on page 2 once, retried after a backoff",
			fault: vendortest.Fault{Resource: "customers", Page: 2, Status: http.StatusInternalServerError, Times: 1},
			page2: 2,
			waits: func(t *testing.T, waits []time.Duration) {
				require.Len(t, waits, 1)
				backoff(t, 1, waits[0])
			},
		},
		{
			name:  "429 with Retry-After: 30 on page 2 once",
			fault: vendortest.Fault{Resource: "customers", Page: 2, Status: http.StatusTooManyRequests, RetryAfter: "30", Times: 1},
			page2: 2,
			waits: func(t *testing.T, waits []time.Duration) {
				require.Equal(t, []time.Duration{30 * time.Second}, waits, "Retry-After is honoured exactly")
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newE2EWooRig(t, e2eWooCustomers, nil)
			if tt.source != nil {
				r.p = r.newPoller(t, func(c *poller.Config) { c.Source = tt.source(t, r) })
			}
			r.seedCustomers(5)
			require.Empty(t, r.pollOK(t))
			before := r.load(t, "customers")

			r.deleteCustomer(1) // 2..5 and 6: still 3 pages
			r.putCustomer(6, "new@example.com", r.now().Add(time.Minute), r.now().Add(time.Minute))
			r.touchCustomer(3, "three@example.com", r.now().Add(2*time.Minute))
			r.store.Inject(tt.fault)
			want := e2eJoin(e2eWant(events.Created, "6"), e2eWant(events.Updated, "3"), e2eWant(events.Deleted, "1"))

			c := r.poll(t)
			tt.waits(t, c.waits)
			var page2 []vendortest.Request
			for _, rq := range c.requests {
				if rq.Query.Get("page") == "2" {
					page2 = append(page2, rq)
				}
			}
			require.Len(t, page2, tt.page2)
			for i := 1; i < len(page2); i++ {
				require.Equal(t, c.waits[i-1], page2[i].At.Sub(page2[i-1].At), "retry %d came after the wait, on the fake clock", i)
			}
			if !tt.fails {
				require.NoError(t, c.res.Err)
				r.check(t, c)
				require.Equal(t, want, e2eSummary(c.batches))
				require.True(t, c.res.Snapshot)
				require.Empty(t, r.pollOK(t))
				return
			}

			require.ErrorIs(t, c.res.Err, poller.ErrVendor)
			require.ErrorContains(t, c.res.Err, fmt.Sprintf("status %d", tt.fault.Status))
			require.NotContains(t, c.res.Err.Error(), e2eWooSecret)
			require.Empty(t, c.batches, "no event from a failed cycle: no DELETED from an incomplete snapshot")
			require.False(t, c.res.Snapshot)
			require.Equal(t, before, r.load(t, "customers"), "a failed cycle leaves the state as it was")
			require.Len(t, c.requests, 1+tt.page2, "page 3 is not asked once page 2 failed")

			r.store.TakeFaults()
			c = r.poll(t)
			require.NoError(t, c.res.Err)
			require.Empty(t, c.waits)
			r.check(t, c)
			require.Equal(t, want, e2eSummary(c.batches), "the next good cycle reports what happened")
			require.True(t, c.res.Snapshot)
			require.Empty(t, r.pollOK(t))
		})
	}
}

// The poller waits exactly as long as Retry-After says, on the injected
// clock: not a nanosecond less, and retries at once when it is over.
func TestE2EWooRetryAfterWaitsOnFakeClock(t *testing.T) {
	t.Parallel()
	r := newE2EWooRig(t, e2eWooCustomers, nil)
	r.seedCustomers(5)
	require.Empty(t, r.pollOK(t))
	r.deleteCustomer(5)
	r.store.Inject(vendortest.Fault{Resource: "customers", Page: 2, Status: http.StatusTooManyRequests, RetryAfter: "30", Times: 1})

	r.clock.Advance(e2eRefresh)
	start := r.clock.Now()
	from := r.store.Log().Len()
	done := make(chan []poller.Result, 1)
	go func() { done <- r.p.Poll(t.Context()) }()

	var wait time.Duration
	select {
	case wait = <-r.clock.waits:
	case <-time.After(30 * time.Second):
		t.Fatal("the source did not wait after the 429")
	}
	require.Equal(t, 30*time.Second, wait)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	require.NoError(t, r.clock.BlockUntilContext(ctx, 1), "the source waits on the injected clock")
	reqs := r.store.Log().Since(from)
	require.Len(t, reqs, 2)
	require.Equal(t, http.StatusTooManyRequests, reqs[1].Status)
	require.Equal(t, start, reqs[1].At)

	r.clock.Advance(wait - time.Nanosecond)
	select {
	case <-done:
		t.Fatal("Poll returned before Retry-After was over")
	default:
	}
	require.Equal(t, from+2, r.store.Log().Len(), "no retry before Retry-After is over")

	r.clock.Advance(time.Nanosecond)
	var res []poller.Result
	select {
	case res = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Poll did not return after the wait")
	}
	require.NoError(t, res[0].Err)
	reqs = r.store.Log().Since(from)
	require.Len(t, reqs, 3)
	require.Equal(t, "2", reqs[2].Query.Get("page"))
	require.Equal(t, http.StatusOK, reqs[2].Status)
	require.Equal(t, start.Add(30*time.Second), reqs[2].At, "retried exactly 30s later on the fake clock")
	require.Equal(t, e2eWant(events.Deleted, "5"), e2eSummary(r.sink.Take()))
	require.Empty(t, r.clock.waits)
}

// 401: the resource stops without retrying and the host is told; after the
// credentials work again and Resume, the next cycle reports what happened.
func TestE2EWooUnauthorized(t *testing.T) {
	t.Parallel()
	r := newE2EWooRig(t, e2eWooCustomers, nil)
	r.seedCustomers(3)
	require.Empty(t, r.pollOK(t))
	before := r.load(t, "customers")

	r.store.SetCredentials("ck_revoked", e2eWooSecret)
	r.putCustomer(4, "new@example.com", r.now().Add(time.Minute), r.now().Add(time.Minute))
	c := r.poll(t)
	require.ErrorIs(t, c.res.Err, poller.ErrUnauthorized)
	require.NotContains(t, c.res.Err.Error(), e2eWooSecret)
	require.Len(t, c.requests, 1, "a 401 is not retried")
	require.Equal(t, http.StatusUnauthorized, c.requests[0].Status)
	require.Empty(t, c.waits)
	require.Empty(t, c.batches)
	r.authMu.Lock()
	require.Equal(t, []string{"customers"}, r.authErrors)
	r.authMu.Unlock()
	require.Equal(t, before, r.load(t, "customers"))

	c = r.poll(t)
	require.ErrorIs(t, c.res.Err, poller.ErrUnauthorized)
	require.Empty(t, c.requests, "a stopped resource is not polled")

	r.store.SetCredentials(e2eWooKey, e2eWooSecret)
	r.p.Resume("customers")
	require.Equal(t, e2eWant(events.Created, "4"), r.pollOK(t))
}

// A new Poller on the saved state (a host restart) repeats nothing and
// reports later changes once.
func TestE2EWooRestartWithSavedState(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		resources string
		resource  string
		seed      func(r *e2eWooRig)
		change    func(r *e2eWooRig, at time.Time)
		want      []string
		later     func(r *e2eWooRig, at time.Time)
		wantLater []string
	}{
		{
			name: "customers", resources: e2eWooCustomers, resource: "customers",
			seed: func(r *e2eWooRig) { r.seedCustomers(3) },
			change: func(r *e2eWooRig, at time.Time) {
				r.putCustomer(4, "new@example.com", at.Add(time.Minute), at.Add(time.Minute))
				r.deleteCustomer(1)
			},
			want: e2eJoin(e2eWant(events.Created, "4"), e2eWant(events.Deleted, "1")),
			later: func(r *e2eWooRig, at time.Time) {
				r.touchCustomer(4, "four@example.com", at.Add(time.Minute))
			},
			wantLater: e2eWant(events.Updated, "4"),
		},
		{
			// The restarted poller's first window overlaps the last one
			// by the lookback: order 2, changed just before, is served
			// again and must not be reported again.
			name: "orders", resources: e2eWooOrdersDefault, resource: "orders",
			seed: func(r *e2eWooRig) { r.putOrder(1, "processing", e2eT0.Add(-time.Hour), e2eT0.Add(-time.Hour)) },
			change: func(r *e2eWooRig, at time.Time) {
				r.putOrder(2, "pending", at.Add(14*time.Minute+30*time.Second), at.Add(14*time.Minute+30*time.Second))
			},
			want: e2eWant(events.Created, "2"),
			later: func(r *e2eWooRig, at time.Time) {
				r.putOrder(1, "completed", e2eT0.Add(-time.Hour), at.Add(time.Minute))
			},
			wantLater: e2eWant(events.Updated, "1"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newE2EWooRig(t, tt.resources, nil)
			tt.seed(r)
			require.Empty(t, r.pollOK(t))
			tt.change(r, r.now())
			require.Equal(t, tt.want, r.pollOK(t))
			saved := r.load(t, tt.resource)

			r.p = r.newPoller(t, nil) // the host restarts
			require.Equal(t, []string{tt.resource}, r.p.Resources())
			c := r.poll(t)
			require.NoError(t, c.res.Err)
			require.Empty(t, c.batches, "a restart on saved state repeats nothing")
			require.EqualValues(t, saved.Cycles+1, r.load(t, tt.resource).Cycles, "the restarted poller went on from the saved state")

			tt.later(r, r.now())
			require.Equal(t, tt.wantLater, r.pollOK(t))
			require.Empty(t, r.pollOK(t))
		})
	}
}

// ---------------------------------------------------------------------------
// Orders: the definition's default resource, filtered by modified_after.

func TestE2EWooOrdersModifiedAfter(t *testing.T) {
	t.Parallel()
	r := newE2EWooRig(t, e2eWooOrdersDefault, nil)
	require.Equal(t, []string{"orders"}, r.p.Resources(), "event.objects picks the definition's orders resource")
	old := e2eT0.Add(-72 * time.Hour)
	r.putOrder(1, "processing", old, e2eT0.Add(-time.Hour))
	r.putOrder(4, "completed", old, old)
	// Changed 30 s before the baseline's Date: inside the next window's
	// lookback, so served again by the next cycle.
	r.putOrder(2, "on-hold", e2eT0.Add(-time.Hour), e2eT0.Add(e2eRefresh-30*time.Second))

	// wantQuery checks a cycle's requests: one page, the definition's
	// parameters, and modified_after as given.
	wantQuery := func(t *testing.T, c e2eWooCycle, modifiedAfter string) {
		t.Helper()
		require.Len(t, c.requests, 1)
		q := c.requests[0].Query
		require.Equal(t, vendortest.WooAPIPath+"/orders", c.requests[0].Path)
		require.Equal(t, url.Values{
			"orderby": {"modified"}, "order": {"asc"}, "dates_are_gmt": {"true"}, "modified_after": {modifiedAfter},
			"page": {"1"}, "per_page": {"100"},
		}, q)
	}
	// everything: a snapshot's modified_after asks for every order.
	everything := func(t *testing.T, c e2eWooCycle) {
		t.Helper()
		require.Len(t, c.requests, 1)
		after, err := time.Parse(vendortest.WooDateLayout, c.requests[0].Query.Get("modified_after"))
		require.NoError(t, err)
		require.True(t, after.Before(old), "a snapshot asks for every order, not since %s", after)
		require.Equal(t, "true", c.requests[0].Query.Get("dates_are_gmt"))
	}

	// Cycle 1 (12:15): the baseline is a snapshot of every order.
	c := r.poll(t)
	require.NoError(t, c.res.Err)
	require.Empty(t, c.batches)
	everything(t, c)
	require.Equal(t, 3, c.res.Records)
	wm1 := c.pollDate(t)

	// Cycle 2 (12:30): only orders modified after the watermark less the
	// 60 s lookback, in GMT.
	at := r.now()
	r.putOrder(3, "pending", at.Add(5*time.Minute), at.Add(5*time.Minute)) // created
	r.putOrder(1, "completed", old, at.Add(10*time.Minute))                // updated
	c = r.poll(t)
	require.NoError(t, c.res.Err)
	wantQuery(t, c, wm1.Add(-poller.DefaultLookback).UTC().Format(vendortest.WooDateLayout))
	require.Equal(t, "2026-11-24T12:14:00", c.requests[0].Query.Get("modified_after"))
	require.Equal(t, 3, c.res.Records, "orders 2 (lookback), 3 and 1; not 4")
	require.False(t, c.res.Snapshot)
	r.check(t, c)
	require.Equal(t, e2eJoin(e2eWant(events.Created, "3"), e2eWant(events.Updated, "1")), e2eSummary(c.batches))
	wm2 := c.pollDate(t)

	// Cycle 3 (12:45): an order the store committed late, dated 30 s
	// before the last poll, is still seen thanks to the lookback; order 4
	// is deleted, which a filtered cycle cannot see.
	r.putOrder(5, "pending", wm2.Add(-30*time.Second), wm2.Add(-30*time.Second))
	r.deleteOrder(4)
	c = r.poll(t)
	require.NoError(t, c.res.Err)
	wantQuery(t, c, "2026-11-24T12:29:00")
	r.check(t, c)
	require.Equal(t, e2eWant(events.Created, "5"), e2eSummary(c.batches))

	// Cycle 4 (13:00): every SnapshotEvery-th cycle is a full snapshot,
	// from which the deletion is derived.
	c = r.poll(t)
	require.NoError(t, c.res.Err)
	everything(t, c)
	require.True(t, c.res.Snapshot)
	r.check(t, c)
	require.Equal(t, e2eWant(events.Deleted, "4"), e2eSummary(c.batches))

	// Cycle 5: back to the window; nothing new.
	c = r.poll(t)
	require.NoError(t, c.res.Err)
	wantQuery(t, c, c.requests[0].At.Add(-e2eRefresh-poller.DefaultLookback).UTC().Format(vendortest.WooDateLayout))
	require.Empty(t, c.batches)
}

// Orders changed in the same second, split across a page boundary, are
// each reported once; the lookback serves them again next cycle, and they
// are not repeated.
func TestE2EWooOrdersSameTimestampAcrossPages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		orders int // changed in the same second, two a page
		pages  int
	}{
		{"three orders, the third on page 2", 3, 2},
		{"five orders over three pages", 5, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newE2EWooRig(t, e2eWooOrdersPaged, nil)
			old := e2eT0.Add(-time.Hour)
			r.putOrder(100, "completed", old, old)
			require.Empty(t, r.pollOK(t))

			// Changed 20 s before the next poll: the one after it serves
			// them again (its window starts 60 s before this poll).
			same := r.now().Add(e2eRefresh - 20*time.Second)
			for id := 1; id <= tt.orders; id++ {
				r.putOrder(id, "processing", same, same)
			}
			c := r.poll(t)
			require.NoError(t, c.res.Err)
			require.Len(t, c.requests, tt.pages)
			for i, rq := range c.requests {
				require.Equal(t, strconv.Itoa(i+1), rq.Query.Get("page"))
				require.Equal(t, "2", rq.Query.Get("per_page"))
			}
			r.check(t, c)
			require.Equal(t, e2eWant(events.Created, e2eIDs(1, tt.orders)...), e2eSummary(c.batches))

			c = r.poll(t)
			require.NoError(t, c.res.Err)
			require.Equal(t, tt.orders, c.res.Records, "the lookback serves them again")
			require.Empty(t, c.batches, "and they are not reported again")
		})
	}
}
