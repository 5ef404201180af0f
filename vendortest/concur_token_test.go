package vendortest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/vendortest"
)

type tokenAnswer struct {
	Status                                      int
	AccessToken, RefreshToken, ExpiresIn, Error string
	TokenType, ContentType                      string
}

func refresh(t *testing.T, c *vendortest.Concur, secret, rt string) tokenAnswer {
	t.Helper()
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {"cid"}, "client_secret": {secret}}
	resp, err := http.PostForm(c.URL()+vendortest.ConcurTokenPath, form)
	require.NoError(t, err)
	defer resp.Body.Close()
	var body struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		ExpiresIn    string `json:"expires_in"`
		TokenType    string `json:"token_type"`
		Error        string `json:"error"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return tokenAnswer{Status: resp.StatusCode, AccessToken: body.AccessToken, RefreshToken: body.RefreshToken,
		ExpiresIn: body.ExpiresIn, Error: body.Error, TokenType: body.TokenType, ContentType: resp.Header.Get("Content-Type")}
}

func reportsStatus(t *testing.T, c *vendortest.Concur, access string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.URL()+vendortest.ConcurReportsPath, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+access)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	return resp.StatusCode
}

func TestConcurTokenEndpoint(t *testing.T) {
	t.Parallel()
	clock := clockwork.NewFakeClockAt(t0)
	c := vendortest.ServeConcur(t, vendortest.ConcurConfig{Clock: clock, ClientID: "cid", ClientSecret: "cs", RefreshToken: "rt0"})

	a := refresh(t, c, "cs", "rt0")
	require.Equal(t, http.StatusOK, a.Status)
	require.Equal(t, "3600", a.ExpiresIn, "a string, as Concur writes it")
	require.Equal(t, "Bearer", a.TokenType)
	require.NotEqual(t, "rt0", a.RefreshToken, "rotated")
	require.Equal(t, a.RefreshToken, c.RefreshToken())
	require.Equal(t, http.StatusOK, reportsStatus(t, c, a.AccessToken))

	again := refresh(t, c, "cs", "rt0")
	require.Equal(t, http.StatusBadRequest, again.Status, "a refresh token used twice")
	require.Equal(t, "invalid_grant", again.Error)
	require.Equal(t, "invalid_client", refresh(t, c, "wrong", a.RefreshToken).Error)

	clock.Advance(time.Hour)
	require.Equal(t, http.StatusUnauthorized, reportsStatus(t, c, a.AccessToken), "expired after an hour")
	b := refresh(t, c, "cs", a.RefreshToken)
	require.Equal(t, http.StatusOK, b.Status)
	require.Equal(t, http.StatusOK, reportsStatus(t, c, b.AccessToken))
	c.ExpireAccessTokens()
	require.Equal(t, http.StatusUnauthorized, reportsStatus(t, c, b.AccessToken))

	c.RevokeRefreshToken()
	require.Equal(t, "invalid_grant", refresh(t, c, "cs", b.RefreshToken).Error)
	c.SetRefreshToken("rt-new")
	require.Equal(t, http.StatusOK, refresh(t, c, "cs", "rt-new").Status)
}

func TestConcurTokenFaults(t *testing.T) {
	t.Parallel()
	c := vendortest.ServeConcur(t, vendortest.ConcurConfig{ClientID: "cid", ClientSecret: "cs", RefreshToken: "rt0", ExpiredStatus: 403})
	c.Inject(vendortest.Fault{Status: 500}) // a fault for every resource does not reach the token endpoint
	c.Inject(vendortest.Fault{Resource: "token", HTML: true}, vendortest.Fault{Resource: "token", Status: 502})
	h := refresh(t, c, "cs", "rt0")
	require.Equal(t, http.StatusOK, h.Status)
	require.True(t, strings.HasPrefix(h.ContentType, "text/html"))
	require.Equal(t, http.StatusBadGateway, refresh(t, c, "cs", "rt0").Status)
	ok := refresh(t, c, "cs", "rt0")
	require.Equal(t, http.StatusOK, ok.Status, "faults do not spend the refresh token")
	require.Equal(t, http.StatusForbidden, reportsStatus(t, c, "unknown"), "ExpiredStatus 403")
	require.Len(t, c.TakeFaults(), 1)
}

func TestNewConcurTokenConfig(t *testing.T) {
	t.Parallel()
	for _, cfg := range []vendortest.ConcurConfig{
		{ClientID: "c", ClientSecret: "s"},
		{Token: "t", TokenLifetime: -time.Second},
		{Token: "t", ExpiredStatus: 500},
	} {
		_, err := vendortest.NewConcur(cfg)
		require.ErrorIs(t, err, vendortest.ErrConfig)
	}
}
