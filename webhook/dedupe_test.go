package webhook_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/receiver"
	"github.com/a12b7632/elementevents/webhook"
)

func TestMemoryDeduper(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := clockwork.NewFakeClock()
	d := webhook.NewMemoryDeduper(clock)
	seen, err := d.Seen(ctx, "a")
	require.NoError(t, err)
	require.False(t, seen)
	require.NoError(t, d.Mark(ctx, "a", time.Minute))
	seen, _ = d.Seen(ctx, "a")
	require.True(t, seen)
	clock.Advance(time.Minute - time.Nanosecond)
	seen, _ = d.Seen(ctx, "a")
	require.True(t, seen, "still inside the TTL")
	clock.Advance(time.Nanosecond)
	seen, _ = d.Seen(ctx, "a")
	require.False(t, seen, "expired")

	for i := range 2048 {
		require.NoError(t, d.Mark(ctx, strconv.Itoa(i), time.Second))
	}
	clock.Advance(2 * time.Second)
	for i := range 1024 {
		require.NoError(t, d.Mark(ctx, "new"+strconv.Itoa(i), time.Second))
	}
	require.LessOrEqual(t, webhook.DeduperLen(d), 1024+1, "expired keys are swept")
}

// The in-memory Deduper also serves a receiver.Receiver.
var _ receiver.Deduper = webhook.NewMemoryDeduper(nil)
