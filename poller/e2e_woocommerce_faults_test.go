package poller_test

// End-to-end faults against the fake WooCommerce store (see
// e2e_woocommerce_test.go): a failed cycle reports nothing and changes
// nothing; the next good cycle reports what happened.

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/poller"
	"github.com/a12b7632/elementevents/vendortest"
)

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
			var page2 []vendortest.LoggedRequest
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
