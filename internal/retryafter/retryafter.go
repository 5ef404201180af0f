// Package retryafter reads the Retry-After header, for the poller (a
// vendor's answer) and the Notifier (a receiver's answer) alike.
//
//	wait, ok := retryafter.Parse(resp.Header.Get("Retry-After"), now)
package retryafter

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Parse returns the wait a Retry-After value asks for: delay-seconds, or
// an HTTP date (any of the three forms HTTP allows) compared with now. ok
// is false when the value is neither. A date in the past is a wait of
// zero; more seconds than a Duration holds are the longest Duration, for
// the caller's own cap to bound.
func Parse(v string, now time.Time) (d time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if allDigits(v) {
		secs, err := strconv.ParseInt(v, 10, 64)
		if err != nil || secs > int64(math.MaxInt64/time.Second) {
			return math.MaxInt64, true
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
