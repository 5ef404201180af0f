package poller

import (
	"context"
	"math"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/a12b7632/elementevents/internal/retryafter"
)

// RetryPolicy is how an [HTTPSource] retries a request that failed in a way
// that may pass: a 408, 429 or 5xx status, a timeout or a network error.
//
// The zero RetryPolicy means [DefaultRetryPolicy]. In any other policy,
// a zero Tries, Initial, Factor or Max takes its default, while a zero
// Jitter means none.
type RetryPolicy struct {
	// Tries is the number of attempts in all, the first included; 1 means
	// no retry. Default 5.
	Tries int

	// Initial is the wait before the first retry. Default 1s.
	Initial time.Duration

	// Factor multiplies the wait after every retry. Default 2.
	Factor float64

	// Max caps every wait, a vendor's Retry-After included, so that a
	// vendor cannot park a poll for a day. Default 10m.
	Max time.Duration

	// Jitter spreads each backoff wait by up to this fraction either way,
	// so that instances that failed together do not retry together.
	// Default 0.2 (±20%) in the zero policy.
	Jitter float64
}

// DefaultRetryPolicy is the policy of an [HTTPConfig] whose Retry is zero:
// five tries, waiting about 1s, 2s, 4s and 8s in between.
var DefaultRetryPolicy = RetryPolicy{
	Tries:   5,
	Initial: time.Second,
	Factor:  2,
	Max:     10 * time.Minute,
	Jitter:  0.2,
}

// withDefaults returns p with its zero fields filled as documented.
func (p RetryPolicy) withDefaults() RetryPolicy {
	if p == (RetryPolicy{}) {
		return DefaultRetryPolicy
	}
	d := DefaultRetryPolicy
	if p.Tries <= 0 {
		p.Tries = d.Tries
	}
	if p.Initial <= 0 {
		p.Initial = d.Initial
	}
	if p.Factor <= 0 {
		p.Factor = d.Factor
	}
	if p.Max <= 0 {
		p.Max = d.Max
	}
	p.Jitter = min(max(p.Jitter, 0), 1)
	return p
}

// backoff returns the wait before retry n (1 for the first retry), given r
// uniform in [0, 1) to place the jitter.
func (p RetryPolicy) backoff(n int, r float64) time.Duration {
	d := float64(p.Initial) * math.Pow(p.Factor, float64(n-1))
	d *= 1 + p.Jitter*(2*r-1)
	// Comparing as floats keeps a huge exponent from overflowing the
	// conversion to Duration.
	if d >= float64(p.Max) || math.IsNaN(d) {
		return p.Max
	}
	return max(time.Duration(d), 0)
}

// retryAfter returns the wait the Retry-After header of h asks for. An
// HTTP date is read against the response's own Date header when it has a
// valid one, so that a vendor clock ahead of or behind the local one does
// not stretch or shorten the wait; else against now.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	if date, err := http.ParseTime(h.Get("Date")); err == nil {
		now = date
	}
	return retryafter.Parse(h.Get("Retry-After"), now)
}

// jitterRand is the jitter's random source; rand/v2's top-level functions
// are safe for concurrent use and need no seeding.
func jitterRand() float64 { return rand.Float64() }

// waitClock waits d on clock, returning early with ctx's error if ctx ends
// first.
func waitClock(ctx context.Context, clock clockwork.Clock, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := clock.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.Chan():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
