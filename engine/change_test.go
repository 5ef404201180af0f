package engine_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/engine"
)

func TestResync(t *testing.T) {
	r := newRig(t, nil)
	r.customer(1)
	r.customer(2)
	r.run()
	inst, err := r.eng.Create(t.Context(), "acme", r.body("7", 60))
	require.NoError(t, err)
	r.until(5*time.Second, func() bool { return r.polls() == 1 }, "not polled at once")
	require.Empty(t, r.recv.events())

	require.NoError(t, r.eng.Resync(t.Context(), "acme", inst.ID, "customers", engine.ResyncFull))
	r.until(10*time.Second, func() bool { return len(r.recv.events()) == 2 }, "a full resync reports every record")
	require.ElementsMatch(t, []string{"CREATED customers/1", "CREATED customers/2"}, r.recv.events())

	require.NoError(t, r.eng.Resync(t.Context(), "acme", inst.ID, "", engine.ResyncBaseline))
	r.during(10 * time.Second)
	require.Len(t, r.recv.events(), 2, "a baseline reports nothing")

	require.ErrorIs(t, r.eng.Resync(t.Context(), "acme", inst.ID, "orders", engine.ResyncFull), engine.ErrInvalid)
	require.ErrorIs(t, r.eng.Resync(t.Context(), "acme", inst.ID, "", "everything"), engine.ErrInvalid)
}

func TestNewCallbackAppliesToPendingNotifications(t *testing.T) {
	r := newRig(t, nil)
	second := newReceiver(t)
	r.recv.setStatus(http.StatusServiceUnavailable)
	r.run()
	inst, err := r.eng.Create(t.Context(), "acme", r.body("7", 1))
	require.NoError(t, err)
	r.until(5*time.Second, func() bool { return r.polls() == 1 }, "not polled at once")
	r.customer(3)
	r.until(90*time.Second, func() bool { return r.polls() == 2 }, "not polled again")
	r.during(2 * time.Second) // the first attempt fails

	_, err = r.eng.Patch(t.Context(), "acme", inst.ID, 0,
		[]byte(`{"configuration": {"event.notification.callback.url": "`+second.srv.URL+`/new"}}`))
	require.NoError(t, err)
	r.until(time.Minute, func() bool { return len(second.events()) == 1 }, "the retry did not go to the new callback URL")
	require.Equal(t, []string{"CREATED customers/3"}, second.events())
	require.Empty(t, r.recv.events())
}
