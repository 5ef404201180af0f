package vendorauth_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/internal/printcheck"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/vendorauth"
	"github.com/a12b7632/elementevents/vendortest"
)

const (
	testClientID     = "client-7f3a"
	testClientSecret = "cs-SECRET-91d2"
	testRefresh      = "rt-SEED-4c1b"
)

var t0 = time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)

// tokenRig is a fake Concur with its token endpoint, on a fake clock.
type tokenRig struct {
	concur *vendortest.Concur
	clock  *clockwork.FakeClock
	store  vendorauth.TokenStore
}

func setupToken(t *testing.T) *tokenRig {
	t.Helper()
	clock := clockwork.NewFakeClockAt(t0)
	c := vendortest.ServeConcur(t, vendortest.ConcurConfig{Clock: clock,
		ClientID: testClientID, ClientSecret: testClientSecret, RefreshToken: testRefresh})
	return &tokenRig{concur: c, clock: clock, store: vendorauth.NewMemoryTokenStore()}
}

// config returns the OAuth2Config of the rig's client, allowed to reach
// the fake; edit changes it.
func (r *tokenRig) config(t *testing.T, edit ...func(*vendorauth.OAuth2Config)) vendorauth.OAuth2Config {
	t.Helper()
	u, err := url.Parse(r.concur.URL())
	require.NoError(t, err)
	cfg := vendorauth.OAuth2Config{
		TokenURL: r.concur.URL() + vendortest.ConcurTokenPath, ClientID: testClientID,
		ClientSecret: testClientSecret, RefreshToken: testRefresh, AuthInBody: true,
		Store: r.store, Key: "concur/42", Clock: r.clock,
		Guard:           netguard.Guard{AllowAddrPorts: []netip.AddrPort{netip.MustParseAddrPort(u.Host)}},
		ClientSecretKey: "oauth.api.secret", RefreshTokenKey: "oauth.refresh.token",
		Logger: slog.New(slog.DiscardHandler),
	}
	for _, e := range edit {
		e(&cfg)
	}
	return cfg
}

func (r *tokenRig) oauth(t *testing.T, edit ...func(*vendorauth.OAuth2Config)) *vendorauth.OAuth2 {
	t.Helper()
	o, err := vendorauth.NewOAuth2(r.config(t, edit...))
	require.NoError(t, err)
	return o
}

// tokenCalls counts the token requests answered with status (0: any).
func (r *tokenRig) tokenCalls(status int) int {
	n := 0
	for _, e := range r.concur.Log().Since(0) {
		if e.Resource == "token" && (status == 0 || e.Status == status) {
			n++
		}
	}
	return n
}

// authorize authorises a reports request and checks the fake accepts it.
func (r *tokenRig) authorize(t *testing.T, o *vendorauth.OAuth2) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, r.concur.URL()+vendortest.ConcurReportsPath, nil)
	require.NoError(t, err)
	require.NoError(t, o.Authorize(req))
	return req
}

func (r *tokenRig) accepted(t *testing.T, req *http.Request) bool {
	t.Helper()
	resp, err := http.DefaultClient.Do(req.Clone(context.Background()))
	require.NoError(t, err)
	_ = resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func TestOAuth2CachesUntilExpiryMinusSkew(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		skew time.Duration
		// cached is the last moment the first token is still used.
		cached time.Duration
	}{
		{"default skew 1m", 0, 59*time.Minute - time.Second},
		{"skew 5m", 5 * time.Minute, 55*time.Minute - time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := setupToken(t)
			o := r.oauth(t, func(c *vendorauth.OAuth2Config) { c.Skew = tt.skew })
			first := r.authorize(t, o)
			require.True(t, r.accepted(t, first))
			require.Equal(t, 1, r.tokenCalls(http.StatusOK))

			r.clock.Advance(tt.cached)
			again := r.authorize(t, o)
			require.Equal(t, first.Header.Get("Authorization"), again.Header.Get("Authorization"))
			require.Equal(t, 1, r.tokenCalls(0), "a cached token is not refreshed")

			r.clock.Advance(time.Second)
			renewed := r.authorize(t, o)
			require.NotEqual(t, first.Header.Get("Authorization"), renewed.Header.Get("Authorization"))
			require.Equal(t, 2, r.tokenCalls(http.StatusOK))
			require.True(t, r.accepted(t, renewed))
		})
	}
}

func TestOAuth2RefreshAfter401(t *testing.T) {
	t.Parallel()
	r := setupToken(t)
	o := r.oauth(t)
	a := r.authorize(t, o)
	b := r.authorize(t, o)
	require.Equal(t, a.Header.Get("Authorization"), b.Header.Get("Authorization"))

	require.NoError(t, o.Refresh(a))
	require.NotEqual(t, b.Header.Get("Authorization"), a.Header.Get("Authorization"))
	require.Equal(t, 2, r.tokenCalls(http.StatusOK))
	require.True(t, r.accepted(t, a))

	// b carried the same refused token: another caller already renewed it.
	require.NoError(t, o.Refresh(b))
	require.Equal(t, a.Header.Get("Authorization"), b.Header.Get("Authorization"))
	require.Equal(t, 2, r.tokenCalls(0))
}

func TestOAuth2ConcurrentRequestsRefreshOnce(t *testing.T) {
	t.Parallel()
	r := setupToken(t)
	// Two OAuth2 of one instance (two pollers of a process) share the store.
	os := []*vendorauth.OAuth2{r.oauth(t), r.oauth(t)}
	var wg sync.WaitGroup
	tokens := make([]string, 40)
	for i := range tokens {
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodGet, r.concur.URL()+vendortest.ConcurReportsPath, nil)
			if err := os[i%2].Authorize(req); err == nil {
				tokens[i] = req.Header.Get("Authorization")
			}
		})
	}
	wg.Wait()
	for _, tok := range tokens {
		require.Equal(t, tokens[0], tok)
	}
	require.Equal(t, 1, r.tokenCalls(0))
}

// failingSaves is a store whose saves fail: Update calls fn under the
// inner store's lock but reports a failed write, keeping the old token.
type failingSaves struct {
	vendorauth.TokenStore
	fails atomic.Int32
}

func (s *failingSaves) Update(ctx context.Context, key string, fn func(vendorauth.Token, bool) (vendorauth.Token, error)) (vendorauth.Token, error) {
	var next vendorauth.Token
	_, err := s.TokenStore.Update(ctx, key, func(cur vendorauth.Token, found bool) (vendorauth.Token, error) {
		var err error
		next, err = fn(cur, found)
		if err != nil {
			return vendorauth.Token{}, err
		}
		return vendorauth.Token{}, errSaveFailed
	})
	if errors.Is(err, errSaveFailed) {
		s.fails.Add(1)
		return next, fmt.Errorf("store: %w", err)
	}
	return next, err
}

var errSaveFailed = errors.New("disk full")

func TestOAuth2KeepsRotatedTokenWhenStoreFails(t *testing.T) {
	t.Parallel()
	r := setupToken(t)
	store := &failingSaves{TokenStore: r.store}
	o := r.oauth(t, func(c *vendorauth.OAuth2Config) { c.Store = store })
	for hour := range 3 {
		req := r.authorize(t, o)
		require.True(t, r.accepted(t, req), "hour %d", hour)
		r.clock.Advance(time.Hour)
	}
	require.Equal(t, int32(3), store.fails.Load())
	require.Equal(t, 3, r.tokenCalls(http.StatusOK))
	require.Zero(t, r.tokenCalls(http.StatusBadRequest), "the rotated refresh token was used from memory")
}

// staleUpdates hands fn the token first stored, as a replica sharing a
// store without its lock would see it; Load sees the live one.
type staleUpdates struct {
	vendorauth.TokenStore
	stale vendorauth.Token
}

func (s *staleUpdates) Update(ctx context.Context, key string, fn func(vendorauth.Token, bool) (vendorauth.Token, error)) (vendorauth.Token, error) {
	return s.TokenStore.Update(ctx, key, func(vendorauth.Token, bool) (vendorauth.Token, error) { return fn(s.stale, true) })
}

func TestOAuth2InvalidGrantRereadsStoredToken(t *testing.T) {
	t.Parallel()
	r := setupToken(t)
	first := r.oauth(t)
	r.authorize(t, first)
	stale, err := r.store.Load(t.Context(), "concur/42")
	require.NoError(t, err)
	require.NoError(t, first.Refresh(r.authorize(t, first))) // the chain rotates on

	other := r.oauth(t, func(c *vendorauth.OAuth2Config) { c.Store = &staleUpdates{TokenStore: r.store, stale: stale} })
	req, err := http.NewRequest(http.MethodGet, r.concur.URL()+vendortest.ConcurReportsPath, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+string(stale.AccessToken))
	require.NoError(t, other.Refresh(req), "the live chain is read back after invalid_grant")
	require.True(t, r.accepted(t, req))
	require.Equal(t, 1, r.tokenCalls(http.StatusBadRequest))
}

func TestOAuth2ReauthorizeAndSeedChange(t *testing.T) {
	t.Parallel()
	r := setupToken(t)
	var recovered atomic.Int32
	onRecovered := func(c *vendorauth.OAuth2Config) { c.OnRecovered = func() { recovered.Add(1) } }
	o := r.oauth(t, onRecovered)
	r.authorize(t, o)
	r.concur.RevokeRefreshToken()
	r.clock.Advance(time.Hour)

	req, _ := http.NewRequest(http.MethodGet, r.concur.URL()+vendortest.ConcurReportsPath, nil)
	err := o.Authorize(req)
	require.ErrorIs(t, err, vendorauth.ErrReauthorize)
	var te *vendorauth.TokenError
	require.ErrorAs(t, err, &te)
	require.Equal(t, "oauth.refresh.token", te.ConfigKey)
	require.False(t, te.Retryable)
	calls := r.tokenCalls(0)

	// Every caller sharing the store is told at once, without a request.
	for _, x := range []*vendorauth.OAuth2{o, r.oauth(t)} {
		require.ErrorIs(t, x.Authorize(req), vendorauth.ErrReauthorize)
	}
	require.Equal(t, calls, r.tokenCalls(0))
	require.Zero(t, recovered.Load())

	// The user authorises again: the new refresh token replaces the chain.
	r.concur.SetRefreshToken("rt-SEED2-88e0")
	fresh := r.oauth(t, onRecovered, func(c *vendorauth.OAuth2Config) { c.RefreshToken = "rt-SEED2-88e0" })
	req = r.authorize(t, fresh)
	require.True(t, r.accepted(t, req))
	require.Equal(t, int32(1), recovered.Load())
	r.authorize(t, fresh)
	require.Equal(t, int32(1), recovered.Load(), "recovered once")
	stored, err := r.store.Load(t.Context(), "concur/42")
	require.NoError(t, err)
	require.NotEqual(t, vendorauth.Secret("rt-SEED2-88e0"), stored.RefreshToken, "the rotated token is stored")
	require.Equal(t, vendorauth.Secret(r.concur.RefreshToken()), stored.RefreshToken)
}

func TestOAuth2BadTokenEndpoint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		edit      func(*vendorauth.OAuth2Config)
		fault     *vendortest.Fault
		revoke    bool
		key       string
		retryable bool
		reauth    bool
		says      string
	}{
		{name: "wrong client secret", edit: func(c *vendorauth.OAuth2Config) { c.ClientSecret = "cs-WRONG-0000" },
			key: "oauth.api.secret", says: "invalid_client"},
		{name: "revoked refresh token", revoke: true, key: "oauth.refresh.token", reauth: true, says: "invalid_grant"},
		{name: "HTML answer", fault: &vendortest.Fault{Resource: "token", HTML: true}, says: "text/html"},
		{name: "status 500", fault: &vendortest.Fault{Resource: "token", Status: 500}, retryable: true, says: "status 500"},
		{name: "status 429", fault: &vendortest.Fault{Resource: "token", Status: 429}, retryable: true, says: "status 429"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := setupToken(t)
			if tt.fault != nil {
				r.concur.Inject(*tt.fault)
			}
			if tt.revoke {
				r.concur.RevokeRefreshToken()
			}
			edit := tt.edit
			if edit == nil {
				edit = func(*vendorauth.OAuth2Config) {}
			}
			o := r.oauth(t, edit)
			req, _ := http.NewRequest(http.MethodGet, r.concur.URL()+vendortest.ConcurReportsPath, nil)
			err := o.Authorize(req)
			var te *vendorauth.TokenError
			require.ErrorAs(t, err, &te)
			require.Equal(t, tt.key, te.ConfigKey)
			require.Equal(t, tt.retryable, te.Retryable)
			require.Equal(t, tt.reauth, errors.Is(err, vendorauth.ErrReauthorize))
			msg := err.Error()
			require.Contains(t, msg, tt.says)
			require.Contains(t, msg, vendortest.ConcurTokenPath)
			if tt.key != "" {
				require.Contains(t, msg, tt.key)
			}
			for _, s := range []string{testClientSecret, "cs-WRONG-0000", testRefresh} {
				require.NotContains(t, msg, s)
				require.NotContains(t, fmt.Sprintf("%v %+v %#v", err, te, te), s)
			}
		})
	}
}

func TestOAuth2NetworkErrorIsRetryable(t *testing.T) {
	t.Parallel()
	o, err := vendorauth.NewOAuth2(vendorauth.OAuth2Config{TokenURL: "https://token.example/oauth2/v0/token",
		ClientID: testClientID, ClientSecret: testClientSecret, RefreshToken: testRefresh,
		Transport: roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, errors.New("connection reset") })})
	require.NoError(t, err)
	req, _ := http.NewRequest(http.MethodGet, "https://api.example/x", nil)
	err = o.Authorize(req)
	var te *vendorauth.TokenError
	require.ErrorAs(t, err, &te)
	require.True(t, te.Retryable)
	require.Contains(t, err.Error(), "https://token.example/oauth2/v0/token")
	require.NotContains(t, err.Error(), testRefresh)
}

func TestOAuth2DialsThroughGuard(t *testing.T) {
	t.Parallel()
	r := setupToken(t)
	o := r.oauth(t, func(c *vendorauth.OAuth2Config) { c.Guard = netguard.Guard{} }) // loopback refused
	req, _ := http.NewRequest(http.MethodGet, "https://api.example/x", nil)
	err := o.Authorize(req)
	require.ErrorIs(t, err, netguard.ErrRefused)
	var te *vendorauth.TokenError
	require.ErrorAs(t, err, &te)
	require.False(t, te.Retryable, "a refused address stays refused")
	require.Zero(t, r.tokenCalls(0))
}

func TestOAuth2PrintsNoSecret(t *testing.T) {
	t.Parallel()
	r := setupToken(t)
	o := r.oauth(t)
	req := r.authorize(t, o)
	access := strings.TrimPrefix(req.Header.Get("Authorization"), "Bearer ")
	cfg := r.config(t)
	secrets := []string{testClientSecret, testRefresh, access, r.concur.RefreshToken()}
	printcheck.NoSecret(t, "OAuth2", printcheck.Forms(o), secrets...)
	printcheck.NoSecret(t, "OAuth2Config", printcheck.Forms(cfg), secrets...)
	tok, err := r.store.Load(t.Context(), "concur/42")
	require.NoError(t, err)
	printcheck.NoSecret(t, "Token", printcheck.Forms(tok), secrets...)
}

func TestNewOAuth2Config(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  vendorauth.OAuth2Config
		says string
	}{
		{"no token URL", vendorauth.OAuth2Config{ClientID: "c", RefreshToken: "r"}, "TokenURL"},
		{"relative token URL", vendorauth.OAuth2Config{TokenURL: "/token", ClientID: "c", RefreshToken: "r"}, "TokenURL"},
		{"no client", vendorauth.OAuth2Config{TokenURL: "https://t.example/token", RefreshToken: "r"}, "ClientID"},
		{"no refresh token", vendorauth.OAuth2Config{TokenURL: "https://t.example/token", ClientID: "c"}, "RefreshToken"},
		{"unknown grant", vendorauth.OAuth2Config{TokenURL: "https://t.example/token", ClientID: "c", Grant: "password"}, "Grant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := vendorauth.NewOAuth2(tt.cfg)
			require.ErrorIs(t, err, vendorauth.ErrConfig)
			require.Contains(t, err.Error(), tt.says)
		})
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// tokenAnswer answers every request with status, content type and body,
// and keeps the form of the last request in got, if not nil.
func tokenAnswer(status int, contentType, body string, got *url.Values) roundTripFunc {
	return func(r *http.Request) (*http.Response, error) {
		if got != nil {
			_ = r.ParseForm()
			*got = r.PostForm
			if u, p, ok := r.BasicAuth(); ok {
				got.Set("basic", u+":"+p)
			}
		}
		h := http.Header{}
		if contentType != "" {
			h.Set("Content-Type", contentType)
		}
		return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(body)), Request: r,
			ContentLength: -1}, nil
	}
}

func TestOAuth2ClientCredentials(t *testing.T) {
	t.Parallel()
	clock := clockwork.NewFakeClockAt(t0)
	var form url.Values
	o, err := vendorauth.NewOAuth2(vendorauth.OAuth2Config{TokenURL: "https://token.example/token", Grant: "client_credentials",
		ClientID: testClientID, ClientSecret: testClientSecret, Scopes: []string{"read", "write"}, Clock: clock,
		Transport: tokenAnswer(200, "application/x-www-form-urlencoded", "access_token=at-1&token_type=bearer&expires_in=600", &form)})
	require.NoError(t, err)
	req, _ := http.NewRequest(http.MethodGet, "https://api.example/x", nil)
	require.NoError(t, o.Authorize(req))
	require.Equal(t, "Bearer at-1", req.Header.Get("Authorization"))
	require.Equal(t, "client_credentials", form.Get("grant_type"))
	require.Equal(t, "read write", form.Get("scope"))
	require.Equal(t, testClientID+":"+testClientSecret, form.Get("basic"), "header auth by default")
	require.Empty(t, form.Get("client_secret"))

	form = nil
	clock.Advance(8 * time.Minute) // expires_in from a form answer is read too
	require.NoError(t, o.Authorize(req))
	require.Nil(t, form)
	clock.Advance(time.Minute + time.Second)
	require.NoError(t, o.Authorize(req))
	require.NotNil(t, form)
}

func FuzzOAuth2TokenAnswer(f *testing.F) {
	f.Add(200, "application/json", `{"access_token":"a","expires_in":"3600","refresh_token":"r"}`)
	f.Add(200, "application/json", `{"access_token":"a","expires_in":-5}`)
	f.Add(400, "application/json", `{"error":"invalid_grant","error_description":"`+testRefresh+` was used"}`)
	f.Add(200, "text/html", `<html>login</html>`)
	f.Add(500, "", ``)
	f.Add(200, "application/x-www-form-urlencoded", `access_token=a&expires_in=zz`)
	f.Add(302, "text/plain", `error=%ZZ`)
	f.Fuzz(func(t *testing.T, status int, contentType, body string) {
		if status < 100 || status > 999 {
			return
		}
		o, err := vendorauth.NewOAuth2(vendorauth.OAuth2Config{TokenURL: "https://token.example/token",
			ClientID: testClientID, ClientSecret: testClientSecret, RefreshToken: testRefresh,
			Clock: clockwork.NewFakeClockAt(t0), Transport: tokenAnswer(status, contentType, body, nil)})
		require.NoError(t, err)
		req, _ := http.NewRequest(http.MethodGet, "https://api.example/x", nil)
		err = o.Authorize(req)
		if err == nil {
			require.True(t, strings.HasPrefix(req.Header.Get("Authorization"), "Bearer "))
			return
		}
		var te *vendorauth.TokenError
		require.ErrorAs(t, err, &te)
		require.NotContains(t, err.Error(), testClientSecret)
		require.NotContains(t, err.Error(), testRefresh)
	})
}
