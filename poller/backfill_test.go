package poller_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/poller"
)

// A webhook instance has no event.poller.configuration; its poller takes
// the definition's default resources, for a backfill of what its webhooks
// missed.
func TestNewWebhookInstanceTakesDefinitionResources(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		objects string
		want    []string
	}{
		{name: "every resource of the definition", want: []string{"coupons", "customers", "orders", "products"}},
		{name: "those of event.objects", objects: `"event.objects": "customers",`, want: []string{"customers"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			inst, err := element.Parse([]byte(`{"id": "w1", "name": "shop", "element": {"key": "woocommercerest"},
			  "configuration": {"store.url": "https://shop.example.com", "oauth.api.key": "ck", "oauth.api.secret": "cs",
			    "event.notification.enabled": true, "event.vendor.type": "webhook", ` + tt.objects + `
			    "event.notification.callback.url": "https://app.example.com/cb"}}`))
			require.NoError(t, err)
			require.NoError(t, inst.Validate())
			require.Empty(t, inst.Configuration.Events.Resources, "Parse fills in resources only for polling instances")
			p, err := poller.New(poller.Config{Instance: inst, Sink: &sink{}})
			require.NoError(t, err)
			require.Equal(t, tt.want, p.Resources())
			require.Empty(t, inst.Configuration.Events.Resources, "the caller's instance is left as it was")
		})
	}
}

// ids returns the event id of every event of bs by "TYPE objectId".
func ids(bs []events.Batch) map[string]string {
	out := map[string]string{}
	for _, b := range bs {
		for _, e := range b.Events {
			out[string(e.Type)+" "+e.ObjectID] = e.ID
		}
	}
	return out
}

// A backfill reports a change once, whether a cycle reported it already
// or reports it after; from a state of its own, it reports it with the
// event id the cycle gave it. It never moves the watermark.
func TestBackfillReportsEachChangeOnce(t *testing.T) {
	t.Parallel()
	r := newE2EWooRig(t, e2eWooCustomers, nil)
	r.seedCustomers(5)
	require.Empty(t, r.pollOK(t))
	since := r.now()

	r.touchCustomer(2, "two@example.com", since.Add(time.Minute))
	cycle := r.poll(t)
	require.NoError(t, cycle.res.Err)
	require.Equal(t, e2eWant(events.Updated, "2"), e2eSummary(cycle.batches))
	before := r.load(t, "customers")

	// Reported by the cycle: the backfill, on the same state, is silent.
	r.clock.Advance(time.Minute)
	res := r.p.Backfill(t.Context(), "customers", since)
	require.NoError(t, res.Err)
	require.Empty(t, r.sink.Take())
	require.False(t, res.Snapshot)

	// Changed since: the backfill reports it, and the next cycle does not.
	r.touchCustomer(3, "three@example.com", r.now())
	r.putCustomer(6, "six@example.com", r.now(), r.now())
	r.deleteCustomer(4)
	r.clock.Advance(time.Minute)
	res = r.p.Backfill(t.Context(), "customers", since)
	require.NoError(t, res.Err)
	backfilled := r.sink.Take()
	require.Equal(t, e2eJoin(e2eWant(events.Updated, "3"), e2eWant(events.Created, "6")), e2eSummary(backfilled),
		"no DELETED from a backfill")
	after := r.load(t, "customers")
	require.False(t, after.Watermark.Before(before.Watermark), "never backwards")
	require.Equal(t, before.Cycles, after.Cycles)
	require.Equal(t, e2eWant(events.Deleted, "4"), r.pollOK(t), "the next cycle reports only the delete")

	// A backfill on a state of its own reports both changes with the ids
	// they were reported with.
	fresh := r.newPoller(t, func(c *poller.Config) { c.State = poller.NewMemoryState() })
	res = fresh.Backfill(t.Context(), "customers", since)
	require.NoError(t, res.Err)
	again := r.sink.Take()
	require.Equal(t, e2eJoin(e2eWant(events.Updated, "2", "3"), e2eWant(events.Created, "6")), e2eSummary(again))
	want := ids(cycle.batches)
	for k, v := range ids(backfilled) {
		want[k] = v
	}
	require.Equal(t, want, ids(again), "one event id for a change seen twice")
}

// With no state, a backfill reports what changed after since, remembers
// every record it saw, and leaves the resource's first cycle to take its
// baseline.
func TestBackfillWithoutState(t *testing.T) {
	t.Parallel()
	r := newE2EWooRig(t, e2eWooCustomers, nil)
	r.seedCustomers(4)
	since := r.now().Add(-time.Hour)
	r.touchCustomer(2, "two@example.com", since.Add(time.Minute))
	r.putCustomer(5, "five@example.com", since.Add(2*time.Minute), since.Add(2*time.Minute))

	r.clock.Advance(time.Minute)
	res := r.p.Backfill(t.Context(), "customers", since)
	require.NoError(t, res.Err)
	require.Equal(t, e2eJoin(e2eWant(events.Updated, "2"), e2eWant(events.Created, "5")), e2eSummary(r.sink.Take()))
	st := r.load(t, "customers")
	require.Equal(t, 5, st.Records.Len(), "every record seen is remembered")
	require.Equal(t, r.now(), st.Watermark, "the window starts where the backfill ended")
	require.Zero(t, st.Cycles)

	require.Equal(t, e2eWant(events.Updated, "3"), func() []string {
		r.touchCustomer(3, "three@example.com", r.now())
		return r.pollOK(t)
	}(), "the first cycle after a backfill on a fresh state reports what changed since the backfill")
	require.Empty(t, r.pollOK(t))
}

// A backfill moves the watermark forward only when its window covered
// the next cycle's, never backwards.
func TestBackfillWatermark(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// since is the backfill's window start, from the watermark.
		since time.Duration
		moved bool
	}{
		{name: "from before the next window: moves to the backfill's", since: -time.Hour, moved: true},
		{name: "from the next window's start (the lookback): moves", since: -time.Minute, moved: true},
		{name: "from within the next window: stays", since: -time.Minute + time.Second},
		{name: "from after the watermark: stays", since: time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newE2EWooRig(t, e2eWooCustomers, nil)
			r.seedCustomers(2)
			require.Empty(t, r.pollOK(t))
			before := r.load(t, "customers")
			r.clock.Advance(5 * time.Minute)
			res := r.p.Backfill(t.Context(), "customers", before.Watermark.Add(tt.since))
			require.NoError(t, res.Err)
			after := r.load(t, "customers")
			require.Equal(t, before.Cycles, after.Cycles)
			if tt.moved {
				require.Equal(t, r.now(), after.Watermark)
			} else {
				require.Equal(t, before.Watermark, after.Watermark)
			}
		})
	}
}

func TestBackfillUnknownResource(t *testing.T) {
	t.Parallel()
	r := newE2EWooRig(t, e2eWooCustomers, nil)
	res := r.p.Backfill(t.Context(), "orders", r.now())
	require.ErrorIs(t, res.Err, poller.ErrConfig)
	require.ErrorContains(t, res.Err, `"orders"`)
}

// A backfill and a cycle of one resource never run at once (the race
// detector watches the shared state).
func TestBackfillDoesNotOverlapACycle(t *testing.T) {
	t.Parallel()
	r := newE2EWooRig(t, e2eWooCustomers, nil)
	r.seedCustomers(6)
	require.Empty(t, r.pollOK(t))
	since := r.now()
	r.touchCustomer(1, "one@example.com", since.Add(time.Second))
	r.clock.Advance(time.Minute)
	done := make(chan poller.Result)
	go func() { done <- r.p.Backfill(t.Context(), "customers", since) }()
	res := r.p.Poll(t.Context())
	require.NoError(t, res[0].Err)
	require.NoError(t, (<-done).Err)
	require.Equal(t, e2eWant(events.Updated, "1"), e2eSummary(r.sink.Take()), "reported once, by one of the two")
}
