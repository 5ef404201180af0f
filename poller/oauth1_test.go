package poller_test

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/poller"
)

// TestHTTPSourceOAuth1EveryPage polls a store on http, which checks each
// request as WooCommerce does: every page is signed afresh, page and
// per_page included, with a nonce of its own.
func TestHTTPSourceOAuth1EveryPage(t *testing.T) {
	t.Parallel()
	store := newWooStore(t, 5)
	src := wooSource(t, store.URL(), poller.HTTPConfig{})
	ids := fetchAll(t, src, poller.Request{Resource: "customers", Config: wooResource(t, "customers", 2)})
	require.Equal(t, []string{"1", "2", "3", "4", "5"}, ids)
	nonces := map[string]bool{}
	for _, r := range store.Log().Since(0) {
		require.Equal(t, http.StatusOK, r.Status, r.RawQuery)
		require.Len(t, r.Query["oauth_signature"], 1)
		require.Equal(t, "HMAC-SHA256", r.Query.Get("oauth_signature_method"))
		require.Empty(t, r.Query.Get("oauth_token"))
		require.Empty(t, r.Query.Get("oauth_version"))
		n := r.Query.Get("oauth_nonce")
		require.GreaterOrEqual(t, len(n), 32)
		require.False(t, nonces[n], "nonce used twice")
		nonces[n] = true
	}
	require.Len(t, nonces, 3)
}

// TestHTTPSourceOAuth1LinkEcho follows WooCommerce's Link header, which
// echoes the oauth_* parameters of the request before: the token holds
// none of them, and the next page is signed afresh.
func TestHTTPSourceOAuth1LinkEcho(t *testing.T) {
	t.Parallel()
	store := newWooStore(t, 3)
	def, ok := element.Default().Lookup("woocommercerest")
	require.True(t, ok)
	def.Key = "woolink"
	def.Pagination = element.Pagination{Style: "link", SizeParam: "per_page"}
	src := wooSource(t, store.URL(), poller.HTTPConfig{Definition: def})
	req := poller.Request{Resource: "customers", Config: wooResource(t, "customers", 2)}
	page, err := src.Fetch(t.Context(), req)
	require.NoError(t, err)
	last, _ := store.Log().Last()
	require.Contains(t, last.Next, "oauth_signature=", "the store echoes the signature, as WooCommerce does")
	require.NotEmpty(t, page.Next)
	require.NotContains(t, page.Next, "oauth_")
	req.Token = page.Next
	page, err = src.Fetch(t.Context(), req)
	require.NoError(t, err)
	require.Len(t, page.Records, 1)
	last, _ = store.Log().Last()
	require.Equal(t, http.StatusOK, last.Status)
	require.Len(t, last.Query["oauth_nonce"], 1)
	require.Len(t, last.Query["oauth_signature"], 1)
	require.Equal(t, "order=asc&orderby=id&page=2&per_page=2", unsigned(last.RawQuery))
}

// TestHTTPSourceWooHTTPSBasic checks that a store on https gets Basic, as
// before: WooCommerce takes Basic over TLS.
func TestHTTPSourceWooHTTPSBasic(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got *http.Request
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		got = r
		mu.Unlock()
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader("[]")), Request: r}, nil
	})
	src := sourceOver(t, "https://shop.example.com", rt)
	_, err := src.Fetch(t.Context(), poller.Request{Resource: "customers", Config: wooResource(t, "customers", 0)})
	require.NoError(t, err)
	mu.Lock()
	defer mu.Unlock()
	u, p, ok := got.BasicAuth()
	require.True(t, ok)
	require.Equal(t, wooKey+":"+wooSecret, u+":"+p)
	require.NotContains(t, got.URL.RawQuery, "oauth_")
}

// roundTripFunc is an http.RoundTripper in a func.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestHTTPSourceOAuth1Redirect follows a redirect on the store's own
// origin, whose Location echoes the signed query: the redirected request
// is signed afresh, with a nonce of its own and one signature.
func TestHTTPSourceOAuth1Redirect(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var seen []*http.Request
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		seen = append(seen, r)
		n := len(seen)
		mu.Unlock()
		if n == 1 {
			loc := "http://shop.example.com/moved" + r.URL.Path + "?" + r.URL.RawQuery
			return &http.Response{StatusCode: http.StatusTemporaryRedirect, Header: http.Header{"Location": {loc}},
				Body: io.NopCloser(strings.NewReader("")), Request: r}, nil
		}
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader("[]")), Request: r}, nil
	})
	src := sourceOver(t, "http://shop.example.com", rt)
	_, err := src.Fetch(t.Context(), poller.Request{Resource: "customers", Config: wooResource(t, "customers", 0)})
	require.NoError(t, err)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, seen, 2)
	first, second := seen[0].URL.Query(), seen[1].URL.Query()
	require.Len(t, second["oauth_nonce"], 1, second)
	require.Len(t, second["oauth_signature"], 1, second)
	require.NotEqual(t, first.Get("oauth_nonce"), second.Get("oauth_nonce"), "a nonce is good once")
	require.NotEqual(t, first.Get("oauth_signature"), second.Get("oauth_signature"), "signed over the new URL")
	require.True(t, strings.HasPrefix(seen[1].URL.Path, "/moved/"))
}

// sourceOver is a source of a WooCommerce instance at storeURL whose
// requests go to rt.
func sourceOver(t *testing.T, storeURL string, rt http.RoundTripper) *poller.HTTPSource {
	t.Helper()
	inst, err := element.Parse([]byte(`{"element": {"key": "woocommercerest"}, "name": "shop",
		"configuration": {"store.url": "` + storeURL + `", "oauth.api.key": "` + wooKey + `",
		"oauth.api.secret": "` + wooSecret + `", "event.vendor.type": "polling",
		"event.notification.enabled": "true", "event.notification.callback.url": "https://cb.example/hook",
		"event.objects": "customers"}}`))
	require.NoError(t, err)
	src, err := poller.NewHTTPSource(poller.HTTPConfig{Instance: inst, Transport: rt})
	require.NoError(t, err)
	return src
}
