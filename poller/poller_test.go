package poller_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/poller"
	"github.com/a12b7632/elementevents/vendortest"
)

const filteredResource = `{"url": "/hubs/ecommerce/orders?modified_after=${gmtDate:yyyy-MM-dd'T'HH:mm:ss}", "idField": "id",
	"datesConfiguration": {"updatedDateField": "date_modified_gmt", "updatedDateFormat": "yyyy-MM-dd'T'HH:mm:ss", "updatedDateTimezone": "GMT",
	  "createdDateField": "date_created_gmt", "createdDateFormat": "yyyy-MM-dd'T'HH:mm:ss", "createdDateTimezone": "GMT"}}`

func TestPollLifecycle(t *testing.T) {
	t.Parallel()
	r := newRig(t, customersResource, nil)
	for id := 1; id <= 5; id++ {
		r.store.put(id, "old@example.com", t0.Add(-time.Hour), t0.Add(-time.Hour))
	}

	res := r.poll(t)
	require.NoError(t, res.Err)
	require.Empty(t, r.sink.take(), "the first cycle takes a baseline silently")
	require.Equal(t, 2, res.Pages)
	require.Equal(t, 5, res.Records)

	now := r.clock.Now()
	r.store.put(6, "new@example.com", now, now)                                  // created
	r.store.put(2, "changed@example.com", t0.Add(-time.Hour), now)               // updated
	r.store.put(3, "silent@example.com", t0.Add(-time.Hour), t0.Add(-time.Hour)) // changed without a date bump
	r.store.remove(4)                                                            // deleted
	res = r.poll(t)
	require.NoError(t, res.Err)
	require.True(t, res.Snapshot)
	require.Equal(t, []string{"CREATED 6", "UPDATED 2", "UPDATED 3"}, r.sink.take())
	require.Equal(t, map[events.Type]int{events.Created: 1, events.Updated: 2}, res.Events)

	res = r.poll(t)
	require.NoError(t, res.Err)
	require.Equal(t, []string{"DELETED 4"}, r.sink.take(), "missing from a second snapshot in a row")
	require.Equal(t, map[events.Type]int{events.Deleted: 1}, res.Events)

	res = r.poll(t)
	require.NoError(t, res.Err)
	require.Empty(t, r.sink.take(), "nothing is reported twice")
}

func TestPollEventFields(t *testing.T) {
	t.Parallel()
	r := newRig(t, customersResource, nil)
	r.poll(t)
	now := r.clock.Now().Truncate(time.Second)
	r.store.put(9, "a@example.com", now, now)
	r.poll(t)
	evs := r.sink.all()
	require.Len(t, evs, 1)
	e := evs[0]
	require.Equal(t, events.Created, e.Type)
	require.Equal(t, "customers", e.ObjectType)
	require.Equal(t, "9", e.ObjectID)
	require.Equal(t, "woocommercerest", e.ElementKey)
	require.Equal(t, "ecommerce", e.HubKey)
	require.True(t, e.Date.Equal(now))
	require.True(t, e.PollDate.Equal(r.clock.Now()), "the vendor's Date")
	require.JSONEq(t, `{"id":9,"date_created_gmt":"`+now.Format(vendortest.WooDateLayout)+`","date_modified_gmt":"`+now.Format(vendortest.WooDateLayout)+`","email":"a@example.com"}`, string(e.Raw))
	require.Equal(t, events.NewID("inst-1", "customers", "9", events.Created, now), e.ID, "deterministic id")
}

func TestPollIncompleteSnapshotNeverDeletes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		break_ func(*rig)
	}{
		{"a page fails mid-snapshot", func(r *rig) { r.store.failPage = 2 }},
		{"the vendor's total disagrees", func(r *rig) { n := 99; r.store.total = &n }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, customersResource, nil)
			for id := 1; id <= 7; id++ {
				r.store.put(id, "x", t0.Add(-time.Hour), t0.Add(-time.Hour))
			}
			r.poll(t)
			r.store.remove(1)
			tt.break_(r)
			res := r.poll(t)
			require.Empty(t, r.sink.take(), "no DELETED from an incomplete snapshot")
			require.False(t, res.Snapshot)
			r.store.total = nil
			res = r.poll(t)
			require.NoError(t, res.Err)
			require.True(t, res.Snapshot)
			require.Empty(t, r.sink.take(), "missing from one complete snapshot")
			res = r.poll(t)
			require.NoError(t, res.Err)
			require.Equal(t, []string{"DELETED 1"}, r.sink.take(), "the second complete snapshot reports it")
		})
	}
}

func TestPollFailedCycleLeavesState(t *testing.T) {
	t.Parallel()
	r := newRig(t, customersResource, nil)
	r.poll(t)
	now := r.clock.Now()
	r.store.put(1, "x", now, now)
	r.sink.Err = errors.New("outbox down")
	res := r.poll(t)
	require.ErrorContains(t, res.Err, "outbox down")
	r.sink.Err = nil
	res = r.poll(t)
	require.NoError(t, res.Err)
	require.Equal(t, []string{"CREATED 1"}, r.sink.take(), "re-emitted after the sink failed, with the same id")

	r.store.failPage = 1
	res = r.poll(t)
	require.ErrorIs(t, res.Err, poller.ErrVendor)
	require.Empty(t, r.sink.take())
}

func TestPollSameTimestampAcrossPages(t *testing.T) {
	t.Parallel()
	r := newRig(t, filteredResource, nil)
	r.poll(t)
	now := r.clock.Now()
	// Four records with one timestamp straddle the page boundary (3 a page).
	for id := 1; id <= 4; id++ {
		r.store.put(id, "x", now, now)
	}
	r.poll(t)
	require.Equal(t, []string{"CREATED 1", "CREATED 2", "CREATED 3", "CREATED 4"}, r.sink.take())
	// The lookback overlap serves them again: no repeats.
	r.poll(t)
	require.Empty(t, r.sink.take())
}

func TestPollDuplicateRecordsAcrossPages(t *testing.T) {
	t.Parallel()
	r := newRig(t, customersResource, nil)
	r.poll(t)
	now := r.clock.Now()
	r.store.put(1, "x", now, now)
	dup := &dupSource{store: r.store}
	p := r.poller(t, customersResource, func(c *poller.Config) { c.Source = dup })
	r.clock.Advance(15 * time.Minute)
	res := p.Poll(context.Background())
	require.NoError(t, res[0].Err)
	require.Equal(t, []string{"CREATED 1"}, r.sink.take())
}

// dupSource serves every page twice.
type dupSource struct {
	store *store
}

func (d *dupSource) Fetch(ctx context.Context, req poller.Request) (*poller.Page, error) {
	p, err := d.store.Fetch(ctx, req)
	if err != nil {
		return nil, err
	}
	p.Records = append(p.Records, p.Records...)
	return p, nil
}

func TestPollRestartWithSavedState(t *testing.T) {
	t.Parallel()
	r := newRig(t, customersResource, nil)
	r.store.put(1, "x", t0, t0)
	r.poll(t)
	now := r.clock.Now()
	r.store.put(2, "y", now, now)
	r.poll(t)
	require.Equal(t, []string{"CREATED 2"}, r.sink.take())

	// A new poller on the same state repeats nothing.
	r.p = r.poller(t, customersResource, nil)
	r.poll(t)
	require.Empty(t, r.sink.take())
}

func TestPollFirstRunModes(t *testing.T) {
	t.Parallel()
	seed := func(r *rig) {
		r.store.put(1, "x", t0.Add(-48*time.Hour), t0.Add(-48*time.Hour))
		r.store.put(2, "y", t0.Add(-48*time.Hour), t0.Add(-time.Hour))
	}
	all := newRig(t, customersResource, func(c *poller.Config) { c.FirstRun = poller.EmitAll })
	seed(all)
	all.poll(t)
	require.Equal(t, []string{"CREATED 1", "UPDATED 2"}, all.sink.take())

	since := newRig(t, customersResource, func(c *poller.Config) { c.FirstRun = poller.EmitSince; c.Since = t0.Add(-2 * time.Hour) })
	seed(since)
	since.poll(t)
	require.Equal(t, []string{"UPDATED 2"}, since.sink.take())
}

func TestPollCreatedRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		resource string
		created  time.Duration // before now
		updated  time.Duration
		want     string
	}{
		{"equal dates are CREATED", customersResource, 0, 0, "CREATED 1"},
		{"created before updated is UPDATED", customersResource, 2 * time.Second, 0, "UPDATED 1"},
		{"within the tolerance is CREATED", withTolerance(customersResource, 3), 2 * time.Second, 0, "CREATED 1"},
		{"filter by created date: all CREATED", withFilterByCreated(customersResource), 0, 24 * time.Hour, "CREATED 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, tt.resource, nil)
			r.poll(t)
			now := r.clock.Now()
			r.store.put(1, "x", now.Add(-tt.created), now.Add(-tt.updated))
			r.poll(t)
			require.Equal(t, []string{tt.want}, r.sink.take())
		})
	}
}

func withTolerance(res string, secs int) string {
	return res[:len(res)-1] + `, "createdCheckTolerance": ` + strconv.Itoa(secs) + `}`
}

func withFilterByCreated(res string) string {
	return res[:len(res)-1] + `, "filterByUpdatedDate": false}`
}

func TestPollDeletesNeedTwoSnapshots(t *testing.T) {
	t.Parallel()
	r := newRig(t, customersResource, nil)
	r.store.put(1, "x", t0, t0)
	r.store.put(2, "x", t0, t0)
	r.poll(t)
	r.store.remove(1)
	r.poll(t)
	require.Empty(t, r.sink.take(), "missing from one snapshot is not enough")
	r.poll(t)
	require.Equal(t, []string{"DELETED 1"}, r.sink.take())
}

func TestPollAuthErrorStopsResource(t *testing.T) {
	t.Parallel()
	var hooked []string
	r := newRig(t, customersResource, nil)
	r.store.authErr = true
	res := r.poll(t)
	require.ErrorIs(t, res.Err, poller.ErrUnauthorized)
	fetches := r.store.fetches
	res = r.poll(t)
	require.ErrorIs(t, res.Err, poller.ErrUnauthorized)
	require.Equal(t, fetches, r.store.fetches, "a stopped resource is not fetched")
	r.store.authErr = false
	r.p.Resume("customers")
	res = r.poll(t)
	require.NoError(t, res.Err)
	_ = hooked
}

// TestRun24Hours runs 24 hours of 15-minute polls on the fake clock.
func TestRun24Hours(t *testing.T) {
	t.Parallel()
	var cycles int
	done := make(chan struct{}, 200)
	r := newRig(t, customersResource, func(c *poller.Config) {
		c.OnCycle = func(poller.Result) { cycles++; done <- struct{}{} }
	})
	r.store.put(1, "x", t0, t0)
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error)
	go func() { stopped <- r.p.Run(ctx) }()
	start := time.Now()
	<-done // the first cycle runs at once
	created := 0
	for i := 1; r.clock.Since(t0) < 24*time.Hour; i++ {
		require.NoError(t, r.clock.BlockUntilContext(ctx, 1))
		if i%8 == 0 {
			now := r.clock.Now()
			r.store.put(100+i, "x", now, now)
			created++
		}
		r.clock.Advance(17 * time.Minute) // past the interval and its jitter
		<-done
	}
	cancel()
	require.NoError(t, <-stopped)
	require.GreaterOrEqual(t, cycles, 24*60/17)
	require.Len(t, r.sink.all(), created)
	require.Less(t, time.Since(start), time.Second)
}

func TestPollFilterByCurrentDate(t *testing.T) {
	t.Parallel()
	r := newRig(t, withField(customersResource, `"filterByCurrentDate": true`), nil)
	r.poll(t)
	now := r.clock.Now()
	// The vendor's clock runs ahead: this record is dated after our poll
	// started. It waits for the next cycle rather than being taken now.
	r.store.put(1, "x", now.Add(5*time.Minute), now.Add(5*time.Minute))
	res := r.poll(t)
	require.NoError(t, res.Err)
	require.Equal(t, []string{"CREATED 1"}, r.sink.take(), "15 minutes later it is inside the window")

	r.store.put(2, "y", r.clock.Now().Add(time.Minute), r.clock.Now().Add(time.Minute))
	r.clock.Advance(0)
	res = r.p.Poll(context.Background())[0]
	require.NoError(t, res.Err)
	require.Empty(t, r.sink.take(), "a record dated after the poll's start is left for the next cycle")
	r.poll(t)
	require.Equal(t, []string{"CREATED 2"}, r.sink.take())
}

func TestPollDelayWidensTheWindow(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		resource string
		want     []string
	}{
		{"without pollDelay the late record is old news", filteredResource, nil},
		{"pollDelay 600 s reaches back for it", withField(filteredResource, `"pollDelay": 600`), []string{"CREATED 2"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, tt.resource, nil)
			r.poll(t)
			r.poll(t)
			// The vendor commits a record dated 5 minutes before our last
			// poll, after that poll ran.
			late := r.clock.Now().Add(-5 * time.Minute)
			r.store.put(2, "late", late, late)
			res := r.poll(t)
			require.NoError(t, res.Err)
			require.Equal(t, tt.want, r.sink.take())
		})
	}
}

func TestPollKnownRecordDatedBeforeTheWindow(t *testing.T) {
	t.Parallel()
	r := newRig(t, customersResource, nil)
	r.store.put(1, "x", t0.Add(-time.Hour), t0.Add(-time.Hour))
	r.poll(t)
	r.poll(t)
	// A change committed late, dated before the window: remembered state
	// shows the date moved, so it is reported.
	r.store.put(1, "changed", t0.Add(-time.Hour), r.clock.Now().Add(-5*time.Minute))
	r.poll(t)
	require.Equal(t, []string{"UPDATED 1"}, r.sink.take())
}

func withField(res, field string) string {
	return res[:len(res)-1] + `, ` + field + `}`
}
