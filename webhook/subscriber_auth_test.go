package webhook_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/vendorauth"
	"github.com/a12b7632/elementevents/vendortest"
	"github.com/a12b7632/elementevents/webhook"
)

// wooWithAuth returns the woocommercerest definition with auth a for every
// scheme.
func wooWithAuth(t *testing.T, a element.Auth) func(string) (*element.Definition, bool) {
	t.Helper()
	woo, ok := element.Default().Lookup("woocommercerest")
	require.True(t, ok)
	def := *woo
	def.AuthByScheme, def.Auth = nil, a
	return func(key string) (*element.Definition, bool) { return &def, key == def.Key }
}

// TestSubscriberOAuth2 checks that the Subscriber authorises with OAuth 2
// bearer tokens from the token endpoint, renews the token once after a
// 401, and names the keys to fix. The fake store wants OAuth 1.0a (it is
// on http), so it refuses every bearer token.
func TestSubscriberOAuth2(t *testing.T) {
	t.Parallel()
	const refresh = "rt-subscriber-SEED-5e1f"
	setup := func(t *testing.T) (*subRig, *vendortest.Concur) {
		concur := vendortest.ServeConcur(t, vendortest.ConcurConfig{ClientID: subKey, ClientSecret: subSecret, RefreshToken: refresh})
		r := newSubRig(t, func(c *webhook.SubscriberConfig) {
			c.Guard.AllowAddrPorts = append(c.Guard.AllowAddrPorts, addrOf(t, concur.URL()))
			c.Definition = wooWithAuth(t, element.Auth{Style: "oauth2-refresh", TokenURL: concur.URL() + vendortest.ConcurTokenPath,
				ClientIDKey: "oauth.api.key", ClientSecretKey: "oauth.api.secret", RefreshTokenKey: "oauth.refresh.token", Placement: "body"})
		})
		r.inst.Configuration.Set("oauth.refresh.token", refresh)
		return r, concur
	}
	t.Run("refused token renewed once", func(t *testing.T) {
		t.Parallel()
		r, concur := setup(t)
		err := r.reconcile(t)
		se, ok := errors.AsType[*webhook.SubscriptionError](err)
		require.True(t, ok, "%v", err)
		require.Equal(t, http.StatusUnauthorized, se.StatusCode)
		require.Equal(t, "oauth.api.key, oauth.api.secret, oauth.refresh.token", se.ConfigKey)
		require.Equal(t, 2, concur.Log().Len(), "a token, then one renewal after the 401")
		sent := r.store.Log().Since(0)
		require.Len(t, sent, 2, "the list, and once more with the renewed token")
		require.NotEqual(t, sent[0].Header.Get("Authorization"), sent[1].Header.Get("Authorization"))
		require.True(t, strings.HasPrefix(sent[1].Header.Get("Authorization"), "Bearer "))
		require.NotContains(t, err.Error(), refresh)
	})
	t.Run("refused refresh token", func(t *testing.T) {
		t.Parallel()
		r, concur := setup(t)
		concur.RevokeRefreshToken()
		err := r.reconcile(t)
		require.ErrorIs(t, err, vendorauth.ErrReauthorize)
		se, ok := errors.AsType[*webhook.SubscriptionError](err)
		require.True(t, ok, "%v", err)
		require.Equal(t, "oauth.refresh.token", se.ConfigKey)
		require.Zero(t, r.store.Log().Len(), "nothing reached the store")
	})
}

// TestSubscriberBasicInQuery checks that basic credentials in the query
// are refused over plain http, naming the store URL's key.
func TestSubscriberBasicInQuery(t *testing.T) {
	t.Parallel()
	r := newSubRig(t, func(c *webhook.SubscriberConfig) {
		c.Definition = wooWithAuth(t, element.Auth{Style: "basic", UsernameKey: "oauth.api.key", PasswordKey: "oauth.api.secret", Placement: "query"})
	})
	err := r.reconcile(t)
	require.ErrorIs(t, err, vendorauth.ErrConfig)
	se, ok := errors.AsType[*webhook.SubscriptionError](err)
	require.True(t, ok, "%v", err)
	require.Equal(t, "configure", se.Op)
	require.Equal(t, "store.url", se.ConfigKey)
	require.Zero(t, r.store.Log().Len())
}
