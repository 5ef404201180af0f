package vendortest_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/vendorauth"
	"github.com/a12b7632/elementevents/vendortest"
)

// TestWooCommerceOAuth checks the store on http as WooCommerce checks
// OAuth 1.0a requests: every parameter required, the signature recomputed
// over the received query, a timestamp at most 15 minutes old, each nonce
// once.
func TestWooCommerceOAuth(t *testing.T) {
	t.Parallel()
	const path = vendortest.WooAPIPath + "/customers?orderby=id&per_page=2"
	sign := func(cfg vendorauth.OAuth1Config, at time.Time) func(*http.Request) {
		if cfg.ConsumerKey == "" {
			cfg.ConsumerKey, cfg.ConsumerSecret = key, secret
		}
		cfg.Clock = clockwork.NewFakeClockAt(at)
		o, err := vendorauth.NewOAuth1(cfg)
		require.NoError(t, err)
		return func(r *http.Request) { require.NoError(t, o.Sign(r)) }
	}
	then := func(steps ...func(*http.Request)) func(*http.Request) {
		return func(r *http.Request) {
			for _, f := range steps {
				f(r)
			}
		}
	}
	setQuery := func(name, value string) func(*http.Request) {
		return func(r *http.Request) {
			q := r.URL.Query()
			q.Set(name, value)
			r.URL.RawQuery = q.Encode()
		}
	}
	tests := []struct {
		name      string
		auth      func(*http.Request)
		wantCode  string
		wantInMsg string
	}{
		{name: "HMAC-SHA256 in the query", auth: sign(vendorauth.OAuth1Config{}, t0)},
		{name: "HMAC-SHA1 with oauth_version", auth: sign(vendorauth.OAuth1Config{ConsumerKey: key, ConsumerSecret: secret,
			SignatureMethod: vendorauth.HMACSHA1, SendVersion: true}, t0)},
		{name: "in the Authorization header", auth: sign(vendorauth.OAuth1Config{ConsumerKey: key, ConsumerSecret: secret,
			Placement: vendorauth.PlacementHeader}, t0)},
		{name: "timestamp 14 minutes old", auth: sign(vendorauth.OAuth1Config{}, t0.Add(-14*time.Minute))},
		{name: "timestamp 16 minutes old", auth: sign(vendorauth.OAuth1Config{}, t0.Add(-16*time.Minute)),
			wantCode: "woocommerce_rest_authentication_error", wantInMsg: "Invalid timestamp"},
		{name: "Basic over http", auth: func(r *http.Request) { r.SetBasicAuth(key, secret) }, wantCode: "woocommerce_rest_cannot_view"},
		{name: "wrong key", auth: sign(vendorauth.OAuth1Config{ConsumerKey: "ck_other", ConsumerSecret: secret}, t0),
			wantCode: "woocommerce_rest_authentication_error", wantInMsg: "Consumer key is invalid"},
		{name: "wrong secret", auth: sign(vendorauth.OAuth1Config{ConsumerKey: key, ConsumerSecret: "cs_other"}, t0),
			wantCode: "woocommerce_rest_authentication_error", wantInMsg: "does not match"},
		{name: "query changed after signing", auth: then(sign(vendorauth.OAuth1Config{}, t0), setQuery("per_page", "3")),
			wantCode: "woocommerce_rest_authentication_error", wantInMsg: "does not match"},
		{name: "no nonce", auth: then(sign(vendorauth.OAuth1Config{}, t0), func(r *http.Request) {
			q := r.URL.Query()
			q.Del("oauth_nonce")
			r.URL.RawQuery = q.Encode()
		}), wantCode: "woocommerce_rest_authentication_missing_parameter", wantInMsg: "oauth_nonce"},
		{name: "PLAINTEXT", auth: then(sign(vendorauth.OAuth1Config{}, t0), setQuery("oauth_signature_method", "PLAINTEXT")),
			wantCode: "woocommerce_rest_authentication_error", wantInMsg: "Signature method is invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newStore(t)
			r := get(t, s.URL(), path, tt.auth)
			if tt.wantCode == "" {
				require.Equal(t, http.StatusOK, r.status, "%s", r.body)
				require.Equal(t, []int{1, 2}, ids(t, r.body))
				return
			}
			code, status := wpErr(t, r.body)
			require.Equal(t, http.StatusUnauthorized, r.status)
			require.Equal(t, http.StatusUnauthorized, status)
			require.Equal(t, tt.wantCode, code)
			require.Contains(t, string(r.body), tt.wantInMsg)
		})
	}
}

func TestWooCommerceOAuthNonceReused(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	u := s.URL() + vendortest.WooAPIPath + "/customers"
	req, err := http.NewRequest(http.MethodGet, u, nil)
	require.NoError(t, err)
	signed(req)
	for i, want := range []int{http.StatusOK, http.StatusUnauthorized} {
		resp, err := http.Get(req.URL.String())
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, want, resp.StatusCode, "request %d", i+1)
	}
	// A new nonce passes again.
	require.Equal(t, http.StatusOK, get(t, s.URL(), vendortest.WooAPIPath+"/customers", signed).status)
}

// TestWooCommerceHTTPSAuth checks a store whose URL is https: Basic auth
// or the key and secret in the query, as WooCommerce takes over TLS.
func TestWooCommerceHTTPSAuth(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		auth     func(*http.Request)
		wantCode string
	}{
		{"basic", func(r *http.Request) { r.SetBasicAuth(key, secret) }, ""},
		{"key and secret in the query", func(r *http.Request) {
			r.URL.RawQuery += "&" + url.Values{"consumer_key": {key}, "consumer_secret": {secret}}.Encode()
		}, ""},
		{"no credentials", func(*http.Request) {}, "woocommerce_rest_cannot_view"},
		{"wrong key", func(r *http.Request) { r.SetBasicAuth("ck_other", secret) }, "woocommerce_rest_authentication_error"},
		{"wrong secret", func(r *http.Request) { r.SetBasicAuth(key, "cs_other") }, "woocommerce_rest_authentication_error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := vendortest.NewWooCommerce(vendortest.WooConfig{Key: key, Secret: secret, Clock: clockwork.NewFakeClockAt(t0)})
			require.NoError(t, err)
			s.SetURL("https://store.example.com")
			s.PutCustomer(vendortest.Customer{Email: "a@example.com", Created: t0.Add(-time.Hour)})
			req := httptest.NewRequest(http.MethodGet, vendortest.WooAPIPath+"/customers?orderby=id", nil)
			tt.auth(req)
			w := httptest.NewRecorder()
			s.ServeHTTP(w, req)
			if tt.wantCode == "" {
				require.Equal(t, http.StatusOK, w.Code, "%s", w.Body)
				return
			}
			require.Equal(t, http.StatusUnauthorized, w.Code)
			require.True(t, strings.Contains(w.Body.String(), `"`+tt.wantCode+`"`), "%s", w.Body)
		})
	}
}
