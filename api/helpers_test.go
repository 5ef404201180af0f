package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/api"
	"github.com/a12b7632/elementevents/engine"
)

// The credentials of the two tenants of every test.
const (
	authAcme  = "User u-acme-secret, Organization o-acme-secret"
	authOther = "User u-other-secret, Organization o-other-secret"
	prefix    = "/api/v2"
)

// The secrets of instanceBody: no answer may hold them.
var bodySecrets = []string{"ck_SECRET_CONSUMER_KEY", "cs_SECRET_CONSUMER_SECRET", "SIGKEY_SECRET_SIGNATURE"}

// instanceBody is a valid polling WooCommerce instance with an unknown
// key ("x-custom") that must be kept.
const instanceBody = `{
  "element": {"key": "woocommercerest"},
  "configuration": {
    "store.url": "https://shop.example.com",
    "oauth.api.key": "ck_SECRET_CONSUMER_KEY",
    "oauth.api.secret": "cs_SECRET_CONSUMER_SECRET",
    "event.notification.enabled": true,
    "event.vendor.type": "polling",
    "event.notification.callback.url": "https://app.example.com/hook",
    "event.notification.signature.key": "SIGKEY_SECRET_SIGNATURE",
    "event.poller.refresh_interval": "15",
    "event.poller.configuration": {
      "customers": {"url": "/hubs/ecommerce/customers", "idField": "id",
        "datesConfiguration": {"updatedDateField": "date_modified", "updatedDateFormat": "yyyy-MM-dd'T'HH:mm:ss",
          "createdDateField": "date_created", "createdDateFormat": "yyyy-MM-dd'T'HH:mm:ss"}}
    }
  },
  "tags": ["Docs"],
  "name": "API_POLLING",
  "x-custom": {"kept": true}
}`

// webhookBody is a valid webhook instance.
const webhookBody = `{
  "element": {"key": "woocommercerest"},
  "configuration": {
    "store.url": "https://shop.example.com",
    "oauth.api.key": "ck_SECRET_CONSUMER_KEY",
    "oauth.api.secret": "cs_SECRET_CONSUMER_SECRET",
    "event.notification.enabled": true,
    "event.vendor.type": "webhooks",
    "event.notification.callback.url": "https://app.example.com/hook"
  },
  "tags": ["hooks"],
  "name": "API_WEBHOOK"
}`

// rig is one test's API: an engine over a memory store on a fake clock,
// its handler mounted under /api/v2 of an httptest server.
type rig struct {
	t      *testing.T
	eng    *engine.Engine
	log    engine.EventLog
	logged int
	clock  *clockwork.FakeClock
	srv    *httptest.Server
	// seen collects every response body, for the secrets check.
	mu   sync.Mutex
	seen []string
}

// setup returns a rig whose handler wraps backend(eng) when wrap is set.
func setup(t *testing.T, wrap ...func(*engine.Engine) api.Backend) *rig {
	t.Helper()
	r := &rig{t: t, log: engine.NewMemoryEventLog(engine.MemoryEventLogConfig{}), clock: clockwork.NewFakeClockAt(time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC))}
	n := 0
	var err error
	r.eng, err = engine.New(engine.Config{Events: r.log, Clock: r.clock, NewID: func() string {
		n++
		return "i" + string(rune('0'+n/10)) + string(rune('0'+n%10))
	}})
	require.NoError(t, err)
	var backend api.Backend = r.eng
	if len(wrap) > 0 {
		backend = wrap[0](r.eng)
	}
	h, err := api.New(api.Config{Engine: backend, MaxBodyBytes: 64 << 10,
		Authenticate: api.ElementsAuth(api.ElementsAuthConfig{Tenants: []api.ElementsTenant{
			{ID: "acme", UserSecret: "u-acme-secret", OrgSecret: "o-acme-secret"},
			{ID: "other", UserSecret: "u-other-secret", OrgSecret: "o-other-secret"},
		}})})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle(prefix+"/", http.StripPrefix(prefix, h))
	r.srv = httptest.NewServer(mux)
	t.Cleanup(r.srv.Close)
	t.Cleanup(r.checkSecrets)
	return r
}

// resp is one answer.
type resp struct {
	status int
	header http.Header
	body   string
}

// json decodes the body into a map.
func (r resp) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.body), &m), r.body)
	return m
}

// list decodes the body into a slice of maps.
func (r resp) list(t *testing.T) []map[string]any {
	t.Helper()
	var m []map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.body), &m), r.body)
	return m
}

// do sends a request under the prefix; headers come in name, value pairs.
// A body is sent as application/json unless a Content-Type is given.
func (r *rig) do(method, path, auth, body string, headers ...string) resp {
	r.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, r.srv.URL+prefix+path, rd)
	require.NoError(r.t, err)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := r.srv.Client().Do(req)
	require.NoError(r.t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(r.t, err)
	r.mu.Lock()
	r.seen = append(r.seen, string(b)+fmtHeader(res.Header))
	r.mu.Unlock()
	return resp{status: res.StatusCode, header: res.Header, body: string(b)}
}

func fmtHeader(h http.Header) string {
	var b strings.Builder
	for k, v := range h {
		b.WriteString(k + ": " + strings.Join(v, ",") + "\n")
	}
	return b.String()
}

// checkSecrets fails the test if any answer held a secret of the bodies
// sent.
func (r *rig) checkSecrets() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.seen {
		for _, sec := range bodySecrets {
			if strings.Contains(s, sec) {
				r.t.Errorf("an answer holds the secret %q:\n%s", sec, s)
			}
		}
	}
}

// create creates instanceBody (or body) for acme and returns its id.
func (r *rig) create(body ...string) string {
	r.t.Helper()
	b := instanceBody
	if len(body) > 0 {
		b = body[0]
	}
	res := r.do("POST", "/instances", authAcme, b)
	require.Equal(r.t, http.StatusCreated, res.status, res.body)
	return res.json(r.t)["id"].(string)
}
