package console_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/api"
	"github.com/a12b7632/elementevents/console"
	"github.com/a12b7632/elementevents/engine"
)

// rig is a console over a memory engine, mounted at /console/ on an
// httptest server, with the tenants acme and other.
type rig struct {
	t   *testing.T
	eng *engine.Engine
	srv *httptest.Server
}

var auth = api.ElementsAuth(api.ElementsAuthConfig{Tenants: []api.ElementsTenant{
	{ID: "acme", UserSecret: "acme-user", OrgSecret: "acme-org"},
	{ID: "other", UserSecret: "other-user", OrgSecret: "other-org"},
}})

func newRig(t *testing.T) *rig {
	t.Helper()
	eng, err := engine.New(engine.Config{Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	h, err := console.New(console.Config{Engine: eng, Authenticate: auth,
		SessionKey: []byte("0123456789abcdef0123456789abcdef"), Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/console/", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &rig{t: t, eng: eng, srv: srv}
}

// browser returns a client with a cookie jar that does not follow
// redirects, signed in as the tenant of user and org when given.
func (r *rig) browser(user, org string) *http.Client {
	jar, err := cookiejar.New(nil)
	require.NoError(r.t, err)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if user != "" {
		res, err := c.PostForm(r.srv.URL+"/console/login", url.Values{"user": {user}, "organization": {org}})
		require.NoError(r.t, err)
		res.Body.Close()
		require.Equal(r.t, http.StatusSeeOther, res.StatusCode)
	}
	return c
}

func get(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	res, err := c.Get(u)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, string(b)
}

func TestSignInAndTenants(t *testing.T) {
	r := newRig(t)
	_, err := r.eng.Create(context.Background(), "acme", []byte(`{"id": "shop-1", "name": "Acme shop", "element": {"key": "woocommercerest"},
	  "configuration": {"store.url": "https://shop.example.com", "oauth.api.key": "ck", "oauth.api.secret": "cs-very-secret"}}`))
	require.NoError(t, err)

	res, _ := get(t, r.browser("", ""), r.srv.URL+"/console/instances")
	require.Equal(t, http.StatusSeeOther, res.StatusCode, "signed out: to the sign-in page")
	require.Equal(t, "/console/login", res.Header.Get("Location"))

	res, _ = get(t, r.browser("", ""), r.srv.URL+"/console/login")
	require.Equal(t, http.StatusOK, res.StatusCode)
	bad, err := r.browser("", "").PostForm(r.srv.URL+"/console/login", url.Values{"user": {"acme-user"}, "organization": {"wrong"}})
	require.NoError(t, err)
	bad.Body.Close()
	require.Equal(t, http.StatusUnauthorized, bad.StatusCode)

	res, body := get(t, r.browser("acme-user", "acme-org"), r.srv.URL+"/console/instances")
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Contains(t, body, "Acme shop")
	require.NotContains(t, body, "cs-very-secret")

	_, body = get(t, r.browser("other-user", "other-org"), r.srv.URL+"/console/instances")
	require.NotContains(t, body, "Acme shop", "another tenant's instance")
}

func TestSecurityHeadersAndCrossOrigin(t *testing.T) {
	r := newRig(t)
	c := r.browser("acme-user", "acme-org")
	for _, path := range []string{"/console/login", "/console/instances", "/console/static/console.css"} {
		res, _ := get(t, c, r.srv.URL+path)
		require.Equal(t, console.ContentSecurityPolicy, res.Header.Get("Content-Security-Policy"), path)
		require.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"), path)
		require.Equal(t, "DENY", res.Header.Get("X-Frame-Options"), path)
	}
	require.NotContains(t, console.ContentSecurityPolicy, "unsafe-inline")

	req, err := http.NewRequest(http.MethodPost, r.srv.URL+"/console/logout", strings.NewReader(""))
	require.NoError(t, err)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, err := c.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusForbidden, res.StatusCode, "a cross-site POST is refused")
}

func TestConfigErrors(t *testing.T) {
	eng, err := engine.New(engine.Config{})
	require.NoError(t, err)
	for name, cfg := range map[string]console.Config{
		"no engine":       {Authenticate: auth},
		"no authenticate": {Engine: eng},
		"short key":       {Engine: eng, Authenticate: auth, SessionKey: []byte("short")},
		"bad prefix":      {Engine: eng, Authenticate: auth, Prefix: "console/"},
	} {
		_, err := console.New(cfg)
		require.ErrorIs(t, err, console.ErrConfig, name)
	}
}

// TestSessionCookieIsRelative pins down that the sign-in cookie lives for
// the session's TTL from when the browser gets it (Max-Age), not until an
// instant of our clock (Expires): a browser whose clock differs from
// ours, or a fake clock in a test, must not drop it at once.
func TestSessionCookieIsRelative(t *testing.T) {
	r := newRig(t)
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.PostForm(r.srv.URL+"/console/login", url.Values{"user": {"acme-user"}, "organization": {"acme-org"}})
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	cookies := res.Cookies()
	require.Len(t, cookies, 1)
	require.Positive(t, cookies[0].MaxAge)
	require.True(t, cookies[0].Expires.IsZero(), "no absolute expiry: %v", cookies[0].Expires)
}
