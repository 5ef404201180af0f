package engine_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/engine"
	"github.com/a12b7632/elementevents/poller"
)

// memClaimer grants each (instance, window) once, and only to a caller
// that has the instance's stored version, as riverstore's does.
type memClaimer struct {
	store engine.InstanceStore

	mu      sync.Mutex
	granted map[string]map[time.Time]int // id -> window -> grants
}

func (c *memClaimer) Claim(ctx context.Context, id string, version int64, window time.Time) (bool, error) {
	page, err := c.store.List(ctx, engine.Filter{AllTenants: true, After: "", Limit: engine.MaxListLimit})
	if err != nil {
		return false, err
	}
	current := false
	for _, r := range page {
		current = current || r.ID == id && r.Version == version && r.Enabled
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !current || c.granted[id][window] > 0 {
		return false, nil
	}
	if c.granted[id] == nil {
		c.granted[id] = map[time.Time]int{}
	}
	c.granted[id][window]++
	return true, nil
}

func (c *memClaimer) windows(id string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.granted[id])
}

func TestReplicasPollEachIntervalOnce(t *testing.T) {
	store := engine.NewMemoryInstanceStore()
	claimer := &memClaimer{store: store, granted: map[string]map[time.Time]int{}}
	state := poller.NewMemoryState()
	shared := func(c *engine.Config) {
		c.Store, c.Claimer, c.State, c.Reload = store, claimer, state, 30*time.Second
	}
	r := newRig(t, shared)
	r.run()
	for range 2 { // two more replicas on the same clock
		other := newRig(t, shared)
		other.clock, other.woo = r.clock, r.woo
		cfg := other.cfg
		cfg.Clock = r.clock
		eng, err := engine.New(cfg)
		require.NoError(t, err)
		other.eng = eng
		other.run()
	}
	inst, err := r.eng.Create(t.Context(), "acme", r.body("7", 1))
	require.NoError(t, err)
	r.until(5*time.Second, func() bool { return r.polls() == 1 }, "not polled at once")
	// settled returns the polls once every claimed cycle has made its
	// request: a cycle claimed as the clock stopped is still in flight.
	settled := func() int {
		t.Helper()
		require.Eventually(t, func() bool { return r.polls() == claimer.windows(inst.ID) }, 10*time.Second, time.Millisecond,
			"one poll per claimed interval")
		return r.polls()
	}
	r.during(10 * time.Minute)
	polls := settled()
	require.GreaterOrEqual(t, polls, 10, "every interval polled by some replica")
	require.LessOrEqual(t, polls, 12)

	r.customer(4)
	r.until(2*time.Minute, func() bool { return len(r.recv.events()) == 1 }, "a change was not reported")
	r.during(3 * time.Minute)
	require.Equal(t, []string{"CREATED customers/4"}, r.recv.events(), "reported once across replicas")

	_, err = r.eng.SetEnabled(t.Context(), "acme", inst.ID, false)
	require.NoError(t, err)
	polls = settled() // a cycle claimed before the disable may end after it
	r.during(3 * time.Minute)
	require.Equal(t, polls, settled(), "a disabled instance is polled by no replica")
}
