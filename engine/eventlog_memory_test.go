package engine_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/engine"
	"github.com/a12b7632/elementevents/engine/eventlogtest"
)

func TestMemoryEventLog(t *testing.T) {
	t.Parallel()
	eventlogtest.Run(t, func(*testing.T) engine.EventLog {
		return engine.NewMemoryEventLog(engine.MemoryEventLogConfig{})
	})
}

// A full memory log drops its oldest-created notifications first,
// whatever order they were appended in.
func TestMemoryEventLogDropsTheOldestWhenFull(t *testing.T) {
	t.Parallel()
	l := engine.NewMemoryEventLog(engine.MemoryEventLogConfig{MaxEvents: 10})
	t0 := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	ev := func(i int) engine.LoggedEvent {
		return engine.LoggedEvent{Tenant: "t", Instance: "i", ID: fmt.Sprintf("%03d", i), Status: engine.StatusNew,
			Created: t0.Add(time.Duration(i) * time.Second)}
	}
	for _, i := range []int{5, 3, 9, 0, 1, 2, 4, 6, 7, 8} {
		require.NoError(t, l.Append(t.Context(), ev(i)))
	}
	for i := 10; i < 100; i++ { // many drops: the order is compacted on the way
		require.NoError(t, l.Append(t.Context(), ev(i)))
		page, err := l.List(t.Context(), engine.EventFilter{Tenant: "t", Limit: 100})
		require.NoError(t, err)
		require.Len(t, page, 10)
		require.Equal(t, ev(i).ID, page[0].ID, "the newest is kept")
		require.Equal(t, ev(i-9).ID, page[9].ID, "the oldest were dropped")
	}
	_, err := l.Get(t.Context(), "t", ev(89).ID)
	require.ErrorIs(t, err, engine.ErrEventNotFound)
	// An old notification appended to a full log is the one dropped.
	require.NoError(t, l.Append(t.Context(), ev(-1)))
	_, err = l.Get(t.Context(), "t", ev(-1).ID)
	require.ErrorIs(t, err, engine.ErrEventNotFound)
}
