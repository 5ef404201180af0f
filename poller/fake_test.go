package poller_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/events/eventstest"
	"github.com/a12b7632/elementevents/poller"
	"github.com/a12b7632/elementevents/vendortest"
)

var t0 = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// store is a fake vendor resource: records by id, served in id order in
// pages, like WooCommerce's customers list.
type store struct {
	mu       sync.Mutex
	records  map[int]customer
	pageSize int
	// failPage, when > 0, makes that page (1-based) fail once.
	failPage int
	// total, when set, overrides the total the vendor announces.
	total   *int
	fetches int
	clock   clockwork.Clock
	authErr bool
}

type customer struct {
	ID       int    `json:"id"`
	Created  string `json:"date_created_gmt"`
	Modified string `json:"date_modified_gmt"`
	Email    string `json:"email"`
}

func newStore(clock clockwork.Clock) *store {
	return &store{records: map[int]customer{}, pageSize: 3, clock: clock}
}

func (s *store) put(id int, email string, created, modified time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.records[id] = customer{ID: id, Created: created.Format(vendortest.WooDateLayout), Modified: modified.Format(vendortest.WooDateLayout), Email: email}
}

func (s *store) remove(id int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.records, id)
}

// Fetch serves the records updated after req.Since, in pages.
func (s *store) Fetch(_ context.Context, req poller.Request) (*poller.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fetches++
	if s.authErr {
		return nil, fmt.Errorf("%w: 401", poller.ErrUnauthorized)
	}
	page := 1
	if req.Token != "" {
		page, _ = strconv.Atoi(req.Token)
	}
	if page == s.failPage {
		s.failPage = 0
		return nil, fmt.Errorf("%w: 503 on page %d", poller.ErrVendor, page)
	}
	var ids []int
	for id, c := range s.records {
		m, _ := time.Parse(vendortest.WooDateLayout, c.Modified)
		if req.Since.IsZero() || m.After(req.Since) {
			ids = append(ids, id)
		}
	}
	sort.Ints(ids)
	total := len(ids)
	if s.total != nil {
		total = *s.total
	}
	lo := min((page-1)*s.pageSize, len(ids))
	hi := min(lo+s.pageSize, len(ids))
	p := &poller.Page{Total: total, TotalPages: (len(ids) + s.pageSize - 1) / s.pageSize, Date: s.clock.Now()}
	for _, id := range ids[lo:hi] {
		raw, _ := json.Marshal(s.records[id])
		p.Records = append(p.Records, raw)
	}
	if hi < len(ids) {
		p.Next = strconv.Itoa(page + 1)
	}
	return p, nil
}

// sink is the rig's eventstest.Recorder (set Err to make it fail), read
// as the events published since the last take.
type sink struct{ eventstest.Recorder }

// take returns "TYPE id" for every event published since the last take,
// sorted.
func (s *sink) take() []string { return e2eSummary(s.Take()) }

// all returns the events published since the last take.
func (s *sink) all() []events.Event { return s.Events() }

func instance(t testing.TB, resource string) *element.Instance {
	t.Helper()
	inst, err := element.Parse([]byte(`{"id": "inst-1", "name": "shop", "element": {"key": "woocommercerest"},
	  "configuration": {
	    "store.url": "https://shop.example.com", "oauth.api.key": "ck", "oauth.api.secret": "cs",
	    "event.notification.enabled": true, "event.vendor.type": "polling",
	    "event.notification.callback.url": "https://app.example.com/cb",
	    "event.poller.refresh_interval": 15,
	    "event.poller.configuration": {"customers": ` + resource + `}}}`))
	require.NoError(t, err)
	require.NoError(t, inst.Validate())
	return inst
}

const customersResource = `{"url": "/hubs/ecommerce/customers", "idField": "id",
	"datesConfiguration": {"updatedDateField": "date_modified_gmt", "updatedDateFormat": "yyyy-MM-dd'T'HH:mm:ss", "updatedDateTimezone": "GMT",
	  "createdDateField": "date_created_gmt", "createdDateFormat": "yyyy-MM-dd'T'HH:mm:ss", "createdDateTimezone": "GMT"}}`

type rig struct {
	clock *clockwork.FakeClock
	store *store
	sink  *sink
	state poller.State
	p     *poller.Poller
}

func newRig(t testing.TB, resource string, mod func(*poller.Config)) *rig {
	t.Helper()
	clock := clockwork.NewFakeClockAt(t0)
	r := &rig{clock: clock, store: newStore(clock), sink: &sink{}, state: poller.NewMemoryState()}
	r.p = r.poller(t, resource, mod)
	return r
}

func (r *rig) poller(t testing.TB, resource string, mod func(*poller.Config)) *poller.Poller {
	t.Helper()
	cfg := poller.Config{Instance: instance(t, resource), Source: r.store, Sink: r.sink, State: r.state, Clock: r.clock}
	if mod != nil {
		mod(&cfg)
	}
	p, err := poller.New(cfg)
	require.NoError(t, err)
	return p
}

// poll advances the clock by a refresh interval and runs one cycle.
func (r *rig) poll(t testing.TB) poller.Result {
	t.Helper()
	r.clock.Advance(15 * time.Minute)
	res := r.p.Poll(context.Background())
	require.Len(t, res, 1)
	return res[0]
}
