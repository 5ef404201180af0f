package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBadInput(t *testing.T) {
	t.Parallel()
	r := setup(t)
	id := r.create()
	big := `{"name":"` + strings.Repeat("x", 70<<10) + `"}`
	tests := []struct {
		name, method, path, body string
		headers                  []string
		want                     int
		wantType                 string
		wantIn                   []string
	}{
		{name: "malformed create", method: "POST", path: "/instances", body: "{\n  \"name\": \"x\",\n  \"tags\": [1,]\n}",
			want: 400, wantType: "urn:elementevents:problem:syntax", wantIn: []string{`"line":3`, `"offset":`, `"column":`}},
		{name: "missing brace", method: "POST", path: "/instances", body: `{"element":{"key":"woocommercerest"}`,
			want: 400, wantType: "urn:elementevents:problem:syntax", wantIn: []string{`"offset":`}},
		{name: "malformed patch", method: "PATCH", path: "/instances/" + id, body: `{"name": }`,
			want: 400, wantType: "urn:elementevents:problem:syntax", wantIn: []string{`"column":`}},
		{name: "malformed property", method: "PATCH", path: "/instances/" + id + "/configuration/a.b", body: `{"propertyValue": tru}`,
			want: 400, wantType: "urn:elementevents:problem:syntax", wantIn: []string{`"offset":`}},
		{name: "wrong type names the key", method: "PATCH", path: "/instances/" + id,
			body: `{"configuration":{"event.poller.refresh_interval":"soon"}}`,
			want: 422, wantType: "urn:elementevents:problem:validation", wantIn: []string{`"key":"event.poller.refresh_interval"`}},
		{name: "invalid callback names the key", method: "PATCH", path: "/instances/" + id,
			body: `{"configuration":{"event.notification.callback.url":"not a url"}}`,
			want: 422, wantIn: []string{`"key":"event.notification.callback.url"`}},
		{name: "not an object", method: "POST", path: "/instances", body: `[1,2]`, want: 400},
		{name: "empty body", method: "POST", path: "/instances", body: " ", want: 400},
		{name: "over the limit", method: "POST", path: "/instances", body: big, want: 413, wantType: "urn:elementevents:problem:too-large"},
		{name: "patch over the limit", method: "PATCH", path: "/instances/" + id, body: big, want: 413},
		{name: "form body", method: "POST", path: "/instances", body: "a=b", headers: []string{"Content-Type", "application/x-www-form-urlencoded"}, want: 415},
		{name: "no content type", method: "PATCH", path: "/instances/" + id, body: "{}", headers: []string{"Content-Type", ""}, want: 415},
		{name: "id taken", method: "POST", path: "/instances", body: strings.Replace(instanceBody, `{`, `{"id":"`+id+`",`, 1), want: 409},
		{name: "token written", method: "PATCH", path: "/instances/" + id, body: `{"token":"mine"}`, want: 400},
		{name: "id changed", method: "PUT", path: "/instances/" + id, body: strings.Replace(instanceBody, `{`, `{"id":"other",`, 1), want: 400},
		{name: "unknown id", method: "GET", path: "/instances/nope", want: 404},
		{name: "unknown route", method: "GET", path: "/nothing", want: 404},
		{name: "unknown sub-resource", method: "GET", path: "/instances/" + id + "/nothing", want: 404},
		{name: "wrong method", method: "POST", path: "/instances/" + id, body: "{}", want: 405},
		{name: "wrong method on a sub-resource", method: "GET", path: "/instances/" + id + "/poll", want: 405},
		{name: "bad resync mode", method: "POST", path: "/instances/" + id + "/resync", body: `{"mode":"half"}`, want: 400, wantIn: []string{"mode"}},
		{name: "unknown resync resource", method: "POST", path: "/instances/" + id + "/resync", body: `{"resource":"nope","mode":"full"}`, want: 400, wantIn: []string{"nope"}},
		{name: "unknown resync field", method: "POST", path: "/instances/" + id + "/resync", body: `{"mode":"full","x":1}`, want: 400},
		{name: "bad time", method: "GET", path: "/instances/" + id + "/events?from=yesterday", want: 400, wantIn: []string{"from"}},
		{name: "bad status", method: "GET", path: "/instances/" + id + "/deliveries?status=notified", want: 400, wantIn: []string{"status"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			headers := tt.headers
			res := r.do(tt.method, tt.path, authAcme, tt.body, headers...)
			require.Equal(t, tt.want, res.status, res.body)
			assert.Equal(t, "application/problem+json", res.header.Get("Content-Type"))
			p := res.json(t)
			assert.Equal(t, float64(tt.want), p["status"])
			assert.Equal(t, http.StatusText(tt.want), p["title"])
			assert.Equal(t, prefix+strings.SplitN(tt.path, "?", 2)[0], p["instance"])
			if tt.wantType != "" {
				assert.Equal(t, tt.wantType, p["type"])
			}
			for _, s := range tt.wantIn {
				assert.Contains(t, res.body, s)
			}
			if tt.want == 405 {
				assert.NotEmpty(t, res.header.Get("Allow"))
			}
		})
	}
	// None of it changed the instance.
	inst, err := r.eng.Get(t.Context(), "acme", id)
	require.NoError(t, err)
	assert.Equal(t, int64(1), inst.Version)
}

func TestSecretsNeverAnswered(t *testing.T) {
	t.Parallel()
	r := setup(t) // the rig checks every answer for bodySecrets
	id := r.create()
	r.do("PATCH", "/instances/"+id, authAcme, `{"configuration":{"oauth.api.key":"ck_SECRET_CONSUMER_KEY","event.notification.callback.url":"ck_SECRET_CONSUMER_KEY"}}`)
	r.do("PATCH", "/instances/"+id, authAcme, `{"configuration":{"event.notification.signature.key": 5, "oauth.api.secret":"cs_SECRET_CONSUMER_SECRET"`)
	r.do("PATCH", "/instances/"+id+"/configuration/oauth.api.secret", authAcme, `{"propertyValue":"cs_SECRET_CONSUMER_SECRET"}`)
	r.do("GET", "/instances/"+id+"/configuration/oauth.api.secret", authAcme, "")
	r.do("PUT", "/instances/"+id, authAcme, strings.Replace(instanceBody, "https://app.example.com/hook", "SIGKEY_SECRET_SIGNATURE", 1))
	r.do("POST", "/instances", authAcme, strings.Replace(instanceBody, "https://shop.example.com", "cs_SECRET_CONSUMER_SECRET", 1))
	r.do("GET", "/instances", authAcme, "")
	r.do("GET", "/instances/"+id, authAcme, "")
	r.do("GET", "/instances/"+id+"/configuration", authAcme, "")
}

func TestTenantsSeeOnlyTheirOwn(t *testing.T) {
	t.Parallel()
	r := setup(t)
	id := r.create()
	ev := r.logEvent(id, "e1", "DEAD")
	tests := []struct{ method, path, body string }{
		{"GET", "/instances/" + id, ""},
		{"PUT", "/instances/" + id, instanceBody},
		{"PATCH", "/instances/" + id, `{"name":"mine"}`},
		{"DELETE", "/instances/" + id, ""},
		{"GET", "/instances/" + id + "/configuration", ""},
		{"GET", "/instances/" + id + "/configuration/store.url", ""},
		{"PATCH", "/instances/" + id + "/configuration/store.url", `{"propertyValue":"https://evil.example.com"}`},
		{"PUT", "/instances/" + id + "/enabled", ""},
		{"DELETE", "/instances/" + id + "/enabled", ""},
		{"GET", "/instances/" + id + "/events", ""},
		{"GET", "/instances/" + id + "/deliveries", ""},
		{"GET", "/instances/events/" + ev, ""},
		{"POST", "/deliveries/" + ev + "/replay", ""},
		{"PUT", "/instances/" + id + "/endpoint/enabled", ""},
		{"POST", "/instances/" + id + "/poll", ""},
		{"POST", "/instances/" + id + "/resync", ""},
	}
	for _, tt := range tests {
		res := r.do(tt.method, tt.path, authOther, tt.body)
		assert.Equal(t, http.StatusNotFound, res.status, "%s %s: %s", tt.method, tt.path, res.body)
	}
	res := r.do("POST", "/deliveries/replay", authOther, `{"instance":"`+id+`"}`)
	require.Equal(t, http.StatusOK, res.status, res.body)
	assert.Equal(t, float64(0), res.json(t)["replayed"])
	res = r.do("GET", "/instances", authOther, "")
	assert.Equal(t, "[]", res.body)

	inst, err := r.eng.Get(t.Context(), "acme", id)
	require.NoError(t, err)
	assert.Equal(t, int64(1), inst.Version, "nothing changed")
	got, err := r.eng.Event(t.Context(), "acme", ev)
	require.NoError(t, err)
	assert.Equal(t, "DEAD", string(got.Status), "not replayed")
}

func TestAuthentication(t *testing.T) {
	t.Parallel()
	r := setup(t)
	for _, auth := range []string{
		"",
		"User u-acme-secret",
		"User u-acme-secret, Organization o-other-secret",
		"User u-acme-secret, Organization o-acme-secret, Bogus x",
		"User u-acme-secret, User u-acme-secret, Organization o-acme-secret",
		"Bearer abc",
	} {
		res := r.do("GET", "/instances", auth, "")
		require.Equal(t, http.StatusUnauthorized, res.status, auth)
		assert.NotEmpty(t, res.header.Get("WWW-Authenticate"))
		assert.Equal(t, "application/problem+json", res.header.Get("Content-Type"))
		assert.NotContains(t, res.body, "secret")
	}
	for _, auth := range []string{authAcme, "organization o-acme-secret,user u-acme-secret", authAcme + ", Element tok"} {
		res := r.do("GET", "/instances", auth, "")
		assert.Equal(t, http.StatusOK, res.status, auth)
	}
	res := r.do("GET", "/openapi.json", "", "")
	assert.Equal(t, http.StatusOK, res.status, "the document needs no credentials")
}
