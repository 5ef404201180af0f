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

// DefaultJitter is the fraction by which each scheduled delay is varied,
// up or down, so that retries of many notifications spread out.
const DefaultJitter = 0.2

// OverloadedBackoff is the least delay after a 429 or a timeout: the
// receiver is overloaded and an early retry only adds to it.
const OverloadedBackoff = 60 * time.Second

// RetryDelay returns the wait before the attempt that follows r, now: step
// (the schedule's delay before that attempt) varied by up to jitter either
// way; a Retry-After in r.Header honoured but kept between step and twice
// step; never less than [OverloadedBackoff] when r.Overloaded. A zero
// Result gives the jittered step.
func (r Result) RetryDelay(step time.Duration, jitter float64, now time.Time) time.Duration {
	d := step
	if jitter > 0 && step > 0 {
		d = time.Duration(float64(step) * (1 + jitter*(2*rand.Float64()-1)))
	}
	if ra, ok := parseRetryAfter(r.Header, now); ok {
		d = min(max(ra, step), 2*step)
	}
	if r.Overloaded {
		d = max(d, OverloadedBackoff)
	}
	return d
}

// parseRetryAfter reads a Retry-After header: delay-seconds or an HTTP
// date, relative to now, at most a year.
func parseRetryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	d, ok := retryafter.Parse(h.Get("Retry-After"), now)
	return min(d, 365*24*time.Hour), ok
}
