package riverstore

import (
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/a12b7632/elementevents/events"
)

// The delivery rules of package events, which it does not export: the same
// outcome for every status and error, and the same delay before a retry.
// They are kept as small as the rules themselves.

// errAttemptTimeout is the cause of an attempt's context when
// Config.Timeout runs out.
var errAttemptTimeout = errors.New("attempt timed out")

// classify returns what an attempt's status or error leads to: 2xx
// delivered; 410 disabled; 408, 425, 429, 5xx, 3xx, timeouts and network
// errors retried (429 and timeouts flagged overloaded); a refused or
// invalid address and other 4xx dead, unless retryClientErrors.
func classify(status int, err error, retryClientErrors bool) (o events.Outcome, reason string, overloaded bool) {
	if err != nil {
		switch {
		case errors.Is(err, events.ErrBlocked), errors.Is(err, events.ErrInvalidEndpoint):
			return events.OutcomeDead, err.Error(), false
		case errors.Is(err, errAttemptTimeout), isTimeout(err):
			return events.OutcomeRetry, "timeout", true
		}
		return events.OutcomeRetry, "network error", false
	}
	switch {
	case status >= 200 && status < 300:
		return events.OutcomeDelivered, "", false
	case status == http.StatusGone:
		return events.OutcomeDisabled, "410 Gone", false
	case status == http.StatusTooManyRequests:
		return events.OutcomeRetry, statusText(status), true
	case status == http.StatusRequestTimeout, status == http.StatusTooEarly, status >= 500, status >= 300 && status < 400:
		return events.OutcomeRetry, statusText(status), false
	case retryClientErrors:
		return events.OutcomeRetry, statusText(status), false
	}
	return events.OutcomeDead, statusText(status), false
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func statusText(status int) string {
	return strconv.Itoa(status) + " " + http.StatusText(status)
}

// retryDelay is the wait before the next attempt: the schedule's step,
// jittered; a Retry-After kept between the step and twice the step; at
// least floor after a 429 or a timeout.
func retryDelay(step time.Duration, jitter float64, retryAfter time.Duration, hasRetryAfter, overloaded bool, floor time.Duration) time.Duration {
	d := step
	if jitter > 0 && step > 0 {
		d = time.Duration(float64(step) * (1 + jitter*(2*rand.Float64()-1)))
	}
	if hasRetryAfter {
		d = min(max(retryAfter, step), 2*step)
	}
	if overloaded {
		d = max(d, floor)
	}
	return d
}

// parseRetryAfter reads Retry-After as delay-seconds or an HTTP date
// relative to now.
func parseRetryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(min(secs, int64(365*24*time.Hour/time.Second))) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}
