package riverstore_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/riverstore"
	"github.com/a12b7632/elementevents/webhook"
	"github.com/a12b7632/elementevents/webhook/dedupetest"
)

// TestDeduperConformance runs the Deduper conformance suite on one
// database, every case on keys of its own.
func TestDeduperConformance(t *testing.T) {
	t.Parallel()
	pool, _ := setup(t, 4)
	dedupetest.Run(t, func(t *testing.T, clock clockwork.Clock) webhook.Deduper {
		d, err := riverstore.NewDeduper(pool, riverstore.StoreConfig{Clock: clock})
		require.NoError(t, err)
		return d
	})
}

func TestDeduper(t *testing.T) {
	t.Parallel()
	pool, _ := setup(t, 4)
	ctx := t.Context()
	clock := clockwork.NewFakeClock()
	d, err := riverstore.NewDeduper(pool, riverstore.StoreConfig{Clock: clock})
	require.NoError(t, err)
	other, err := riverstore.NewDeduper(pool, riverstore.StoreConfig{Clock: clock}) // another replica
	require.NoError(t, err)

	seen, err := d.Seen(ctx, "a")
	require.NoError(t, err)
	require.False(t, seen)
	require.NoError(t, d.Mark(ctx, "a", time.Minute))
	seen, err = other.Seen(ctx, "a")
	require.NoError(t, err)
	require.True(t, seen, "a mark is seen by every replica")
	seen, _ = d.Seen(ctx, "b")
	require.False(t, seen, "only the marked key")
	clock.Advance(time.Minute - time.Nanosecond)
	seen, _ = d.Seen(ctx, "a")
	require.True(t, seen, "still inside the TTL")
	clock.Advance(time.Nanosecond)
	seen, _ = d.Seen(ctx, "a")
	require.False(t, seen, "expired")
	require.NoError(t, d.Mark(ctx, "a", time.Hour))
	seen, _ = d.Seen(ctx, "a")
	require.True(t, seen, "marked again")

	for i := range 600 {
		require.NoError(t, d.Mark(ctx, "old"+strconv.Itoa(i), time.Second))
	}
	clock.Advance(2 * time.Second)
	for i := range 512 {
		require.NoError(t, d.Mark(ctx, "new"+strconv.Itoa(i), time.Minute))
	}
	n, err := d.Len(ctx)
	require.NoError(t, err)
	require.LessOrEqual(t, n, int64(512+1), "expired keys are swept by later marks")
	swept, err := d.Sweep(ctx)
	require.NoError(t, err)
	require.Zero(t, swept)

	_, err = riverstore.NewDeduper(nil, riverstore.StoreConfig{})
	require.ErrorIs(t, err, riverstore.ErrConfig)
}
