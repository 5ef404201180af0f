package engine_test

import (
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/engine"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/poller"
)

func TestStatusFollowsPollsAndTheEndpoint(t *testing.T) {
	var hostCycles atomic.Int32
	r := newRig(t, func(cfg *engine.Config) {
		cfg.Poller = func(*element.Instance) poller.Config {
			return poller.Config{Guard: netguard.Guard{AllowPrivate: true}, SingleSnapshotDeletes: true,
				OnCycle: func(poller.Result) { hostCycles.Add(1) }}
		}
	})
	r.customer(1)
	inst, err := r.eng.Create(t.Context(), "acme", r.body("s1", 1))
	require.NoError(t, err)

	st, err := r.eng.Status(t.Context(), "acme", inst.ID)
	require.NoError(t, err)
	require.Equal(t, engine.InstanceStatus{}, st, "not polled yet, nothing sent")

	r.run()
	status := func() engine.InstanceStatus {
		st, err := r.eng.Status(t.Context(), "acme", inst.ID)
		require.NoError(t, err)
		return st
	}
	r.until(5*time.Second, func() bool { return !status().LastPoll.IsZero() }, "no last poll after the first cycle")
	st = status()
	require.False(t, st.LastPoll.After(r.clock.Now()))
	require.Empty(t, st.LastError)
	require.Zero(t, st.LastEvents, "the baseline reports nothing")
	require.False(t, st.EndpointDisabled)
	first := st.LastPoll

	// The receiver is gone: the next cycle's event disables the endpoint.
	r.recv.setStatus(http.StatusGone)
	r.customer(2)
	r.until(3*time.Minute, func() bool { return status().EndpointDisabled }, "the endpoint was not reported disabled")
	st = status()
	require.True(t, st.LastPoll.After(first))
	require.Equal(t, 1, st.LastEvents, "the cycle that saw customer 2")
	require.Empty(t, st.LastError)
	require.NotEmpty(t, st.EndpointReason)
	require.Equal(t, 1, st.Pending, "a disabled endpoint keeps its deliveries pending")
	require.Zero(t, st.Dead)

	// The store refuses the credentials: the next cycle's error is kept.
	r.woo.SetCredentials("ck_other", "cs_other")
	r.until(3*time.Minute, func() bool { return status().LastError != "" }, "the failed cycle was not reported")
	require.Contains(t, status().LastError, "customers: ")
	require.Zero(t, status().LastEvents)
	require.Positive(t, hostCycles.Load(), "the host's OnCycle still runs")

	// An update keeps the status: the versions share it.
	_, err = r.eng.Patch(t.Context(), "acme", inst.ID, 0, []byte(`{"tags": ["b"]}`))
	require.NoError(t, err)
	require.NotEmpty(t, status().LastError, "the update forgot the last poll")
}

func TestStatusOfAnotherTenantIsNotFound(t *testing.T) {
	r := newRig(t, nil)
	inst, err := r.eng.Create(t.Context(), "acme", r.body("s2", 15))
	require.NoError(t, err)
	for _, tt := range []struct{ name, tenant, id string }{
		{"another tenant", "other", inst.ID},
		{"no such instance", "acme", "nope"},
		{"no tenant", "", inst.ID},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := r.eng.Status(t.Context(), tt.tenant, tt.id)
			require.ErrorIs(t, err, engine.ErrNotFound)
		})
	}
}
