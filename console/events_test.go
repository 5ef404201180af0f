package console_test

import (
	"context"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/console"
	"github.com/a12b7632/elementevents/engine"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/notify"
)

// signingKey is the signature key of the event rig's instance: it must
// never be shown.
const signingKey = "whsec-console-very-secret"

// eventRig is a console over an engine whose event log the test writes,
// with the instance "shop-1" of acme delivering to a receiver that
// answers recvStatus (200 when zero).
type eventRig struct {
	*rig
	log        engine.EventLog
	recvStatus atomic.Int32
	received   atomic.Int32
}

// t1 is when the event rig's notifications start.
var t1 = time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)

func newEventRig(t *testing.T) *eventRig {
	t.Helper()
	r := &eventRig{log: engine.NewMemoryEventLog(engine.MemoryEventLogConfig{})}
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		r.received.Add(1)
		if code := r.recvStatus.Load(); code != 0 {
			w.WriteHeader(int(code))
		}
	}))
	t.Cleanup(recv.Close)
	cfg := engine.Config{Logger: slog.New(slog.DiscardHandler), Events: r.log}
	cfg.Notify.Policy.Guard = netguard.Guard{AllowPrivate: true}
	eng, err := engine.New(cfg)
	require.NoError(t, err)
	h, err := console.New(console.Config{Engine: eng, Authenticate: auth,
		SessionKey: []byte("0123456789abcdef0123456789abcdef"), Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/console/", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	r.rig = &rig{t: t, eng: eng, srv: srv}
	_, err = eng.Create(t.Context(), "acme", []byte(`{"id": "shop-1", "name": "Acme shop", "element": {"key": "woocommercerest"},
	  "configuration": {"store.url": "https://shop.example.com", "oauth.api.key": "ck", "oauth.api.secret": "cs-very-secret",
	    "event.notification.enabled": "true", "event.vendor.type": "webhook",
	    "event.notification.callback.url": "`+recv.URL+`/cb",
	    "event.notification.signature.key": "`+signingKey+`"}}`))
	require.NoError(t, err)
	return r
}

// run runs the engine until the test ends.
func (r *eventRig) run() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.eng.Run(ctx) }()
	r.t.Cleanup(func() {
		cancel()
		require.NoError(r.t, <-done)
	})
}

// notification returns a logged notification of tenant's instance,
// created at t1 plus i seconds, whose first event is of objectID.
func notification(tenant, instance string, i int, status engine.EventStatus, objectID string, more int) engine.LoggedEvent {
	evs := fmt.Sprintf(`{"eventType":"UPDATED","objectType":"customers","objectId":%q}`, objectID)
	for k := range more {
		evs += fmt.Sprintf(`,{"eventType":"UPDATED","objectType":"customers","objectId":"%d"}`, 1000+k)
	}
	id := fmt.Sprintf("ev-%s-%04d", tenant, i)
	created := t1.Add(time.Duration(i) * time.Second)
	ev := engine.LoggedEvent{ID: id, Tenant: tenant, Instance: instance, ObjectType: "customers", EventTypes: []string{"UPDATED"},
		Events: 1 + more, Status: status, Created: created, Updated: created,
		Body: []byte(fmt.Sprintf(`{"message":{"eventId":%q,"elementKey":"woocommercerest","instanceId":%q,"events":[%s]}}`, id, instance, evs))}
	switch status {
	case engine.StatusNotified:
		ev.Attempts = []notify.Attempt{{At: created.Add(time.Second), Status: 200, Latency: 42 * time.Millisecond, Response: []byte("thanks")}}
	case engine.StatusFailed:
		ev.Attempts = []notify.Attempt{{At: created.Add(time.Second), Status: 503, Latency: 7 * time.Millisecond, Error: "HTTP 503", Response: []byte("busy, come back")}}
	case engine.StatusDead:
		ev.Attempts = []notify.Attempt{{At: created.Add(time.Second), Status: 404, Error: "HTTP 404"}}
		ev.Reason = "HTTP 404: not retried"
	}
	return ev
}

func (r *eventRig) add(evs ...engine.LoggedEvent) {
	r.t.Helper()
	require.NoError(r.t, r.log.Append(context.Background(), evs...))
}

var (
	rowLink  = regexp.MustCompile(`<td class="mono"><a href="/console/events/([^"]+)">`)
	nextLink = regexp.MustCompile(`<a href="([^"]+)">Next page</a>`)
)

// ids returns the event ids of a log page's rows, in order, and its next
// page's link ("" on the last).
func ids(body string) ([]string, string) {
	var out []string
	for _, m := range rowLink.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	next := ""
	if m := nextLink.FindStringSubmatch(body); m != nil {
		next = html.UnescapeString(m[1])
	}
	return out, next
}

func TestEventLogRow(t *testing.T) {
	r := newEventRig(t)
	ev := notification("acme", "shop-1", 1, engine.StatusNotified, "42", 2)
	dead := notification("acme", "shop-1", 2, engine.StatusDead, "43", 0)
	failed := notification("acme", "shop-1", 3, engine.StatusFailed, "44", 0)
	r.add(ev, dead, failed, notification("other", "theirs", 4, engine.StatusNotified, "99", 0))

	res, body := get(t, r.browser("acme-user", "acme-org"), r.srv.URL+"/console/events")
	require.Equal(t, http.StatusOK, res.StatusCode)
	got, next := ids(body)
	require.Equal(t, []string{failed.ID, dead.ID, ev.ID}, got, "newest first, the tenant's only")
	require.Empty(t, next, "one page")
	for _, want := range []string{
		`<td>2026-12-07 09:00:01</td><td><span class="pill ok">NOTIFIED</span></td><td><a href="/console/instances/shop-1">shop-1</a></td><td>woocommercerest</td><td>customers</td><td>42 +2</td>`,
		`<span class="pill bad">DEAD</span>`, `<td>HTTP 404: not retried</td>`,
		`<span class="pill warn">FAILED</span>`, `<td>HTTP 503</td>`,
		`<a href="/console/events/` + ev.ID + `">` + ev.ID + `</a>`,
	} {
		require.Contains(t, body, want)
	}
	require.NotContains(t, body, "ev-other", "another tenant's notification")
}

func TestEventLogFilters(t *testing.T) {
	r := newEventRig(t)
	all := []engine.LoggedEvent{
		notification("acme", "shop-1", 0, engine.StatusNotified, "1", 0),
		notification("acme", "shop-2", 60, engine.StatusDead, "2", 0),
		notification("acme", "shop-1", 120, engine.StatusFailed, "3", 0),
		notification("acme", "shop-2", 180, engine.StatusNotified, "4", 0),
	}
	r.add(all...)
	c := r.browser("acme-user", "acme-org")
	for _, tt := range []struct {
		name, query string
		status      int
		want        []int  // indexes in all, newest first
		problem     string // shown next to a field
	}{
		{"none", "", 200, []int{3, 2, 1, 0}, ""},
		{"instance", "instance=shop-2", 200, []int{3, 1}, ""},
		{"status", "status=DEAD", 200, []int{1}, ""},
		{"instance and status", "instance=shop-1&status=NOTIFIED", 200, []int{0}, ""},
		{"from", "from=2026-12-07T09:02", 200, []int{3, 2}, ""},
		{"to, before", "to=2026-12-07T09:02", 200, []int{1, 0}, ""},
		{"window with seconds", "from=2026-12-07T09:01:00&to=2026-12-07T09:02:01", 200, []int{2, 1}, ""},
		{"unknown status", "status=LOST", 422, nil, `id="f-status-error"`},
		{"bad from", "from=yesterday", 422, nil, `id="f-from-error"`},
		{"to before from", "from=2026-12-07T09:02&to=2026-12-07T09:01", 422, nil, `id="f-to-error"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, body := get(t, c, r.srv.URL+"/console/events?"+tt.query)
			require.Equal(t, tt.status, res.StatusCode)
			got, _ := ids(body)
			var want []string
			for _, i := range tt.want {
				want = append(want, all[i].ID)
			}
			require.Equal(t, want, got)
			if tt.problem != "" {
				require.Contains(t, body, tt.problem)
				require.Contains(t, body, `aria-invalid="true"`)
			}
		})
	}
}

func TestEventLogPagesHaveNoGap(t *testing.T) {
	r := newEventRig(t)
	var want []string
	var evs []engine.LoggedEvent
	for i := range 250 {
		status := engine.StatusNotified
		if i%2 == 0 {
			status = engine.StatusFailed
		}
		ev := notification("acme", "shop-1", i/3, status, fmt.Sprint(i), 0) // three a second: ties broken by id
		ev.ID = fmt.Sprintf("ev-%04d", i)
		evs = append(evs, ev)
	}
	// Another instance's notifications between them, filtered out.
	for i := range 50 {
		evs = append(evs, notification("acme", "shop-9", i, engine.StatusFailed, "x", 0))
	}
	r.add(evs...)
	for i := 249; i >= 0; i-- {
		if i%2 == 0 {
			want = append(want, fmt.Sprintf("ev-%04d", i))
		}
	}
	c := r.browser("acme-user", "acme-org")
	var got []string
	link := "/console/events?instance=shop-1&status=FAILED"
	for pages := 0; link != ""; pages++ {
		require.Less(t, pages, 3, "125 rows are two pages")
		res, body := get(t, c, r.srv.URL+link)
		require.Equal(t, http.StatusOK, res.StatusCode)
		page, next := ids(body)
		got = append(got, page...)
		if next != "" {
			require.Len(t, page, 100)
			u, err := url.Parse(next)
			require.NoError(t, err)
			require.Equal(t, "shop-1", u.Query().Get("instance"), "the next page keeps the filters")
			require.Equal(t, "FAILED", u.Query().Get("status"))
		}
		link = next
	}
	require.Equal(t, want, got, "every notification once, in order")

	res, _ := get(t, c, r.srv.URL+"/console/events?after=no-such-id")
	require.Equal(t, http.StatusBadRequest, res.StatusCode, "a stale cursor is not an empty page")
}

func TestEventPage(t *testing.T) {
	r := newEventRig(t)
	ev := notification("acme", "shop-1", 1, engine.StatusFailed, "42", 0)
	ev.Attempts = append(ev.Attempts, notify.Attempt{At: ev.Created.Add(time.Minute), Error: "dial tcp: connection refused"})
	r.add(ev)
	res, body := get(t, r.browser("acme-user", "acme-org"), r.srv.URL+"/console/events/"+ev.ID)
	require.Equal(t, http.StatusOK, res.StatusCode)
	for _, want := range []string{
		"<pre>{\n  &#34;message&#34;: {\n    &#34;eventId&#34;: &#34;" + ev.ID, // indented
		`<td class="mono">Content-Type</td><td class="mono">application/json</td>`,
		`<td class="mono">Elements-Webhook-Id</td><td class="mono">` + ev.ID + `</td>`,
		`<td class="mono">webhook-id</td><td class="mono">` + ev.ID + `</td>`,
		`<td class="mono">webhook-timestamp</td><td class="mono">` + fmt.Sprint(ev.Created.Add(time.Minute).Unix()) + `</td>`,
		`<td class="mono">Elements-Webhook-Signature</td><td class="mono">hidden</td>`,
		`<td class="mono">webhook-signature</td><td class="mono">hidden</td>`,
		"<h3>2026-12-07 09:00:02.000 UTC</h3>", "<dd>503</dd>", "<dd>7ms</dd>", "<dd>HTTP 503</dd>", "<pre>busy, come back</pre>",
		"<h3>2026-12-07 09:01:01.000 UTC</h3>", "<dd>none</dd>", "<dd>dial tcp: connection refused</dd>",
		`<form method="post" action="/console/events/` + ev.ID + `/replay">`,
		`<span class="pill warn">FAILED</span> dial tcp: connection refused`,
	} {
		require.Contains(t, body, want)
	}
	require.Less(t, strings.Index(body, "09:01:01.000"), strings.Index(body, "09:00:02.000"), "newest attempt first")
	require.NotContains(t, body, signingKey)
	require.NotContains(t, body, "cs-very-secret")
	require.NotContains(t, body, "Replayed")
}

func TestEventPageOfAnotherTenantIsNotFound(t *testing.T) {
	r := newEventRig(t)
	ev := notification("acme", "shop-1", 1, engine.StatusDead, "42", 0)
	r.add(ev)
	c := r.browser("other-user", "other-org")
	for _, path := range []string{"/console/events/" + ev.ID, "/console/events/no-such-event"} {
		res, _ := get(t, c, r.srv.URL+path)
		require.Equal(t, http.StatusNotFound, res.StatusCode, path)
	}
	res, err := c.PostForm(r.srv.URL+"/console/events/"+ev.ID+"/replay", nil)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusNotFound, res.StatusCode)
	got, err := r.eng.Event(t.Context(), "acme", ev.ID)
	require.NoError(t, err)
	require.Equal(t, engine.StatusDead, got.Status, "another tenant's replay changed nothing")
}

func TestReplay(t *testing.T) {
	r := newEventRig(t)
	ev := notification("acme", "shop-1", 1, engine.StatusDead, "42", 0)
	orphan := notification("acme", "gone", 2, engine.StatusDead, "43", 0)
	r.add(ev, orphan)
	c := r.browser("acme-user", "acme-org")

	res, err := c.PostForm(r.srv.URL+"/console/events/"+ev.ID+"/replay", nil)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Equal(t, "/console/events/"+ev.ID+"?replayed=1", res.Header.Get("Location"))
	got, err := r.eng.Event(t.Context(), "acme", ev.ID)
	require.NoError(t, err)
	require.Equal(t, engine.StatusNew, got.Status, "replayed: pending again")

	res, body := get(t, c, r.srv.URL+res.Header.Get("Location"))
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Contains(t, body, `<p class="flash" role="status">Replayed`)
	require.Contains(t, body, `<span class="pill off">NEW</span>`)

	res, err = c.PostForm(r.srv.URL+"/console/events/"+orphan.ID+"/replay", nil)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusConflict, res.StatusCode, "its instance is not running")

	res, err = c.Get(r.srv.URL + "/console/events/" + ev.ID + "/replay")
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusMethodNotAllowed, res.StatusCode, "GET changes nothing")
}

func TestEventPagesEscapeHostileStrings(t *testing.T) {
	r := newEventRig(t)
	ev := notification("acme", "shop-1", 1, engine.StatusDead, "<script>alert(1)</script>", 0)
	ev.Reason = `<img src=x onerror=alert(2)>`
	ev.Attempts[0].Response = []byte(`<script>alert(3)</script>`)
	ev.Attempts[0].Error = `"><svg onload=alert(4)>`
	r.add(ev)
	c := r.browser("acme-user", "acme-org")
	for _, path := range []string{"/console/events", "/console/events/" + ev.ID} {
		res, body := get(t, c, r.srv.URL+path)
		require.Equal(t, http.StatusOK, res.StatusCode, path)
		for _, bad := range []string{"<script>alert", "<img src=x", "<svg onload"} {
			require.NotContains(t, body, bad, path)
		}
		require.Contains(t, body, "&lt;", path)
	}
	_, body := get(t, c, r.srv.URL+"/console/events")
	require.Contains(t, body, "<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>")
}

func TestInstanceListShowsStatus(t *testing.T) {
	r := newEventRig(t)
	r.recvStatus.Store(http.StatusGone)
	r.run()
	ev := notification("acme", "shop-1", 1, engine.StatusDead, "42", 0)
	r.add(ev)
	c := r.browser("acme-user", "acme-org")

	_, body := get(t, c, r.srv.URL+"/console/instances")
	require.Contains(t, body, `<th scope="col">Last poll</th><th scope="col">Deliveries</th>`)
	require.Contains(t, body, "<td>—</td>", "a webhook instance polls nothing")
	require.Contains(t, body, "<td>0 pending, 0 dead</td>")

	// Replayed to a receiver that answers 410: the endpoint is disabled.
	res, err := c.PostForm(r.srv.URL+"/console/events/"+ev.ID+"/replay", nil)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Eventually(t, func() bool {
		st, err := r.eng.Status(t.Context(), "acme", "shop-1")
		return err == nil && st.EndpointDisabled
	}, 10*time.Second, 10*time.Millisecond)
	require.Equal(t, int32(1), r.received.Load())
	_, body = get(t, c, r.srv.URL+"/console/instances")
	require.Contains(t, body, `1 pending, 0 dead <span class="pill bad">endpoint disabled</span>`)
	// The instance page says so, beside its Enable endpoint button.
	_, body = get(t, c, r.srv.URL+"/console/instances/shop-1")
	require.Contains(t, body, `<span class="pill bad">endpoint disabled</span>`)
	require.Contains(t, body, `<dd>1 pending, 0 dead</dd>`)
	require.Contains(t, body, `class="primary" aria-describedby="endpoint-hint">Enable endpoint</button>`)
}

func TestEventPageOfAnUnsignedInstanceListsNoSignature(t *testing.T) {
	r := newEventRig(t)
	_, err := r.eng.Create(t.Context(), "acme", []byte(`{"id": "plain", "element": {"key": "woocommercerest"},
	  "configuration": {"store.url": "https://shop.example.com", "oauth.api.key": "ck", "oauth.api.secret": "cs",
	    "event.notification.enabled": "true", "event.vendor.type": "webhook",
	    "event.notification.callback.url": "https://receiver.example.com/cb"}}`))
	require.NoError(t, err)
	ev := notification("acme", "plain", 1, engine.StatusNew, "42", 0)
	r.add(ev)
	res, body := get(t, r.browser("acme-user", "acme-org"), r.srv.URL+"/console/events/"+ev.ID)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Contains(t, body, `<td class="mono">webhook-timestamp</td><td class="mono">(the time of each attempt)</td>`)
	require.NotContains(t, body, "Signature")
	require.NotContains(t, body, "webhook-signature")
	require.Contains(t, body, "No attempt yet.")
}
