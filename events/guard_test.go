package events

import (
	"context"
	"errors"
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

func TestGuardCheckAddr(t *testing.T) {
	t.Parallel()
	tests := []struct {
		addr    string
		wantErr error
		name    string // range named in the error
	}{
		// 0.0.0.0/8
		{"0.0.0.0", ErrBlocked, "this network"},
		{"0.255.255.255", ErrBlocked, "this network"},
		{"1.0.0.0", nil, ""},
		// 10.0.0.0/8
		{"9.255.255.255", nil, ""},
		{"10.0.0.0", ErrBlocked, "private (RFC 1918)"},
		{"10.255.255.255", ErrBlocked, "private (RFC 1918)"},
		{"11.0.0.0", nil, ""},
		// 100.64.0.0/10
		{"100.63.255.255", nil, ""},
		{"100.64.0.0", ErrBlocked, "CGNAT"},
		{"100.127.255.255", ErrBlocked, "CGNAT"},
		{"100.128.0.0", nil, ""},
		{"100.100.100.200", ErrBlocked, "cloud metadata"},
		// 127.0.0.0/8
		{"126.255.255.255", nil, ""},
		{"127.0.0.0", ErrBlocked, "loopback"},
		{"127.0.0.1", ErrBlocked, "loopback"},
		{"127.255.255.255", ErrBlocked, "loopback"},
		{"128.0.0.0", nil, ""},
		// 169.254.0.0/16
		{"169.253.255.255", nil, ""},
		{"169.254.0.0", ErrBlocked, "link-local"},
		{"169.254.169.253", ErrBlocked, "link-local"},
		{"169.254.169.254", ErrBlocked, "cloud metadata"},
		{"169.254.255.255", ErrBlocked, "link-local"},
		{"169.255.0.0", nil, ""},
		// 172.16.0.0/12
		{"172.15.255.255", nil, ""},
		{"172.16.0.0", ErrBlocked, "private (RFC 1918)"},
		{"172.31.255.255", ErrBlocked, "private (RFC 1918)"},
		{"172.32.0.0", nil, ""},
		// 192.0.0.0/24, 192.0.2.0/24
		{"191.255.255.255", nil, ""},
		{"192.0.0.0", ErrBlocked, "IETF protocol assignments"},
		{"192.0.0.255", ErrBlocked, "IETF protocol assignments"},
		{"192.0.1.0", nil, ""},
		{"192.0.2.0", ErrBlocked, "documentation"},
		{"192.0.2.255", ErrBlocked, "documentation"},
		{"192.0.3.0", nil, ""},
		// 192.168.0.0/16 is not in the brief's list but is RFC 1918.
		{"192.168.1.1", ErrBlocked, "private (RFC 1918)"},
		// 198.18.0.0/15
		{"198.17.255.255", nil, ""},
		{"198.18.0.0", ErrBlocked, "benchmarking"},
		{"198.19.255.255", ErrBlocked, "benchmarking"},
		{"198.20.0.0", nil, ""},
		// 198.51.100.0/24, 203.0.113.0/24
		{"198.51.99.255", nil, ""},
		{"198.51.100.0", ErrBlocked, "documentation"},
		{"198.51.100.255", ErrBlocked, "documentation"},
		{"198.51.101.0", nil, ""},
		{"203.0.112.255", nil, ""},
		{"203.0.113.0", ErrBlocked, "documentation"},
		{"203.0.113.255", ErrBlocked, "documentation"},
		{"203.0.114.0", nil, ""},
		// 224.0.0.0/4, 240.0.0.0/4, broadcast
		{"223.255.255.255", nil, ""},
		{"224.0.0.0", ErrBlocked, "multicast"},
		{"239.255.255.255", ErrBlocked, "multicast"},
		{"240.0.0.0", ErrBlocked, "reserved"},
		{"255.255.255.254", ErrBlocked, "reserved"},
		{"255.255.255.255", ErrBlocked, "broadcast"},
		// Public IPv4.
		{"8.8.8.8", nil, ""},
		{"1.1.1.1", nil, ""},

		// IPv6 special addresses.
		{"::", ErrBlocked, "unspecified"},
		{"::1", ErrBlocked, "loopback"},
		{"::2", ErrBlocked, "IPv4-compatible"},
		{"::7f00:1", ErrBlocked, "IPv4-compatible"},
		{"::1:0:0:0", nil, ""},
		// fc00::/7, fe80::/10, fec0::/10
		{"fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", nil, ""},
		{"fc00::", ErrBlocked, "unique local (ULA)"},
		{"fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", ErrBlocked, "unique local (ULA)"},
		{"fd00:ec2::254", ErrBlocked, "cloud metadata"},
		{"fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", nil, ""},
		{"fe80::", ErrBlocked, "link-local"},
		{"fe80::1%eth0", ErrBlocked, "link-local"},
		{"febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", ErrBlocked, "link-local"},
		{"fec0::", ErrBlocked, "site-local"},
		{"feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", ErrBlocked, "site-local"},
		// ff00::/8
		{"ff00::", ErrBlocked, "multicast"},
		{"ff02::1", ErrBlocked, "multicast"},
		{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", ErrBlocked, "multicast"},
		// 2001:db8::/32
		{"2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", nil, ""},
		{"2001:db8::", ErrBlocked, "documentation"},
		{"2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", ErrBlocked, "documentation"},
		{"2001:db9::", nil, ""},
		// 100::/64
		{"100::", ErrBlocked, "discard"},
		{"100::ffff:ffff:ffff:ffff", ErrBlocked, "discard"},
		{"100:0:0:1::", nil, ""},
		// Public IPv6.
		{"2606:4700:4700::1111", nil, ""},
		{"2a00:1450:4001:80b::200e", nil, ""},

		// Embedded IPv4: IPv4-mapped.
		{"::ffff:127.0.0.1", ErrBlocked, "loopback"},
		{"::ffff:10.1.2.3", ErrBlocked, "private (RFC 1918)"},
		{"::ffff:169.254.169.254", ErrBlocked, "cloud metadata"},
		{"::ffff:0.0.0.0", ErrBlocked, "this network"},
		{"::ffff:8.8.8.8", nil, ""},
		// NAT64 64:ff9b::/96 and local-use 64:ff9b:1::/48.
		{"64:ff9b::7f00:1", ErrBlocked, "loopback"},
		{"64:ff9b::a9fe:a9fe", ErrBlocked, "cloud metadata"},
		{"64:ff9b::808:808", nil, ""},
		{"64:ff9b:1::808:808", ErrBlocked, "NAT64 local-use"},
		// 6to4 2002::/16.
		{"2002:7f00:1::", ErrBlocked, "loopback"},
		{"2002:a00:1::1", ErrBlocked, "private (RFC 1918)"},
		{"2002:808:808::1", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			t.Parallel()
			err := Guard{}.CheckAddr(netip.MustParseAddr(tt.addr))
			if tt.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
			require.ErrorContains(t, err, tt.addr)
			require.ErrorContains(t, err, tt.name)
		})
	}
}

func TestGuardCheckAddrInvalid(t *testing.T) {
	t.Parallel()
	require.ErrorIs(t, Guard{}.CheckAddr(netip.Addr{}), ErrBlocked)
	require.ErrorIs(t, Guard{AllowPrivate: true}.CheckAddr(netip.Addr{}), ErrBlocked)
}

func TestGuardCheckAddrMessage(t *testing.T) {
	t.Parallel()
	err := Guard{}.CheckAddr(netip.MustParseAddr("127.0.0.1"))
	require.EqualError(t, err, "events: callback address not allowed: 127.0.0.1 is loopback (127.0.0.0/8)")
	err = Guard{}.CheckAddr(netip.MustParseAddr("64:ff9b::a9fe:a9fe"))
	require.EqualError(t, err, "events: callback address not allowed: 64:ff9b::a9fe:a9fe embeds 169.254.169.254, cloud metadata (169.254.169.254/32)")
}

func TestGuardCheckAddrAllowPrivate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		addr    string
		wantErr error
	}{
		{"127.0.0.1", nil},
		{"10.0.0.1", nil},
		{"172.16.0.1", nil},
		{"192.168.0.1", nil},
		{"100.64.0.1", nil},
		{"169.254.0.1", nil},
		{"192.0.0.1", nil},
		{"192.0.2.1", nil},
		{"198.18.0.1", nil},
		{"::1", nil},
		{"fd00::1", nil},
		{"fe80::1%eth0", nil},
		{"fec0::1", nil},
		{"2001:db8::1", nil},
		{"::ffff:127.0.0.1", nil},
		{"64:ff9b::a00:1", nil},
		{"2002:c0a8:1::", nil},
		{"8.8.8.8", nil},
		// Never a valid callback target, AllowPrivate or not.
		{"0.0.0.0", ErrBlocked},
		{"0.1.2.3", ErrBlocked},
		{"224.0.0.1", ErrBlocked},
		{"240.0.0.1", ErrBlocked},
		{"255.255.255.255", ErrBlocked},
		{"169.254.169.254", ErrBlocked},
		{"100.100.100.200", ErrBlocked},
		{"::", ErrBlocked},
		{"::2", ErrBlocked},
		{"100::1", ErrBlocked},
		{"ff02::1", ErrBlocked},
		{"fd00:ec2::254", ErrBlocked},
		{"::ffff:0.0.0.0", ErrBlocked},
		{"::ffff:169.254.169.254", ErrBlocked},
		{"64:ff9b::e000:1", ErrBlocked},
		{"2002:ffff:ffff::", ErrBlocked},
	}
	g := Guard{AllowPrivate: true}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			t.Parallel()
			err := g.CheckAddr(netip.MustParseAddr(tt.addr))
			if tt.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
		})
	}
}

func TestGuardCheckAddrAllow(t *testing.T) {
	t.Parallel()
	g := Guard{Allow: []netip.Prefix{
		netip.MustParsePrefix("127.0.0.1/32"),
		netip.MustParsePrefix("169.254.169.254/32"),
		netip.MustParsePrefix("224.0.0.0/4"),
		netip.MustParsePrefix("fd00::/8"),
	}}
	tests := []struct {
		addr    string
		wantErr error
	}{
		{"127.0.0.1", nil},
		{"::ffff:127.0.0.1", nil},
		{"64:ff9b::7f00:1", nil},
		{"127.0.0.2", ErrBlocked},
		{"::1", ErrBlocked},
		{"169.254.169.254", nil},
		{"169.254.0.1", ErrBlocked},
		{"239.1.2.3", nil},
		{"240.0.0.0", ErrBlocked},
		{"fd00::1", nil},
		{"fd00:ec2::254", nil},
		{"fc00::1", ErrBlocked},
		{"8.8.8.8", nil},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			t.Parallel()
			err := g.CheckAddr(netip.MustParseAddr(tt.addr))
			if tt.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
		})
	}
}

// TestBlockedRangesOrder guards the first-match-wins table: a range that
// an earlier range contains would never match.
func TestBlockedRangesOrder(t *testing.T) {
	t.Parallel()
	for j, rj := range blockedRanges {
		require.Equal(t, rj.prefix.Masked(), rj.prefix, "%s is not masked", rj.prefix)
		for _, ri := range blockedRanges[:j] {
			shadowed := ri.prefix.Bits() <= rj.prefix.Bits() && ri.prefix.Contains(rj.prefix.Addr())
			require.False(t, shadowed, "%s (%s) is shadowed by %s", rj.prefix, rj.name, ri.prefix)
		}
	}
}

func TestGuardCheckURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		guard   Guard
		url     string
		wantErr error
	}{
		{"https", Guard{}, "https://hooks.example.com/cb", nil},
		{"http", Guard{}, "http://hooks.example.com/cb", nil},
		{"http HTTPSOnly", Guard{HTTPSOnly: true}, "http://hooks.example.com/cb", ErrBlocked},
		{"https HTTPSOnly", Guard{HTTPSOnly: true}, "https://hooks.example.com/cb", nil},
		{"upper-case scheme", Guard{}, "HTTPS://hooks.example.com/cb", nil},
		{"ftp", Guard{}, "ftp://hooks.example.com/cb", ErrBlocked},
		{"file", Guard{}, "file:///etc/passwd", ErrBlocked},
		{"gopher", Guard{}, "gopher://127.0.0.1:6379/_", ErrBlocked},
		{"no scheme", Guard{}, "//hooks.example.com/cb", ErrBlocked},
		{"no host", Guard{}, "https:///cb", ErrBlocked},
		{"opaque", Guard{}, "https:hooks.example.com", ErrBlocked},
		{"public IPv4", Guard{}, "https://8.8.8.8/cb", nil},
		{"loopback IPv4", Guard{}, "http://127.0.0.1:8080/cb", ErrBlocked},
		{"metadata", Guard{}, "http://169.254.169.254/latest/meta-data/", ErrBlocked},
		{"loopback IPv6", Guard{}, "http://[::1]:8080/cb", ErrBlocked},
		{"mapped IPv6", Guard{}, "http://[::ffff:127.0.0.1]/cb", ErrBlocked},
		{"zoned IPv6", Guard{}, "http://[fe80::1%25eth0]/cb", ErrBlocked},
		{"public IPv6", Guard{}, "https://[2606:4700:4700::1111]/cb", nil},
		{"loopback AllowPrivate", Guard{AllowPrivate: true}, "http://127.0.0.1:8080/cb", nil},
		{"loopback Allow", Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}, "http://127.0.0.1/cb", nil},
		// Names pass here; the dial-time check sees what they resolve to.
		{"localhost name", Guard{}, "http://localhost/cb", nil},
		{"decimal IPv4 name", Guard{}, "http://2130706433/cb", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			u, err := url.Parse(tt.url)
			require.NoError(t, err)
			err = tt.guard.CheckURL(u)
			if tt.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
		})
	}
	t.Run("nil", func(t *testing.T) {
		t.Parallel()
		require.ErrorIs(t, Guard{}.CheckURL(nil), ErrBlocked)
	})
}

// TestGuardCheckURLRedacts: errors end up in logs; user info and query may
// carry credentials.
func TestGuardCheckURLRedacts(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{
		"http://user:s3cret@127.0.0.1/cb?token=s3cret",
		"ftp://user:s3cret@hooks.example.com/cb?token=s3cret",
		"http://user:s3cret@hooks.example.com/cb?token=s3cret",
	} {
		u, err := url.Parse(raw)
		require.NoError(t, err)
		err = Guard{HTTPSOnly: true}.CheckURL(u)
		require.ErrorIs(t, err, ErrBlocked)
		require.NotContains(t, err.Error(), "s3cret")
	}
}

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
		{"zero guard", Guard{}, false, false, ErrBlocked},
		{"zero guard, localhost", Guard{}, false, true, ErrBlocked},
		{"zero guard, TLS", Guard{}, true, false, ErrBlocked},
		{"AllowPrivate", Guard{AllowPrivate: true}, false, false, nil},
		{"AllowPrivate, localhost", Guard{AllowPrivate: true}, false, true, nil},
		{"AllowPrivate, TLS", Guard{AllowPrivate: true}, true, false, nil},
		{"Allow 127.0.0.1/32", Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}, false, false, nil},
		{"Allow 127.0.0.2/32", Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")}}, false, false, ErrBlocked},
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

			resp, err := guardTestPost(t, tt.guard.Transport(base), u.String())
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
	require.ErrorIs(t, err, ErrBlocked)
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
		}, ErrBlocked, 0},
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
	require.ErrorIs(t, err, ErrBlocked)
}

func TestGuardTransport(t *testing.T) {
	t.Parallel()
	t.Run("default", func(t *testing.T) {
		t.Parallel()
		tr := Guard{}.Transport(nil)
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
		tr := Guard{}.Transport(base)
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

func FuzzCheckAddr(f *testing.F) {
	for _, s := range []string{
		"127.0.0.1", "8.8.8.8", "0.0.0.0", "255.255.255.255", "169.254.169.254",
		"::", "::1", "::ffff:10.0.0.1", "64:ff9b::7f00:1", "2002:a00:1::",
		"fe80::1%eth0", "fd00:ec2::254", "2001:db8::1", "ff02::1",
	} {
		a := netip.MustParseAddr(s)
		f.Add(a.AsSlice(), s)
	}
	f.Add([]byte{}, "not an address")
	f.Fuzz(func(t *testing.T, raw []byte, text string) {
		if a, ok := netip.AddrFromSlice(raw); ok {
			checkAddrProperties(t, a)
		} else if len(raw) > 16 {
			checkAddrProperties(t, netip.AddrFrom16([16]byte(raw[:16])))
		}
		if a, err := netip.ParseAddr(text); err == nil {
			checkAddrProperties(t, a)
		}
	})
}

// checkAddrProperties checks invariants of CheckAddr that hold for every
// address.
func checkAddrProperties(t *testing.T, a netip.Addr) {
	t.Helper()
	for _, g := range []Guard{{}, {AllowPrivate: true}} {
		err := g.CheckAddr(a)
		if err != nil {
			require.ErrorIs(t, err, ErrBlocked)
		}
		blocked := err != nil

		if a.Is4() {
			// The IPv6 forms that carry a reach it, and are judged by it.
			b := a.As4()
			mapped := netip.AddrFrom16(a.As16())
			nat64 := netip.AddrFrom16([16]byte{0, 0x64, 0xff, 0x9b, 12: b[0], b[1], b[2], b[3]})
			sixToFour := netip.AddrFrom16([16]byte{0x20, 0x02, b[0], b[1], b[2], b[3], 15: 1})
			for _, v6 := range []netip.Addr{mapped, nat64, sixToFour} {
				require.Equal(t, blocked, g.CheckAddr(v6) != nil, "%s vs %s, %+v", a, v6, g)
			}
		}
		if a.Is6() {
			// A zone changes nothing.
			require.Equal(t, blocked, g.CheckAddr(a.WithZone("eth0")) != nil, "%s with zone", a)
		}
		// Allow wins over every range.
		bare := a.WithZone("")
		g.Allow = []netip.Prefix{netip.PrefixFrom(bare, bare.BitLen())}
		require.NoError(t, g.CheckAddr(a))
	}
	// AllowPrivate only ever opens.
	if (Guard{}).CheckAddr(a) == nil {
		require.NoError(t, Guard{AllowPrivate: true}.CheckAddr(a))
	}
}

// TestGuardCheckAddrNoAlloc: CheckAddr runs on every dial, and an allowed
// address costs no allocation. (Not parallel: AllocsPerRun.)
func TestGuardCheckAddrNoAlloc(t *testing.T) {
	g := Guard{Allow: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}
	for _, s := range []string{"8.8.8.8", "::ffff:8.8.8.8", "2606:4700:4700::1111", "10.1.2.3"} {
		a := netip.MustParseAddr(s)
		require.Zero(t, testing.AllocsPerRun(100, func() { _ = g.CheckAddr(a) }), s)
	}
}
