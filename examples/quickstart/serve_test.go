package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestPlayground checks -serve: the console answers, signs in with the
// printed secrets and lists the quickstart's two instances, created
// through the engine; the API takes the same secrets.
func TestPlayground(t *testing.T) {
	var out strings.Builder
	pg, err := startPlayground(t.Context(), &syncWriter{w: &out})
	require.NoError(t, err)
	defer func() { require.NoError(t, pg.close(t.Context())) }()

	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	res, err := c.Get(pg.URL + consolePrefix + "/login")
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)

	res, err = c.PostForm(pg.URL+consolePrefix+"/login", url.Values{"user": {playUser}, "organization": {playOrg}})
	require.NoError(t, err)
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, consolePrefix+"/instances", res.Request.URL.Path)
	for _, name := range []string{"API_POLLING", "API_WEBHOOK"} {
		require.Contains(t, string(body), name)
	}
	require.NotContains(t, string(body), consumerSecret)

	req, err := http.NewRequest(http.MethodGet, pg.URL+apiPrefix+"/instances", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "User "+playUser+", Organization "+playOrg)
	res, err = c.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
}
