package main

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/vendortest"
)

// Credentials of the Concur scenario; none may reach the logs.
const (
	concurClientID     = "concur-client-0f1e2d3c"
	concurClientSecret = "concur-client-secret-9a8b7c6d5e"
	concurRefresh      = "concur-refresh-token-first-1a2b3c"
)

// TestRunConcurAcrossRestarts runs the program twice on one -state
// directory against a fake Concur whose access tokens expire at once and
// whose refresh tokens rotate on every use and are refused if used
// twice. The first run uses the configured refresh token; the second run
// must go on with the last rotated one, read back from the durable
// store: the configured one is spent. Every report created reaches the
// callback, and no client secret, access token or refresh token is in
// the logs of either run.
func TestRunConcurAcrossRestarts(t *testing.T) {
	t.Parallel()
	concur := vendortest.ServeConcur(t, vendortest.ConcurConfig{
		ClientID: concurClientID, ClientSecret: concurClientSecret, RefreshToken: concurRefresh,
		TokenLifetime: time.Second, // shorter than the refresh skew: every request refreshes
	})
	rc, callback := newReceiver(t, []byte(signatureKey), nil)
	dir := t.TempDir()
	file := writeJSON(t, dir, "expenses.json", map[string]any{
		"id":      "exp",
		"element": map[string]any{"key": "concur"},
		"name":    "expenses",
		"configuration": map[string]any{
			"concur.base.url":                  concur.URL(),
			"oauth.api.key":                    concurClientID,
			"oauth.api.secret":                 concurClientSecret,
			"oauth.refresh.token":              concurRefresh,
			"event.notification.enabled":       true,
			"event.vendor.type":                "polling",
			"event.notification.callback.url":  callback.URL + "/element-events",
			"event.notification.signature.key": signatureKey,
			"event.poller.refresh_interval":    "0.005", // 300 ms
		},
	})
	args := []string{"-instance", file, "-listen", "127.0.0.1:0", "-allow-private", "-state", t.TempDir(),
		"-shutdown-timeout", "5s", "-log-level", "debug"}
	reports := func() int {
		n := 0
		for _, r := range concur.Log().Since(0) {
			if r.Resource == "reports" && r.Status == 200 {
				n++
			}
		}
		return n
	}

	var logs strings.Builder
	for run, id := range []string{"r1", "r2"} {
		p := startInProcess(t, args)
		before := reports()
		p.waitFor(t, "a poll of the reports", func() bool { return reports() > before })
		concur.PutReport(vendortest.Report{ID: id, Name: "trip " + id})
		p.waitFor(t, "CREATED reports "+id, func() bool {
			_, ok := rc.find("exp", events.Created, "reports", id)
			return ok
		})
		p.stop()
		require.Equal(t, exitOK, p.exit(t, 10*time.Second), "run %d; logs:\n%s", run+1, p.logs)
		require.NotContains(t, p.logs.String(), "invalid_grant", "run %d", run+1)
		logs.WriteString(p.logs.String())
	}

	secrets := []string{concurClientSecret, concurRefresh, concur.RefreshToken(), signatureKey}
	for _, r := range concur.Log().Since(0) {
		if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			secrets = append(secrets, tok)
		}
	}
	require.Greater(t, len(secrets), 6, "the access tokens used were collected")
	out := logs.String()
	for _, s := range secrets {
		require.NotContains(t, out, s)
	}
}
