package poller_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/poller"
)

// fetchAsync runs Fetch in a goroutine, for tests that drive the clock.
func fetchAsync(ctx context.Context, src poller.Source, req poller.Request) <-chan fetchResult {
	ch := make(chan fetchResult, 1)
	go func() {
		page, err := src.Fetch(ctx, req)
		ch <- fetchResult{page, err}
	}()
	return ch
}

type fetchResult struct {
	page *poller.Page
	err  error
}

// waitExactly asserts that the source is waiting on clock for exactly d:
// still waiting a nanosecond before, and woken at d.
func waitExactly(t *testing.T, clock *clockwork.FakeClock, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	require.NoError(t, clock.BlockUntilContext(ctx, 1), "source is not waiting")
	clock.Advance(d - time.Nanosecond)
	// A fake timer stays a waiter until it fires, so this returns at once
	// if, and only if, the wait has not ended.
	require.NoError(t, clock.BlockUntilContext(ctx, 1), "wait ended before %s", d)
	clock.Advance(time.Nanosecond)
}

func TestHTTPSourceRetryAfter(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		status     int
		retryAfter string
		wantWait   time.Duration
	}{
		{"429 seconds", http.StatusTooManyRequests, "7", 7 * time.Second},
		{"503 seconds", http.StatusServiceUnavailable, "120", 2 * time.Minute},
		{"429 HTTP date", http.StatusTooManyRequests, start.Add(30 * time.Second).Format(http.TimeFormat), 30 * time.Second},
		// The vendor's clock runs 10 minutes ahead: its date is read
		// against its own Date header, not the local clock.
		{"429 HTTP date, vendor clock ahead", http.StatusTooManyRequests, start.Add(10*time.Minute + 30*time.Second).Format(http.TimeFormat), 30 * time.Second},
		{"capped at Max", http.StatusTooManyRequests, "86400", 10 * time.Minute},
		{"date in the past", http.StatusServiceUnavailable, start.Add(-time.Hour).Format(http.TimeFormat), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			date := start
			if strings.HasSuffix(tt.name, "vendor clock ahead") {
				date = start.Add(10 * time.Minute)
			}
			vendor, srv := newScripted(t,
				reply{status: tt.status, header: http.Header{"Retry-After": {tt.retryAfter}, "Date": {date.Format(http.TimeFormat)}}},
				ok200)
			clock := clockwork.NewFakeClockAt(start)
			src := scriptedSource(t, srv, poller.HTTPConfig{Clock: clock, Timeout: -1})

			res := fetchAsync(t.Context(), src, itemsReq)
			if tt.wantWait > 0 {
				waitExactly(t, clock, tt.wantWait)
			}
			r := <-res
			require.NoError(t, r.err)
			require.Len(t, r.page.Records, 1)
			require.Equal(t, 2, vendor.Len())
		})
	}
}

func TestHTTPSourceBackoff(t *testing.T) {
	t.Parallel()
	policy := poller.RetryPolicy{Tries: 4, Initial: time.Second, Factor: 2, Max: 3 * time.Second}

	t.Run("schedule", func(t *testing.T) {
		t.Parallel()
		vendor, srv := newScripted(t,
			reply{status: http.StatusInternalServerError},
			reply{status: http.StatusBadGateway},
			reply{status: http.StatusTooManyRequests}, // no Retry-After: backoff
			ok200)
		clock := clockwork.NewFakeClock()
		src := scriptedSource(t, srv, poller.HTTPConfig{Clock: clock, Retry: policy, Timeout: -1})

		res := fetchAsync(t.Context(), src, itemsReq)
		for _, d := range []time.Duration{time.Second, 2 * time.Second, 3 * time.Second} {
			waitExactly(t, clock, d)
		}
		r := <-res
		require.NoError(t, r.err)
		require.Equal(t, 4, vendor.Len())
	})

	t.Run("exhausted", func(t *testing.T) {
		t.Parallel()
		vendor, srv := newScripted(t, reply{status: http.StatusServiceUnavailable})
		clock := clockwork.NewFakeClock()
		src := scriptedSource(t, srv, poller.HTTPConfig{Clock: clock, Retry: policy, Timeout: -1})

		res := fetchAsync(t.Context(), src, itemsReq)
		for _, d := range []time.Duration{time.Second, 2 * time.Second, 3 * time.Second} {
			waitExactly(t, clock, d)
		}
		r := <-res
		require.ErrorIs(t, r.err, poller.ErrVendor)
		require.ErrorContains(t, r.err, "items")
		require.ErrorContains(t, r.err, "status 503")
		require.ErrorContains(t, r.err, srv.URL+"/items?access_token=REDACTED&key=REDACTED")
		require.NotContains(t, r.err.Error(), "hunter2")
		require.NotContains(t, r.err.Error(), "inline-secret")
		require.Equal(t, 4, vendor.Len())
	})

	t.Run("network error", func(t *testing.T) {
		t.Parallel()
		_, srv := newScripted(t, ok200)
		srv.Close() // connection refused from now on
		src := scriptedSource(t, srv, poller.HTTPConfig{Retry: poller.RetryPolicy{Tries: 1}})
		_, err := src.Fetch(t.Context(), itemsReq)
		require.ErrorIs(t, err, poller.ErrVendor)
		require.ErrorContains(t, err, "network error (attempt 1 of 1)")
		require.NotContains(t, err.Error(), "hunter2")
	})
}

func TestHTTPSourceTimeout(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		select { // hang until the client gives up
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	clock := clockwork.NewFakeClock()
	src := scriptedSource(t, srv, poller.HTTPConfig{
		Clock: clock, Timeout: 5 * time.Second,
		Retry: poller.RetryPolicy{Tries: 2, Initial: time.Second},
	})

	res := fetchAsync(t.Context(), src, itemsReq)
	waitExactly(t, clock, 5*time.Second) // first attempt times out
	waitExactly(t, clock, time.Second)   // backoff
	waitExactly(t, clock, 5*time.Second) // second attempt times out
	r := <-res
	require.ErrorIs(t, r.err, poller.ErrVendor)
	require.ErrorContains(t, r.err, "timed out after 5s (attempt 2 of 2)")
}

func TestHTTPSourceCancelDuringBackoff(t *testing.T) {
	t.Parallel()
	vendor, srv := newScripted(t, reply{status: http.StatusBadGateway})
	clock := clockwork.NewFakeClock()
	src := scriptedSource(t, srv, poller.HTTPConfig{Clock: clock, Timeout: -1})

	ctx, cancel := context.WithCancel(t.Context())
	res := fetchAsync(ctx, src, itemsReq)
	require.NoError(t, clock.BlockUntilContext(t.Context(), 1))
	cancel()
	select {
	case r := <-res:
		require.ErrorIs(t, r.err, context.Canceled)
		require.NotContains(t, r.err.Error(), "hunter2")
	case <-time.After(5 * time.Second):
		t.Fatal("Fetch did not return after cancel")
	}
	require.Equal(t, 1, vendor.Len())
}
