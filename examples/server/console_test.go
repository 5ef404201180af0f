package main

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestConsoleMounted(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	c := &http.Client{Jar: jar}

	res, err := c.Get(r.base + "/console/login")
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Contains(t, string(body), "Sign in")
	require.NotEmpty(t, res.Header.Get("Content-Security-Policy"))

	// The demo tenant signs in with the API's secrets and sees its
	// instances (the demo seeds some).
	res, err = c.PostForm(r.base+"/console/login", url.Values{"user": {demoUserSecret}, "organization": {demoOrgSecret}})
	require.NoError(t, err)
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "/console/instances", res.Request.URL.Path, "signed in: the instance list")
	require.Contains(t, string(body), `<span class="tenant">`+demoTenant+`</span>`, "signed in as the demo tenant")
	require.NotContains(t, string(body), demoOrgSecret)
}

func TestConsoleSessionKey(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, key string
		wantErr   string
		wantLen   int
	}{
		{name: "random when unset", wantLen: consoleKeyLen},
		{name: "hex", key: strings.Repeat("ab", 32), wantLen: 32},
		{name: "longer", key: strings.Repeat("0f", 48), wantLen: 48},
		{name: "not hex", key: strings.Repeat("zz", 32), wantErr: consoleKeyEnv + ": not hex"},
		{name: "short", key: "abcd", wantErr: consoleKeyEnv + ": 2 bytes, want 32 or more"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			key, err := consoleSessionKey(tc.key, slog.New(slog.NewTextHandler(&logs, nil)))
			if tc.wantErr != "" {
				require.EqualError(t, err, tc.wantErr)
				require.NotContains(t, err.Error(), tc.key, "the error does not show the key")
				return
			}
			require.NoError(t, err)
			require.Len(t, key, tc.wantLen)
			if tc.key == "" {
				require.Contains(t, logs.String(), "sessions end at restart")
			} else {
				require.Empty(t, logs.String())
			}
		})
	}
	a, _ := consoleSessionKey("", slog.New(slog.DiscardHandler))
	b, _ := consoleSessionKey("", slog.New(slog.DiscardHandler))
	require.NotEqual(t, a, b, "a random key per start")
}

func TestConsoleBadKeyRefusesToStart(t *testing.T) {
	t.Setenv(consoleKeyEnv, "abcd")
	var stderr bytes.Buffer
	code := run(t.Context(), []string{"-listen", "127.0.0.1:0", "-demo"}, io.Discard, &stderr)
	require.Equal(t, exitUsage, code)
	require.Contains(t, stderr.String(), consoleKeyEnv)
}
