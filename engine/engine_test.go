package engine_test

import (
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/engine"
	"github.com/a12b7632/elementevents/vendortest"
)

func TestCreatePollsAtOnceThenEveryInterval(t *testing.T) {
	r := newRig(t, nil)
	r.customer(1)
	r.run()
	inst, err := r.eng.Create(t.Context(), "acme", r.body("", 1))
	require.NoError(t, err)
	require.NotEmpty(t, inst.ID)
	require.NotEmpty(t, inst.Token)
	require.Equal(t, int64(1), inst.Version)
	require.True(t, inst.Enabled)
	r.until(5*time.Second, func() bool { return r.polls() == 1 }, "the new instance was not polled at once")
	require.Empty(t, r.recv.events(), "the first cycle takes a baseline")

	r.customer(2)
	r.until(90*time.Second, func() bool { return len(r.recv.events()) == 1 }, "the created customer was not notified")
	require.Equal(t, []string{"CREATED customers/2"}, r.recv.events())
	require.Equal(t, 2, r.polls(), "one cycle a minute")
}

func TestPatchAppliesAtTheNextCycle(t *testing.T) {
	r := newRig(t, nil)
	r.run()
	inst, err := r.eng.Create(t.Context(), "acme", r.body("7", 15))
	require.NoError(t, err)
	r.until(5*time.Second, func() bool { return r.polls() == 1 }, "not polled at once")

	patched, err := r.eng.Patch(t.Context(), "acme", inst.ID, inst.Version,
		[]byte(`{"configuration": {"event.poller.refresh_interval": "1"}, "tags": ["b"]}`))
	require.NoError(t, err)
	require.Equal(t, int64(2), patched.Version)
	require.Equal(t, time.Minute, patched.Config.Configuration.Events.RefreshInterval)
	require.Equal(t, []string{"b"}, patched.Config.Tags)
	got, ok := patched.Config.Configuration.Get("oauth.api.secret")
	require.True(t, ok)
	require.Equal(t, wooSecret, got, "keys the patch does not name are kept")

	r.until(90*time.Second, func() bool { return r.polls() == 2 }, "the shorter interval did not apply")
	r.until(90*time.Second, func() bool { return r.polls() == 3 }, "the shorter interval did not apply twice")

	r.customer(3)
	r.until(90*time.Second, func() bool { return len(r.recv.events()) == 1 }, "state lost on update")
	require.Equal(t, []string{"CREATED customers/3"}, r.recv.events(), "the update kept the baseline")
}

func TestInvalidWritesChangeNothing(t *testing.T) {
	r := newRig(t, nil)
	inst, err := r.eng.Create(t.Context(), "acme", r.body("7", 15))
	require.NoError(t, err)
	for name, patch := range map[string]string{
		"bad interval":  `{"configuration": {"event.poller.refresh_interval": "often"}}`,
		"no callback":   `{"configuration": {"event.notification.callback.url": null}}`,
		"bad pattern":   `{"configuration": {"event.poller.configuration": {"customers": {"url": "/x", "idField": "id", "datesConfiguration": {"updatedDateField": "d", "updatedDateFormat": "yyyy-qq"}}}}}`,
		"other id":      `{"id": "8"}`,
		"token":         `{"token": "mine"}`,
		"not json":      `{"configuration": `,
		"not an object": `[1]`,
	} {
		_, err := r.eng.Patch(t.Context(), "acme", inst.ID, 0, []byte(patch))
		require.ErrorIs(t, err, engine.ErrInvalid, name)
		got, err := r.eng.Get(t.Context(), "acme", inst.ID)
		require.NoError(t, err)
		require.Equal(t, int64(1), got.Version, name)
		require.Equal(t, inst.Body, got.Body, name)
	}
	_, err = r.eng.Patch(t.Context(), "acme", inst.ID, 0, []byte(`{"configuration": {"event.poller.refresh_interval": "often"}}`))
	var ve *element.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, "event.poller.refresh_interval", ve.Problems[0].Path)
	_, err = r.eng.Create(t.Context(), "acme", []byte(`{"element": {"key": "woocommercerest"},`))
	var se *element.SyntaxError
	require.ErrorAs(t, err, &se)
	require.Positive(t, se.Offset)
}

func TestVersionsAndTenants(t *testing.T) {
	r := newRig(t, nil)
	inst, err := r.eng.Create(t.Context(), "acme", r.body("7", 15))
	require.NoError(t, err)
	_, err = r.eng.Create(t.Context(), "other", r.body("7", 15))
	require.ErrorIs(t, err, engine.ErrExists)

	_, err = r.eng.Patch(t.Context(), "acme", inst.ID, 5, []byte(`{"name": "x"}`))
	var ce *engine.ConflictError
	require.ErrorAs(t, err, &ce)
	require.Equal(t, int64(1), ce.Stored)
	require.ErrorIs(t, r.eng.Delete(t.Context(), "acme", inst.ID, 9), engine.ErrConflict)

	for name, call := range map[string]func() error{
		"get":     func() error { _, err := r.eng.Get(t.Context(), "other", inst.ID); return err },
		"patch":   func() error { _, err := r.eng.Patch(t.Context(), "other", inst.ID, 0, []byte(`{}`)); return err },
		"update":  func() error { _, err := r.eng.Update(t.Context(), "other", inst.ID, 0, r.body("7", 1)); return err },
		"delete":  func() error { return r.eng.Delete(t.Context(), "other", inst.ID, 0) },
		"disable": func() error { _, err := r.eng.SetEnabled(t.Context(), "other", inst.ID, false); return err },
		"poll":    func() error { return r.eng.PollNow(t.Context(), "other", inst.ID) },
		"resync":  func() error { return r.eng.Resync(t.Context(), "other", inst.ID, "", engine.ResyncBaseline) },
		"enable endpoint": func() error {
			return r.eng.EnableEndpoint(t.Context(), "other", inst.ID)
		},
	} {
		require.ErrorIs(t, call(), engine.ErrNotFound, name)
	}
	page, err := r.eng.List(t.Context(), engine.Filter{Tenant: "other"})
	require.NoError(t, err)
	require.Empty(t, page)

	byToken, err := r.eng.ByToken(t.Context(), inst.Token)
	require.NoError(t, err)
	require.Equal(t, "acme", byToken.Tenant)
	_, err = r.eng.ByToken(t.Context(), inst.Token+"x")
	require.ErrorIs(t, err, engine.ErrNotFound)
}

func TestConcurrentPatchesLoseNoUpdate(t *testing.T) {
	r := newRig(t, nil)
	inst, err := r.eng.Create(t.Context(), "acme", r.body("7", 15))
	require.NoError(t, err)
	const n = 20
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, err := r.eng.Patch(t.Context(), "acme", inst.ID, 0, fmt.Appendf(nil, `{"configuration": {"x.key%02d": "v"}}`, i))
			require.NoError(t, err)
		})
	}
	wg.Wait()
	got, err := r.eng.Get(t.Context(), "acme", inst.ID)
	require.NoError(t, err)
	require.Equal(t, int64(1+n), got.Version)
	for i := range n {
		_, ok := got.Config.Configuration.Get(fmt.Sprintf("x.key%02d", i))
		require.True(t, ok, "patch %d lost", i)
	}
}

func TestDisableDeleteStopPolling(t *testing.T) {
	r := newRig(t, nil)
	r.run()
	inst, err := r.eng.Create(t.Context(), "acme", r.body("7", 1))
	require.NoError(t, err)
	r.until(5*time.Second, func() bool { return r.polls() == 1 }, "not polled at once")

	off, err := r.eng.SetEnabled(t.Context(), "acme", inst.ID, false)
	require.NoError(t, err)
	require.False(t, off.Enabled)
	require.ErrorIs(t, r.eng.PollNow(t.Context(), "acme", inst.ID), engine.ErrNotPolling)
	r.during(3 * time.Minute)
	require.Equal(t, 1, r.polls(), "a disabled instance is not polled")
	disabled := false
	page, err := r.eng.List(t.Context(), engine.Filter{Tenant: "acme", Enabled: &disabled})
	require.NoError(t, err)
	require.Len(t, page, 1)

	_, err = r.eng.SetEnabled(t.Context(), "acme", inst.ID, true)
	require.NoError(t, err)
	r.until(5*time.Second, func() bool { return r.polls() == 2 }, "an enabled instance is polled at once")
	r.customer(5)
	r.until(90*time.Second, func() bool { return len(r.recv.events()) == 1 }, "enabled again but nothing reported")

	require.NoError(t, r.eng.Delete(t.Context(), "acme", inst.ID, 0))
	polls := r.polls()
	r.during(3 * time.Minute)
	require.Equal(t, polls, r.polls(), "a deleted instance is not polled")
	_, err = r.eng.Get(t.Context(), "acme", inst.ID)
	require.ErrorIs(t, err, engine.ErrNotFound)

	// Created again with the same id, it starts from a new baseline: the
	// state of the deleted one was forgotten.
	r.customer(6)
	_, err = r.eng.Create(t.Context(), "acme", r.body("7", 1))
	require.NoError(t, err)
	r.until(5*time.Second, func() bool { return r.polls() == polls+1 }, "not polled at once")
	r.during(2 * time.Minute)
	require.Equal(t, []string{"CREATED customers/5"}, r.recv.events(), "a new baseline reports nothing")
}

func TestPollNow(t *testing.T) {
	r := newRig(t, nil)
	r.run()
	inst, err := r.eng.Create(t.Context(), "acme", r.body("7", 60))
	require.NoError(t, err)
	r.until(5*time.Second, func() bool { return r.polls() == 1 }, "not polled at once")
	r.customer(9)
	require.NoError(t, r.eng.PollNow(t.Context(), "acme", inst.ID))
	r.until(5*time.Second, func() bool { return len(r.recv.events()) == 1 }, "PollNow did not poll")
	require.Equal(t, 2, r.polls())
}

// A PollNow while the instance's cycle is in flight runs the next cycle as
// soon as that one ends, without the clock moving: the end of the cycle
// in flight does not put it back an interval later. With one worker, the
// dispatcher cannot start the second cycle while the first one runs.
func TestPollNowDuringACycle(t *testing.T) {
	r := newRig(t, func(c *engine.Config) { c.Workers = 1 })
	inCycle, proceed := make(chan struct{}), make(chan struct{})
	var calls atomic.Int32
	r.woo = vendortest.ServeWooCommerce(t, vendortest.WooConfig{Key: wooKey, Secret: wooSecret, Clock: r.clock,
		OnRequest: func(req vendortest.LoggedRequest) {
			if req.Resource == "customers" && calls.Add(1) == 1 {
				close(inCycle)
				<-proceed
			}
		}})
	r.run()
	release := sync.OnceFunc(func() { close(proceed) })
	t.Cleanup(release) // first: a test that stops early lets the request end
	inst, err := r.eng.Create(t.Context(), "acme", r.body("7", 60))
	require.NoError(t, err)
	select {
	case <-inCycle:
	case <-time.After(10 * time.Second):
		t.Fatal("the first cycle did not start")
	}
	require.NoError(t, r.eng.PollNow(t.Context(), "acme", inst.ID))
	release()
	require.Eventually(t, func() bool { return r.polls() == 2 }, 10*time.Second, time.Millisecond,
		"the PollNow made during the first cycle was lost (the fake clock did not move)")
}

func TestWebhookRoutesFollowTheInstances(t *testing.T) {
	r := newRig(t, nil)
	mux := http.NewServeMux()
	mux.Handle("/events/{elementKey}/{instanceID}", r.eng.Webhooks())
	body := []byte(`{"id": "wh1", "element": {"key": "woocommercerest"}, "configuration": {
	  "store.url": "https://shop.example.com", "oauth.api.key": "ck", "oauth.api.secret": "cs",
	  "event.notification.enabled": "true", "event.vendor.type": "webhook",
	  "webhook.secret": "whsec-woo",
	  "event.notification.callback.url": "` + r.recv.srv.URL + `/cb"}}`)
	post := func() int {
		req := vendortest.NewWooWebhookRequest(t, "/events/woocommercerest/wh1", "whsec-woo", "customer.updated",
			[]byte(`{"id": 12, "date_modified_gmt": "2026-12-07T09:00:00"}`))
		w := newRecorder()
		mux.ServeHTTP(w, req)
		return w.Code
	}
	require.Equal(t, http.StatusNotFound, post(), "no such instance yet")
	_, err := r.eng.Create(t.Context(), "acme", body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, post())
	_, err = r.eng.SetEnabled(t.Context(), "acme", "wh1", false)
	require.NoError(t, err)
	require.Equal(t, http.StatusNotFound, post(), "disabled")
	_, err = r.eng.SetEnabled(t.Context(), "acme", "wh1", true)
	require.NoError(t, err)
	require.NoError(t, r.eng.Delete(t.Context(), "acme", "wh1", 0))
	require.Equal(t, http.StatusNotFound, post(), "deleted")
	require.ErrorIs(t, r.eng.PollNow(t.Context(), "acme", "wh1"), engine.ErrNotFound)
}

func TestReloadPicksUpOtherWriters(t *testing.T) {
	store := engine.NewMemoryInstanceStore()
	r := newRig(t, func(c *engine.Config) { c.Store = store; c.Reload = time.Minute })
	other, err := engine.New(engine.Config{Store: store, Clock: r.clock, Reload: -1, Poller: r.cfg.Poller})
	require.NoError(t, err)
	r.run()
	inst, err := other.Create(t.Context(), "acme", r.body("7", 1))
	require.NoError(t, err)
	r.until(2*time.Minute, func() bool { return r.polls() >= 1 }, "the other writer's instance was not loaded")
	require.NoError(t, other.Delete(t.Context(), "acme", inst.ID, 0))
	r.during(70 * time.Second) // the reload
	polls := r.polls()
	r.during(3 * time.Minute)
	require.Equal(t, polls, r.polls(), "an instance deleted by another writer is stopped")
}

func TestRunLoadsTheStoreAndStops(t *testing.T) {
	store := engine.NewMemoryInstanceStore()
	r := newRig(t, func(c *engine.Config) { c.Store = store })
	for i := range 5 {
		_, err := r.eng.Create(t.Context(), "acme", r.body(fmt.Sprint(i), 1))
		require.NoError(t, err)
	}
	// A second engine on the same store, as after a restart.
	again, err := engine.New(engine.Config{Store: store, Clock: r.clock, Poller: r.cfg.Poller, Notify: r.cfg.Notify})
	require.NoError(t, err)
	r.eng = again
	r.run()
	r.until(2*time.Minute, func() bool { return r.polls() >= 5 }, "the stored instances were not polled within an interval")
	require.ErrorContains(t, errors.Join(again.Run(t.Context())), "already active")
}
