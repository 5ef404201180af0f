package console_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/engine"
)

// The documented WooCommerce polling instance, made through the form as
// the documents tell: switch Events Enabled on, add the callback URL,
// move the refresh slider, select customers, click its pencil and change
// the date format, save. It polls the fake store, and a customer created
// there shows in the event log.
func TestBrowserCreateThroughTheForm(t *testing.T) {
	t.Parallel()
	r := newLiveRig(t)
	r.customer(1, "John", "Doe") // the first poll's baseline
	tb := newTab(t, r.srv.URL)
	tb.signIn("acme-user", "acme-org")

	tb.submit("main a.button[href$='/instances/new']", "#el-woocommercerest")
	tb.do(chromedp.Click(chromedp.ID("el-woocommercerest")))
	tb.submit("main form button[type=submit]", "#f-event-enabled")
	tb.fillWooForm(r, "Acme shop")

	// Events Enabled is a switch; the keyboard turns it on too.
	require.False(t, eval[bool](tb, `document.getElementById('f-event-enabled').checked`))
	tb.do(chromedp.Click(chromedp.ID("f-event-enabled")))
	require.True(t, eval[bool](tb, `document.getElementById('f-event-enabled').checked`))
	require.True(t, eval[bool](tb, `document.getElementById('f-vendor-polling').checked`), "polling by default")

	// Optional fields: the slider, moved with the arrow keys, and its
	// number kept in step by console.js.
	tb.do(chromedp.Click(chromedp.CSS("details.optional > summary")),
		chromedp.WaitVisible(chromedp.ID("f-event_poller_refresh_interval-slider")))
	require.Equal(t, "15", eval[string](tb, `document.getElementById('f-event_poller_refresh_interval').value`), "the documented default")
	tb.do(chromedp.Focus(chromedp.ID("f-event_poller_refresh_interval-slider")))
	for range 15 {
		tb.do(chromedp.KeyEvent(kb.ArrowRight))
	}
	require.Equal(t, "30", eval[string](tb, `document.getElementById('f-event_poller_refresh_interval-slider').value`))
	require.Equal(t, "30", eval[string](tb, `document.getElementById('f-event_poller_refresh_interval').value`), "the number follows the slider")

	// Select customers, then click its pencil and change the date
	// format; the pattern is checked as it is typed.
	tb.do(chromedp.Click(chromedp.ID("o-customers")),
		chromedp.Click(chromedp.CSS(".object:has(#o-customers) details.pencil > summary")),
		chromedp.WaitVisible(chromedp.ID("o-customers-createdDateFormat")))
	tb.retype("o-customers-createdDateFormat", "yyyy-MM-dd'T'HH:mm:ss bb")
	tb.waitText("#o-customers-createdDateFormat-now.bad", "")
	tb.retype("o-customers-createdDateFormat", "yyyy-MM-dd'T'kk:mm:ss")
	tb.waitText("#o-customers-createdDateFormat-now:not(.bad)", "Now: 2026-12-07T09:00:00")
	tb.screenshot("console-form.png")

	tb.submit("button[name=mode][value=fields]", "form[action$='/poll']")
	require.Equal(t, http.StatusOK, tb.Status(), "saved: post/redirect/get to the instance page")
	id := strings.TrimPrefix(eval[string](tb, `location.pathname`), "/console/instances/")
	inst, err := r.eng.Get(context.Background(), "acme", id)
	require.NoError(t, err)
	cfg := inst.Config.Configuration.Events
	require.True(t, cfg.Enabled)
	require.Equal(t, "polling", cfg.VendorType)
	require.Equal(t, 30*time.Minute, cfg.RefreshInterval)
	require.Equal(t, r.recv.URL+"/cb", cfg.CallbackURL)
	require.Contains(t, string(inst.Body), `"createdDateFormat":"yyyy-MM-dd'T'kk:mm:ss"`)
	require.NotContains(t, tb.text("main"), liveWooSecret, "the secret is not shown back")

	r.waitFor(func() bool { return r.woo.Log().Len() > 0 }, "the first poll (its baseline)")
	r.clock.Advance(time.Minute)
	r.customer(2, "Ada", "Lovelace")
	tb.pollNow(id)
	r.waitFor(func() bool {
		evs := r.events("acme")
		return len(evs) == 1 && evs[0].Status == engine.StatusNotified
	}, "the new customer is delivered")

	tb.open("/console/events")
	row := tb.text("table.events tbody tr")
	for _, want := range []string{"NOTIFIED", id, "woocommercerest", "customers", "2"} {
		require.Contains(t, row, want)
	}
	tb.do(chromedp.Click(chromedp.CSS("table.events tbody tr td.mono a")), chromedp.WaitVisible(chromedp.CSS("section.attempt")))
	require.Contains(t, tb.text("dl.facts"), "CREATED", "the created date was read with the new format")
	require.Contains(t, tb.text("main pre"), "Lovelace")
	require.Empty(t, tb.Errors())
	require.Empty(t, tb.Dialogs())
}

// A bad callback URL and a bad date pattern: the form comes back (422)
// with each problem by its field, the pencil open, and nothing created.
func TestBrowserFormShowsProblemsByField(t *testing.T) {
	t.Parallel()
	r := newLiveRig(t)
	tb := newTab(t, r.srv.URL)
	tb.signIn("acme-user", "acme-org")
	tb.open("/console/instances/new?element=woocommercerest")
	tb.fillWooForm(r, "Broken shop")
	tb.do(chromedp.Click(chromedp.ID("f-event-enabled")))
	tb.retype("f-event_notification_callback_url", "not a url")
	tb.do(chromedp.Click(chromedp.CSS("details.optional > summary")),
		chromedp.Click(chromedp.ID("o-customers")),
		chromedp.Click(chromedp.CSS(".object:has(#o-customers) details.pencil > summary")))
	tb.retype("o-customers-createdDateFormat", "yyyy-MM-dd bb")

	tb.submit("button[name=mode][value=fields]", ".field-error")
	require.Equal(t, http.StatusUnprocessableEntity, tb.Status())
	for _, id := range []string{"f-event_notification_callback_url", "o-customers-createdDateFormat"} {
		tb.do(chromedp.WaitVisible(chromedp.ID(id + "-error")))
		require.Equal(t, "true", eval[string](tb, `document.getElementById('`+id+`').getAttribute('aria-invalid')`), id)
		require.Contains(t, eval[string](tb, `document.getElementById('`+id+`').getAttribute('aria-describedby')`), id+"-error",
			"%s: the problem is read out with its field", id)
	}
	require.Contains(t, tb.text("#f-event_notification_callback_url-error"), "URL")
	require.Contains(t, strings.ToLower(tb.text("#o-customers-createdDateFormat-error")), "pattern")
	require.Equal(t, "not a url", eval[string](tb, `document.getElementById('f-event_notification_callback_url').value`), "what was typed stays")
	require.Empty(t, eval[string](tb, `document.getElementById('f-oauth_api_secret').value`), "a password is never sent back")
	recs, err := r.eng.List(context.Background(), engine.Filter{Tenant: "acme"})
	require.NoError(t, err)
	require.Empty(t, recs, "nothing is created until the body is valid")
	require.Len(t, tb.Errors(), 1, "only the 422 is logged: %q", tb.Errors())
}

// fillWooForm types the name and the store's address and keys, and the
// rig's receiver as callback URL, in the WooCommerce form.
func (tb *tab) fillWooForm(r *liveRig, name string) {
	tb.t.Helper()
	tb.do(
		chromedp.SendKeys(chromedp.ID("f-name"), name),
		chromedp.SendKeys(chromedp.ID("f-tags"), "Docs"),
		chromedp.SendKeys(chromedp.ID("f-store_url"), r.woo.URL()),
		chromedp.SendKeys(chromedp.ID("f-oauth_api_key"), liveWooKey),
		chromedp.SendKeys(chromedp.ID("f-oauth_api_secret"), liveWooSecret),
		chromedp.SendKeys(chromedp.ID("f-event_notification_callback_url"), r.recv.URL+"/cb"),
	)
}

// retype replaces the value of the input id by typing v, as a user does
// after selecting what is there.
func (tb *tab) retype(id, v string) {
	tb.t.Helper()
	tb.do(chromedp.Focus(chromedp.ID(id)),
		chromedp.Evaluate[chromedp.Void](`document.getElementById(`+jsString(id)+`).select()`),
		chromedp.KeyEvent(v))
}

// waitText waits until sel matches a node whose text contains want.
func (tb *tab) waitText(sel, want string) {
	tb.t.Helper()
	got := ""
	for deadline := time.Now().Add(browserTimeout / 4); time.Now().Before(deadline); time.Sleep(pollEvery) {
		v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`(() => { const n = document.querySelector(`+jsString(sel)+`); return n ? n.textContent : '\x00'; })()`))
		require.NoError(tb.t, err)
		if v != "\x00" && strings.Contains(v, want) {
			return
		}
		got = v
	}
	tb.t.Fatalf("%s does not show %q; it shows %q", sel, want, got)
}

// pollNow presses "Poll now" on the instance's page.
func (tb *tab) pollNow(id string) {
	tb.t.Helper()
	tb.open("/console/instances/" + id)
	tb.submit("form[action$='/poll'] button", "[role=status]")
}
