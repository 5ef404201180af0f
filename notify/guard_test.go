package notify_test

import (
	"context"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/notify"
)

// countingServer counts its requests and answers with h (204 if nil). It
// listens on network "tcp4" (127.0.0.1) or "tcp6" (::1); nil when the
// machine has no such address.
func countingServer(t *testing.T, network string, h http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	l, err := net.Listen(network, map[string]string{"tcp4": "127.0.0.1:0", "tcp6": "[::1]:0"}[network])
	if err != nil {
		return nil, &hits
	}
	srv := &httptest.Server{Listener: l, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if h != nil {
			h(w, r)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})}}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &hits
}

// exactly returns a guard that allows srv's address and port, and nothing
// else.
func exactly(srv *httptest.Server) netguard.Guard {
	return netguard.Guard{AllowAddrPorts: []netip.AddrPort{netip.MustParseAddrPort(srv.Listener.Addr().String())}}
}

// TestNotifierGuard publishes to a callback URL on loopback or the
// metadata endpoint, in every form a resolver accepts: Publish refuses
// each, naming the instance and the configuration key, and stores
// nothing. (The Notifier has no pagination; redirects and dial-time
// refusals are below.)
func TestNotifierGuard(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		url    func(port, port6 string) string
		wantIn string
	}{
		{"127.0.0.1", func(p, _ string) string { return "http://127.0.0.1:" + p + "/cb" }, "netguard: refused: 127.0.0.1 is loopback"},
		{"[::1]", func(_, p6 string) string { return "http://[::1]:" + p6 + "/cb" }, "netguard: refused: ::1 is loopback"},
		{"0.0.0.0", func(p, _ string) string { return "http://0.0.0.0:" + p + "/cb" }, "netguard: refused: 0.0.0.0 is this network"},
		{"2130706433", func(p, _ string) string { return "http://2130706433:" + p + "/cb" }, `host "2130706433" reads as 127.0.0.1`},
		{"0x7f.1", func(p, _ string) string { return "http://0x7f.1:" + p + "/cb" }, `host "0x7f.1" reads as 127.0.0.1`},
		{"017700000001", func(p, _ string) string { return "http://017700000001:" + p + "/cb" }, `host "017700000001" reads as 127.0.0.1`},
		{"127.1", func(p, _ string) string { return "http://127.1:" + p + "/cb" }, `host "127.1" reads as 127.0.0.1`},
		{"[::ffff:127.0.0.1]", func(p, _ string) string { return "http://[::ffff:127.0.0.1]:" + p + "/cb" }, "::ffff:127.0.0.1 embeds 127.0.0.1, loopback"},
		{"169.254.169.254", func(string, string) string { return "http://169.254.169.254/latest/meta-data/" }, "169.254.169.254 is cloud metadata"},
		{"localhost", func(p, _ string) string { return "http://localhost:" + p + "/cb" }, `host "localhost" names loopback`},
		{"credentials", func(p, _ string) string { return "http://user:s3cret@127.0.0.1:" + p + "/cb?token=s3cret" }, "127.0.0.1 is loopback"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rc, hits := countingServer(t, "tcp4", nil)
			rc6, hits6 := countingServer(t, "tcp6", nil)
			_, port, _ := net.SplitHostPort(rc.Listener.Addr().String())
			port6 := port
			if rc6 != nil {
				_, port6, _ = net.SplitHostPort(rc6.Listener.Addr().String())
			}
			n, err := notify.New(notify.Config{Clock: newFake(), Logger: discardLogger()}) // the zero Guard
			require.NoError(t, err)
			b := batch(tt.url(port, port6), key, evt("customers", "1", events.Created, ""))
			b.Instance.ID = "42"
			err = n.Publish(t.Context(), b)
			require.ErrorIs(t, err, netguard.ErrRefused)
			require.ErrorContains(t, err, "notify: instance 42: event.notification.callback.url: ")
			require.ErrorContains(t, err, tt.wantIn)
			require.NotContains(t, err.Error(), "s3cret")
			require.Zero(t, n.Stats().Enqueued)
			ds, err := n.Outbox().List(t.Context(), notify.Filter{})
			require.NoError(t, err)
			require.Empty(t, ds)

			ctx, cancel := context.WithCancel(t.Context())
			done := make(chan error, 1)
			go func() { done <- n.Run(ctx) }()
			time.Sleep(10 * time.Millisecond) // nothing to deliver: give a wrong delivery the time to show
			cancel()
			require.NoError(t, <-done)
			require.Zero(t, hits.Load()+hits6.Load(), "a receiver on loopback was reached")
		})
	}
}

// TestNotifierGuardRedirect: a receiver allowed exactly that answers with a
// redirect to loopback is not followed; the attempt fails.
func TestNotifierGuardRedirect(t *testing.T) {
	t.Parallel()
	internal, internalHits := countingServer(t, "tcp4", nil)
	rc, hits := countingServer(t, "tcp4", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, internal.URL+"/admin", http.StatusFound)
	})
	n, err := notify.New(notify.Config{Clock: newFake(), Logger: discardLogger(), Policy: notify.DeliveryPolicy{Guard: exactly(rc), Schedule: []time.Duration{0}}})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go func() { _ = n.Run(ctx) }()
	publish(t, n, batch(rc.URL+"/cb", key, evt("customers", "1", events.Created, "")))
	require.Eventually(t, func() bool { return n.Stats().Dead == 1 }, 5*time.Second, time.Millisecond)
	require.EqualValues(t, 1, hits.Load())
	require.Zero(t, internalHits.Load(), "the redirect was followed")
	dead, err := n.Outbox().List(ctx, notify.Filter{State: notify.Dead})
	require.NoError(t, err)
	require.Contains(t, dead[0].DeadReason, "302 Found")
}

// TestNotifierGuardAtAttempt: a delivery to a refused address that is
// already in the outbox (stored under another guard, or by a name that
// now resolves to loopback) is refused when attempted and dead-lettered
// at once; the reason names the endpoint, without its credentials.
func TestNotifierGuardAtAttempt(t *testing.T) {
	t.Parallel()
	rc, hits := countingServer(t, "tcp4", nil)
	clock := newFake()
	ob := notify.NewMemoryOutbox()
	endpoint := "http://user:s3cret@" + rc.Listener.Addr().String() + "/cb?token=s3cret"
	require.NoError(t, ob.Enqueue(t.Context(), clock.Now(), notify.Delivery{ID: "d-1", Endpoint: endpoint, Key: key, Body: []byte(`{}`)}))
	n, err := notify.New(notify.Config{Clock: clock, Logger: discardLogger(), Outbox: ob})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go func() { _ = n.Run(ctx) }()
	require.Eventually(t, func() bool { return n.Stats().Dead == 1 }, 5*time.Second, time.Millisecond)
	require.Zero(t, hits.Load(), "a loopback callback is never reached")
	require.EqualValues(t, 1, n.Stats().Attempts, "refused for good, not retried")
	dead, err := n.Outbox().List(ctx, notify.Filter{State: notify.Dead})
	require.NoError(t, err)
	require.Contains(t, dead[0].DeadReason, "netguard: refused: 127.0.0.1 is loopback")
	require.Contains(t, dead[0].DeadReason, `"http://`+rc.Listener.Addr().String()+`/cb?token=REDACTED"`)
	require.NotContains(t, dead[0].DeadReason, "s3cret")
}

// okRoundTripper answers 204 without a network, and counts requests.
type okRoundTripper struct{ calls atomic.Int32 }

func (rt *okRoundTripper) RoundTrip(*http.Request) (*http.Response, error) {
	rt.calls.Add(1)
	return &http.Response{StatusCode: http.StatusNoContent, Body: http.NoBody, Header: http.Header{}}, nil
}

// TestSenderGuardsSuppliedClient: a Client the user supplies cannot drop
// the guard, whatever its transport.
func TestSenderGuardsSuppliedClient(t *testing.T) {
	t.Parallel()
	rc, hits := countingServer(t, "tcp4", nil)
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	rt := &okRoundTripper{}
	for name, c := range map[string]*http.Client{
		"zero Client":           {},
		"http.Transport":        {Transport: &http.Transport{}},
		"http.DefaultTransport": {Transport: http.DefaultTransport},
		"Jar and Timeout":       {Jar: jar, Timeout: time.Minute},
		"RoundTripper":          {Transport: rt},
	} {
		s, err := notify.NewSender(notify.DeliveryPolicy{Client: c}, nil)
		require.NoError(t, err)
		for _, endpoint := range []string{rc.URL + "/cb", "http://2130706433:" + rc.URL[strings.LastIndex(rc.URL, ":")+1:] + "/cb"} {
			r := s.Send(t.Context(), notify.Delivery{ID: "d", Endpoint: endpoint, Body: []byte(`{}`)})
			require.Equal(t, notify.OutcomeDead, r.Outcome, "%s: %s", name, endpoint)
			require.Contains(t, r.Error, "netguard: refused", name)
		}
	}
	require.Zero(t, hits.Load(), "the receiver on loopback was reached")
	require.Zero(t, rt.calls.Load(), "the round tripper was asked")

	// Allowed exactly, the same clients deliver.
	s, err := notify.NewSender(notify.DeliveryPolicy{Client: &http.Client{Transport: &http.Transport{}}, Guard: exactly(rc)}, nil)
	require.NoError(t, err)
	require.Equal(t, notify.OutcomeDelivered, s.Send(t.Context(), notify.Delivery{ID: "d", Endpoint: rc.URL + "/cb", Body: []byte(`{}`)}).Outcome)
	s, err = notify.NewSender(notify.DeliveryPolicy{Client: &http.Client{Transport: rt}}, nil)
	require.NoError(t, err)
	require.Equal(t, notify.OutcomeDelivered, s.Send(t.Context(), notify.Delivery{ID: "d", Endpoint: "https://hooks.example.com/cb", Body: []byte(`{}`)}).Outcome)
	require.EqualValues(t, 1, rt.calls.Load())
}
