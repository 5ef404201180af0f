package events

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
		step     time.Duration
		res      Result
		jitter   float64
		min, max time.Duration
	}{
		{name: "step", step: 5 * time.Minute, min: 5 * time.Minute, max: 5 * time.Minute},
		{name: "jittered", step: 5 * time.Minute, jitter: 0.2, min: 4 * time.Minute, max: 6 * time.Minute},
		{name: "Retry-After within bounds", step: 5 * time.Second, res: Result{Header: ra("7")}, jitter: 0.2, min: 7 * time.Second, max: 7 * time.Second},
		{name: "Retry-After date", step: 5 * time.Second, res: Result{Header: ra(now.Add(8 * time.Second).Format(http.TimeFormat))}, min: 8 * time.Second, max: 8 * time.Second},
		{name: "Retry-After kept to twice the step", step: 5 * time.Second, res: Result{Header: ra("3600")}, min: 10 * time.Second, max: 10 * time.Second},
		{name: "Retry-After not below the step", step: 5 * time.Minute, res: Result{Header: ra("1")}, min: 5 * time.Minute, max: 5 * time.Minute},
		{name: "overloaded waits the floor", step: 5 * time.Second, res: Result{Overloaded: true}, min: OverloadedBackoff, max: OverloadedBackoff},
		{name: "overloaded floor over Retry-After", step: 5 * time.Second, res: Result{Overloaded: true, Header: ra("7")}, min: OverloadedBackoff, max: OverloadedBackoff},
		{name: "overloaded keeps a longer step", step: 2 * time.Hour, res: Result{Overloaded: true}, min: 2 * time.Hour, max: 2 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for range 100 {
				d := tc.res.RetryDelay(tc.step, tc.jitter, now)
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

func TestRedactURL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://user:pw@example.com:8443/a/b?token=x#frag": "https://example.com:8443/a/b?token=REDACTED",
		"http://example.com": "http://example.com",
		"https://hooks.example.com/cb?tenant=7&pass=TOPSECRET3":       "https://hooks.example.com/cb?tenant=7&pass=REDACTED",
		"https://hooks.example.com/cb?PWD=TOPSECRET4&Session_Id=abcd": "https://hooks.example.com/cb?PWD=REDACTED&Session_Id=REDACTED",
		"://bad": "(unparseable URL)",
	} {
		require.Equal(t, want, RedactURL(in), in)
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
	s := NewSender(Config{Client: srv.Client(), Guard: allowServer(srv), UserAgent: "test-agent", Timeout: 5 * time.Second})
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
	slow := NewSender(Config{Client: srv.Client(), Guard: allowServer(srv), Clock: clock, Timeout: time.Minute})
	done := make(chan Result)
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
