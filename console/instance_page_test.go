package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/engine"
)

func TestInstancePage(t *testing.T) {
	r := newRig(t)
	c := r.browser("acme-user", "acme-org")
	inst := createWoo(t, r, "Shop")
	res, page := get(t, c, r.srv.URL+"/console/instances/"+inst.ID)
	require.Equal(t, http.StatusOK, res.StatusCode)
	for _, want := range []string{"<h1>Shop</h1>", "store.url", "https://shop.example.com", "oauth.api.secret", "•••",
		"kept too", `action="/console/instances/` + inst.ID + `/poll"`, `action="/console/instances/` + inst.ID + `/endpoint/enable"`,
		">Disable</button>", `name="confirm" value="yes"`, `href="/console/instances/` + inst.ID + `/edit"`} {
		assert.Contains(t, page, want)
	}
	for _, secret := range append(liveSecrets, inst.Token) {
		assert.NotContains(t, page, secret)
	}
}

func TestInstanceActions(t *testing.T) {
	r := newRig(t)
	c := r.browser("acme-user", "acme-org")
	inst := createWoo(t, r, "Shop")
	base := r.srv.URL + "/console/instances/" + inst.ID
	enabled := func() bool {
		got, err := r.eng.Get(context.Background(), "acme", inst.ID)
		require.NoError(t, err)
		return got.Enabled
	}

	for _, tc := range []struct {
		name       string
		path       string
		form       url.Values
		wantStatus int
		wantTo     string // the redirect, for a 303
		wantPage   string // on the page, otherwise
		wantOn     bool
	}{
		{"disable", "/enabled", url.Values{"enabled": {"false"}}, http.StatusSeeOther, "?done=disabled", "", false},
		{"enable", "/enabled", url.Values{"enabled": {"true"}}, http.StatusSeeOther, "?done=enabled", "", true},
		{"enabled must be a bool", "/enabled", url.Values{"enabled": {"maybe"}}, http.StatusBadRequest, "", "could not be read", true},
		{"poll now", "/poll", nil, http.StatusSeeOther, "?done=polled", "", true},
		{"enable endpoint", "/endpoint/enable", nil, http.StatusSeeOther, "?done=endpoint", "", true},
		{"delete unconfirmed", "/delete", url.Values{"version": {"1"}}, http.StatusUnprocessableEntity, "", "Tick the box to confirm", true},
		{"delete stale", "/delete", url.Values{"confirm": {"yes"}, "version": {"1"}}, http.StatusConflict, "", "was not deleted", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, page := post(t, c, base+tc.path, tc.form)
			require.Equal(t, tc.wantStatus, res.StatusCode, page)
			if tc.wantTo != "" {
				assert.Equal(t, "/console/instances/"+inst.ID+tc.wantTo, res.Header.Get("Location"))
			}
			assert.Contains(t, page, tc.wantPage)
			assert.Equal(t, tc.wantOn, enabled())
		})
	}

	_, page := get(t, c, base+"?done=polled")
	assert.Contains(t, page, "A poll was started")
	_, page = get(t, c, base+"?done=<b>x</b>")
	assert.NotContains(t, page, `role="status"`, "an unknown notice says nothing")

	got, err := r.eng.Get(context.Background(), "acme", inst.ID)
	require.NoError(t, err)
	res, _ := post(t, c, base+"/delete", url.Values{"confirm": {"yes"}, "version": {strconv.FormatInt(got.Version, 10)}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	assert.Equal(t, "/console/instances", res.Header.Get("Location"))
	_, err = r.eng.Get(context.Background(), "acme", inst.ID)
	require.ErrorIs(t, err, engine.ErrNotFound)
}

func TestPollNowOfWebhookInstance(t *testing.T) {
	r := newRig(t)
	c := r.browser("acme-user", "acme-org")
	inst, err := r.eng.Create(context.Background(), "acme", []byte(`{"name": "Hooks", "element": {"key": "woocommercerest"},
	  "configuration": {"store.url": "https://shop.example.com", "oauth.api.key": "ck", "oauth.api.secret": "cs",
	  "event.notification.enabled": true, "event.vendor.type": "webhook", "event.notification.callback.url": "https://app.example.com/in"}}`))
	require.NoError(t, err)
	res, page := post(t, c, r.srv.URL+"/console/instances/"+inst.ID+"/poll", nil)
	require.Equal(t, http.StatusConflict, res.StatusCode)
	assert.Contains(t, page, "This instance polls nothing")
}

func TestAnotherTenantsInstanceIsNotFound(t *testing.T) {
	r := newRig(t)
	inst := createWoo(t, r, "Acme shop")
	other := r.browser("other-user", "other-org")
	base := r.srv.URL + "/console/instances/" + inst.ID
	for _, tc := range []struct {
		method, path string
		form         url.Values
	}{
		{"GET", "", nil},
		{"GET", "/edit", nil},
		{"POST", "", url.Values{"version": {"1"}, "name": {"taken"}, "mode": {"fields"}}},
		{"POST", "", url.Values{"version": {"1"}, "json": {`{"name": "taken"}`}, "mode": {"json"}}},
		{"POST", "/enabled", url.Values{"enabled": {"false"}}},
		{"POST", "/poll", nil},
		{"POST", "/endpoint/enable", nil},
		{"POST", "/delete", url.Values{"confirm": {"yes"}, "version": {"1"}}},
		{"GET", "/missing/edit", nil},
	} {
		t.Run(tc.method+tc.path, func(t *testing.T) {
			var res *http.Response
			var page string
			if tc.method == "GET" {
				res, page = get(t, other, base+tc.path)
			} else {
				res, page = post(t, other, base+tc.path, tc.form)
			}
			require.Equal(t, http.StatusNotFound, res.StatusCode, page)
			assert.NotContains(t, page, "Acme shop")
			assert.NotContains(t, page, "shop.example.com")
		})
	}
	got, err := r.eng.Get(context.Background(), "acme", inst.ID)
	require.NoError(t, err)
	assert.Equal(t, int64(1), got.Version, "nothing changed")
	assert.True(t, got.Enabled)
}

func TestNewInstancePicker(t *testing.T) {
	r := newRig(t)
	c := r.browser("acme-user", "acme-org")
	for _, tc := range []struct {
		query      string
		wantStatus int
		want       string
	}{
		{"", http.StatusOK, `<legend>Element</legend>`},
		{"?element=concur", http.StatusOK, `name="cfg.concur.base.url"`},
		{"?element=nope", http.StatusNotFound, "There is no element &#34;nope&#34;."},
	} {
		res, page := get(t, c, r.srv.URL+"/console/instances/new"+tc.query)
		require.Equal(t, tc.wantStatus, res.StatusCode, tc.query)
		assert.Contains(t, page, tc.want, tc.query)
	}
	res, page := post(t, c, r.srv.URL+"/console/instances", url.Values{"element": {"nope"}})
	require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	assert.Contains(t, page, "Pick an element first.")
}

func TestCreateFromJSON(t *testing.T) {
	r := newRig(t)
	c := r.browser("acme-user", "acme-org")
	f, _ := newForm(t, r, c, "woocommercerest")
	f.Set("mode", "json")
	f.Set("json", `{"name": "From JSON", "element": {"key": "woocommercerest"}, "configuration": {"store.url": "https://shop.example.com",
	  "oauth.api.key": "ck_live_key", "oauth.api.secret": "***", "token": "x"}, "token": "mine"}`)
	res, page := post(t, c, r.srv.URL+"/console/instances", f)
	require.Equal(t, http.StatusSeeOther, res.StatusCode, page)
	id := strings.TrimPrefix(res.Header.Get("Location"), "/console/instances/")
	body, cfg := configOf(t, r.eng, "acme", id)
	assert.Equal(t, "From JSON", body["name"])
	assert.Equal(t, "ck_live_key", cfg["oauth.api.key"])
	assert.NotContains(t, cfg, "oauth.api.secret", `"***" with nothing stored is left out`)
	assert.NotEqual(t, "mine", body["token"], "the engine assigns the token")
}

func TestJSONBodyTheEngineRefuses(t *testing.T) {
	r := newRig(t)
	c := r.browser("acme-user", "acme-org")
	inst := createWoo(t, r, "Shop")
	for _, tc := range []struct {
		name, path, text, want string
	}{
		{"an id taken", "/console/instances", `{"id": "` + inst.ID + `", "element": {"key": "generic"}, "configuration": {"base.url": "https://x.example.com"}}`, "already exists"},
		{"another id", "/console/instances/" + inst.ID, `{"id": "other", "element": {"key": "generic"}, "configuration": {"base.url": "https://x.example.com"}}`, "ids do not change"},
		{"not an object", "/console/instances/" + inst.ID, `[1, 2]`, "Line 1, column 2: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, _ := newForm(t, r, c, "woocommercerest")
			f.Set("version", "1")
			f.Set("mode", "json")
			f.Set("json", tc.text)
			res, page := post(t, c, r.srv.URL+tc.path, f)
			require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode, page)
			assert.Regexp(t, `id="f-json-error">[^<]*`+tc.want, page)
		})
	}
	got, err := r.eng.Get(context.Background(), "acme", inst.ID)
	require.NoError(t, err)
	assert.Equal(t, int64(1), got.Version, "nothing changed")
}
