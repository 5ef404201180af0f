package console_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/engine"
)

// The receiver answers 500: the failed attempts show on the event's
// page; the receiver recovers; Replay delivers it: NOTIFIED.
func TestBrowserReplayAfterFailure(t *testing.T) {
	t.Parallel()
	r := newLiveRig(t)
	r.customer(1, "John", "Doe")
	_, err := r.eng.Create(t.Context(), "acme", r.instanceBody("shop", "Acme shop"))
	require.NoError(t, err)
	r.waitFor(func() bool { return r.woo.Log().Len() > 0 }, "the first poll (its baseline)")

	tb := newTab(t, r.srv.URL)
	tb.signIn("acme-user", "acme-org")
	r.recvStatus.Store(500)
	r.customer(2, "Ada", "Lovelace")
	tb.pollNow("shop")
	r.waitFor(func() bool {
		evs := r.events("acme")
		return len(evs) == 1 && evs[0].Status == engine.StatusFailed
	}, "the first attempt fails")

	tb.open("/console/events")
	row := tb.text("table.events tbody tr")
	for _, want := range []string{"FAILED", "shop", "woocommercerest", "customers", "2"} {
		require.Contains(t, row, want)
	}
	tb.do(chromedp.Click(chromedp.CSS("table.events tbody tr td.mono a")), chromedp.WaitVisible(chromedp.CSS("section.attempt")))
	attempt := tb.text("section.attempt")
	require.Contains(t, attempt, "500")
	require.Contains(t, attempt, "receiver is down", "the response excerpt")
	require.Contains(t, tb.text("dl.facts"), "FAILED")

	r.recvStatus.Store(0)
	tb.submit("form[action$='/replay'] button", "[role=status]")
	require.Contains(t, tb.text("[role=status]"), "Replayed")
	r.waitFor(func() bool { return r.events("acme")[0].Status == engine.StatusNotified }, "the replay is delivered")
	tb.reloadUntil("dl.facts", "NOTIFIED")
	require.Len(t, tb.all("section.attempt"), 2, "both attempts show")

	tb.open("/console/events")
	require.Contains(t, tb.text("table.events tbody tr"), "NOTIFIED")
	require.Equal(t, int32(2), r.received.Load())

	// More traffic for the log's screenshot: two customers delivered, then
	// one that fails again.
	r.clock.Advance(time.Minute)
	r.customer(3, "Grace", "Hopper")
	r.customer(4, "Alan", "Turing")
	tb.pollNow("shop")
	r.waitFor(func() bool { evs := r.events("acme"); return len(evs) == 2 && evs[0].Status == engine.StatusNotified }, "delivered")
	r.clock.Advance(time.Minute)
	r.recvStatus.Store(503)
	r.customer(5, "Edsger", "Dijkstra")
	tb.pollNow("shop")
	r.waitFor(func() bool { evs := r.events("acme"); return len(evs) == 3 && evs[0].Status == engine.StatusFailed }, "failed")
	tb.open("/console/events")
	require.Len(t, tb.all("table.events tbody tr"), 3)
	tb.screenshot("console-events.png")
	require.Empty(t, tb.Errors())
	require.Less(t, eval[int](tb, `document.documentElement.outerHTML.length`), 50<<10, "the event log page is light")
}

// all returns the text of every node sel matches.
func (tb *tab) all(sel string) []string {
	tb.t.Helper()
	return eval[[]string](tb, `Array.from(document.querySelectorAll(`+jsString(sel)+`)).map(n => n.textContent)`)
}

// reloadUntil reloads the page until the text of sel contains want.
func (tb *tab) reloadUntil(sel, want string) {
	tb.t.Helper()
	require.Eventually(tb.t, func() bool {
		tb.do(chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("main h1")))
		return strings.Contains(eval[string](tb, `(document.querySelector(`+jsString(sel)+`) || {}).textContent || ''`), want)
	}, browserTimeout/3, pollEvery, "%s shows %q", sel, want)
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`).Replace(s) + "'"
}
