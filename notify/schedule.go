package notify

import (
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/a12b7632/elementevents/internal/retryafter"
)

// DefaultSchedule is the delay before each attempt of a notification: the
// first at once, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h after
// the previous failure (about 27.5 hours in all). Each delay is jittered.
var DefaultSchedule = []time.Duration{
	0,
	5 * time.Second,
	5 * time.Minute,
	30 * time.Minute,
	2 * time.Hour,
	5 * time.Hour,
	10 * time.Hour,
	10 * time.Hour,
}

// defaultJitter is DeliveryPolicy.Jitter's default: the fraction by which
// each scheduled delay is varied, up or down, so that retries of many
// notifications spread out.
const defaultJitter = 0.2

// NextAttempt returns when the attempt that follows r is due, r being
// attempt number n (from 1) of its delivery, and false when the schedule
// has no attempt after n: the delivery is dead. The wait is the schedule's
// step before attempt n+1, jittered; a Retry-After in r.Header is
// honoured within RetryAfterMin and RetryAfterMax; after a 429 or a
// timeout (r.Overloaded) it is at least OverloadedBackoff. A zero
// AttemptResult gives the jittered step.
func (s *Sender) NextAttempt(r AttemptResult, n int) (time.Time, bool) {
	if n < 0 || n >= len(s.policy.Schedule) {
		return time.Time{}, false
	}
	now := s.clock.Now()
	return now.Add(s.policy.retryDelay(r, s.policy.Schedule[n], now)), true
}

// retryDelay is the wait before the attempt that follows r, now, whose
// step in the schedule is step. p has its defaults.
func (p *DeliveryPolicy) retryDelay(r AttemptResult, step time.Duration, now time.Time) time.Duration {
	d := step
	if p.Jitter > 0 && step > 0 {
		d = time.Duration(float64(step) * (1 + p.Jitter*(2*rand.Float64()-1)))
	}
	if ra, ok := parseRetryAfter(r.Header, now); ok {
		lo, hi := step, 2*step
		if p.RetryAfterMin > 0 {
			lo = p.RetryAfterMin
		}
		if p.RetryAfterMax > 0 {
			hi = p.RetryAfterMax
		}
		d = min(max(ra, lo), max(hi, lo))
	}
	if r.Overloaded {
		d = max(d, p.OverloadedBackoff)
	}
	return d
}

// parseRetryAfter reads a Retry-After header: delay-seconds or an HTTP
// date, relative to now, at most a year.
func parseRetryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	d, ok := retryafter.Parse(h.Get("Retry-After"), now)
	return min(d, 365*24*time.Hour), ok
}
