package console_test

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/console"
	"github.com/a12b7632/elementevents/engine"
)

// newClockRig is newRig with the console on clock.
func newClockRig(t *testing.T, clock clockwork.Clock) *rig {
	t.Helper()
	eng, err := engine.New(engine.Config{Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	h, err := console.New(console.Config{Engine: eng, Authenticate: auth, Clock: clock,
		SessionKey: []byte("0123456789abcdef0123456789abcdef"), Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/console/", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &rig{t: t, eng: eng, srv: srv}
}

var (
	inputTag    = regexp.MustCompile(`<input\b[^>]*>`)
	textareaTag = regexp.MustCompile(`(?s)<textarea\b([^>]*)>(.*?)</textarea>`)
	attr        = regexp.MustCompile(`\b([a-z-]+)(?:="([^"]*)")?`)
)

// formValues reads the form of page as a browser submits it untouched:
// text, hidden, number, range and password inputs, checked boxes and
// radios, textareas; the submit button is the caller's.
func formValues(t *testing.T, page string) url.Values {
	t.Helper()
	v := url.Values{}
	for _, tag := range inputTag.FindAllString(page, -1) {
		a := map[string]string{}
		for _, m := range attr.FindAllStringSubmatch(tag[len("<input"):], -1) {
			a[m[1]] = html.UnescapeString(m[2])
		}
		if a["name"] == "" {
			continue
		}
		switch a["type"] {
		case "checkbox", "radio":
			if _, on := a["checked"]; on {
				v.Add(a["name"], a["value"])
			}
		default:
			v.Add(a["name"], a["value"])
		}
	}
	for _, m := range textareaTag.FindAllStringSubmatch(page, -1) {
		name := regexp.MustCompile(`name="([^"]*)"`).FindStringSubmatch(m[1])
		require.NotNil(t, name, "a textarea without a name")
		v.Add(name[1], html.UnescapeString(m[2]))
	}
	return v
}

// post submits form to path and returns the answer and its page.
func post(t *testing.T, c *http.Client, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	res, err := c.PostForm(u, form)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, string(b)
}

// configOf reads the configuration of a stored instance.
func configOf(t *testing.T, eng *engine.Engine, tenant, id string) (body map[string]any, cfg map[string]any) {
	t.Helper()
	inst, err := eng.Get(context.Background(), tenant, id)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(inst.Body, &body))
	cfg, _ = body["configuration"].(map[string]any)
	return body, cfg
}

// newForm opens the create form of element and returns its values.
func newForm(t *testing.T, r *rig, c *http.Client, element string) (url.Values, string) {
	t.Helper()
	res, page := get(t, c, r.srv.URL+"/console/instances/new?element="+element)
	require.Equal(t, http.StatusOK, res.StatusCode)
	return formValues(t, page), page
}

// fillDocumentedPolling fills the form as the documents do for a
// WooCommerce polling instance: switch on, callback URL, signature key,
// slider at 30, customers ticked with a changed date format.
func fillDocumentedPolling(f url.Values) {
	f.Set("name", "API_POLLING")
	f.Set("tags", "Docs, shop")
	f.Set("cfg.store.url", "https://shop.example.com")
	f.Set("cfg.oauth.api.key", "ck_live_key")
	f.Set("cfg.oauth.api.secret", "cs_live_secret")
	f.Set("cfg.event.notification.enabled", "true")
	f.Set("cfg.event.vendor.type", "polling")
	f.Set("cfg.event.notification.callback.url", "https://mycoolapp.example.com/events")
	f.Set("cfg.event.notification.signature.key", "sig_live_secret")
	f.Set("refreshSlider", "30")
	f.Set("cfg.event.poller.refresh_interval", "30") // as the script keeps it
	f.Set("cfg.event.objects", "customers")
	f.Set("poller.customers.updatedDateFormat", "yyyy-MM-dd'T'HH:mm:ssXXX")
	f.Set("mode", "fields")
}

var liveSecrets = []string{"ck_live_key", "cs_live_secret", "sig_live_secret"}

func TestCreateDocumentedPollingInstance(t *testing.T) {
	r := newRig(t)
	c := r.browser("acme-user", "acme-org")

	res, page := get(t, c, r.srv.URL+"/console/instances/new")
	require.Equal(t, http.StatusOK, res.StatusCode)
	for _, want := range []string{`value="woocommercerest"`, `value="concur"`, `value="generic"`} {
		assert.Contains(t, page, want)
	}

	f, page := newForm(t, r, c, "woocommercerest")
	for _, want := range []string{"Event Configuration", "Events Enabled", `role="switch"`, "Event Notification Callback URL",
		"Show optional fields", "Event Notification Signature Key", "Event poller refresh interval (mins)", `type="range"`,
		`aria-label="Configure polling of customers"`, "✎ Configure", `data-datepattern="o-customers-updatedDateTimezone"`,
		`id="f-oauth_api_secret" name="cfg.oauth.api.secret" type="password"`} {
		assert.Contains(t, page, want)
	}
	assert.Equal(t, "yyyy-MM-dd'T'HH:mm:ss", f.Get("poller.customers.updatedDateFormat"), "the definition's defaults")
	fillDocumentedPolling(f)

	res, page = post(t, c, r.srv.URL+"/console/instances", f)
	require.Equal(t, http.StatusSeeOther, res.StatusCode, page)
	id := strings.TrimPrefix(res.Header.Get("Location"), "/console/instances/")
	require.NotEmpty(t, id)

	body, cfg := configOf(t, r.eng, "acme", id)
	assert.Equal(t, "API_POLLING", body["name"])
	assert.Equal(t, []any{"Docs", "shop"}, body["tags"])
	assert.Equal(t, map[string]any{"key": "woocommercerest"}, body["element"])
	assert.Equal(t, true, cfg["event.notification.enabled"])
	assert.Equal(t, "polling", cfg["event.vendor.type"])
	assert.Equal(t, "https://mycoolapp.example.com/events", cfg["event.notification.callback.url"])
	assert.Equal(t, "sig_live_secret", cfg["event.notification.signature.key"])
	assert.Equal(t, "cs_live_secret", cfg["oauth.api.secret"])
	assert.Equal(t, float64(30), cfg["event.poller.refresh_interval"])
	assert.Equal(t, "customers", cfg["event.objects"])
	pollers, ok := cfg["event.poller.configuration"].(map[string]any)
	require.True(t, ok, "poller configuration: %v", cfg["event.poller.configuration"])
	require.Len(t, pollers, 1, "only the ticked object")
	customers := pollers["customers"].(map[string]any)
	assert.Equal(t, "id", customers["idField"])
	assert.Equal(t, "/hubs/ecommerce/customers?orderby=id&order=asc", customers["url"])
	dates := customers["datesConfiguration"].(map[string]any)
	assert.Equal(t, "yyyy-MM-dd'T'HH:mm:ssXXX", dates["updatedDateFormat"])
	assert.Equal(t, "date_created_gmt", dates["createdDateField"])

	inst, err := r.eng.Get(context.Background(), "acme", id)
	require.NoError(t, err)
	assert.Equal(t, 30*time.Minute, inst.Config.Configuration.Events.RefreshInterval)

	res, page = get(t, c, r.srv.URL+"/console/instances/"+id)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, page, "API_POLLING")
	assert.Contains(t, page, "•••")
	for _, s := range liveSecrets {
		assert.NotContains(t, page, s)
	}
}

func TestSliderWithoutScript(t *testing.T) {
	r := newRig(t)
	c := r.browser("acme-user", "acme-org")
	for name, tc := range map[string]struct {
		slider, number string
		want           float64
	}{
		"the number wins":      {slider: "45", number: "20", want: 20},
		"an empty number":      {slider: "45", number: "", want: 45},
		"both agree (with JS)": {slider: "60", number: "60", want: 60},
	} {
		t.Run(name, func(t *testing.T) {
			f, _ := newForm(t, r, c, "woocommercerest")
			fillDocumentedPolling(f)
			f.Set("refreshSlider", tc.slider)
			f.Set("cfg.event.poller.refresh_interval", tc.number)
			res, page := post(t, c, r.srv.URL+"/console/instances", f)
			require.Equal(t, http.StatusSeeOther, res.StatusCode, page)
			_, cfg := configOf(t, r.eng, "acme", strings.TrimPrefix(res.Header.Get("Location"), "/console/instances/"))
			assert.Equal(t, tc.want, cfg["event.poller.refresh_interval"])
		})
	}
}

func TestCreateShowsProblemsByField(t *testing.T) {
	r := newRig(t)
	c := r.browser("acme-user", "acme-org")
	f, _ := newForm(t, r, c, "woocommercerest")
	fillDocumentedPolling(f)
	f.Set("cfg.event.notification.callback.url", "not a url")
	f.Set("poller.customers.updatedDateFormat", "yyyy-bb")

	res, page := post(t, c, r.srv.URL+"/console/instances", f)
	require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	assert.Contains(t, page, `aria-describedby="f-event_notification_callback_url-error "`)
	assert.Regexp(t, `id="f-event_notification_callback_url-error">must be an absolute http or https URL<`, page)
	assert.Contains(t, page, `aria-describedby="o-customers-updatedDateFormat-error o-customers-updatedDateFormat-hint o-customers-updatedDateFormat-now"`)
	assert.Regexp(t, `id="o-customers-updatedDateFormat-error">unknown pattern letter &#39;b&#39;`, page)
	assert.Regexp(t, `<details class="optional" open>`, page, "the optional fields open on their problem")
	assert.Regexp(t, `<details class="pencil" open>\s*<summary aria-label="Configure polling of customers">`, page)
	assert.Contains(t, page, `value="not a url"`, "what was typed is shown again")
	assert.NotContains(t, page, "stored; leave empty", "a secret typed into a failed create is not stored")
	for _, s := range liveSecrets {
		assert.NotContains(t, page, s, "secrets are not rendered back")
	}

	recs, err := r.eng.List(context.Background(), engine.Filter{Tenant: "acme"})
	require.NoError(t, err)
	assert.Empty(t, recs, "nothing stored")
}

// createWoo stores a WooCommerce polling instance with secrets for acme.
func createWoo(t *testing.T, r *rig, name string) *engine.Instance {
	t.Helper()
	b, err := json.Marshal(map[string]any{"name": name, "element": map[string]string{"key": "woocommercerest"}, "tags": []string{"Docs"},
		"x-custom": "kept",
		"configuration": map[string]any{"store.url": "https://shop.example.com", "oauth.api.key": "ck_live_key",
			"oauth.api.secret": "cs_live_secret", "event.notification.enabled": true, "event.vendor.type": "polling",
			"event.notification.callback.url":  "https://mycoolapp.example.com/events",
			"event.notification.signature.key": "sig_live_secret", "event.poller.refresh_interval": "15",
			"custom.setting": "kept too",
			"event.poller.configuration": map[string]any{"contacts": map[string]any{"url": "/hubs/ecommerce/customers", "idField": "id",
				"pageSize": 50, "datesConfiguration": map[string]any{"updatedDateField": "date_modified", "updatedDateFormat": "yyyy-MM-dd'T'HH:mm:ss"}}}}})
	require.NoError(t, err)
	inst, err := r.eng.Create(context.Background(), "acme", b)
	require.NoError(t, err)
	return inst
}

func TestEditKeepsSecrets(t *testing.T) {
	r := newRig(t)
	c := r.browser("acme-user", "acme-org")
	inst := createWoo(t, r, "Shop")
	editURL := r.srv.URL + "/console/instances/" + inst.ID + "/edit"

	t.Run("fields", func(t *testing.T) {
		res, page := get(t, c, editURL)
		require.Equal(t, http.StatusOK, res.StatusCode)
		for _, s := range liveSecrets {
			assert.NotContains(t, page, s, "the edit form shows no secret")
		}
		f := formValues(t, page)
		assert.Contains(t, f.Get("json"), `"oauth.api.secret": "***"`, "the JSON view redacts")
		assert.NotContains(t, f.Get("json"), inst.Token, "the instance token is not shown")
		assert.NotContains(t, page, inst.Token)
		assert.Equal(t, "", f.Get("cfg.oauth.api.secret"))
		assert.Equal(t, []string{"contacts"}, f["cfg.event.objects"], "the stored object is ticked")
		f.Set("name", "Shop renamed")
		f.Set("poller.contacts.idField", "customer_id")
		f.Set("mode", "fields")
		res, page = post(t, c, r.srv.URL+"/console/instances/"+inst.ID, f)
		require.Equal(t, http.StatusSeeOther, res.StatusCode, page)

		body, cfg := configOf(t, r.eng, "acme", inst.ID)
		assert.Equal(t, "Shop renamed", body["name"])
		assert.Equal(t, "kept", body["x-custom"], "unknown keys are kept")
		assert.Equal(t, "kept too", cfg["custom.setting"])
		assert.Equal(t, "ck_live_key", cfg["oauth.api.key"])
		assert.Equal(t, "cs_live_secret", cfg["oauth.api.secret"])
		assert.Equal(t, "sig_live_secret", cfg["event.notification.signature.key"])
		contacts := cfg["event.poller.configuration"].(map[string]any)["contacts"].(map[string]any)
		assert.Equal(t, "customer_id", contacts["idField"])
		assert.Equal(t, float64(50), contacts["pageSize"], "members the form does not show are kept")
	})

	t.Run("json", func(t *testing.T) {
		_, page := get(t, c, editURL)
		f := formValues(t, page)
		f.Set("json", strings.Replace(f.Get("json"), `"Shop renamed"`, `"From JSON"`, 1))
		f.Set("mode", "json")
		res, page := post(t, c, r.srv.URL+"/console/instances/"+inst.ID, f)
		require.Equal(t, http.StatusSeeOther, res.StatusCode, page)
		body, cfg := configOf(t, r.eng, "acme", inst.ID)
		assert.Equal(t, "From JSON", body["name"])
		assert.Equal(t, "cs_live_secret", cfg["oauth.api.secret"], `"***" keeps the stored secret`)
		assert.Equal(t, "sig_live_secret", cfg["event.notification.signature.key"])
	})

	t.Run("json syntax error", func(t *testing.T) {
		_, page := get(t, c, editURL)
		f := formValues(t, page)
		f.Set("json", "{\r\n  \"name\": \"x\",\r\n  \"configuration\" {}\r\n}")
		f.Set("mode", "json")
		res, page := post(t, c, r.srv.URL+"/console/instances/"+inst.ID, f)
		require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
		assert.Regexp(t, `<details class="json" open>`, page)
		assert.Regexp(t, `id="f-json-error">Line 3, column \d+: `, page)
		body, _ := configOf(t, r.eng, "acme", inst.ID)
		assert.Equal(t, "From JSON", body["name"], "nothing saved")
	})

	t.Run("json validation error", func(t *testing.T) {
		_, page := get(t, c, editURL)
		f := formValues(t, page)
		f.Set("json", strings.Replace(f.Get("json"), `"https://mycoolapp.example.com/events"`, `"nope"`, 1))
		f.Set("mode", "json")
		res, page := post(t, c, r.srv.URL+"/console/instances/"+inst.ID, f)
		require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
		assert.Regexp(t, `id="f-json-error">event.notification.callback.url: must be an absolute http or https URL`, page)
		for _, s := range liveSecrets {
			assert.NotContains(t, page, s)
		}
	})
}

func TestStaleSave(t *testing.T) {
	r := newRig(t)
	c := r.browser("acme-user", "acme-org")
	inst := createWoo(t, r, "Shop")
	_, page := get(t, c, r.srv.URL+"/console/instances/"+inst.ID+"/edit")
	f := formValues(t, page)
	require.Equal(t, "1", f.Get("version"))

	_, err := r.eng.SetEnabled(context.Background(), "acme", inst.ID, false) // another write
	require.NoError(t, err)

	f.Set("name", "Mine")
	f.Set("mode", "fields")
	res, page := post(t, c, r.srv.URL+"/console/instances/"+inst.ID, f)
	require.Equal(t, http.StatusConflict, res.StatusCode)
	assert.Contains(t, page, "This instance was changed since you opened it")
	body, _ := configOf(t, r.eng, "acme", inst.ID)
	assert.Equal(t, "Shop", body["name"], "nothing saved")
}

func TestScriptInNameIsEscaped(t *testing.T) {
	r := newRig(t)
	c := r.browser("acme-user", "acme-org")
	f, _ := newForm(t, r, c, "woocommercerest")
	fillDocumentedPolling(f)
	f.Set("name", "<script>alert(1)</script>")
	res, page := post(t, c, r.srv.URL+"/console/instances", f)
	require.Equal(t, http.StatusSeeOther, res.StatusCode, page)
	id := strings.TrimPrefix(res.Header.Get("Location"), "/console/instances/")
	for _, path := range []string{"/console/instances/" + id, "/console/instances/" + id + "/edit", "/console/instances"} {
		res, page := get(t, c, r.srv.URL+path)
		require.Equal(t, http.StatusOK, res.StatusCode, path)
		assert.NotContains(t, page, "<script>alert", path)
		assert.Contains(t, page, "&lt;script&gt;alert(1)&lt;/script&gt;", path)
	}
}

func TestDatePattern(t *testing.T) {
	// Far ahead, so that the session cookie dated on it has not expired.
	at := time.Date(2099, 7, 14, 9, 30, 5, 0, time.UTC)
	clock := clockwork.NewFakeClockAt(at)
	r := newClockRig(t, clock)
	c := r.browser("acme-user", "acme-org")
	for name, tc := range map[string]struct {
		pattern, zone string
		now, err      string
	}{
		"iso in GMT":       {pattern: "yyyy-MM-dd'T'HH:mm:ss", zone: "GMT", now: "2099-07-14T09:30:05"},
		"no zone is UTC":   {pattern: "yyyy-MM-dd HH:mm", now: "2099-07-14 09:30"},
		"in Los Angeles":   {pattern: "yyyy-MM-dd HH:mm z", zone: "America/Los_Angeles", now: "2099-07-14 02:30 PDT"},
		"epoch ms":         {pattern: "milliseconds", now: strconv.FormatInt(at.UnixMilli(), 10)},
		"unknown letter":   {pattern: "yyyy-bb", err: "unknown pattern letter 'b' at position 5"},
		"unterminated":     {pattern: "yyyy'T", err: "quote"},
		"unknown zone":     {pattern: "yyyy", zone: "Mars/Olympus", err: "Mars/Olympus"},
		"an empty pattern": {pattern: "", err: "pattern"},
	} {
		t.Run(name, func(t *testing.T) {
			res, page := get(t, c, r.srv.URL+"/console/datepattern?"+url.Values{"pattern": {tc.pattern}, "zone": {tc.zone}}.Encode())
			require.Equal(t, http.StatusOK, res.StatusCode)
			require.Equal(t, "application/json", res.Header.Get("Content-Type"))
			var out struct{ Now, Error string }
			require.NoError(t, json.Unmarshal([]byte(page), &out))
			assert.Equal(t, tc.now, out.Now)
			if tc.err == "" {
				assert.Empty(t, out.Error)
			} else {
				assert.Contains(t, out.Error, tc.err)
				assert.NotContains(t, out.Error, "javatime:", "the message reads as the form's own")
			}
		})
	}
	res, _ := get(t, r.browser("", ""), r.srv.URL+"/console/datepattern?pattern=yyyy")
	assert.Equal(t, http.StatusSeeOther, res.StatusCode, "signed out")
}

func TestProblemsGoToTheirFields(t *testing.T) {
	r := newRig(t)
	c := r.browser("acme-user", "acme-org")
	for _, tc := range []struct {
		name      string
		set       map[string]string
		errorID   string // the id of the message by the field
		describes string // the control the message describes
	}{
		{"callback URL", map[string]string{"cfg.event.notification.callback.url": "ftp://x"}, "f-event_notification_callback_url-error", `id="f-event_notification_callback_url"`},
		{"refresh interval", map[string]string{"cfg.event.poller.refresh_interval": "soon"}, "f-event_poller_refresh_interval-error", `id="f-event_poller_refresh_interval"`},
		{"updated date zone", map[string]string{"poller.customers.updatedDateTimezone": "Mars/Olympus"}, "o-customers-updatedDateTimezone-error", `id="o-customers-updatedDateTimezone"`},
		{"created date format", map[string]string{"poller.customers.createdDateFormat": "yyyy-MM-dd'T"}, "o-customers-createdDateFormat-error", `id="o-customers-createdDateFormat"`},
		{"id field", map[string]string{"poller.customers.idField": ""}, "o-customers-idField-error", `id="o-customers-idField"`},
		{"resource url", map[string]string{"poller.customers.url": "/x?since=${nope:1}"}, "o-customers-url-error", `id="o-customers-url"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, _ := newForm(t, r, c, "woocommercerest")
			fillDocumentedPolling(f)
			for k, v := range tc.set {
				f.Set(k, v)
			}
			res, page := post(t, c, r.srv.URL+"/console/instances", f)
			require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
			assert.Regexp(t, `<p class="field-error" id="`+tc.errorID+`">[^<]+</p>`, page)
			assert.Regexp(t, regexp.QuoteMeta(tc.describes)+`[^>]*aria-describedby="`+tc.errorID, page)
			assert.NotContains(t, page, `<ul class="alert"`, "no problem is left without its field")
		})
	}
	recs, err := r.eng.List(context.Background(), engine.Filter{Tenant: "acme"})
	require.NoError(t, err)
	assert.Empty(t, recs, "nothing stored")
}
