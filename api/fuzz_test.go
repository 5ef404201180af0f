package api_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/api"
	"github.com/a12b7632/elementevents/engine"
)

// FuzzHandler sends arbitrary bodies to every route that reads one: no
// answer may be a 5xx, nor the handler panic.
func FuzzHandler(f *testing.F) {
	for _, s := range []string{instanceBody, webhookBody, `{}`, `[]`, `null`, `{"configuration":{"a.key":null}}`,
		`{"propertyValue":"***"}`, `{"propertyValue":{"x":[1,2]}}`, `{"mode":"full","resource":"customers"}`,
		`{"status":"dead,failed","from":"2026-01-01T00:00:00Z"}`, "{\"tags\":[1,", `{"id":"x","token":"t"}`,
		`{"configuration":{"event.poller.configuration":"{\"a\":1}","oauth.api.secret":"***"}}`, "\xff\xfe"} {
		f.Add(s)
	}
	clock := clockwork.NewFakeClockAt(time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC))
	eng, err := engine.New(engine.Config{Clock: clock, Events: engine.NewMemoryEventLog(engine.MemoryEventLogConfig{})})
	require.NoError(f, err)
	var resyncs []string // the engine's resync would poll the vendor
	h, err := api.New(api.Config{Engine: &resyncRecorder{Engine: eng, calls: &resyncs}, MaxBodyBytes: 16 << 10,
		Authenticate: func(*http.Request) (engine.Tenant, error) { return engine.Tenant{ID: "acme"}, nil }})
	require.NoError(f, err)
	inst, err := eng.Create(f.Context(), "acme", []byte(instanceBody))
	require.NoError(f, err)
	id := inst.ID
	routes := []struct{ method, path string }{
		{"POST", "/instances"},
		{"PUT", "/instances/" + id},
		{"PATCH", "/instances/" + id},
		{"PATCH", "/instances/" + id + "/configuration/event.poller.refresh_interval"},
		{"PATCH", "/instances/" + id + "/configuration/oauth.api.secret"},
		{"POST", "/instances/" + id + "/resync"},
		{"POST", "/deliveries/replay"},
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, rt := range routes {
			req := httptest.NewRequest(rt.method, rt.path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code >= 500 {
				t.Fatalf("%s %s answered %d: %s", rt.method, rt.path, rec.Code, rec.Body)
			}
		}
	})
}
