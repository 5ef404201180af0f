package notify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/signature"
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
		want       Outcome
		reason     string
		overloaded bool
	}{
		{status: 200, want: OutcomeDelivered},
		{status: 204, want: OutcomeDelivered},
		{status: 301, want: OutcomeRetry, reason: "301 Moved Permanently"},
		{status: 400, want: OutcomeDead, reason: "400 Bad Request"},
		{status: 400, retry4xx: true, want: OutcomeRetry, reason: "400 Bad Request"},
		{status: 404, want: OutcomeDead, reason: "404 Not Found"},
		{status: 408, want: OutcomeRetry, reason: "408 Request Timeout"},
		{status: 410, want: OutcomeDisabled, reason: "410 Gone"},
		{status: 410, retry4xx: true, want: OutcomeDisabled, reason: "410 Gone"},
		{status: 425, want: OutcomeRetry, reason: "425 Too Early"},
		{status: 429, want: OutcomeRetry, reason: "429 Too Many Requests", overloaded: true},
		{status: 500, want: OutcomeRetry, reason: "500 Internal Server Error"},
		{status: 503, want: OutcomeRetry, reason: "503 Service Unavailable"},
		{err: fmt.Errorf("dial: %w", netguard.ErrRefused), want: OutcomeDead, reason: "dial: " + netguard.ErrRefused.Error()},
		{err: fmt.Errorf("%w: bad", ErrInvalidEndpoint), want: OutcomeDead, reason: ErrInvalidEndpoint.Error() + ": bad"},
		{err: fmt.Errorf("%w after 15s: %w", errAttemptTimeout, context.Canceled), want: OutcomeRetry, reason: "timeout", overloaded: true},
		{err: &net.OpError{Op: "read", Err: timeoutErr{}}, want: OutcomeRetry, reason: "timeout", overloaded: true},
		{err: errors.New("connection refused"), want: OutcomeRetry, reason: "network error"},
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
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	ra := func(v string) http.Header { return http.Header{"Retry-After": {v}} }
	for _, tc := range []struct {
		name     string
		policy   DeliveryPolicy
		step     time.Duration
		res      AttemptResult
		min, max time.Duration
	}{
		{name: "step", step: 5 * time.Minute, min: 5 * time.Minute, max: 5 * time.Minute},
		{name: "jittered", policy: DeliveryPolicy{Jitter: 0.2}, step: 5 * time.Minute, min: 4 * time.Minute, max: 6 * time.Minute},
		{name: "default jitter", policy: DeliveryPolicy{Jitter: 0}, step: 5 * time.Minute, min: 4 * time.Minute, max: 6 * time.Minute},
		{name: "Retry-After within bounds", policy: DeliveryPolicy{Jitter: 0.2}, step: 5 * time.Second, res: AttemptResult{Header: ra("7")}, min: 7 * time.Second, max: 7 * time.Second},
		{name: "Retry-After date", step: 5 * time.Second, res: AttemptResult{Header: ra(now.Add(8 * time.Second).Format(http.TimeFormat))}, min: 8 * time.Second, max: 8 * time.Second},
		{name: "Retry-After kept to twice the step", step: 5 * time.Second, res: AttemptResult{Header: ra("3600")}, min: 10 * time.Second, max: 10 * time.Second},
		{name: "Retry-After not below the step", step: 5 * time.Minute, res: AttemptResult{Header: ra("1")}, min: 5 * time.Minute, max: 5 * time.Minute},
		{name: "RetryAfterMax", policy: DeliveryPolicy{RetryAfterMax: time.Hour}, step: 5 * time.Second, res: AttemptResult{Header: ra("3600")}, min: time.Hour, max: time.Hour},
		{name: "RetryAfterMax caps", policy: DeliveryPolicy{RetryAfterMax: time.Minute}, step: 5 * time.Second, res: AttemptResult{Header: ra("3600")}, min: time.Minute, max: time.Minute},
		{name: "RetryAfterMin", policy: DeliveryPolicy{RetryAfterMin: time.Second}, step: 5 * time.Minute, res: AttemptResult{Header: ra("2")}, min: 2 * time.Second, max: 2 * time.Second},
		{name: "RetryAfterMin over twice the step", policy: DeliveryPolicy{RetryAfterMin: time.Minute}, step: 5 * time.Second, res: AttemptResult{Header: ra("3600")}, min: time.Minute, max: time.Minute},
		{name: "RetryAfterMin without Retry-After", policy: DeliveryPolicy{RetryAfterMin: time.Hour}, step: 5 * time.Second, min: 5 * time.Second, max: 5 * time.Second},
		{name: "overloaded waits the floor", step: 5 * time.Second, res: AttemptResult{Overloaded: true}, min: defaultOverloadedBackoff, max: defaultOverloadedBackoff},
		{name: "overloaded floor over Retry-After", step: 5 * time.Second, res: AttemptResult{Overloaded: true, Header: ra("7")}, min: defaultOverloadedBackoff, max: defaultOverloadedBackoff},
		{name: "overloaded keeps a longer step", step: 2 * time.Hour, res: AttemptResult{Overloaded: true}, min: 2 * time.Hour, max: 2 * time.Hour},
		{name: "OverloadedBackoff", policy: DeliveryPolicy{OverloadedBackoff: 10 * time.Minute}, step: 5 * time.Second, res: AttemptResult{Overloaded: true}, min: 10 * time.Minute, max: 10 * time.Minute},
		{name: "no OverloadedBackoff", policy: DeliveryPolicy{OverloadedBackoff: -1}, step: 5 * time.Second, res: AttemptResult{Overloaded: true}, min: 5 * time.Second, max: 5 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.policy
			if p.Jitter == 0 && tc.min == tc.max {
				p.Jitter = -1
			}
			p = p.withDefaults()
			for range 100 {
				d := p.retryDelay(tc.res, tc.step, now)
				require.GreaterOrEqual(t, d, tc.min)
				require.LessOrEqual(t, d, tc.max)
			}
		})
	}
}

// TestNextAttempt: the step that follows attempt n, on the Sender's
// clock, until the schedule runs out.
func TestNextAttempt(t *testing.T) {
	t.Parallel()
	clock := clockwork.NewFakeClockAt(time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC))
	s, err := NewSender(DeliveryPolicy{Schedule: []time.Duration{0, time.Second, time.Minute}, Jitter: -1}, clock)
	require.NoError(t, err)
	for n, want := range map[int]time.Duration{1: time.Second, 2: time.Minute} {
		next, ok := s.NextAttempt(AttemptResult{}, n)
		require.True(t, ok, "after attempt %d", n)
		require.Equal(t, clock.Now().Add(want), next, "after attempt %d", n)
	}
	for _, n := range []int{3, 4, -1} {
		_, ok := s.NextAttempt(AttemptResult{}, n)
		require.False(t, ok, "no attempt after attempt %d", n)
	}
	next, ok := s.NextAttempt(AttemptResult{Header: http.Header{"Retry-After": {"90"}}}, 2)
	require.True(t, ok)
	require.Equal(t, clock.Now().Add(90*time.Second), next, "Retry-After within the step and twice it")
}

// TestPolicyDefaults: NewSender fills in every default, in one place, and
// copies the schedule.
func TestPolicyDefaults(t *testing.T) {
	t.Parallel()
	s, err := NewSender(DeliveryPolicy{}, nil)
	require.NoError(t, err)
	p := s.Policy()
	require.Equal(t, defaultAttemptTimeout, p.Timeout)
	require.Equal(t, DefaultSchedule, p.Schedule)
	require.Equal(t, defaultJitter, p.Jitter)
	require.Equal(t, defaultOverloadedBackoff, p.OverloadedBackoff)
	require.Equal(t, defaultUserAgent, p.UserAgent)
	require.Equal(t, defaultPollingBatchSize, p.PollingBatchSize)
	require.Equal(t, defaultWebhookBatchSize, p.WebhookBatchSize)
	require.Zero(t, p.RetryAfterMin, "zero: the step")
	require.Zero(t, p.RetryAfterMax, "zero: twice the step")
	require.NotNil(t, p.Client)
	p.Schedule[0] = time.Hour
	require.Zero(t, s.Policy().Schedule[0], "Policy returns a copy")
	require.Zero(t, DefaultSchedule[0], "the default is never shared")

	mine := []time.Duration{0, time.Second}
	s, err = NewSender(DeliveryPolicy{Schedule: mine, Jitter: -1, OverloadedBackoff: -1}, nil)
	require.NoError(t, err)
	mine[1] = time.Hour
	require.Equal(t, []time.Duration{0, time.Second}, s.Policy().Schedule, "the Sender keeps its own copy")
	require.Equal(t, -1.0, s.Policy().Jitter, "negative: no jitter")
	require.Negative(t, s.Policy().OverloadedBackoff, "negative: no floor")
}

// TestPolicyErrors: a policy no default can mend is ErrConfig, naming the
// field under the path of the caller's Config.
func TestPolicyErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		policy DeliveryPolicy
		want   string
	}{
		{DeliveryPolicy{Jitter: 1}, "Jitter must be below 1, got 1"},
		{DeliveryPolicy{Jitter: 1.5}, "Jitter must be below 1, got 1.5"},
		{DeliveryPolicy{Schedule: []time.Duration{0, -time.Second}}, "Schedule[1] is negative: -1s"},
		{DeliveryPolicy{RetryAfterMin: -time.Second}, "RetryAfterMin is negative: -1s"},
		{DeliveryPolicy{RetryAfterMax: -time.Second}, "RetryAfterMax is negative: -1s"},
		{DeliveryPolicy{RetryAfterMin: time.Hour, RetryAfterMax: time.Minute}, "RetryAfterMax 1m0s is below RetryAfterMin 1h0m0s"},
	} {
		_, err := NewSender(tc.policy, nil)
		require.ErrorIs(t, err, ErrConfig, tc.want)
		require.EqualError(t, err, "notify: bad configuration: DeliveryPolicy."+tc.want)
		_, err = New(Config{Policy: tc.policy})
		require.ErrorIs(t, err, ErrConfig, tc.want)
		require.EqualError(t, err, "notify: bad configuration: Config.Policy."+tc.want)
	}
	_, err := NewSender(DeliveryPolicy{RetryAfterMin: time.Minute, RetryAfterMax: time.Minute}, nil)
	require.NoError(t, err, "equal bounds")
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
	_, ok := parseRetryAfter(nil, now)
	require.False(t, ok, "no header")
}

func TestCheckEndpoint(t *testing.T) {
	t.Parallel()
	httpsOnly := netguard.Guard{HTTPSOnly: true}
	for _, tc := range []struct {
		url     string
		guard   netguard.Guard
		wantErr error
	}{
		{url: "https://example.com/hook"},
		{url: "http://example.com/hook"},
		{url: "http://example.com/hook", guard: httpsOnly, wantErr: netguard.ErrRefused},
		{url: "https://example.com/hook", guard: httpsOnly},
		{url: "/relative", wantErr: ErrInvalidEndpoint},
		{url: "ftp://example.com/", wantErr: ErrInvalidEndpoint},
		{url: "https://", wantErr: ErrInvalidEndpoint},
		{url: "https://u:secret@exa mple.com/?token=secret", wantErr: ErrInvalidEndpoint},
		{url: "http://u:secret@example.com/?token=secret", guard: httpsOnly, wantErr: netguard.ErrRefused},
		{url: "http://u:secret@127.0.0.1:8080/?token=secret", wantErr: netguard.ErrRefused},
		{url: "http://2130706433/hook", wantErr: netguard.ErrRefused},
		{url: "http://localhost:8080/hook", wantErr: netguard.ErrRefused},
		{url: "http://127.0.0.1:8080/hook", guard: netguard.Guard{AllowPrivate: true}},
	} {
		err := CheckEndpoint(tc.url, tc.guard)
		require.ErrorIs(t, err, tc.wantErr, "%s", tc.url)
		if err != nil {
			require.NotContains(t, err.Error(), "secret", "the error quotes the URL redacted")
		}
	}
}

// TestSend makes real attempts against a receiver: what each answer leads
// to, the signed headers, redirects not followed, and a timeout on the
// Sender's clock.
func TestSend(t *testing.T) {
	t.Parallel()
	key := []byte("a-signature-key")
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			v, err := signature.NewVerifier(signature.VerifierConfig{Keys: []signature.Key{key}})
			if err == nil {
				err = v.Verify(mustRead(t, r), r.Header)
			}
			if err != nil {
				http.Error(w, err.Error(), http.StatusUnauthorized)
				return
			}
			_, _ = w.Write([]byte("thanks"))
		case "/unsigned":
			if r.Header.Get("Webhook-Id") != "n-1" || r.Header.Get("Webhook-Signature") != "" || r.Header.Get("User-Agent") != "test-agent" {
				http.Error(w, "bad headers", http.StatusBadRequest)
			}
		case "/busy":
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
		case "/moved":
			http.Redirect(w, r, "/ok", http.StatusFound)
		case "/gone":
			w.WriteHeader(http.StatusGone)
		case "/slow":
			// The client's timeout closes the connection, but a server that
			// has not read the body may not notice: release it at the end.
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}
	}))
	defer srv.Close()
	defer close(release) // before srv.Close, which waits for handlers
	s, err := NewSender(DeliveryPolicy{Client: srv.Client(), Guard: allowServer(srv), UserAgent: "test-agent", Timeout: 5 * time.Second}, nil)
	require.NoError(t, err)
	for _, tc := range []struct {
		path       string
		key        []byte
		want       Outcome
		status     int
		reason     string
		overloaded bool
	}{
		{path: "/ok", key: key, want: OutcomeDelivered, status: 200},
		{path: "/unsigned", want: OutcomeDelivered, status: 200},
		{path: "/busy", want: OutcomeRetry, status: 429, reason: "429 Too Many Requests", overloaded: true},
		{path: "/moved", key: key, want: OutcomeRetry, status: 302, reason: "302 Found"},
		{path: "/gone", want: OutcomeDisabled, status: 410, reason: "410 Gone"},
	} {
		r := s.Send(t.Context(), Delivery{ID: "n-1", Endpoint: srv.URL + tc.path + "?token=secret", Key: tc.key, Body: []byte(`{"a":1}`)})
		require.Equal(t, tc.want, r.Outcome, "%s: %s", tc.path, r.Error)
		require.Equal(t, tc.status, r.Status, tc.path)
		require.Equal(t, tc.reason, r.Reason, tc.path)
		require.Equal(t, tc.reason, r.Error, tc.path)
		require.Equal(t, tc.overloaded, r.Overloaded, tc.path)
		if tc.path == "/ok" {
			require.Equal(t, "thanks", string(r.Response))
		}
		if tc.path == "/busy" {
			require.Equal(t, "7", r.Header.Get("Retry-After"))
		}
	}

	r := s.Send(t.Context(), Delivery{ID: "n-2", Endpoint: "ftp://example.com/?token=secret"})
	require.Equal(t, OutcomeDead, r.Outcome)
	require.NotContains(t, r.Error, "secret")

	clock := clockwork.NewFakeClock()
	slow, err := NewSender(DeliveryPolicy{Client: srv.Client(), Guard: allowServer(srv), Timeout: time.Minute}, clock)
	require.NoError(t, err)
	done := make(chan AttemptResult)
	go func() {
		done <- slow.Send(t.Context(), Delivery{ID: "n-3", Endpoint: srv.URL + "/slow?token=secret"})
	}()
	require.NoError(t, clock.BlockUntilContext(t.Context(), 1))
	clock.Advance(time.Minute)
	r = <-done
	require.Equal(t, OutcomeRetry, r.Outcome)
	require.Equal(t, "timeout", r.Reason)
	require.True(t, r.Overloaded)
	require.True(t, strings.HasPrefix(r.Error, "attempt timed out after 1m0s"), r.Error)
	require.NotContains(t, r.Error, "secret")
}

func mustRead(t *testing.T, r *http.Request) []byte {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Error(err)
	}
	return b
}

// allowServer returns a guard that allows exactly srv, a server on
// loopback.
func allowServer(srv *httptest.Server) netguard.Guard {
	return netguard.Guard{AllowAddrPorts: []netip.AddrPort{netip.MustParseAddrPort(srv.Listener.Addr().String())}}
}
