package netguard

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// guardTestServer starts a server whose handler counts its calls.
func guardTestServer(t *testing.T, tls bool) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusNoContent)
	})
	var srv *httptest.Server
	if tls {
		srv = httptest.NewTLSServer(h)
	} else {
		srv = httptest.NewServer(h)
	}
	t.Cleanup(srv.Close)
	return srv, &calls
}

// guardTestPost sends an empty POST to rawURL through tr.
func guardTestPost(t *testing.T, tr *http.Transport, rawURL string) (*http.Response, error) {
	t.Helper()
	t.Cleanup(tr.CloseIdleConnections)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, rawURL, http.NoBody)
	require.NoError(t, err)
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err == nil {
		t.Cleanup(func() { resp.Body.Close() })
	}
	return resp, err
}

func TestGuardTransportEndToEnd(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		guard   Guard
		tls     bool
		local   bool // dial "localhost" instead of the IP literal
		wantErr error
	}{
		{"zero guard", Guard{}, false, false, ErrRefused},
		{"zero guard, localhost", Guard{}, false, true, ErrRefused},
		{"zero guard, TLS", Guard{}, true, false, ErrRefused},
		{"AllowPrivate", Guard{AllowPrivate: true}, false, false, nil},
		{"AllowPrivate, localhost", Guard{AllowPrivate: true}, false, true, nil},
		{"AllowPrivate, TLS", Guard{AllowPrivate: true}, true, false, nil},
		{"Allow 127.0.0.1/32", Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}, false, false, nil},
		{"Allow 127.0.0.2/32", Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")}}, false, false, ErrRefused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, calls := guardTestServer(t, tt.tls)
			var base *http.Transport
			if tt.tls {
				// Carries the test CA; Transport must keep it but not
				// its dialers.
				base = srv.Client().Transport.(*http.Transport)
			}
			u, err := url.Parse(srv.URL)
			require.NoError(t, err)
			if tt.local {
				u.Host = net.JoinHostPort("localhost", u.Port())
			}

			resp, err := guardTestPost(t, tt.guard.transport(base), u.String())
			if tt.wantErr == nil {
				require.NoError(t, err)
				require.Equal(t, http.StatusNoContent, resp.StatusCode)
				require.EqualValues(t, 1, calls.Load())
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
			var ue *url.Error
			require.ErrorAs(t, err, &ue)
			var oe *net.OpError
			require.ErrorAs(t, err, &oe)
			require.Equal(t, "dial", oe.Op)
			require.Zero(t, calls.Load(), "handler called")
		})
	}
}

// TestGuardDialContextResolves dials a name: it resolves (to 127.0.0.1 and
// maybe ::1) and then every address is checked.
func TestGuardDialContextResolves(t *testing.T) {
	t.Parallel()
	srv, calls := guardTestServer(t, false)
	u, err := url.Parse(srv.URL)
	require.NoError(t, err)
	addr := net.JoinHostPort("localhost", u.Port())

	conn, err := Guard{}.DialContext(nil)(t.Context(), "tcp", addr)
	require.ErrorIs(t, err, ErrRefused)
	require.ErrorContains(t, err, "loopback")
	require.Nil(t, conn)

	conn, err = Guard{AllowPrivate: true}.DialContext(nil)(t.Context(), "tcp", addr)
	require.NoError(t, err)
	require.NoError(t, conn.Close())
	require.Zero(t, calls.Load())
}

func TestGuardDialContextChainsControl(t *testing.T) {
	t.Parallel()
	srv, _ := guardTestServer(t, false)
	addr := srv.Listener.Addr().String()
	errMine := errors.New("mine")
	tests := []struct {
		name      string
		guard     Guard
		dialer    func(calls *atomic.Int32) *net.Dialer
		wantErr   error
		wantCalls int32
	}{
		{"Control, allowed", Guard{AllowPrivate: true}, func(calls *atomic.Int32) *net.Dialer {
			return &net.Dialer{Control: func(string, string, syscall.RawConn) error { calls.Add(1); return nil }}
		}, nil, 1},
		{"Control, blocked", Guard{}, func(calls *atomic.Int32) *net.Dialer {
			return &net.Dialer{Control: func(string, string, syscall.RawConn) error { calls.Add(1); return nil }}
		}, ErrRefused, 0},
		{"ControlContext refuses", Guard{AllowPrivate: true}, func(calls *atomic.Int32) *net.Dialer {
			return &net.Dialer{ControlContext: func(context.Context, string, string, syscall.RawConn) error { calls.Add(1); return errMine }}
		}, errMine, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			d := tt.dialer(&calls)
			before := *d
			conn, err := tt.guard.DialContext(d)(t.Context(), "tcp", addr)
			if tt.wantErr == nil {
				require.NoError(t, err)
				require.NoError(t, conn.Close())
			} else {
				require.ErrorIs(t, err, tt.wantErr)
			}
			require.Equal(t, tt.wantCalls, calls.Load())
			// The caller's dialer is copied, not changed.
			require.Equal(t, before.Control == nil, d.Control == nil)
			require.Equal(t, before.ControlContext == nil, d.ControlContext == nil)
		})
	}
}

// TestGuardDialContextNonIP: addresses the guard cannot read fail closed.
func TestGuardDialContextNonIP(t *testing.T) {
	t.Parallel()
	_, err := Guard{AllowPrivate: true}.DialContext(nil)(t.Context(), "unix", "/nonexistent/events.sock")
	require.ErrorIs(t, err, ErrRefused)
}

func TestGuardTransport(t *testing.T) {
	t.Parallel()
	t.Run("default", func(t *testing.T) {
		t.Parallel()
		tr := Guard{}.transport(nil)
		require.Nil(t, tr.Proxy)
		require.NotNil(t, tr.DialContext)
		require.True(t, tr.ForceAttemptHTTP2)
		require.Positive(t, tr.TLSHandshakeTimeout)
		require.Positive(t, tr.MaxIdleConns)
		require.Positive(t, tr.IdleConnTimeout)
	})
	t.Run("clone", func(t *testing.T) {
		t.Parallel()
		dialTLS := func(context.Context, string, string) (net.Conn, error) { return nil, errors.New("unguarded") }
		base := &http.Transport{
			Proxy:           http.ProxyFromEnvironment,
			DialTLSContext:  dialTLS,
			MaxConnsPerHost: 7,
		}
		tr := Guard{}.transport(base)
		require.NotSame(t, base, tr)
		require.Nil(t, tr.Proxy)
		require.Nil(t, tr.DialTLSContext)
		require.NotNil(t, tr.DialContext)
		require.Equal(t, 7, tr.MaxConnsPerHost)
		// base is left alone.
		require.NotNil(t, base.Proxy)
		require.NotNil(t, base.DialTLSContext)
		require.Nil(t, base.DialContext)
	})
}

// TestGuardAllowAddrPortRedirect: a guard that allows exactly one server
// reaches it and refuses a redirect to another port of the same loopback
// address, at dial time.
func TestGuardAllowAddrPortRedirect(t *testing.T) {
	t.Parallel()
	other, otherCalls := guardTestServer(t, false)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, other.URL+"/internal", http.StatusFound)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	g := Guard{AllowAddrPorts: []netip.AddrPort{netip.MustParseAddrPort(srv.Listener.Addr().String())}}
	tr := g.transport(nil)
	t.Cleanup(tr.CloseIdleConnections)
	client := &http.Client{Transport: tr}

	resp, err := client.Get(srv.URL + "/")
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusNoContent, resp.StatusCode)

	_, err = client.Get(srv.URL + "/redirect")
	require.ErrorIs(t, err, ErrRefused)
	require.ErrorContains(t, err, "loopback")
	require.Zero(t, otherCalls.Load(), "the redirect target was reached")

	_, err = client.Get(other.URL)
	require.ErrorIs(t, err, ErrRefused)
}

func TestGuardCheckAddrPort(t *testing.T) {
	t.Parallel()
	g := Guard{AllowAddrPorts: []netip.AddrPort{
		netip.MustParseAddrPort("127.0.0.1:8080"),
		netip.MustParseAddrPort("[::ffff:10.0.0.1]:443"),
		netip.MustParseAddrPort("[fe80::1%eth0]:80"),
	}}
	tests := []struct {
		addr    string
		wantErr error
	}{
		{"127.0.0.1:8080", nil},
		{"[::ffff:127.0.0.1]:8080", nil},
		{"127.0.0.1:8081", ErrRefused},
		{"127.0.0.2:8080", ErrRefused},
		{"[::1]:8080", ErrRefused},
		{"10.0.0.1:443", nil},
		{"10.0.0.1:80", ErrRefused},
		{"[fe80::1]:80", nil},
		{"[fe80::1%eth1]:80", nil},
		{"8.8.8.8:53", nil},
	}
	for _, tt := range tests {
		err := g.CheckAddrPort(netip.MustParseAddrPort(tt.addr))
		if tt.wantErr == nil {
			require.NoError(t, err, tt.addr)
			continue
		}
		require.ErrorIs(t, err, tt.wantErr, tt.addr)
	}
}

// fakeRoundTripper answers 204 to every request and counts them.
type fakeRoundTripper struct {
	calls, closes atomic.Int32
}

func (f *fakeRoundTripper) RoundTrip(*http.Request) (*http.Response, error) {
	f.calls.Add(1)
	return &http.Response{StatusCode: http.StatusNoContent, Body: http.NoBody, Header: http.Header{}}, nil
}

func (f *fakeRoundTripper) CloseIdleConnections() { f.closes.Add(1) }

// closeRecorder is a request body that records being closed.
type closeRecorder struct {
	closed atomic.Bool
}

func (c *closeRecorder) Read([]byte) (int, error) { return 0, io.EOF }
func (c *closeRecorder) Close() error             { c.closed.Store(true); return nil }

func TestGuardRoundTripper(t *testing.T) {
	t.Parallel()
	t.Run("nil", func(t *testing.T) {
		t.Parallel()
		tr, ok := Guard{}.RoundTripper(nil).(*checkedRoundTripper).next.(*http.Transport)
		require.True(t, ok)
		require.NotNil(t, tr.DialContext)
		require.Nil(t, tr.Proxy)
	})
	t.Run("transport", func(t *testing.T) {
		t.Parallel()
		base := &http.Transport{Proxy: http.ProxyFromEnvironment, MaxConnsPerHost: 3}
		tr, ok := Guard{}.RoundTripper(base).(*checkedRoundTripper).next.(*http.Transport)
		require.True(t, ok)
		require.NotSame(t, base, tr)
		require.NotNil(t, tr.DialContext)
		require.Nil(t, tr.Proxy)
		require.Equal(t, 3, tr.MaxConnsPerHost)
		require.Nil(t, base.DialContext, "base is left alone")
	})
	t.Run("custom", func(t *testing.T) {
		t.Parallel()
		fake := &fakeRoundTripper{}
		rt := Guard{AllowAddrPorts: []netip.AddrPort{netip.MustParseAddrPort("127.0.0.1:9")}}.RoundTripper(fake)
		tests := []struct {
			url     string
			wantErr error
		}{
			{"http://vendor.example/", nil},
			{"http://127.0.0.1:9/", nil},
			{"http://127.0.0.1:10/", ErrRefused},
			{"http://[::1]/", ErrRefused},
			{"http://0.0.0.0/", ErrRefused},
			{"http://2130706433/", ErrRefused},
			{"http://localhost/", ErrRefused},
			{"http://169.254.169.254/", ErrRefused},
			{"file:///etc/passwd", ErrRefused},
		}
		for _, tt := range tests {
			body := &closeRecorder{}
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, tt.url, body)
			require.NoError(t, err)
			before := fake.calls.Load()
			resp, err := (&http.Client{Transport: rt}).Do(req)
			if tt.wantErr == nil {
				require.NoError(t, err, tt.url)
				require.NoError(t, resp.Body.Close())
				require.Equal(t, before+1, fake.calls.Load(), tt.url)
				continue
			}
			require.ErrorIs(t, err, tt.wantErr, tt.url)
			require.Equal(t, before, fake.calls.Load(), "%s reached the round tripper", tt.url)
			require.True(t, body.closed.Load(), "%s: body not closed", tt.url)
		}
		(&http.Client{Transport: rt}).CloseIdleConnections()
		require.EqualValues(t, 1, fake.closes.Load())
	})
}

// TestGuardRoundTripperChecksURL: a guarded http.Transport refuses what
// CheckURL refuses before dialing, so a numeric host is refused whatever
// the resolver makes of it.
func TestGuardRoundTripperChecksURL(t *testing.T) {
	t.Parallel()
	srv, calls := guardTestServer(t, false)
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	require.NoError(t, err)
	client := &http.Client{Transport: Guard{}.RoundTripper(&http.Transport{})}
	t.Cleanup(client.CloseIdleConnections)
	for _, host := range []string{"2130706433", "0x7f.1", "017700000001", "localhost", "LOCALHOST."} {
		_, err := client.Get("http://" + net.JoinHostPort(host, port) + "/")
		require.ErrorIs(t, err, ErrRefused, host)
		var oe *net.OpError
		require.False(t, errors.As(err, &oe), "%s: refused before dialing", host)
	}
	require.Zero(t, calls.Load())
}
