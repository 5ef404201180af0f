package poller_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/poller"
)

// allowServers returns g that also allows the address and port of each
// server URL (an httptest server's, on loopback), and nothing more: a
// redirect or a link to another loopback port stays refused.
func allowServers(t *testing.T, g netguard.Guard, serverURLs ...string) netguard.Guard {
	t.Helper()
	for _, raw := range serverURLs {
		u, err := url.Parse(raw)
		require.NoError(t, err)
		ap, err := netip.ParseAddrPort(u.Host)
		if err != nil {
			continue // not an address: a name the test fakes, or no server
		}
		g.AllowAddrPorts = append(g.AllowAddrPorts[:len(g.AllowAddrPorts):len(g.AllowAddrPorts)], ap)
	}
	return g
}

// guardedDef is a vendor whose pages link to the next with Link rel=next.
const guardedDef = `{"key": "guarded", "hub": "general", "baseUrl": "{store.url}/api", "pagination": {"style": "link"}}`

// guardedInstance is instance 42 of guardedDef, polling customers at
// resourceURL.
func guardedInstance(t *testing.T, storeURL, resourceURL string) *element.Instance {
	t.Helper()
	def, err := element.ParseDefinition([]byte(guardedDef))
	require.NoError(t, err)
	var cat element.Catalogue
	require.NoError(t, cat.Register(def))
	inst, err := cat.Parse([]byte(`{"id": "42", "element": {"key": "guarded"}, "configuration": {
	  "store.url": "` + storeURL + `", "event.notification.enabled": "true", "event.vendor.type": "polling",
	  "event.notification.callback.url": "https://app.example.com/cb",
	  "event.poller.configuration": {"customers": {"url": "` + resourceURL + `", "idField": "id",
	    "datesConfiguration": {"updatedDateField": "updated", "updatedDateFormat": "yyyy-MM-dd'T'HH:mm:ss", "updatedDateTimezone": "GMT",
	      "createdDateField": "created", "createdDateFormat": "yyyy-MM-dd'T'HH:mm:ss", "createdDateTimezone": "GMT"}}}}}`))
	require.NoError(t, err)
	return inst
}

// guardedVendor serves one page of customers; mode "redirect" redirects
// to next instead, mode "link" links to next as the next page.
func guardedVendor(t *testing.T, network, mode string, next *string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch mode {
		case "redirect":
			http.Redirect(w, r, *next, http.StatusFound)
			return
		case "link":
			w.Header().Set("Link", "<"+*next+`>; rel="next"`)
		}
		io.WriteString(w, `[{"id": 1, "created": "2026-11-20T08:00:00", "updated": "2026-11-24T12:30:00"}]`)
	})
	l, err := net.Listen(network, map[string]string{"tcp4": "127.0.0.1:0", "tcp6": "[::1]:0"}[network])
	if err != nil {
		return nil, &hits
	}
	srv := &httptest.Server{Listener: l, Config: &http.Server{Handler: h}}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &hits
}

// TestPollerGuard polls an instance whose store.url, resource URL,
// redirect or next-page link points at loopback or the metadata endpoint,
// in every form a resolver accepts. Each is refused, with an error that
// names the instance and where the URL came from; no vendor is reached
// and nothing is published.
func TestPollerGuard(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// store returns store.url; port is the vendor's.
		store func(port string) string
		// resourceURL, when set, replaces the relative "/customers".
		resourceURL func(internal string) string
		// allowVendor allows exactly the vendor's address and port.
		allowVendor bool
		mode        string // the vendor's answer: "", "redirect", "link"
		atNew       bool   // refused by New, before any request
		wantIn      string // in the error
	}{
		{name: "allowed vendor", store: func(p string) string { return "http://127.0.0.1:" + p }, allowVendor: true},
		{name: "127.0.0.1", store: func(p string) string { return "http://127.0.0.1:" + p }, atNew: true,
			wantIn: "poller: instance 42: store.url: poller: bad configuration: netguard: refused: 127.0.0.1 is loopback"},
		{name: "[::1]", store: func(string) string { return "http://[::1]:{{v6}}" }, atNew: true,
			wantIn: "instance 42: store.url: poller: bad configuration: netguard: refused: ::1 is loopback"},
		{name: "0.0.0.0", store: func(p string) string { return "http://0.0.0.0:" + p }, atNew: true,
			wantIn: "store.url: poller: bad configuration: netguard: refused: 0.0.0.0 is this network"},
		{name: "2130706433", store: func(p string) string { return "http://2130706433:" + p }, atNew: true,
			wantIn: `store.url: poller: bad configuration: host "2130706433" reads as 127.0.0.1`},
		{name: "0x7f.1", store: func(p string) string { return "http://0x7f.1:" + p }, atNew: true,
			wantIn: `host "0x7f.1" reads as 127.0.0.1`},
		{name: "017700000001", store: func(p string) string { return "http://017700000001:" + p }, atNew: true,
			wantIn: `host "017700000001" reads as 127.0.0.1`},
		{name: "127.1", store: func(p string) string { return "http://127.1:" + p }, atNew: true,
			wantIn: `host "127.1" reads as 127.0.0.1`},
		{name: "[::ffff:127.0.0.1]", store: func(p string) string { return "http://[::ffff:127.0.0.1]:" + p }, atNew: true,
			wantIn: "::ffff:127.0.0.1 embeds 127.0.0.1, loopback"},
		{name: "169.254.169.254", store: func(string) string { return "http://169.254.169.254" }, atNew: true,
			wantIn: "169.254.169.254 is cloud metadata"},
		{name: "localhost", store: func(p string) string { return "http://localhost:" + p }, atNew: true,
			wantIn: `host "localhost" names loopback`},
		{name: "resource URL", store: func(p string) string { return "http://127.0.0.1:" + p }, allowVendor: true,
			resourceURL: func(internal string) string { return internal + "/api/customers" }, atNew: true,
			wantIn: "instance 42: event.poller.configuration.customers.url: poller: bad configuration: netguard: refused: 127.0.0.1 is loopback"},
		{name: "redirect to loopback", store: func(p string) string { return "http://127.0.0.1:" + p }, allowVendor: true,
			mode: "redirect", wantIn: "instance 42: store.url: customers: GET http://127.0.0.1:"},
		{name: "next page link to loopback", store: func(p string) string { return "http://127.0.0.1:" + p }, allowVendor: true,
			mode: "link", wantIn: "instance 42: customers: GET http://127.0.0.1:"},
	}
	def, err := element.ParseDefinition([]byte(guardedDef))
	require.NoError(t, err)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			internal, internalHits := guardedVendor(t, "tcp4", "", nil)
			next := internal.URL + "/api/customers?page=2"
			vendor, vendorHits := guardedVendor(t, "tcp4", tt.mode, &next)
			v6, v6Hits := guardedVendor(t, "tcp6", "", nil)
			_, port, err := net.SplitHostPort(vendor.Listener.Addr().String())
			require.NoError(t, err)
			store := tt.store(port)
			if v6 != nil {
				store = strings.ReplaceAll(store, "{{v6}}", v6.URL[strings.LastIndex(v6.URL, ":")+1:])
			} else {
				store = strings.ReplaceAll(store, "{{v6}}", port)
			}
			resourceURL := "/customers"
			if tt.resourceURL != nil {
				resourceURL = tt.resourceURL(internal.URL)
			}
			var guard netguard.Guard
			if tt.allowVendor {
				guard = allowServers(t, guard, vendor.URL)
			}
			var published []events.Batch
			p, err := poller.New(poller.Config{
				Instance: guardedInstance(t, store, resourceURL), Definition: def, Guard: guard,
				Sink:     events.SinkFunc(func(_ context.Context, b events.Batch) error { published = append(published, b); return nil }),
				FirstRun: poller.EmitAll, Clock: clockwork.NewFakeClockAt(time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)),
			})
			switch {
			case tt.atNew:
				require.ErrorIs(t, err, netguard.ErrRefused)
				require.ErrorIs(t, err, poller.ErrConfig)
				require.ErrorContains(t, err, tt.wantIn)
			case tt.wantIn == "":
				require.NoError(t, err)
				res := p.Poll(t.Context())
				require.NoError(t, res[0].Err)
				require.Len(t, published, 1, "the allowed vendor's records")
			default:
				require.NoError(t, err)
				res := p.Poll(t.Context())
				require.ErrorIs(t, res[0].Err, netguard.ErrRefused)
				require.ErrorContains(t, res[0].Err, tt.wantIn)
				require.ErrorContains(t, res[0].Err, "netguard: refused: 127.0.0.1 is loopback")
				require.Empty(t, published)
				require.EqualValues(t, 1, vendorHits.Load(), "refused for good, not retried")
			}
			require.Zero(t, internalHits.Load(), "the internal server was reached")
			require.Zero(t, v6Hits.Load(), "the server on ::1 was reached")
			if tt.atNew {
				require.Zero(t, vendorHits.Load(), "the vendor on loopback was reached")
			}
		})
	}
}

// redirectingRoundTripper fakes a vendor without a network: it answers a
// redirect to loopback, and counts the requests it sees.
type redirectingRoundTripper struct{ calls atomic.Int32 }

func (rt *redirectingRoundTripper) RoundTrip(r *http.Request) (*http.Response, error) {
	rt.calls.Add(1)
	h := http.Header{"Location": []string{"http://127.0.0.1:1/internal"}}
	return &http.Response{StatusCode: http.StatusFound, Header: h, Body: http.NoBody, Request: r}, nil
}

// TestHTTPSourceGuardsSuppliedClient: a Client or Transport the user
// supplies keeps the guard and the same-origin redirect rule.
func TestHTTPSourceGuardsSuppliedClient(t *testing.T) {
	t.Parallel()
	def, err := element.ParseDefinition([]byte(guardedDef))
	require.NoError(t, err)
	req := poller.Request{Resource: "customers", Config: element.Resource{URL: "/customers", IDField: "id"}}
	followAll := func(*http.Request, []*http.Request) error { return nil }
	tests := []struct {
		name string
		cfg  func(vendor string) poller.HTTPConfig
	}{
		{"Client with an http.Transport", func(string) poller.HTTPConfig {
			return poller.HTTPConfig{Client: &http.Client{Transport: &http.Transport{}}}
		}},
		{"Client that follows every redirect", func(string) poller.HTTPConfig {
			return poller.HTTPConfig{Client: &http.Client{CheckRedirect: followAll}}
		}},
		{"Transport", func(string) poller.HTTPConfig {
			return poller.HTTPConfig{Transport: &http.Transport{}}
		}},
		{"Client allowing every address itself", func(vendor string) poller.HTTPConfig {
			// Its own dialer is dropped: the guard dials.
			d := netguard.Guard{AllowPrivate: true}.DialContext(nil)
			return poller.HTTPConfig{Client: &http.Client{Transport: &http.Transport{DialContext: d}, CheckRedirect: followAll}}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			internal, internalHits := guardedVendor(t, "tcp4", "", nil)
			next := internal.URL + "/internal"
			vendor, vendorHits := guardedVendor(t, "tcp4", "redirect", &next)
			cfg := tt.cfg(vendor.URL)
			cfg.Instance, cfg.Definition = guardedInstance(t, vendor.URL, "/customers"), def
			cfg.Guard = allowServers(t, netguard.Guard{}, vendor.URL)
			src, err := poller.NewHTTPSource(cfg)
			require.NoError(t, err)
			_, err = src.Fetch(t.Context(), req)
			require.ErrorIs(t, err, netguard.ErrRefused)
			require.ErrorIs(t, err, poller.ErrVendor)
			require.ErrorContains(t, err, "redirect to another origin refused")
			require.EqualValues(t, 1, vendorHits.Load())
			require.Zero(t, internalHits.Load(), "the redirect was followed")
		})
	}
	t.Run("RoundTripper", func(t *testing.T) {
		t.Parallel()
		rt := &redirectingRoundTripper{}
		src, err := poller.NewHTTPSource(poller.HTTPConfig{Instance: guardedInstance(t, "https://vendor.test", "/customers"),
			Definition: def, Transport: rt})
		require.NoError(t, err)
		_, err = src.Fetch(t.Context(), req)
		require.ErrorIs(t, err, netguard.ErrRefused)
		require.ErrorContains(t, err, "poller: instance 42: store.url: customers: GET https://vendor.test/api/customers")
		require.EqualValues(t, 1, rt.calls.Load(), "the redirect reached the round tripper")
	})
	t.Run("RoundTripper, loopback store", func(t *testing.T) {
		t.Parallel()
		rt := &redirectingRoundTripper{}
		_, err := poller.NewHTTPSource(poller.HTTPConfig{Instance: guardedInstance(t, "http://127.0.0.1:1", "/customers"),
			Definition: def, Transport: rt})
		require.ErrorIs(t, err, netguard.ErrRefused)
		require.Zero(t, rt.calls.Load())
	})
}
