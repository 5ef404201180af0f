package poller_test

// End-to-end orders against the fake WooCommerce store (see
// e2e_woocommerce_test.go): the definition's default resource, filtered
// by modified_after.

import (
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/vendortest"
)

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
		q := unsignedValues(c.requests[0].Query)
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
	wantQuery(t, c, wm1.Add(-time.Minute /* the default Lookback */).UTC().Format(vendortest.WooDateLayout))
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
	wantQuery(t, c, c.requests[0].At.Add(-e2eRefresh-time.Minute /* the default Lookback */).UTC().Format(vendortest.WooDateLayout))
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
