package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"
)

// rig is the server on a loopback port and a fake clock, with -demo and
// -public-url its own URL (the demo store delivers webhooks to it).
type rig struct {
	t     *testing.T
	clock *clockwork.FakeClock
	base  string
	p     *program
	code  chan int
	stop  context.CancelFunc
}

// t0 is where the rigs' clocks start.
var t0 = time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)

func newRig(t *testing.T, args ...string) *rig {
	t.Helper()
	return startRig(t, clockwork.NewFakeClockAt(t0), filepath.Join(t.TempDir(), "server.db"), args...)
}

// startRig starts a server on clock keeping its state in statePath.
func startRig(t *testing.T, clock *clockwork.FakeClock, statePath string, args ...string) *rig {
	t.Helper()
	return startLogged(t, clock, statePath, slog.New(slog.DiscardHandler), args...)
}

// startLogged is startRig logging to logger.
func startLogged(t *testing.T, clock *clockwork.FakeClock, statePath string, logger *slog.Logger, args ...string) *rig {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	opts, code, done := parseFlags(append([]string{"-listen", ln.Addr().String(), "-demo", "-public-url", baseURL(ln),
		"-state", statePath, "-log-level", "error"}, args...), io.Discard, io.Discard)
	require.False(t, done, "flags: exit %d", code)
	var stderr bytes.Buffer
	p, code := start(t.Context(), opts, "", clock, ln, logger, &stderr)
	require.NotNil(t, p, "start: exit %d: %s", code, stderr.String())
	ctx, cancel := context.WithCancel(context.Background())
	r := &rig{t: t, clock: clock, base: baseURL(ln), p: p, code: make(chan int, 1), stop: cancel}
	go func() { r.code <- p.serve(ctx) }()
	t.Cleanup(func() { r.shutdown() })
	return r
}

// shutdown stops the server and checks it exits 0.
func (r *rig) shutdown() {
	r.stop()
	select {
	case code := <-r.code:
		require.Equal(r.t, exitOK, code)
		r.code <- code // a second call sees it too
	case <-time.After(20 * time.Second):
		r.t.Fatal("the server did not stop")
	}
}

const demoAuth = "User " + demoUserSecret + ", Organization " + demoOrgSecret

// call sends a request with the demo tenant's credentials and decodes a
// JSON answer into out (when not nil); it returns the status.
func (r *rig) call(method, path, body string, out any) int {
	r.t.Helper()
	req, err := http.NewRequest(method, r.base+path, strings.NewReader(body))
	require.NoError(r.t, err)
	req.Header.Set("Authorization", demoAuth)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(r.t, err)
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	require.NoError(r.t, err)
	if out != nil && res.StatusCode < 300 {
		require.NoError(r.t, json.Unmarshal(data, out), "%s %s: %s", method, path, data)
	}
	return res.StatusCode
}

// until advances the clock a second at a time until cond holds.
func (r *rig) until(cond func() bool, msg string) {
	r.t.Helper()
	for range 600 {
		if cond() {
			return
		}
		r.clock.Advance(time.Second)
		time.Sleep(5 * time.Millisecond)
	}
	// Real time to finish what is in flight on a loaded machine.
	for grace := time.Now().Add(5 * time.Second); time.Now().Before(grace); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	r.t.Fatal("after 10 minutes of fake time: " + msg)
}

// walkthroughInstance is the README's instance: the documented WooCommerce
// polling body, pointed at the demo store and receiver.
func (r *rig) walkthroughInstance() string {
	body, err := os.ReadFile("walkthrough.json")
	require.NoError(r.t, err)
	return strings.ReplaceAll(string(body), "http://127.0.0.1:8080", r.base)
}

func TestWalkthrough(t *testing.T) {
	r := newRig(t)
	require.Equal(t, http.StatusOK, r.call("GET", "/healthz", "", nil))

	// Create the documented polling instance.
	var inst map[string]any
	require.Equal(t, http.StatusCreated, r.call("POST", apiPrefix+"/instances", r.walkthroughInstance(), &inst))
	id := inst["id"].(string)
	require.Equal(t, "***", inst["configuration"].(map[string]any)["oauth.api.secret"], "secrets are write-only")

	// Its first poll, at once, takes a baseline of the store.
	r.until(func() bool { return r.p.demo.store.Log().Len() > 0 }, "the new instance was not polled")

	// Watch events arrive.
	var customer map[string]int
	require.Equal(t, http.StatusOK, r.call("POST", "/demo/customers", "", &customer))
	require.Equal(t, http.StatusAccepted, r.call("POST", apiPrefix+"/instances/"+id+"/poll", "", nil))
	r.until(func() bool { return len(r.p.demo.received()) == 1 }, "the demo receiver got no event")
	var evs []map[string]any
	r.until(func() bool {
		require.Equal(t, http.StatusOK, r.call("GET", apiPrefix+"/instances/"+id+"/events", "", &evs))
		return len(evs) == 1 && evs[0]["status"] == "NOTIFIED"
	}, "the event log shows no NOTIFIED event")

	// Patch the refresh interval.
	var patched map[string]any
	require.Equal(t, http.StatusOK, r.call("PATCH", apiPrefix+"/instances/"+id,
		`{"configuration": {"event.poller.refresh_interval": "5"}}`, &patched))
	require.Equal(t, "5", patched["configuration"].(map[string]any)["event.poller.refresh_interval"])

	// Break the callback: the next event fails.
	require.Equal(t, http.StatusOK, r.call("PATCH", apiPrefix+"/instances/"+id,
		`{"configuration": {"event.notification.callback.url": "`+r.base+`/demo/broken"}}`, nil))
	require.Equal(t, http.StatusOK, r.call("POST", "/demo/customers", "", nil))
	require.Equal(t, http.StatusAccepted, r.call("POST", apiPrefix+"/instances/"+id+"/poll", "", nil))
	var failed []map[string]any
	r.until(func() bool {
		require.Equal(t, http.StatusOK, r.call("GET", apiPrefix+"/instances/"+id+"/deliveries?status=failed", "", &failed))
		return len(failed) == 1
	}, "no failed delivery listed")
	attempts := failed[0]["attempts"].([]any)
	require.Equal(t, float64(http.StatusServiceUnavailable), attempts[0].(map[string]any)["statusCode"])

	// Mend the callback and replay: the failed notification arrives.
	require.Equal(t, http.StatusOK, r.call("PATCH", apiPrefix+"/instances/"+id,
		`{"configuration": {"event.notification.callback.url": "`+r.base+`/demo/receiver"}}`, nil))
	require.Equal(t, http.StatusAccepted, r.call("POST", apiPrefix+"/deliveries/"+failed[0]["id"].(string)+"/replay", "", nil))
	r.until(func() bool { return len(r.p.demo.received()) == 2 }, "the replayed notification did not arrive")

	r.shutdown()
}
