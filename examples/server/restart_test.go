package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"
)

func TestWebhookInstanceIsSubscribedAtTheVendor(t *testing.T) {
	r := newRig(t)
	body := strings.ReplaceAll(`{"element": {"key": "woocommercerest"}, "name": "hooks",
	  "configuration": {"store.url": "http://127.0.0.1:8080/demo/woocommerce",
	    "oauth.api.key": "ck_demo_0123456789abcdef", "oauth.api.secret": "cs_demo_0123456789abcdef",
	    "event.notification.enabled": "true", "event.vendor.type": "webhook", "event.objects": "customers",
	    "event.notification.callback.url": "http://127.0.0.1:8080/demo/receiver",
	    "event.notification.signature.key": "demo-signature-key"}}`, "http://127.0.0.1:8080", r.base)
	var inst map[string]any
	require.Equal(t, http.StatusCreated, r.call("POST", apiPrefix+"/instances", body, &inst))
	// The engine registers the webhooks at the store in the background,
	// and stores the secret it generated.
	r.until(func() bool {
		var got map[string]any
		r.call("GET", apiPrefix+"/instances/"+inst["id"].(string), "", &got)
		return got["configuration"].(map[string]any)["webhook.secret"] == "***"
	}, "the webhooks were not registered")
	require.Equal(t, http.StatusOK, r.call("POST", "/demo/customers", "", nil))
	r.until(func() bool { return len(r.p.demo.received()) == 1 }, "the store's webhook did not reach the receiver")
	require.Equal(t, "customers", r.p.demo.received()[0].ObjectType)
}

func TestRestartKeepsInstancesAndEvents(t *testing.T) {
	state := filepath.Join(t.TempDir(), "server.db")
	first := startRig(t, newClock(), state)
	var inst map[string]any
	require.Equal(t, http.StatusCreated, first.call("POST", apiPrefix+"/instances", first.walkthroughInstance(), &inst))
	id := inst["id"].(string)
	first.until(func() bool { return first.p.demo.store.Log().Len() > 0 }, "no baseline")
	require.Equal(t, http.StatusOK, first.call("POST", "/demo/customers", "", nil))
	require.Equal(t, http.StatusAccepted, first.call("POST", apiPrefix+"/instances/"+id+"/poll", "", nil))
	first.until(func() bool { return len(first.p.demo.received()) == 1 }, "no event")
	first.shutdown()

	again := startRig(t, newClock(), state)
	var got map[string]any
	require.Equal(t, http.StatusOK, again.call("GET", apiPrefix+"/instances/"+id, "", &got))
	require.Equal(t, inst["token"], got["token"])
	var evs []map[string]any
	require.Equal(t, http.StatusOK, again.call("GET", apiPrefix+"/instances/"+id+"/events", "", &evs))
	require.Len(t, evs, 1, "the event log is in the file")
	require.Equal(t, "NOTIFIED", evs[0]["status"])
}

func newClock() *clockwork.FakeClock { return clockwork.NewFakeClockAt(t0) }

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

func TestBadStartsExit2(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"element": {"key": "woocommercerest"}, "configuration": {"event.poller.refresh_interval": "often"}}`), 0o600))
	for name, tt := range map[string]struct {
		args    []string
		tenants string
		want    string
	}{
		"no tenant":   {nil, "", "no tenant"},
		"bad tenants": {nil, "acme:only-one-secret", "entry 1 (tenant \"acme\")"},
		"bad seed":    {[]string{"-seed", bad}, "acme:u:o", "event.poller.refresh_interval"},
	} {
		opts, code, done := parseFlags(append([]string{"-state", filepath.Join(dir, name+".db"), "-listen", "127.0.0.1:0"}, tt.args...), io.Discard, io.Discard)
		require.False(t, done, "%s: flags exit %d", name, code)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		var stderr bytes.Buffer
		p, code := start(t.Context(), opts, tt.tenants, newClock(), ln, discard(), &stderr)
		_ = ln.Close()
		require.Nil(t, p, name)
		require.Equal(t, exitUsage, code, name)
		require.Contains(t, stderr.String(), tt.want, name)
		require.NotContains(t, stderr.String(), "only-one-secret", "%s: a secret is never printed", name)
	}
	for _, args := range [][]string{{"-log-format", "xml"}, {"-public-url", "ftp://x"}, {"stray"}} {
		_, code, done := parseFlags(args, io.Discard, io.Discard)
		require.True(t, done, "%v", args)
		require.Equal(t, exitUsage, code, "%v", args)
	}
}

// TestReplicasOnPostgres runs two servers on one PostgreSQL schema, each
// with its own state file: an instance created through one is served by
// the other, and a notification delivered through one is in the event
// log the other's API lists.
func TestReplicasOnPostgres(t *testing.T) {
	url := postgresSchema(t)
	clock := newClock()
	a := startRig(t, clock, filepath.Join(t.TempDir(), "a.db"), "-postgres", url)
	b := startRig(t, clock, filepath.Join(t.TempDir(), "b.db"), "-postgres", url)
	var inst map[string]any
	require.Equal(t, http.StatusCreated, a.call("POST", apiPrefix+"/instances", a.walkthroughInstance(), &inst))
	id := inst["id"].(string)
	var got map[string]any
	require.Equal(t, http.StatusOK, b.call("GET", apiPrefix+"/instances/"+id, "", &got))
	require.Equal(t, inst["token"], got["token"])

	// The instance polls A's demo store and notifies A's receiver; each
	// interval is polled by whichever replica claims it, and delivered
	// from that replica's outbox, so both APIs must list the notification
	// (with an event log per replica, one of them would not).
	a.until(func() bool { return a.p.demo.store.Log().Len() > 0 }, "the new instance was not polled")
	require.Equal(t, http.StatusOK, a.call("POST", "/demo/customers", "", nil))
	require.Equal(t, http.StatusAccepted, a.call("POST", apiPrefix+"/instances/"+id+"/poll", "", nil))
	a.until(func() bool { return len(a.p.demo.received()) == 1 }, "the demo receiver got no event")
	var eventID string
	for _, r := range []*rig{a, b} {
		var evs []map[string]any
		r.until(func() bool {
			require.Equal(t, http.StatusOK, r.call("GET", apiPrefix+"/instances/"+id+"/events", "", &evs))
			return len(evs) == 1 && evs[0]["status"] == "NOTIFIED"
		}, "a replica's API lists no NOTIFIED event")
		if eventID == "" {
			eventID = evs[0]["id"].(string)
		}
		require.Equal(t, eventID, evs[0]["id"], "one notification, listed by both")
		var one map[string]any
		require.Equal(t, http.StatusOK, r.call("GET", apiPrefix+"/instances/events/"+eventID, "", &one))
		require.Equal(t, "NOTIFIED", one["status"])
	}

	require.Equal(t, http.StatusNoContent, b.call("DELETE", apiPrefix+"/instances/"+id, "", nil))
	require.Equal(t, http.StatusNotFound, a.call("GET", apiPrefix+"/instances/"+id, "", nil))
}

// postgresSchema returns a -postgres URL on a schema of the test's own,
// dropped at the end; the test is skipped without a server unless
// ELEMENTEVENTS_REQUIRE_POSTGRES=1.
func postgresSchema(t *testing.T) string {
	t.Helper()
	base := os.Getenv("DATABASE_URL")
	if base == "" {
		base = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	admin, err := pgxpool.New(ctx, base)
	if err == nil {
		err = admin.Ping(ctx)
	}
	if err != nil {
		if os.Getenv("ELEMENTEVENTS_REQUIRE_POSTGRES") == "1" {
			t.Fatalf("PostgreSQL is required (ELEMENTEVENTS_REQUIRE_POSTGRES=1) but does not answer: %v", err)
		}
		t.Skipf("PostgreSQL does not answer (%v): start it with scripts/postgres-up", err)
	}
	schema := fmt.Sprintf("ee_server_%d", time.Now().UnixNano())
	_, err = admin.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize())
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = admin.Exec(context.Background(), "DROP SCHEMA "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
		admin.Close()
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema
}

func TestSeedCreatesOnce(t *testing.T) {
	dir := t.TempDir()
	seed := filepath.Join(dir, "shop.json")
	require.NoError(t, os.WriteFile(seed, []byte(`{"id": "shop", "element": {"key": "woocommercerest"}, "name": "shop",
	  "configuration": {"store.url": "https://shop.example.com", "oauth.api.key": "ck", "oauth.api.secret": "cs",
	    "event.notification.enabled": "false"}}`), 0o600))
	state := filepath.Join(dir, "server.db")
	for run := range 2 { // the second run finds it stored and leaves it
		r := startRig(t, newClock(), state, "-seed", seed, "-seed-tenant", demoTenant)
		var got map[string]any
		require.Equal(t, http.StatusOK, r.call("GET", apiPrefix+"/instances/shop", "", &got), "run %d", run+1)
		require.Equal(t, float64(1), got["version"], "run %d", run+1)
		r.shutdown()
	}
}
