package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestInstanceLifecycle(t *testing.T) {
	t.Parallel()
	r := setup(t)

	res := r.do("POST", "/instances", authAcme, instanceBody)
	require.Equal(t, http.StatusCreated, res.status, res.body)
	got := res.json(t)
	id := got["id"].(string)
	assert.Equal(t, `"1"`, res.header.Get("ETag"))
	assert.Equal(t, prefix+"/instances/"+id, res.header.Get("Location"))
	assert.Equal(t, float64(1), got["version"])
	assert.Equal(t, false, got["disabled"])
	assert.NotEmpty(t, got["token"])
	assert.Equal(t, "2026-12-07T12:00:00Z", got["createdDate"])
	assert.Equal(t, map[string]any{"kept": true}, got["x-custom"], "unknown keys are kept")
	conf := got["configuration"].(map[string]any)
	assert.Equal(t, "***", conf["oauth.api.key"])
	assert.Equal(t, "***", conf["event.notification.signature.key"])
	assert.Equal(t, "https://shop.example.com", conf["store.url"])

	res = r.do("GET", "/instances/"+id, authAcme, "")
	require.Equal(t, http.StatusOK, res.status, res.body)
	assert.Equal(t, `"1"`, res.header.Get("ETag"))
	assert.Equal(t, "application/json", res.header.Get("Content-Type"))

	res = r.do("PATCH", "/instances/"+id, authAcme, `{"configuration":{"event.poller.refresh_interval":"5"},"name":"renamed"}`,
		"Content-Type", "application/merge-patch+json", "If-Match", `"1"`)
	require.Equal(t, http.StatusOK, res.status, res.body)
	got = res.json(t)
	assert.Equal(t, `"2"`, res.header.Get("ETag"))
	assert.Equal(t, "renamed", got["name"])
	assert.Equal(t, "5", got["configuration"].(map[string]any)["event.poller.refresh_interval"])
	assert.Equal(t, "https://shop.example.com", got["configuration"].(map[string]any)["store.url"], "other keys kept")

	// PUT back what GET showed: "***" keeps the stored secrets.
	shown := r.do("GET", "/instances/"+id, authAcme, "").body
	res = r.do("PUT", "/instances/"+id, authAcme, strings.Replace(shown, `"renamed"`, `"replaced"`, 1), "If-Match", `"2"`)
	require.Equal(t, http.StatusOK, res.status, res.body)
	assert.Equal(t, "replaced", res.json(t)["name"])
	inst, err := r.eng.Get(t.Context(), "acme", id)
	require.NoError(t, err)
	assert.Contains(t, string(inst.Body), "cs_SECRET_CONSUMER_SECRET", "a secret written *** keeps its value")
	assert.NotContains(t, string(inst.Body), `"***"`)

	res = r.do("DELETE", "/instances/"+id+"/enabled", authAcme, "")
	require.Equal(t, http.StatusOK, res.status, res.body)
	assert.Equal(t, true, res.json(t)["disabled"])
	res = r.do("PUT", "/instances/"+id+"/enabled", authAcme, "")
	require.Equal(t, http.StatusOK, res.status, res.body)
	assert.Equal(t, false, res.json(t)["disabled"])

	res = r.do("DELETE", "/instances/"+id, authAcme, "")
	require.Equal(t, http.StatusNoContent, res.status, res.body)
	res = r.do("GET", "/instances/"+id, authAcme, "")
	require.Equal(t, http.StatusNotFound, res.status, res.body)
	assert.Equal(t, "application/problem+json", res.header.Get("Content-Type"))
}

func TestConfigurationRoutes(t *testing.T) {
	t.Parallel()
	r := setup(t)
	id := r.create()

	res := r.do("GET", "/instances/"+id+"/configuration", authAcme, "")
	require.Equal(t, http.StatusOK, res.status, res.body)
	conf := res.json(t)
	assert.Equal(t, "***", conf["oauth.api.secret"])
	assert.Equal(t, "15", conf["event.poller.refresh_interval"])

	res = r.do("GET", "/instances/"+id+"/configuration/event.poller.refresh_interval", authAcme, "")
	require.Equal(t, http.StatusOK, res.status, res.body)
	assert.Equal(t, map[string]any{"key": "event.poller.refresh_interval", "propertyValue": "15"}, res.json(t))

	res = r.do("GET", "/instances/"+id+"/configuration/no.such.key", authAcme, "")
	assert.Equal(t, http.StatusNotFound, res.status, res.body)

	res = r.do("PATCH", "/instances/"+id+"/configuration/event.poller.refresh_interval", authAcme, `{"propertyValue":"7"}`, "If-Match", `"1"`)
	require.Equal(t, http.StatusOK, res.status, res.body)
	assert.Equal(t, "7", res.json(t)["propertyValue"])
	assert.Equal(t, `"2"`, res.header.Get("ETag"))
	inst, err := r.eng.Get(t.Context(), "acme", id)
	require.NoError(t, err)
	assert.Equal(t, 7, int(inst.Config.Configuration.Events.RefreshInterval.Minutes()))

	res = r.do("PATCH", "/instances/"+id+"/configuration/oauth.api.secret", authAcme, `{"propertyValue":"***"}`)
	require.Equal(t, http.StatusOK, res.status, res.body)
	assert.Equal(t, "***", res.json(t)["propertyValue"])
	assert.Equal(t, `"2"`, res.header.Get("ETag"), "*** changes nothing")

	res = r.do("PATCH", "/instances/"+id+"/configuration/event.poller.refresh_interval", authAcme, `{"value":"7"}`)
	assert.Equal(t, http.StatusBadRequest, res.status, res.body)
	assert.Contains(t, res.body, "propertyValue")
}

func TestListInstancesPages(t *testing.T) {
	t.Parallel()
	r := setup(t)
	var ids []string
	for range 5 {
		ids = append(ids, r.create())
	}
	hook := r.create(webhookBody)
	r.do("POST", "/instances", authOther, instanceBody) // another tenant's: never listed

	var got []string
	next := "/instances?limit=2"
	for pages := 0; next != ""; pages++ {
		require.Less(t, pages, 10)
		res := r.do("GET", next, authAcme, "")
		require.Equal(t, http.StatusOK, res.status, res.body)
		for _, m := range res.list(t) {
			got = append(got, m["id"].(string))
		}
		next = ""
		if c := res.header.Get("X-Next-Cursor"); c != "" {
			link := res.header.Get("Link")
			require.True(t, strings.HasPrefix(link, "<"+prefix+"/instances?"), link)
			assert.Contains(t, link, `rel="next"`)
			next = "/instances?after=" + c + "&limit=2"
		}
	}
	assert.Equal(t, append(ids, hook), got)

	tests := []struct {
		query string
		want  []string
	}{
		{"vendorType=webhook", []string{hook}},
		{"vendorType=polling&limit=100", ids},
		{"tag=hooks", []string{hook}},
		{"element=woocommercerest&tag=Docs&limit=1", ids[:1]},
		{"enabled=false", nil},
	}
	for _, tt := range tests {
		res := r.do("GET", "/instances?"+tt.query, authAcme, "")
		require.Equal(t, http.StatusOK, res.status, res.body)
		var gotIDs []string
		for _, m := range res.list(t) {
			gotIDs = append(gotIDs, m["id"].(string))
		}
		assert.Equal(t, tt.want, gotIDs, tt.query)
	}
	for _, q := range []string{"limit=0", "limit=1001", "limit=x", "enabled=maybe"} {
		res := r.do("GET", "/instances?"+q, authAcme, "")
		assert.Equal(t, http.StatusBadRequest, res.status, q)
	}
}

func TestEnabledByToken(t *testing.T) {
	t.Parallel()
	r := setup(t)
	res := r.do("POST", "/instances", authAcme, instanceBody)
	require.Equal(t, http.StatusCreated, res.status)
	id, token := res.json(t)["id"].(string), res.json(t)["token"].(string)

	tests := []struct {
		name, method, auth string
		want               int
		disabled           bool
	}{
		{"disable", "DELETE", authAcme + ", Element " + token, http.StatusOK, true},
		{"enable", "PUT", authAcme + ", Element " + token, http.StatusOK, false},
		{"no token", "DELETE", authAcme, http.StatusBadRequest, false},
		{"unknown token", "DELETE", authAcme + ", Element nope", http.StatusNotFound, false},
		{"another tenant's token", "DELETE", authOther + ", Element " + token, http.StatusNotFound, false},
	}
	for _, tt := range tests {
		res := r.do(tt.method, "/instances/enabled", tt.auth, "")
		require.Equal(t, tt.want, res.status, "%s: %s", tt.name, res.body)
		inst, err := r.eng.Get(t.Context(), "acme", id)
		require.NoError(t, err)
		assert.Equal(t, !tt.disabled, inst.Enabled, tt.name)
	}
}

func TestIfMatch(t *testing.T) {
	t.Parallel()
	r := setup(t)
	id := r.create()
	patch := `{"name":"n"}`
	tests := []struct {
		name, method, ifMatch, body string
		want                        int
	}{
		{"stale patch", "PATCH", `"7"`, patch, http.StatusPreconditionFailed},
		{"weak etag", "PATCH", `W/"1"`, patch, http.StatusPreconditionFailed},
		{"stale put", "PUT", `"7"`, instanceBody, http.StatusPreconditionFailed},
		{"stale delete", "DELETE", `"7"`, "", http.StatusPreconditionFailed},
		{"list without current", "PATCH", `"5", "6"`, patch, http.StatusPreconditionFailed},
		{"list with current", "PATCH", `"5", "1"`, patch, http.StatusOK},
		{"star", "PATCH", `*`, patch, http.StatusOK},
		{"current", "PATCH", `"3"`, patch, http.StatusOK},
	}
	for _, tt := range tests {
		res := r.do(tt.method, "/instances/"+id, authAcme, tt.body, "If-Match", tt.ifMatch)
		require.Equal(t, tt.want, res.status, "%s: %s", tt.name, res.body)
		if tt.want == http.StatusPreconditionFailed {
			assert.Equal(t, "application/problem+json", res.header.Get("Content-Type"))
		}
	}
	inst, err := r.eng.Get(t.Context(), "acme", id)
	require.NoError(t, err)
	assert.Equal(t, int64(4), inst.Version, "only the three matching writes went through")
}

func TestConcurrentPatchesLoseNoUpdate(t *testing.T) {
	t.Parallel()
	r := setup(t)
	id := r.create()
	const n = 20
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			res := r.do("PATCH", "/instances/"+id, authAcme, fmt.Sprintf(`{"configuration":{"custom.k%d":"v%d"}}`, i, i))
			assert.Equal(t, http.StatusOK, res.status, res.body)
		})
	}
	wg.Wait()
	res := r.do("GET", "/instances/"+id+"/configuration", authAcme, "")
	conf := res.json(t)
	for i := range n {
		assert.Equal(t, fmt.Sprintf("v%d", i), conf[fmt.Sprintf("custom.k%d", i)], "patch %d lost", i)
	}
	assert.Equal(t, `"21"`, res.header.Get("ETag"))
}
