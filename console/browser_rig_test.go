package console_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/console"
	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/engine"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/poller"
	"github.com/a12b7632/elementevents/vendortest"
)

// The fake store's REST API keys, typed into the form by the browser
// tests; the secret must never be shown back.
const (
	liveWooKey    = "ck_console_0123456789abcdef0123456789abcdef"
	liveWooSecret = "cs_console_0123456789abcdef0123456789abcdef"
)

// liveStart is where the live rig's clock starts.
var liveStart = time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)

// liveRig is the console over a running engine on a fake clock, polling
// vendortest's fake WooCommerce (on an httptest server) and delivering
// to a receiver whose answer the test sets. Nothing happens on its own
// in real time: polls come from PollNow (the console's "Poll now"), and
// retries only when the test moves the clock.
type liveRig struct {
	t     *testing.T
	clock *clockwork.FakeClock
	woo   *vendortest.WooCommerce
	eng   *engine.Engine
	srv   *httptest.Server // the console, at /console/
	recv  *httptest.Server // the callback receiver

	recvStatus atomic.Int32 // what the receiver answers; 0 is 200
	received   atomic.Int32 // requests it got
}

func newLiveRig(t *testing.T) *liveRig {
	t.Helper()
	r := &liveRig{t: t, clock: clockwork.NewFakeClockAt(liveStart)}
	r.woo = vendortest.ServeWooCommerce(t, vendortest.WooConfig{Key: liveWooKey, Secret: liveWooSecret, Clock: r.clock})
	r.recv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		r.received.Add(1)
		if code := r.recvStatus.Load(); code != 0 {
			w.WriteHeader(int(code))
			_, _ = fmt.Fprintln(w, "receiver is down")
		}
	}))
	t.Cleanup(r.recv.Close)

	guard := netguard.Guard{AllowPrivate: true} // the store and the receiver are on 127.0.0.1
	cfg := engine.Config{
		Clock:  r.clock,
		Logger: slog.New(slog.DiscardHandler),
		Poller: func(*element.Instance) poller.Config { return poller.Config{Guard: guard} },
	}
	cfg.Notify.Policy.Guard = guard
	eng, err := engine.New(cfg)
	require.NoError(t, err)
	r.eng = eng
	h, err := console.New(console.Config{Engine: eng, Authenticate: auth, Clock: r.clock,
		SessionKey: []byte("0123456789abcdef0123456789abcdef"), Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/console/", h)
	r.srv = httptest.NewServer(mux)
	t.Cleanup(r.srv.Close)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- eng.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(10 * time.Second):
			t.Error("the engine did not stop")
		}
	})
	return r
}

// customer adds a customer to the store, created and modified now.
func (r *liveRig) customer(id int, first, last string) {
	now := r.clock.Now()
	r.woo.PutCustomer(vendortest.Customer{ID: id, Email: fmt.Sprintf("c%d@example.com", id), FirstName: first, LastName: last,
		Username: fmt.Sprint("c", id), Created: now, Modified: now})
}

// instanceBody is the documented WooCommerce polling instance of the
// rig's store and receiver, for the scenarios that do not create it
// through the form.
func (r *liveRig) instanceBody(id, name string) []byte {
	return []byte(`{"id": "` + id + `", "name": "` + name + `", "element": {"key": "woocommercerest"},
	  "configuration": {
	    "store.url": "` + r.woo.URL() + `",
	    "oauth.api.key": "` + liveWooKey + `", "oauth.api.secret": "` + liveWooSecret + `",
	    "event.notification.enabled": "true", "event.vendor.type": "polling",
	    "event.notification.callback.url": "` + r.recv.URL + `/cb",
	    "event.poller.refresh_interval": "15",
	    "event.poller.configuration": {"customers": {
	      "url": "/hubs/ecommerce/customers?orderby=id&order=asc", "idField": "id",
	      "datesConfiguration": {
	        "updatedDateField": "date_modified_gmt", "updatedDateFormat": "yyyy-MM-dd'T'HH:mm:ss", "updatedDateTimezone": "GMT",
	        "createdDateField": "date_created_gmt", "createdDateFormat": "yyyy-MM-dd'T'HH:mm:ss", "createdDateTimezone": "GMT"}}}}}`)
}

// events returns the tenant's logged events, newest first.
func (r *liveRig) events(tenant string) []engine.LoggedEvent {
	r.t.Helper()
	evs, err := r.eng.Events(context.Background(), engine.EventFilter{Tenant: tenant, Limit: 100})
	require.NoError(r.t, err)
	return evs
}

// waitFor gives the engine real time (it runs on its own goroutines)
// until cond holds, without moving the fake clock.
func (r *liveRig) waitFor(cond func() bool, msg string, args ...any) {
	r.t.Helper()
	require.Eventuallyf(r.t, cond, 10*time.Second, pollEvery, msg, args...)
}
