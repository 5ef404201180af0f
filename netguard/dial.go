package netguard

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// DialContext returns a dial function, for [http.Transport.DialContext],
// that dials with a copy of d (nil means the zero [net.Dialer]) and
// refuses to connect to an address that [Guard.CheckAddrPort] refuses. The
// check runs in the dialer's ControlContext, that is on each socket about to connect, so
// it sees the resolved IP of every attempt (each address of a name, both
// families with Happy Eyeballs) and DNS rebinding cannot slip past it. A
// Control or ControlContext already set on d still runs, after the check.
//
// A refused dial fails with a *net.OpError that wraps an error wrapping
// [ErrRefused]; through [http.Client] it arrives wrapped in a *url.Error,
// and errors.Is(err, ErrRefused) holds. Addresses that are not IP:port
// (unix sockets, for one) are refused too.
func (g Guard) DialContext(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	var dd net.Dialer
	if d != nil {
		dd = *d
	}
	next := dd.ControlContext
	if next == nil && dd.Control != nil {
		control := dd.Control
		next = func(_ context.Context, network, address string, c syscall.RawConn) error {
			return control(network, address, c)
		}
	}
	dd.Control = nil
	dd.ControlContext = func(ctx context.Context, network, address string, c syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("%w: %s %q is not an IP address", ErrRefused, network, address)
		}
		if err := g.CheckAddrPort(ap); err != nil {
			return err
		}
		if next != nil {
			return next(ctx, network, address, c)
		}
		return nil
	}
	return dd.DialContext
}

// transport returns a clone of base, or a default transport if base is nil,
// whose connections go through [Guard.DialContext].
//
// The default has no proxy, keeps up to 100 idle connections (10 per host,
// for 90s), times TLS handshakes out after 10s, dials with a 30s timeout and
// attempts HTTP/2.
//
// The guard can check only connections it dials itself, so the result
// never uses a proxy (behind a proxy the dialed address is the proxy's, and
// the proxy would reach any host), and base's Proxy, Dial,
// DialContext, DialTLS and DialTLSContext are dropped: TLS then runs over
// the guarded connection using base's TLSClientConfig.
func (g Guard) transport(base *http.Transport) *http.Transport {
	var t *http.Transport
	if base != nil {
		t = base.Clone()
	} else {
		t = &http.Transport{
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          100,
			MaxIdleConnsPerHost:   10,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   10 * time.Second,
			ExpectContinueTimeout: time.Second,
		}
	}
	// Each of these would dial around the guard.
	t.Proxy = nil
	t.Dial = nil
	t.DialTLS = nil
	t.DialTLSContext = nil
	t.DialContext = g.DialContext(&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second})
	return t
}

// RoundTripper returns rt with the guard applied: the transport of a
// guarded [http.Client], or of a client a user supplies. Every request's
// URL must pass [Guard.CheckURL] first (the result refuses it with an
// error wrapping [ErrRefused] before rt sees it); then:
//
//   - nil: the request goes through a new transport whose connections go
//     through [Guard.DialContext]. It has no proxy, keeps up to 100 idle
//     connections (10 per host, for 90s), times TLS handshakes out after
//     10s, dials with a 30s timeout and attempts HTTP/2.
//   - an *[http.Transport]: through a clone of it whose connections go
//     through [Guard.DialContext] (rt itself is left alone, and its
//     connection pool is not shared). The guard can check only
//     connections it dials itself, so the clone never uses a proxy
//     (behind a proxy the dialed address is the proxy's, and the proxy
//     would reach any host), and rt's Proxy, Dial, DialContext, DialTLS
//     and DialTLSContext are dropped: TLS then runs over the guarded
//     connection using rt's TLSClientConfig.
//   - any other RoundTripper (a fake vendor in a test, an instrumenting
//     wrapper): through rt. The guard cannot see what rt dials, so a name
//     that resolves to a refused address goes through: a RoundTripper
//     that dials must dial through [Guard.DialContext] itself.
func (g Guard) RoundTripper(rt http.RoundTripper) http.RoundTripper {
	switch t := rt.(type) {
	case nil:
		rt = g.transport(nil)
	case *http.Transport:
		rt = g.transport(t)
	}
	return &checkedRoundTripper{guard: g, next: rt}
}

// checkedRoundTripper checks each request's URL before passing it on.
type checkedRoundTripper struct {
	guard Guard
	next  http.RoundTripper
}

func (c *checkedRoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := c.guard.CheckURL(req.URL); err != nil {
		// A RoundTripper closes the body, even on error.
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, err
	}
	return c.next.RoundTrip(req)
}

// CloseIdleConnections passes the call on, for [http.Client.CloseIdleConnections].
func (c *checkedRoundTripper) CloseIdleConnections() {
	if ci, ok := c.next.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}
