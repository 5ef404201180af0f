package riverstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/poller"
	"github.com/a12b7632/elementevents/poller/statetest"
	"github.com/a12b7632/elementevents/riverstore"
)

func TestState(t *testing.T) {
	t.Parallel()
	admin := connect(t, "", 8)
	statetest.Run(t, func(t *testing.T) poller.State {
		s, err := riverstore.NewState(admin, riverstore.StoreConfig{Schema: newSchema(t, admin)})
		require.NoError(t, err)
		return s
	})
}

// TestStateFailedCommitAppliesNothing provokes the failures a Commit can
// meet and checks that the state is as before each.
func TestStateFailedCommitAppliesNothing(t *testing.T) {
	t.Parallel()
	pool, _ := setup(t, 4)
	s, err := riverstore.NewState(pool, riverstore.StoreConfig{})
	require.NoError(t, err)
	ctx := t.Context()
	key := poller.StateKey{Instance: "inst-1", Resource: "contacts"}
	t0 := time.Date(2026, 3, 14, 15, 9, 26, 535897932, time.UTC)
	require.NoError(t, s.Commit(ctx, key, poller.Change{
		Watermark: t0, Cycles: 1,
		Upsert:  map[string]poller.Record{"1": {Updated: 1, Hash: 1}, "2": {Updated: 2, Hash: 2}, "keep": {Updated: 3, Hash: 3}},
		Missing: map[string]int{"x": 1},
	}))
	before, err := s.Load(ctx, key)
	require.NoError(t, err)
	next := poller.Change{
		Watermark: t0.Add(time.Hour), Cycles: 2,
		Upsert:  map[string]poller.Record{"1": {Updated: 10, Hash: 10}, "3": {Updated: 30, Hash: 30}},
		Delete:  []string{"2", "refused"},
		Missing: map[string]int{},
	}

	// A write refused half way: the upserts and the key's row are written
	// when the delete is refused.
	_, err = pool.Exec(ctx, `CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF OLD.id = convert_to('2', 'UTF8') THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN OLD; END $$;
		CREATE TRIGGER refuse BEFORE DELETE ON elementevents_poller_record FOR EACH ROW EXECUTE FUNCTION refuse();`)
	require.NoError(t, err)
	require.ErrorContains(t, s.Commit(ctx, key, next), "refused by the test")
	after, err := s.Load(ctx, key)
	require.NoError(t, err)
	statetest.RequireState(t, before, after)
	_, err = pool.Exec(ctx, "DROP TRIGGER refuse ON elementevents_poller_record")
	require.NoError(t, err)

	// A cancelled context.
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	require.ErrorIs(t, s.Commit(cancelled, key, next), context.Canceled)
	after, err = s.Load(ctx, key)
	require.NoError(t, err)
	statetest.RequireState(t, before, after)

	// The same Change goes through once nothing stands in its way.
	require.NoError(t, s.Commit(ctx, key, next))
	next.Apply(before)
	after, err = s.Load(ctx, key)
	require.NoError(t, err)
	statetest.RequireState(t, before, after)
}

func TestStateRefusesKeysTextCannotHold(t *testing.T) {
	t.Parallel()
	pool, _ := setup(t, 2)
	s, err := riverstore.NewState(pool, riverstore.StoreConfig{})
	require.NoError(t, err)
	for _, key := range []poller.StateKey{{Instance: "a\x00b", Resource: "r"}, {Instance: "i", Resource: "\xff"}} {
		_, err := s.Load(t.Context(), key)
		require.ErrorIs(t, err, riverstore.ErrInvalidKey, "Load %q", key)
		require.ErrorIs(t, s.Commit(t.Context(), key, poller.Change{Cycles: 1}), riverstore.ErrInvalidKey, "Commit %q", key)
	}
	_, err = riverstore.NewState(nil, riverstore.StoreConfig{})
	require.ErrorIs(t, err, riverstore.ErrConfig)
}

func TestStateCorruptMissingIsAnError(t *testing.T) {
	t.Parallel()
	pool, _ := setup(t, 2)
	s, err := riverstore.NewState(pool, riverstore.StoreConfig{})
	require.NoError(t, err)
	key := poller.StateKey{Instance: "i", Resource: "r"}
	require.NoError(t, s.Commit(t.Context(), key, poller.Change{Cycles: 1, Missing: map[string]int{"a": 1}}))
	_, err = pool.Exec(t.Context(), "UPDATE elementevents_poller_resource SET missing = '\\x05ff'::bytea")
	require.NoError(t, err)
	_, err = s.Load(t.Context(), key)
	require.ErrorIs(t, err, riverstore.ErrCorrupt)
}
