package vendorauth_test

import (
	"errors"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/internal/printcheck"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/vendorauth"
)

// credInstance returns an instance with the configuration conf.
func credInstance(t *testing.T, conf map[string]string) *element.Instance {
	t.Helper()
	inst := &element.Instance{ID: "42"}
	for k, v := range conf {
		inst.Configuration.Set(k, v)
	}
	return inst
}

func credDefinition(a element.Auth) *element.Definition {
	return &element.Definition{Key: "shop", BaseURL: "{store.url}/api", Auth: a}
}

func TestCredentialsAuthorize(t *testing.T) {
	t.Parallel()
	conf := map[string]string{"k": "KEY-1", "s": "SECRET-1", "tok": "TOKEN-1"}
	tests := []struct {
		name      string
		auth      element.Auth
		base      string
		wantQuery string // the raw query after Authorize of "?a=1&b=%3A"
		wantHdr   map[string]string
		authParam []string // names IsAuthParam reports
		keys      string
	}{
		{name: "none", auth: element.Auth{}, wantQuery: "a=1&b=%3A"},
		{name: "basic", auth: element.Auth{Style: "basic", UsernameKey: "k", PasswordKey: "s"}, wantQuery: "a=1&b=%3A",
			wantHdr: map[string]string{"Authorization": "Basic S0VZLTE6U0VDUkVULTE="}, keys: "k, s"},
		{name: "basic in the query over https", auth: element.Auth{Style: "basic", UsernameKey: "k", PasswordKey: "s", Placement: "query"},
			base: "https://shop.example/api", wantQuery: "a=1&b=%3A&consumer_key=KEY-1&consumer_secret=SECRET-1",
			authParam: []string{"consumer_key", "consumer_secret"}, keys: "k, s"},
		{name: "bearer", auth: element.Auth{Style: "bearer", TokenKey: "tok"}, wantQuery: "a=1&b=%3A",
			wantHdr: map[string]string{"Authorization": "Bearer TOKEN-1"}, keys: "tok"},
		{name: "header", auth: element.Auth{Style: "header", TokenKey: "tok", Param: "X-Auth", Prefix: "Token "}, wantQuery: "a=1&b=%3A",
			wantHdr: map[string]string{"X-Auth": "Token TOKEN-1"}, keys: "tok"},
		{name: "query, in place", auth: element.Auth{Style: "query", TokenKey: "tok", Param: "a"}, wantQuery: "a=TOKEN-1&b=%3A",
			authParam: []string{"a"}, keys: "tok"},
		{name: "oauth1", auth: element.Auth{Style: "oauth1", ConsumerKeyKey: "k", ConsumerSecretKey: "s"},
			authParam: []string{"oauth_signature", "oauth_nonce"}, keys: "k, s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			base := tt.base
			if base == "" {
				base = "http://shop.example/api"
			}
			c, err := vendorauth.NewCredentials(vendorauth.CredentialsConfig{
				Instance: credInstance(t, conf), Definition: credDefinition(tt.auth), BaseURL: base})
			require.NoError(t, err)
			req, err := http.NewRequest(http.MethodGet, base+"/items?a=1&b=%3A", nil)
			require.NoError(t, err)
			require.NoError(t, c.Authorize(req))
			if tt.auth.Style == "oauth1" {
				require.Contains(t, req.URL.RawQuery, "oauth_signature=")
			} else {
				require.Equal(t, tt.wantQuery, req.URL.RawQuery)
			}
			for h, v := range tt.wantHdr {
				require.Equal(t, v, req.Header.Get(h))
			}
			for _, p := range tt.authParam {
				require.True(t, c.IsAuthParam(p), p)
			}
			require.False(t, c.IsAuthParam("b"))
			require.Equal(t, tt.keys, c.ConfigKeys(nil))
			renewed, err := c.Renew(req, http.StatusUnauthorized)
			require.NoError(t, err)
			require.False(t, renewed, "only OAuth 2 renews")
			printcheck.NoSecret(t, "Credentials", printcheck.Forms(c), "KEY-1", "SECRET-1", "TOKEN-1")
		})
	}
}

func TestNewCredentialsErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		auth    element.Auth
		conf    map[string]string
		wantKey string
	}{
		{name: "missing password", auth: element.Auth{Style: "basic", UsernameKey: "k", PasswordKey: "s"},
			conf: map[string]string{"k": "x"}, wantKey: "s"},
		{name: "blank token", auth: element.Auth{Style: "bearer", TokenKey: "tok"},
			conf: map[string]string{"tok": "  "}, wantKey: "tok"},
		{name: "basic in the query over http", auth: element.Auth{Style: "basic", UsernameKey: "k", Placement: "query"},
			conf: map[string]string{"k": "x"}, wantKey: "store.url"},
		{name: "missing consumer secret", auth: element.Auth{Style: "oauth1", ConsumerKeyKey: "k", ConsumerSecretKey: "s"},
			conf: map[string]string{"k": "x"}, wantKey: "s"},
		{name: "token URL not filled", auth: element.Auth{Style: "oauth2-client", TokenURL: "{token.url}/token",
			ClientIDKey: "k", ClientSecretKey: "s"}, conf: map[string]string{"k": "x", "s": "y"}, wantKey: "token.url"},
		{name: "missing refresh token", auth: element.Auth{Style: "oauth2-refresh", TokenURL: "https://id.example/token",
			ClientIDKey: "k", ClientSecretKey: "s", RefreshTokenKey: "rt"}, conf: map[string]string{"k": "x", "s": "y"}, wantKey: "rt"},
		{name: "unknown style", auth: element.Auth{Style: "kerberos"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			conf := tt.conf
			if conf == nil {
				conf = map[string]string{}
			}
			conf["store.url"] = "http://shop.example"
			_, err := vendorauth.NewCredentials(vendorauth.CredentialsConfig{
				Instance: credInstance(t, conf), Definition: credDefinition(tt.auth), BaseURL: "http://shop.example/api"})
			require.ErrorIs(t, err, vendorauth.ErrConfig)
			ce, ok := errors.AsType[*vendorauth.ConfigError](err)
			require.True(t, ok, "%v", err)
			require.Equal(t, tt.wantKey, ce.Key)
			require.Equal(t, "shop", ce.Element)
		})
	}
	_, err := vendorauth.NewCredentials(vendorauth.CredentialsConfig{})
	require.ErrorIs(t, err, vendorauth.ErrConfig)
}

// TestCredentialsOAuth2 checks the OAuth 2 path against the fake Concur
// token endpoint: a token on Authorize, a new one on Renew after a 401
// (and after a 403 only where the definition says it means expired), and
// the configuration key of a refused refresh token.
func TestCredentialsOAuth2(t *testing.T) {
	t.Parallel()
	r := setupToken(t)
	u, err := url.Parse(r.concur.URL())
	require.NoError(t, err)
	def, ok := element.Default().Lookup("concur")
	require.True(t, ok)
	inst := credInstance(t, map[string]string{"concur.base.url": r.concur.URL(), "oauth.api.key": testClientID,
		"oauth.api.secret": testClientSecret, "oauth.refresh.token": testRefresh})
	c, err := vendorauth.NewCredentials(vendorauth.CredentialsConfig{
		Instance: inst, Definition: def, BaseURL: r.concur.URL(), Clock: r.clock, Tokens: r.store,
		Guard: netguard.Guard{AllowAddrPorts: []netip.AddrPort{netip.MustParseAddrPort(u.Host)}},
	})
	require.NoError(t, err)
	tokens := func() int { return len(r.concur.Log().Since(0)) }

	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, r.concur.URL()+"/api/v3.0/expense/reports", nil)
	require.NoError(t, err)
	require.NoError(t, c.Authorize(req))
	first := req.Header.Get("Authorization")
	require.True(t, strings.HasPrefix(first, "Bearer "), first)
	require.Equal(t, 1, tokens())

	renewed, err := c.Renew(req, http.StatusForbidden)
	require.NoError(t, err)
	require.Equal(t, def.Auth.ForbiddenMeansExpired, renewed, "a 403 renews only where the definition says")
	require.Equal(t, 1, tokens())

	renewed, err = c.Renew(req, http.StatusUnauthorized)
	require.NoError(t, err)
	require.True(t, renewed)
	require.Equal(t, 2, tokens())
	require.NotEqual(t, first, req.Header.Get("Authorization"))

	_, err = c.Renew(req, http.StatusBadRequest)
	require.NoError(t, err)
	require.Equal(t, 2, tokens(), "a 400 renews nothing")
	require.Equal(t, "oauth.api.key, oauth.api.secret, oauth.refresh.token", c.ConfigKeys(nil))

	r.concur.RevokeRefreshToken()
	_, err = c.Renew(req, http.StatusUnauthorized)
	require.ErrorIs(t, err, vendorauth.ErrReauthorize)
	require.Equal(t, "oauth.refresh.token", c.ConfigKeys(err))
	require.Equal(t, "concur.base.url", c.ConfigKeys(errors.New("an endpoint answering HTML")))
	printcheck.NoSecret(t, "Credentials", printcheck.Forms(c), testClientSecret, testRefresh)
}
