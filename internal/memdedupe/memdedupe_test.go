package memdedupe_test

import (
	"context"
	"strconv"
	"strings"
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

// TestSetKeys checks ids of every length: each is told apart from one that
// differs only in its last byte, and one of the length the handlers use
// costs no allocation to look up. Not parallel: AllocsPerRun counts the
// whole process.
func TestSetKeys(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name       string
		size       int
		wantAllocs float64 // -1: not checked
	}{
		{"empty", 0, 0},
		{"short", 8, 0},
		{"namespaced delivery id", 40, 0},
		{"at the stack buffer", 256, 0},
		{"past the stack buffer", 257, -1},
		{"long", 4096, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := memdedupe.New(clockwork.NewFakeClock())
			id := strings.Repeat("a", tc.size)
			require.NoError(t, d.Mark(ctx, id, time.Hour))
			seen, err := d.Seen(ctx, id)
			require.NoError(t, err)
			require.True(t, seen, "the id marked")
			if tc.size > 0 {
				other := id[:tc.size-1] + "b"
				seen, err = d.Seen(ctx, other)
				require.NoError(t, err)
				require.False(t, seen, "an id differing in its last byte")
			}
			if tc.wantAllocs >= 0 {
				allocs := testing.AllocsPerRun(100, func() { _, _ = d.Seen(ctx, id) })
				require.Equal(t, tc.wantAllocs, allocs, "allocations of Seen")
			}
		})
	}
}

// TestKeyOf checks that an id hashed from its parts is the id hashed whole,
// on both sides of the stack buffer, so that SeenKey finds what Mark
// remembered and Seen finds what MarkKey remembered.
func TestKeyOf(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	long := strings.Repeat("x", 300)
	for _, parts := range [][]string{
		{},
		{"one"},
		{"webhook.Handler delivery", "\x00", "inst", "\x00", "d-1"},
		{"", "a", "", "b"},
		{long, "tail"},
		{strings.Repeat("y", 250), strings.Repeat("z", 6)},
		{strings.Repeat("y", 250), strings.Repeat("z", 7)},
	} {
		whole := strings.Join(parts, "")
		require.Equal(t, memdedupe.KeyOf(whole), memdedupe.KeyOf(parts...), "%d bytes in %d parts", len(whole), len(parts))

		d := memdedupe.New(clockwork.NewFakeClock())
		require.NoError(t, d.Mark(ctx, whole, time.Hour))
		require.True(t, d.SeenKey(memdedupe.KeyOf(parts...)))
		d = memdedupe.New(clockwork.NewFakeClock())
		d.MarkKey(memdedupe.KeyOf(parts...), time.Hour)
		seen, err := d.Seen(ctx, whole)
		require.NoError(t, err)
		require.True(t, seen)
	}
	require.NotEqual(t, memdedupe.KeyOf("ab", "c"), memdedupe.KeyOf("a", "bd"))
}
