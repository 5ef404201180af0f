package riverstore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/events"
)

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

var _ net.Error = timeoutErr{}

func TestClassify(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status     int
		err        error
		retry4xx   bool
		want       events.Outcome
		reason     string
		overloaded bool
	}{
		{status: 200, want: events.OutcomeDelivered},
		{status: 204, want: events.OutcomeDelivered},
		{status: 301, want: events.OutcomeRetry, reason: "301 Moved Permanently"},
		{status: 400, want: events.OutcomeDead, reason: "400 Bad Request"},
		{status: 400, retry4xx: true, want: events.OutcomeRetry, reason: "400 Bad Request"},
		{status: 404, want: events.OutcomeDead, reason: "404 Not Found"},
		{status: 408, want: events.OutcomeRetry, reason: "408 Request Timeout"},
		{status: 410, want: events.OutcomeDisabled, reason: "410 Gone"},
		{status: 410, retry4xx: true, want: events.OutcomeDisabled, reason: "410 Gone"},
		{status: 425, want: events.OutcomeRetry, reason: "425 Too Early"},
		{status: 429, want: events.OutcomeRetry, reason: "429 Too Many Requests", overloaded: true},
		{status: 500, want: events.OutcomeRetry, reason: "500 Internal Server Error"},
		{status: 503, want: events.OutcomeRetry, reason: "503 Service Unavailable"},
		{err: fmt.Errorf("dial: %w", events.ErrBlocked), want: events.OutcomeDead, reason: "dial: " + events.ErrBlocked.Error()},
		{err: fmt.Errorf("%w: bad", events.ErrInvalidEndpoint), want: events.OutcomeDead, reason: events.ErrInvalidEndpoint.Error() + ": bad"},
		{err: fmt.Errorf("%w after 15s: %w", errAttemptTimeout, context.Canceled), want: events.OutcomeRetry, reason: "timeout", overloaded: true},
		{err: &net.OpError{Op: "read", Err: timeoutErr{}}, want: events.OutcomeRetry, reason: "timeout", overloaded: true},
		{err: errors.New("connection refused"), want: events.OutcomeRetry, reason: "network error"},
	} {
		t.Run(fmt.Sprintf("%d %v %v", tc.status, tc.err, tc.retry4xx), func(t *testing.T) {
			o, reason, overloaded := classify(tc.status, tc.err, tc.retry4xx)
			require.Equal(t, tc.want, o)
			require.Equal(t, tc.reason, reason)
			require.Equal(t, tc.overloaded, overloaded)
		})
	}
}

func TestRetryDelay(t *testing.T) {
	t.Parallel()
	const floor = time.Minute
	for _, tc := range []struct {
		name          string
		step, ra      time.Duration
		hasRA, overld bool
		jitter        float64
		min, max      time.Duration
	}{
		{name: "step", step: 5 * time.Minute, min: 5 * time.Minute, max: 5 * time.Minute},
		{name: "jittered", step: 5 * time.Minute, jitter: 0.2, min: 4 * time.Minute, max: 6 * time.Minute},
		{name: "Retry-After within bounds", step: 5 * time.Second, ra: 7 * time.Second, hasRA: true, min: 7 * time.Second, max: 7 * time.Second},
		{name: "Retry-After kept to twice the step", step: 5 * time.Second, ra: time.Hour, hasRA: true, min: 10 * time.Second, max: 10 * time.Second},
		{name: "Retry-After not below the step", step: 5 * time.Minute, ra: time.Second, hasRA: true, min: 5 * time.Minute, max: 5 * time.Minute},
		{name: "overloaded waits the floor", step: 5 * time.Second, overld: true, min: floor, max: floor},
		{name: "overloaded keeps a longer step", step: 2 * time.Hour, overld: true, min: 2 * time.Hour, max: 2 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for range 100 {
				d := retryDelay(tc.step, tc.jitter, tc.ra, tc.hasRA, tc.overld, floor)
				require.GreaterOrEqual(t, d, tc.min)
				require.LessOrEqual(t, d, tc.max)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		v    string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"120", 2 * time.Minute, true},
		{" 3 ", 3 * time.Second, true},
		{"-1", 0, false},
		{"soon", 0, false},
		{"99999999999999", 365 * 24 * time.Hour, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
	} {
		got, ok := parseRetryAfter(http.Header{"Retry-After": {tc.v}}, now)
		require.Equal(t, tc.ok, ok, "%q", tc.v)
		require.Equal(t, tc.want, got, "%q", tc.v)
	}
}

func TestIntervalSchedule(t *testing.T) {
	t.Parallel()
	iv := int64(15 * time.Minute)
	s := intervalSchedule{interval: iv, offset: iv/2 + int64(time.Minute)}
	start := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	require.Equal(t, start.Add(8*time.Minute+30*time.Second), s.Next(start))
	require.Equal(t, start.Add(8*time.Minute+30*time.Second), s.Next(start.Add(8*time.Minute)))
	require.Equal(t, start.Add(23*time.Minute+30*time.Second), s.Next(start.Add(8*time.Minute+30*time.Second)), "due now: the next one")
	at := s.Next(start)
	for range 96 {
		next := s.Next(at)
		require.Equal(t, at.UnixNano()/iv+1, next.UnixNano()/iv, "one run per interval, each in the next interval")
		require.Equal(t, 8*time.Minute+30*time.Second, next.Sub(next.Truncate(15*time.Minute)))
		at = next
	}
}

func TestMissingEncoding(t *testing.T) {
	t.Parallel()
	for _, m := range []map[string]int{{}, {"a": 1}, {"": 0, "nul\x00": -3, "long": 1 << 40}} {
		got, err := decodeMissing(encodeMissing(m))
		require.NoError(t, err)
		require.Equal(t, m, got)
	}
	got, err := decodeMissing(nil)
	require.NoError(t, err)
	require.Empty(t, got)
	require.Nil(t, encodeMissing(nil))
	for _, bad := range [][]byte{{}, {1}, {1, 5, 'a'}, {1, 1, 'a'}, {1, 1, 'a', 2, 9}, {0xff}} {
		_, err := decodeMissing(bad)
		require.ErrorIs(t, err, ErrCorrupt, "%x", bad)
	}
}

func FuzzDecodeMissing(f *testing.F) {
	f.Add(encodeMissing(map[string]int{"a": 1, "b": 2}))
	f.Add([]byte{0})
	f.Add([]byte{1, 200, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decodeMissing(b)
		if err != nil {
			return
		}
		again, err := decodeMissing(encodeMissing(m))
		if err != nil || len(again) != len(m) {
			t.Fatalf("%x decodes to %v, which does not round-trip: %v", b, m, err)
		}
	})
}
