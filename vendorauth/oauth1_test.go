package vendorauth_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/internal/printcheck"
	"github.com/a12b7632/elementevents/vendorauth"
)

// newSigner returns a signer on a fake clock at 1700000000 whose nonces
// are the given ones, in turn.
func newSigner(t *testing.T, cfg vendorauth.OAuth1Config, nonces ...string) *vendorauth.OAuth1 {
	t.Helper()
	if cfg.ConsumerKey == "" {
		cfg.ConsumerKey, cfg.ConsumerSecret = "ck_1", "cs_1"
	}
	cfg.Clock = clockwork.NewFakeClockAt(time.Unix(1700000000, 0))
	s, err := vendorauth.NewOAuth1(cfg)
	require.NoError(t, err)
	vendorauth.SetNonce(s, func() (string, error) {
		n := nonces[0]
		nonces = nonces[1:]
		return n, nil
	})
	return s
}

func TestSignQuery(t *testing.T) {
	t.Parallel()
	// The signature is the openssl-computed HMAC-SHA256 of the base
	// string of this request under "cs_1&".
	const want = "page=2&per_page=100&oauth_consumer_key=ck_1&oauth_nonce=abc&oauth_signature_method=HMAC-SHA256&oauth_timestamp=1700000000&oauth_signature=M7kS7x0al%2BkHDtGYnIywUZ%2F5d6EbHmt48kez36lp4e4%3D"
	tests := []struct{ name, url string }{
		{"fresh", "http://shop.example/wp-json/wc/v3/customers?page=2&per_page=100"},
		{"echoed oauth parameters dropped", "http://shop.example/wp-json/wc/v3/customers?oauth_consumer_key=ck_1&page=2&oauth_nonce=old&oauth_signature=x&per_page=100&oauth_timestamp=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newSigner(t, vendorauth.OAuth1Config{}, "abc")
			r, err := http.NewRequest(http.MethodGet, tt.url, nil)
			require.NoError(t, err)
			require.NoError(t, s.Sign(r))
			require.Equal(t, want, r.URL.RawQuery)
			require.Empty(t, r.Header.Get("Authorization"))
		})
	}
}

func TestSignHeaderSHA1Version(t *testing.T) {
	t.Parallel()
	s := newSigner(t, vendorauth.OAuth1Config{ConsumerKey: "ck_1", ConsumerSecret: "cs_1",
		SignatureMethod: vendorauth.HMACSHA1, Placement: vendorauth.PlacementHeader, SendVersion: true}, "abc")
	r, err := http.NewRequest(http.MethodGet, "http://shop.example/wp-json/wc/v3/customers?page=2&per_page=100", nil)
	require.NoError(t, err)
	require.NoError(t, s.Sign(r))
	require.Equal(t, "page=2&per_page=100", r.URL.RawQuery)
	// HMAC-SHA1 of GET&http%3A%2F%2Fshop.example%2Fwp-json%2Fwc%2Fv3%2Fcustomers&oauth_consumer_key%3Dck_1%26oauth_nonce%3Dabc%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1700000000%26oauth_version%3D1.0%26page%3D2%26per_page%3D100
	// under "cs_1&", by openssl dgst.
	require.Equal(t, `OAuth oauth_consumer_key="ck_1", oauth_nonce="abc", oauth_signature_method="HMAC-SHA1", oauth_timestamp="1700000000", oauth_version="1.0", oauth_signature="`+sha1Header+`"`,
		r.Header.Get("Authorization"))
}

func TestSignFreshNonce(t *testing.T) {
	t.Parallel()
	s, err := vendorauth.NewOAuth1(vendorauth.OAuth1Config{ConsumerKey: "ck", ConsumerSecret: "cs"})
	require.NoError(t, err)
	seen := map[string]bool{}
	for range 50 {
		r, _ := http.NewRequest(http.MethodGet, "http://shop.example/x", nil)
		require.NoError(t, s.Sign(r))
		n := r.URL.Query().Get("oauth_nonce")
		require.GreaterOrEqual(t, len(n), 32)
		require.False(t, seen[n], "nonce %s reused", n)
		seen[n] = true
		require.Len(t, r.URL.Query()["oauth_signature"], 1)
	}
}

func TestNewOAuth1Errors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		cfg   vendorauth.OAuth1Config
		field string
	}{
		{"no key", vendorauth.OAuth1Config{ConsumerSecret: "cs"}, "ConsumerKey"},
		{"no secret", vendorauth.OAuth1Config{ConsumerKey: "ck"}, "ConsumerSecret"},
		{"method", vendorauth.OAuth1Config{ConsumerKey: "ck", ConsumerSecret: "cs", SignatureMethod: "PLAINTEXT"}, "SignatureMethod"},
		{"placement", vendorauth.OAuth1Config{ConsumerKey: "ck", ConsumerSecret: "cs", Placement: "body"}, "Placement"},
	}
	for _, tt := range tests {
		_, err := vendorauth.NewOAuth1(tt.cfg)
		require.ErrorIs(t, err, vendorauth.ErrConfig, tt.name)
		require.Contains(t, err.Error(), "OAuth1Config."+tt.field, tt.name)
	}
}

func TestSignErrors(t *testing.T) {
	t.Parallel()
	s := newSigner(t, vendorauth.OAuth1Config{ConsumerKey: "ck", ConsumerSecret: "TOPSECRET-cs"}, "n1", "n2", "n3")
	bad, _ := http.NewRequest(http.MethodGet, "http://shop.example/x", nil)
	bad.URL.RawQuery = "a=%zz"
	form, _ := http.NewRequest(http.MethodPost, "http://shop.example/x", strings.NewReader("a=1"))
	form.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for name, r := range map[string]*http.Request{"bad escape": bad, "form body": form, "no URL": {}} {
		err := s.Sign(r)
		require.True(t, errors.Is(err, vendorauth.ErrRequest), "%s: %v", name, err)
		require.NotContains(t, err.Error(), "TOPSECRET", name)
	}
}

func TestSecretNeverPrinted(t *testing.T) {
	t.Parallel()
	const secret = "TOPSECRET-consumer-secret"
	cfg := vendorauth.OAuth1Config{ConsumerKey: "TOPSECRET-consumer-key", ConsumerSecret: secret}
	s, err := vendorauth.NewOAuth1(cfg)
	require.NoError(t, err)
	printcheck.NoSecret(t, "OAuth1Config", printcheck.Forms(cfg), secret)
	printcheck.NoSecret(t, "OAuth1", printcheck.Forms(s), secret, "TOPSECRET-consumer-key")
	printcheck.NoSecret(t, "Secret", printcheck.Forms(cfg.ConsumerSecret), secret)
}

func TestSignedURLParses(t *testing.T) {
	t.Parallel()
	s := newSigner(t, vendorauth.OAuth1Config{}, "n")
	r, _ := http.NewRequest(http.MethodGet, "http://shop.example/p%20q/x?a=b+c&d=%26", nil)
	require.NoError(t, s.Sign(r))
	q, err := url.ParseQuery(r.URL.RawQuery)
	require.NoError(t, err)
	require.Equal(t, "b c", q.Get("a"))
	require.Equal(t, "&", q.Get("d"))
	require.Equal(t, "/p%20q/x", r.URL.EscapedPath())
}

// sha1Header is the encoded signature TestSignHeaderSHA1Version expects.
const sha1Header = "xIY0Tvw1f0iyeHncQmKs2wPL8dE%3D"
