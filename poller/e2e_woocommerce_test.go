package poller_test

// End-to-end tests of the Poller against vendortest's fake WooCommerce
// store: the instance is parsed from JSON as a host receives it, the
// Poller builds its default HTTPSource from the woocommercerest definition,
// and every wait (refresh interval, backoff, Retry-After) runs on a fake
// clock that the test advances.

import (
	"cmp"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/events/eventstest"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/poller"
	"github.com/a12b7632/elementevents/vendortest"
)

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
	state poller.State
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
	requests []vendortest.LoggedRequest
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
	st, err := r.state.Load(t.Context(), poller.StateKey{Instance: e2eWooInstanceID, Resource: resource})
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
