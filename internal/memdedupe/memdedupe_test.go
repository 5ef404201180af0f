package memdedupe_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/internal/memdedupe"
	"github.com/a12b7632/elementevents/webhook"
	"github.com/a12b7632/elementevents/webhook/dedupetest"
)

// TestSetConformance runs the Deduper conformance suite on the set, the
// receiver's default and the one behind webhook.NewMemoryDeduper.
func TestSetConformance(t *testing.T) {
	t.Parallel()
	dedupetest.Run(t, func(_ *testing.T, clock clockwork.Clock) webhook.Deduper { return memdedupe.New(clock) })
}

// TestSetSweeps checks that expired ids leave as later ones are marked, so
// the set does not grow with every id a day brings.
func TestSetSweeps(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := clockwork.NewFakeClock()
	d := memdedupe.New(clock)
	for i := range 2048 {
		require.NoError(t, d.Mark(ctx, strconv.Itoa(i), time.Second))
	}
	clock.Advance(2 * time.Second)
	for i := range 1024 {
		require.NoError(t, d.Mark(ctx, "new"+strconv.Itoa(i), time.Second))
	}
	require.LessOrEqual(t, d.Len(), 1024+1, "expired ids are swept")
}
