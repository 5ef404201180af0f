package engine_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/engine"
)

// eventIDs returns the eventId of every notification received.
func (rc *receiver) eventIDs() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []string
	for _, n := range rc.got {
		out = append(out, n.Message.EventID)
	}
	return out
}

func TestEventLogAndReplay(t *testing.T) {
	r := newRig(t, nil)
	r.run()
	inst, err := r.eng.Create(t.Context(), "acme", r.body("7", 1))
	require.NoError(t, err)
	r.until(5*time.Second, func() bool { return r.polls() == 1 }, "not polled at once")
	r.customer(1)
	r.until(90*time.Second, func() bool { return len(r.recv.events()) == 1 }, "not delivered")

	status := func(id string) engine.EventStatus {
		ev, err := r.eng.Event(t.Context(), "acme", id)
		require.NoError(t, err)
		return ev.Status
	}
	var logged []engine.LoggedEvent
	r.until(5*time.Second, func() bool {
		logged, err = r.eng.Events(t.Context(), engine.EventFilter{Tenant: "acme", Instance: inst.ID})
		require.NoError(t, err)
		return len(logged) == 1 && logged[0].Status == engine.StatusNotified
	}, "the delivery was not logged NOTIFIED: %+v", logged)
	ev := logged[0]
	require.Equal(t, r.recv.eventIDs()[0], ev.ID)
	require.Equal(t, "customers", ev.ObjectType)
	require.Equal(t, []string{"CREATED"}, ev.EventTypes)
	require.Len(t, ev.Attempts, 1)
	require.Equal(t, http.StatusOK, ev.Attempts[0].Status)
	_, err = r.eng.Event(t.Context(), "other", ev.ID)
	require.ErrorIs(t, err, engine.ErrEventNotFound, "another tenant's event")
	require.ErrorIs(t, r.eng.Replay(t.Context(), "other", ev.ID), engine.ErrEventNotFound)

	// A delivered notification replayed is sent again with its id.
	require.NoError(t, r.eng.Replay(t.Context(), "acme", ev.ID))
	r.until(10*time.Second, func() bool { return len(r.recv.eventIDs()) == 2 }, "the replay was not delivered")
	require.Equal(t, ev.ID, r.recv.eventIDs()[1])
	r.until(5*time.Second, func() bool { return status(ev.ID) == engine.StatusNotified }, "not NOTIFIED after the replay")

	// A receiver that refuses (400) dead-letters at once; ReplayAll sends
	// the dead ones again once it accepts.
	r.recv.setStatus(http.StatusBadRequest)
	r.customer(2)
	var dead []engine.LoggedEvent
	r.until(90*time.Second, func() bool {
		dead, err = r.eng.Events(t.Context(), engine.EventFilter{Tenant: "acme", Statuses: []engine.EventStatus{engine.StatusDead}})
		require.NoError(t, err)
		return len(dead) == 1
	}, "no DEAD notification")
	require.Equal(t, http.StatusBadRequest, dead[0].Attempts[0].Status)
	require.NotEmpty(t, dead[0].Reason)
	r.recv.setStatus(0)
	n, err := r.eng.ReplayAll(t.Context(), engine.EventFilter{Tenant: "acme", Instance: inst.ID})
	require.NoError(t, err)
	require.Equal(t, 1, n)
	r.until(10*time.Second, func() bool { return len(r.recv.events()) == 3 }, "the dead notification was not replayed")
	r.until(5*time.Second, func() bool { return status(dead[0].ID) == engine.StatusNotified }, "not NOTIFIED after ReplayAll")
}

func TestRunPrunesTheEventLog(t *testing.T) {
	r := newRig(t, func(c *engine.Config) { c.Retention = 2 * time.Hour })
	r.run()
	inst, err := r.eng.Create(t.Context(), "acme", r.body("7", 60))
	require.NoError(t, err)
	r.until(5*time.Second, func() bool { return r.polls() == 1 }, "not polled at once")
	r.customer(1)
	require.NoError(t, r.eng.PollNow(t.Context(), "acme", inst.ID))
	count := func() int {
		evs, err := r.eng.Events(t.Context(), engine.EventFilter{Tenant: "acme"})
		require.NoError(t, err)
		return len(evs)
	}
	r.until(10*time.Second, func() bool { return count() == 1 }, "nothing logged")
	r.clock.Advance(2 * time.Hour) // older than the retention, and past a prune
	r.until(time.Hour+time.Minute, func() bool { return count() == 0 }, "the log was not pruned")
}

func TestReplayOfAFailedNotificationAttemptsItNow(t *testing.T) {
	r := newRig(t, nil)
	r.recv.setStatus(http.StatusServiceUnavailable)
	r.run()
	inst, err := r.eng.Create(t.Context(), "acme", r.body("7", 60))
	require.NoError(t, err)
	r.until(5*time.Second, func() bool { return r.polls() == 1 }, "not polled at once")
	r.customer(1)
	require.NoError(t, r.eng.PollNow(t.Context(), "acme", inst.ID))
	var failed []engine.LoggedEvent
	require.Eventually(t, func() bool {
		failed, err = r.eng.Events(t.Context(), engine.EventFilter{Tenant: "acme", Statuses: []engine.EventStatus{engine.StatusFailed}})
		require.NoError(t, err)
		return len(failed) == 1
	}, 5*time.Second, time.Millisecond, "no FAILED notification")
	r.recv.setStatus(0)
	require.NoError(t, r.eng.Replay(t.Context(), "acme", failed[0].ID))
	require.Eventually(t, func() bool { return len(r.recv.events()) == 1 }, 5*time.Second, time.Millisecond,
		"the replay did not attempt at once (the fake clock did not move)")
}
