package main

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/vendortest"
)

// Credentials of the Concur scenario; none may reach the logs.
const (
	concurClientID     = "concur-client-0f1e2d3c"
	concurClientSecret = "concur-client-secret-9a8b7c6d5e"
	concurRefresh      = "concur-refresh-token-first-1a2b3c"
)

// syncBuffer is a log sink the server writes from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestConcurAcrossRestarts runs the server twice on one -state file
// against a fake Concur whose access tokens expire at once and whose
// refresh tokens rotate on every use and are refused if used twice. The
// instance is seeded from a file; the second run finds it stored and must
// go on with the last rotated refresh token, read back from the file: the
// configured one is spent. Every report created is notified, and no
// client secret, access token or refresh token is in the logs of either
// run.
func TestConcurAcrossRestarts(t *testing.T) {
	concur := vendortest.ServeConcur(t, vendortest.ConcurConfig{
		ClientID: concurClientID, ClientSecret: concurClientSecret, RefreshToken: concurRefresh,
		TokenLifetime: time.Second, // shorter than the refresh skew: every request refreshes
	})
	dir := t.TempDir()
	state := filepath.Join(dir, "server.db")
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	reports := func() int {
		n := 0
		for _, r := range concur.Log().Since(0) {
			if r.Resource == "reports" && r.Status == http.StatusOK {
				n++
			}
		}
		return n
	}
	for run, id := range []string{"r1", "r2"} {
		r := startLogged(t, newClock(), state, logger)
		if run == 0 {
			require.Equal(t, http.StatusCreated, r.call("POST", apiPrefix+"/instances", concurInstance(t, r, concur.URL()), nil))
		} else { // stored: only the callback moved, with the demo receiver's port
			require.Equal(t, http.StatusOK, r.call("PATCH", apiPrefix+"/instances/exp",
				`{"configuration": {"event.notification.callback.url": "`+r.base+`/demo/receiver"}}`, nil))
		}
		before := reports()
		require.Equal(t, http.StatusAccepted, r.call("POST", apiPrefix+"/instances/exp/poll", "", nil), "run %d", run+1)
		r.until(func() bool { return reports() > before }, "no poll of the reports")
		concur.PutReport(vendortest.Report{ID: id, Name: "trip " + id})
		require.Equal(t, http.StatusAccepted, r.call("POST", apiPrefix+"/instances/exp/poll", "", nil))
		r.until(func() bool {
			for _, ev := range r.p.demo.received() {
				if ev.ObjectType == "reports" && ev.ObjectID == id {
					return true
				}
			}
			return false
		}, "report "+id+" was not notified")
		r.shutdown()
		require.NotContains(t, logs.String(), "invalid_grant", "run %d", run+1)
	}
	secrets := []string{concurClientSecret, concurRefresh, concur.RefreshToken(), demoSignatureKey}
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

// concurInstance is the Concur polling instance, notifying r's demo
// receiver.
func concurInstance(t *testing.T, r *rig, concurURL string) string {
	t.Helper()
	body, err := json.Marshal(map[string]any{
		"id": "exp", "element": map[string]any{"key": "concur"}, "name": "expenses",
		"configuration": map[string]any{
			"concur.base.url": concurURL, "oauth.api.key": concurClientID, "oauth.api.secret": concurClientSecret,
			"oauth.refresh.token": concurRefresh, "event.notification.enabled": true, "event.vendor.type": "polling",
			"event.notification.callback.url":  r.base + "/demo/receiver",
			"event.notification.signature.key": demoSignatureKey, "event.poller.refresh_interval": "60",
		},
	})
	require.NoError(t, err)
	return string(body)
}
