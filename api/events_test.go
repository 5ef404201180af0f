package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/api"
	"github.com/a12b7632/elementevents/engine"
	"github.com/a12b7632/elementevents/notify"
)

// logEvent logs a notification of acme's instance id with one failed
// attempt, created at the rig's clock plus a second per event logged, and
// returns its id.
func (r *rig) logEvent(instance, id, status string) string {
	r.t.Helper()
	at := r.clock.Now().Add(time.Duration(r.logged) * time.Second)
	r.logged++
	require.NoError(r.t, r.log.Append(r.t.Context(), engine.LoggedEvent{
		ID: id, Tenant: "acme", Instance: instance, ObjectType: "customers", EventTypes: []string{"CREATED"},
		Events: 1, Body: json.RawMessage(`{"message":{"eventId":"` + id + `"}}`), Status: engine.EventStatus(status),
		Created: at, Updated: at, Reason: map[bool]string{true: "400 Bad Request"}[status == "DEAD"],
		Attempts: []notify.Attempt{{At: at, Status: 500, Latency: 1500 * time.Millisecond, Error: "500 Internal Server Error",
			Response: []byte(strings.Repeat("é", 2000))}},
	}))
	return id
}

func TestEvents(t *testing.T) {
	t.Parallel()
	r := setup(t)
	id := r.create()
	statuses := []string{"NEW", "NOTIFIED", "FAILED", "DEAD", "NOTIFIED"}
	for i, st := range statuses {
		r.logEvent(id, fmt.Sprintf("e%d", i), st)
	}

	res := r.do("GET", "/instances/events/e3", authAcme, "")
	require.Equal(t, http.StatusOK, res.status, res.body)
	ev := res.json(t)
	assert.Equal(t, "DEAD", ev["status"])
	assert.Equal(t, id, ev["instanceId"])
	assert.Equal(t, "400 Bad Request", ev["reason"])
	assert.Equal(t, map[string]any{"message": map[string]any{"eventId": "e3"}}, ev["body"])
	att := ev["attempts"].([]any)[0].(map[string]any)
	assert.Equal(t, float64(500), att["statusCode"])
	assert.Equal(t, float64(1500), att["latencyMs"])
	assert.Equal(t, "500 Internal Server Error", att["error"])
	resp := att["response"].(string)
	assert.True(t, strings.HasSuffix(resp, "…") && len(resp) <= 1024+len("…"), "excerpt cut: %d bytes", len(resp))

	tests := []struct {
		path string
		want []string
	}{
		{"/instances/" + id + "/events", []string{"e4", "e3", "e2", "e1", "e0"}},
		{"/instances/" + id + "/events?status=notified", []string{"e4", "e1"}},
		{"/instances/" + id + "/events?status=NEW,dead", []string{"e3", "e0"}},
		{"/instances/" + id + "/events?eventType=CREATED&objectType=customers&limit=2", []string{"e4", "e3"}},
		{"/instances/" + id + "/events?objectType=orders", nil},
		{"/instances/" + id + "/events?from=2026-12-07T12:00:01Z&to=2026-12-07T12:00:03Z", []string{"e2", "e1"}},
		{"/instances/" + id + "/events?after=e2", []string{"e1", "e0"}},
		{"/instances/" + id + "/deliveries", []string{"e3", "e2"}},
		{"/instances/" + id + "/deliveries?status=dead", []string{"e3"}},
		{"/instances/" + id + "/deliveries?status=failed", []string{"e2"}},
	}
	for _, tt := range tests {
		res := r.do("GET", tt.path, authAcme, "")
		require.Equal(t, http.StatusOK, res.status, res.body)
		var got []string
		for _, m := range res.list(t) {
			got = append(got, m["id"].(string))
		}
		assert.Equal(t, tt.want, got, tt.path)
	}

	res = r.do("GET", "/instances/"+id+"/events?limit=2", authAcme, "")
	assert.Equal(t, "e3", res.header.Get("X-Next-Cursor"))
	assert.Contains(t, res.header.Get("Link"), "after=e3")
	res = r.do("GET", "/instances/"+id+"/events?limit=5", authAcme, "")
	assert.Empty(t, res.header.Get("X-Next-Cursor"), "the last page has no next")

	res = r.do("GET", "/instances/events/nope", authAcme, "")
	assert.Equal(t, http.StatusNotFound, res.status)
	res = r.do("GET", "/instances/nope/events", authAcme, "")
	assert.Equal(t, http.StatusNotFound, res.status)
}

func TestReplay(t *testing.T) {
	t.Parallel()
	r := setup(t)
	id := r.create()
	r.logEvent(id, "d1", "DEAD")
	r.logEvent(id, "d2", "DEAD")
	r.logEvent(id, "n1", "NOTIFIED")

	res := r.do("POST", "/deliveries/d1/replay", authAcme, "")
	require.Equal(t, http.StatusAccepted, res.status, res.body)
	assert.Equal(t, "d1", res.json(t)["id"])
	pending, err := r.eng.Notifier().Outbox().List(t.Context(), notify.Filter{State: notify.Pending})
	require.NoError(t, err)
	require.Len(t, pending, 1, "d1 is in the outbox again")
	assert.Equal(t, "d1", pending[0].ID)

	res = r.do("POST", "/deliveries/replay?instance="+id, authAcme, "")
	require.Equal(t, http.StatusOK, res.status, res.body)
	assert.Equal(t, float64(1), res.json(t)["replayed"], "d2 is still DEAD; d1 is NEW again since its replay")

	res = r.do("POST", "/deliveries/replay", authAcme, `{"status":"notified","instance":"`+id+`"}`)
	require.Equal(t, http.StatusOK, res.status, res.body)
	assert.Equal(t, float64(1), res.json(t)["replayed"])

	res = r.do("POST", "/deliveries/nope/replay", authAcme, "")
	assert.Equal(t, http.StatusNotFound, res.status)
}

func TestPollEndpointResync(t *testing.T) {
	t.Parallel()
	var resyncs []string
	r := setup(t, func(e *engine.Engine) api.Backend { return &resyncRecorder{Engine: e, calls: &resyncs} })
	id := r.create()
	hook := r.create(webhookBody)

	tests := []struct {
		method, path, body string
		want               int
	}{
		{"POST", "/instances/" + id + "/poll", "", http.StatusAccepted},
		{"POST", "/instances/" + hook + "/poll", "", http.StatusConflict},
		{"POST", "/instances/nope/poll", "", http.StatusNotFound},
		{"PUT", "/instances/" + id + "/endpoint/enabled", "", http.StatusNoContent},
		{"POST", "/instances/" + id + "/resync", `{"resource":"customers","mode":"full"}`, http.StatusOK},
		{"POST", "/instances/" + id + "/resync", "", http.StatusOK},
		{"POST", "/instances/" + hook + "/resync", "", http.StatusConflict},
		{"POST", "/instances/" + id + "/resync", `{"resource":"boom"}`, http.StatusBadGateway},
	}
	for _, tt := range tests {
		res := r.do(tt.method, tt.path, authAcme, tt.body)
		assert.Equal(t, tt.want, res.status, "%s %s: %s", tt.method, tt.path, res.body)
	}
	assert.Equal(t, []string{id + "/customers/full", id + "//baseline"}, resyncs)
}

// resyncRecorder stands in for the engine's Resync, which is not done yet.
type resyncRecorder struct {
	*engine.Engine
	calls *[]string
}

func (rr *resyncRecorder) Resync(ctx context.Context, tenant, id, resource string, mode engine.ResyncMode) error {
	if _, err := rr.Engine.Get(ctx, tenant, id); err != nil {
		return err
	}
	if err := rr.Engine.PollNow(ctx, tenant, id); err != nil {
		return err
	}
	if resource == "boom" {
		return errors.New("customers: 500 from https://shop.example.com/?consumer_key=ck_SECRET_CONSUMER_KEY")
	}
	*rr.calls = append(*rr.calls, id+"/"+resource+"/"+string(mode))
	return nil
}
