package console_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// The console in a real browser (headless chromium through chromedp).
// These tests skip when no browser is installed, and fail instead when
// ELEMENTEVENTS_REQUIRE_BROWSER=1 (as in CI).

const xssName = `<script>alert(1)</script>`

func TestBrowserSignIn(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	tb := newTab(t, r.srv.URL)

	tb.open("/console/instances")
	require.Equal(t, "Sign in", tb.text("main h1"), "signed out: the sign-in page")

	tb.fillSignIn("acme-user", "wrong", "main [role=alert]")
	require.Contains(t, tb.text("main [role=alert]"), "sign no one in")
	require.Equal(t, "/console/login", eval[string](tb, `location.pathname`))
	require.Len(t, tb.Errors(), 1, "the refused sign-in is answered 401: %q", tb.Errors())
	tb.clearErrors()

	tb.signIn("acme-user", "acme-org")
	require.Equal(t, "/console/instances", eval[string](tb, `location.pathname`))
	require.Equal(t, "Instances", tb.text("main h1"))
	require.Equal(t, "acme", tb.text("header .tenant"))
	require.False(t, eval[bool](tb, `document.cookie.includes('elementevents_console')`), "the session cookie is HttpOnly")

	tb.submit("header form.signout button", "#user")
	require.Equal(t, "/console/login", eval[string](tb, `location.pathname`))
	require.Empty(t, tb.Errors())
}

func TestBrowserEscapesAndCSP(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	_, err := r.eng.Create(context.Background(), "acme", []byte(`{"id": "xss", "name": "<script>alert(1)</script>",
	  "element": {"key": "woocommercerest"}, "tags": ["<img src=x onerror=alert(2)>"],
	  "configuration": {"store.url": "https://shop.example.com", "oauth.api.key": "ck", "oauth.api.secret": "cs"}}`))
	require.NoError(t, err)
	tb := newTab(t, r.srv.URL)
	tb.signIn("acme-user", "acme-org")

	require.Equal(t, xssName, tb.text("tbody tr a"), "the name shows as text")
	require.Equal(t, "<img src=x onerror=alert(2)>", tb.text("tbody .tag"), "the tag shows as text")
	require.Zero(t, eval[int](tb, `document.querySelectorAll('main script, main img').length`), "no element made of the name or the tag")
	require.Zero(t, eval[int](tb, `document.querySelectorAll('script:not([src])').length`), "no inline script")
	require.Zero(t, eval[int](tb, `document.querySelectorAll('[style]').length`), "no inline style")
	require.Empty(t, tb.Dialogs(), "no script ran")
	require.Empty(t, tb.Errors(), "a clean page logs nothing")

	// The policy itself: an inline script put in the page does not run,
	// and the browser reports the violation.
	require.False(t, eval[bool](tb, `(() => {
  const s = document.createElement('script');
  s.textContent = 'window.inlineRan = true; alert(3)';
  document.body.appendChild(s);
  return window.inlineRan === true;
})()`))
	require.Eventually(t, func() bool {
		for _, e := range tb.Errors() {
			if strings.Contains(e, "Content Security Policy") {
				return true
			}
		}
		return false
	}, browserTimeout/3, pollEvery, "the CSP violation is reported: %q", tb.Errors())
	require.Empty(t, tb.Dialogs(), "the injected script did not run")
}

func TestBrowserKeyboard(t *testing.T) {
	t.Parallel()
	r := newLiveRig(t)
	r.customer(1, "John", "Doe")
	for _, id := range []string{"one", "two"} {
		_, err := r.eng.Create(context.Background(), "acme", r.instanceBody(id, "Shop "+id))
		require.NoError(t, err)
	}
	r.waitFor(func() bool { return r.woo.Log().Len() >= 2 }, "the baselines")
	r.customer(2, "Ada", "Lovelace")
	require.NoError(t, r.eng.PollNow(context.Background(), "acme", "one"))
	r.waitFor(func() bool { return len(r.events("acme")) == 1 }, "an event")
	event := r.events("acme")[0].ID
	tb := newTab(t, r.srv.URL)

	for _, tc := range []struct {
		name, path string
		signIn     bool
		prepare    string // JavaScript run before tabbing
	}{
		{"sign-in page", "/console/login", false, ""},
		{"instance list", "/console/instances", true, ""},
		{"element picker", "/console/instances/new", false, ""},
		{"instance form", "/console/instances/new?element=woocommercerest", false, ""},
		{"instance form, every section open", "/console/instances/new?element=woocommercerest", false,
			`document.querySelectorAll('details').forEach(d => d.open = true)`},
		{"instance page", "/console/instances/one", false, ""},
		{"instance edit form", "/console/instances/one/edit", false, ""},
		{"event log", "/console/events", false, ""},
		{"event page", "/console/events/" + event, false, ""},
	} {
		if tc.signIn {
			tb.signIn("acme-user", "acme-org")
		}
		tb.open(tc.path)
		require.Equal(t, 200, tb.Status(), tc.name)
		if tc.prepare != "" {
			tb.do(chromedp.Evaluate[chromedp.Void](tc.prepare))
		}
		require.Empty(t, tb.unnamedControls(), "%s: every control has an accessible name", tc.name)
		reached := tb.tabThrough(200)
		require.Len(t, reached, tb.focusableCount(), "%s: Tab reaches every control once: %v", tc.name, reached)
		for _, c := range reached {
			require.NotEmpty(t, c.Name, "%s: %s#%s has an accessible name", tc.name, c.Tag, c.ID)
		}
		require.Empty(t, tb.Errors(), tc.name)
	}
}
