package poller_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/poller"
	"github.com/a12b7632/elementevents/vendorauth"
)

// resync runs Poller.Resync of resource on the rig's fake clock.
func (r *e2eWooRig) resync(t *testing.T, resource string, mode poller.ResyncMode) e2eWooCycle {
	t.Helper()
	from := r.store.Log().Len()
	res, waits := r.clock.driveFunc(t, func(ctx context.Context) []poller.Result { return r.p.Resync(ctx, resource, mode) })
	require.Len(t, res, 1)
	require.Equal(t, resource, res[0].Resource)
	return e2eWooCycle{res: res[0], waits: waits, requests: r.store.Log().Since(from), batches: r.sink.Take()}
}

// remembered returns the ids state remembers, sorted.
func remembered(st *poller.ResourceState) []string {
	var out []string
	for id := range st.Records.All() {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// A baseline resync reports nothing, remembers exactly what it lists (a
// delete it never saw, a pending missing count, changes before it), and
// moves the window as a cycle does: the next cycle reports only what
// changed after it.
func TestResyncBaseline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// single is Config.SingleSnapshotDeletes.
		single bool
		// pollFirst polls once after the changes, before the resync.
		pollFirst   bool
		wantMissing int // missing counts before the resync
	}{
		{name: "single snapshot deletes", single: true},
		{name: "a delete awaiting its second snapshot", pollFirst: true, wantMissing: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newE2EWooRig(t, e2eWooCustomers, func(c *poller.Config) { c.SingleSnapshotDeletes = tt.single })
			r.seedCustomers(5)
			require.Empty(t, r.pollOK(t))

			r.touchCustomer(2, "two@example.com", r.now())
			r.putCustomer(6, "six@example.com", r.now(), r.now())
			r.deleteCustomer(4)
			if tt.pollFirst {
				r.sink.Take()
				r.poll(t)
				r.sink.Take()
			}
			before := r.load(t, "customers")
			require.Len(t, before.Missing, tt.wantMissing)

			r.clock.Advance(time.Minute)
			c := r.resync(t, "customers", poller.ResyncBaseline)
			require.NoError(t, c.res.Err)
			require.Empty(t, c.batches, "a baseline reports nothing")
			require.Empty(t, c.res.Events)
			require.Equal(t, 3, c.res.Pages)

			after := r.load(t, "customers")
			require.Equal(t, []string{"1", "2", "3", "5", "6"}, remembered(after))
			require.Empty(t, after.Missing)
			require.Equal(t, before.Cycles+1, after.Cycles)
			require.True(t, after.Watermark.Equal(c.pollDate(t)), "watermark %v, want the resync's %v", after.Watermark, c.pollDate(t))

			r.touchCustomer(3, "three@example.com", r.now())
			require.Equal(t, e2eWant(events.Updated, "3"), r.pollOK(t), "only what changed after the baseline")
		})
	}
}

// A full resync reports every record once, by its dates, whatever was
// remembered, remembers them all, and moves the window: the next cycle
// reports nothing. Customers 1-4 were updated a day after their creation,
// 5 was never updated, 7 has no modified date.
func TestResyncFull(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		baseline bool // a cycle ran before: the records are remembered
	}{
		{name: "after a baseline", baseline: true},
		{name: "with nothing remembered"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newE2EWooRig(t, e2eWooCustomers, nil)
			r.seedCustomers(4)
			r.putCustomer(5, "five@example.com", e2eT0.Add(-time.Hour), e2eT0.Add(-time.Hour))
			r.putCustomer(7, "seven@example.com", e2eT0.Add(-time.Hour), time.Time{})
			if tt.baseline {
				require.Empty(t, r.pollOK(t))
			}
			before := r.load(t, "customers")

			r.clock.Advance(time.Minute)
			c := r.resync(t, "customers", poller.ResyncFull)
			require.NoError(t, c.res.Err)
			r.check(t, c)
			want := e2eJoin(e2eWant(events.Updated, "1", "2", "3", "4"), e2eWant(events.Created, "5", "7"))
			require.Equal(t, want, e2eSummary(c.batches), "every record once")
			require.Equal(t, map[events.Type]int{events.Updated: 4, events.Created: 2}, c.res.Events)

			after := r.load(t, "customers")
			require.Equal(t, []string{"1", "2", "3", "4", "5", "7"}, remembered(after))
			require.Equal(t, before.Cycles+1, after.Cycles)
			require.True(t, after.Watermark.Equal(c.pollDate(t)))
			require.Empty(t, r.pollOK(t), "nothing changed since the resync")

			// Each resync reports them all again, and a later change with them.
			r.touchCustomer(3, "three@example.com", r.now())
			r.clock.Advance(time.Minute)
			c = r.resync(t, "customers", poller.ResyncFull)
			require.NoError(t, c.res.Err)
			require.Equal(t, want, e2eSummary(c.batches))
		})
	}
}

// A resync lists the whole resource even when its URL asks the vendor
// only for what changed since the window's start, and a full one deletes
// what the list lacks as any complete snapshot does.
func TestResyncListsAWholeDateFilteredResource(t *testing.T) {
	t.Parallel()
	r := newE2EWooRig(t, e2eWooOrdersDefault, nil)
	old := e2eT0.Add(-72 * time.Hour)
	r.putOrder(1, "processing", old, e2eT0.Add(-time.Hour))
	r.putOrder(4, "completed", old, old)
	r.putOrder(5, "completed", old, old)
	require.Empty(t, r.pollOK(t))
	r.deleteOrder(5)
	require.Empty(t, r.pollOK(t), "a windowed cycle lists nothing old, and sees no delete")

	r.clock.Advance(time.Minute)
	c := r.resync(t, "orders", poller.ResyncFull)
	require.NoError(t, c.res.Err)
	require.Len(t, c.requests, 1)
	after, err := time.Parse("2006-01-02T15:04:05", c.requests[0].Query.Get("modified_after"))
	require.NoError(t, err)
	require.True(t, after.Before(old), "modified_after %v asks for part of the list", after)
	require.Equal(t, e2eJoin(e2eWant(events.Updated, "1"), e2eWant(events.Created, "4"), e2eWant(events.Deleted, "5")), e2eSummary(c.batches),
		"a complete snapshot, with its deletes")
	require.True(t, c.res.Snapshot)
}

// Resync of every resource, of an unknown one, or in an unknown mode.
func TestResyncResources(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		resource   string
		mode       poller.ResyncMode
		wantErr    error
		wantInErr  string
		wantResult []string
	}{
		{name: "every resource", wantResult: []string{"customers", "orders"}},
		{name: "one", resource: "orders", wantResult: []string{"orders"}},
		{name: "unknown resource", resource: "invoices", wantErr: poller.ErrConfig, wantInErr: `"invoices"`, wantResult: []string{"invoices"}},
		{name: "unknown mode", resource: "orders", mode: 7, wantErr: poller.ErrConfig, wantInErr: "ResyncMode(7)", wantResult: []string{"orders"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newE2EWooRig(t, e2eWooCustomers[:len(e2eWooCustomers)-1]+`, "orders": {"url": "/hubs/ecommerce/orders", "idField": "id"}}`, nil)
			r.seedCustomers(2)
			r.clock.Advance(time.Minute)
			res, _ := r.clock.driveFunc(t, func(ctx context.Context) []poller.Result { return r.p.Resync(ctx, tt.resource, tt.mode) })
			var names []string
			for _, rs := range res {
				names = append(names, rs.Resource)
				if tt.wantErr != nil {
					require.ErrorIs(t, rs.Err, tt.wantErr)
					require.ErrorContains(t, rs.Err, tt.wantInErr)
					continue
				}
				require.NoError(t, rs.Err)
				st := r.load(t, rs.Resource)
				require.Equal(t, int64(1), st.Cycles, "%s resynced", rs.Resource)
			}
			require.Equal(t, tt.wantResult, names)
			if tt.wantErr != nil {
				require.Zero(t, r.store.Log().Len(), "nothing fetched")
			}
		})
	}
}

// A resource stopped by a refused credential is not resynced until
// Resume.
func TestResyncStoppedResource(t *testing.T) {
	t.Parallel()
	r := newRig(t, customersResource, nil)
	r.store.put(1, "one@example.com", t0.Add(-time.Hour), t0.Add(-time.Hour))
	r.store.authErr = true
	require.ErrorIs(t, r.poll(t).Err, poller.ErrUnauthorized)
	r.store.authErr = false
	fetches := r.store.fetches

	res := r.p.Resync(t.Context(), "customers", poller.ResyncFull)
	require.Len(t, res, 1)
	require.ErrorIs(t, res[0].Err, poller.ErrUnauthorized)
	require.Equal(t, fetches, r.store.fetches, "a stopped resource is not fetched")

	r.p.Resume("customers")
	res = r.p.Resync(t.Context(), "customers", poller.ResyncFull)
	require.NoError(t, res[0].Err)
	require.Equal(t, []string{"CREATED 1"}, r.sink.take())
}

// Without usable dates, a full resync reports a remembered record
// UPDATED and a new one CREATED.
func TestResyncFullWithoutDates(t *testing.T) {
	t.Parallel()
	r := newRig(t, `{"url": "/hubs/ecommerce/customers", "idField": "id"}`, nil)
	r.store.put(1, "one@example.com", t0, t0)
	r.store.put(2, "two@example.com", t0, t0)
	require.NoError(t, r.poll(t).Err)
	require.Empty(t, r.sink.take(), "baseline")
	r.store.put(3, "three@example.com", t0, t0)

	res := r.p.Resync(t.Context(), "customers", poller.ResyncFull)
	require.NoError(t, res[0].Err)
	require.Equal(t, []string{"CREATED 3", "UPDATED 1", "UPDATED 2"}, r.sink.take())
}

// blockingSource holds the first Fetch until release is closed, and
// records the most fetches in flight at once.
type blockingSource struct {
	poller.Source
	entered  chan struct{}
	release  chan struct{}
	once     sync.Once
	inFlight atomic.Int32
	most     atomic.Int32
}

func (s *blockingSource) Fetch(ctx context.Context, req poller.Request) (*poller.Page, error) {
	n := s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	for {
		m := s.most.Load()
		if n <= m || s.most.CompareAndSwap(m, n) {
			break
		}
	}
	first := false
	s.once.Do(func() { first = true })
	if first {
		close(s.entered)
		<-s.release
	}
	return s.Source.Fetch(ctx, req)
}

// A resync waits for the resource's running cycle and never overlaps it.
func TestResyncWaitsForTheRunningCycle(t *testing.T) {
	t.Parallel()
	r := newRig(t, customersResource, nil)
	src := &blockingSource{Source: r.store, entered: make(chan struct{}), release: make(chan struct{})}
	p := r.poller(t, customersResource, func(c *poller.Config) { c.Source = src })
	r.store.put(1, "one@example.com", t0.Add(-time.Hour), t0.Add(-time.Hour))

	polled := make(chan []poller.Result, 1)
	go func() { polled <- p.Poll(t.Context()) }()
	<-src.entered
	var resynced atomic.Bool
	done := make(chan []poller.Result, 1)
	go func() {
		res := p.Resync(t.Context(), "customers", poller.ResyncFull)
		resynced.Store(true)
		done <- res
	}()
	// Real time: a resync that did not wait would fetch and return now.
	time.Sleep(50 * time.Millisecond)
	require.False(t, resynced.Load(), "the resync ran during the cycle")
	close(src.release)
	require.NoError(t, (<-polled)[0].Err)
	require.NoError(t, (<-done)[0].Err)
	require.Equal(t, int32(1), src.most.Load(), "fetches overlapped")
	require.Equal(t, []string{"CREATED 1"}, r.sink.take(), "the cycle's baseline, then the resync's report")
}

// refusingSource answers every Fetch with a refused authorisation while
// refuse is set, and counts the fetches.
type refusingSource struct {
	poller.Source
	refuse  atomic.Bool
	fetches atomic.Int32
}

func (s *refusingSource) Fetch(ctx context.Context, req poller.Request) (*poller.Page, error) {
	s.fetches.Add(1)
	if s.refuse.Load() {
		return nil, fmt.Errorf("token refresh: %w", vendorauth.ErrReauthorize)
	}
	return s.Source.Fetch(ctx, req)
}

// A refused authorisation stops Resync as it stops Poll, and one that a
// Resync meets stops the instance's cycles too.
func TestResyncRefusedAuthorisation(t *testing.T) {
	t.Parallel()
	resync := func(p *poller.Poller) []poller.Result {
		return p.Resync(context.Background(), "", poller.ResyncFull)
	}
	poll := func(p *poller.Poller) []poller.Result { return p.Poll(context.Background()) }
	tests := []struct {
		name         string
		first, later func(*poller.Poller) []poller.Result
	}{
		{name: "a cycle refused, then a resync", first: poll, later: resync},
		{name: "a resync refused, then a cycle", first: resync, later: poll},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, customersResource, nil)
			r.store.put(1, "one@example.com", t0.Add(-time.Hour), t0.Add(-time.Hour))
			src := &refusingSource{Source: r.store}
			var reauth atomic.Int32
			p := r.poller(t, customersResource, func(c *poller.Config) {
				c.Source = src
				c.OnReauthorize = func(error) { reauth.Add(1) }
			})
			src.refuse.Store(true)
			res := tt.first(p)
			require.ErrorIs(t, res[0].Err, vendorauth.ErrReauthorize)
			require.EqualValues(t, 1, reauth.Load(), "the refusal stops the instance")

			src.refuse.Store(false)
			fetches := src.fetches.Load()
			res = tt.later(p)
			require.Len(t, res, 1)
			require.ErrorIs(t, res[0].Err, vendorauth.ErrReauthorize)
			require.ErrorContains(t, res[0].Err, "stopped until re-authorised")
			require.Equal(t, fetches, src.fetches.Load(), "nothing fetched while refused")
		})
	}
}
