package boltstore_test

import (
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/boltstore"
	"github.com/a12b7632/elementevents/webhook"
	"github.com/a12b7632/elementevents/webhook/dedupetest"
)

// TestDeduperConformance runs the Deduper conformance suite on the store.
func TestDeduperConformance(t *testing.T) {
	t.Parallel()
	dedupetest.Run(t, func(t *testing.T, clock clockwork.Clock) webhook.Deduper {
		return openInMemory(t, boltstore.Options{Clock: clock}).Deduper()
	})
}

// TestDeduperMatchesMemoryDeduper runs the same script of Marks, Seens
// and clock moves against webhook.NewMemoryDeduper and the store's Deduper
// and requires the same answers.
func TestDeduperMatchesMemoryDeduper(t *testing.T) {
	t.Parallel()
	clock := clockwork.NewFakeClockAt(t0)
	mem := webhook.NewMemoryDeduper(clock)
	bolt := openInMemory(t, boltstore.Options{Clock: clock}).Deduper()
	ctx := t.Context()

	// A step either moves the clock or marks a key.
	type step struct {
		advance time.Duration
		mark    string
		ttl     time.Duration
	}
	script := []step{
		{mark: "a", ttl: time.Minute},
		{mark: "b", ttl: time.Hour},
		{advance: time.Minute - time.Nanosecond},
		{advance: time.Nanosecond}, // a expires exactly now
		{mark: "a", ttl: time.Second},
		{mark: "b", ttl: time.Second}, // a shorter ttl replaces a longer one
		{advance: time.Second},
		{mark: "c", ttl: 0}, // expired at once
		{mark: "d", ttl: -time.Hour},
		{mark: "", ttl: time.Hour},
		{mark: "e", ttl: 24 * time.Hour},
		{advance: 23 * time.Hour},
	}
	keys := []string{"a", "b", "c", "d", "e", "", "never"}
	for i, s := range script {
		clock.Advance(s.advance)
		if s.advance == 0 {
			require.NoError(t, mem.Mark(ctx, s.mark, s.ttl))
			require.NoError(t, bolt.Mark(ctx, s.mark, s.ttl))
		}
		for _, k := range keys {
			want, err := mem.Seen(ctx, k)
			require.NoError(t, err)
			got, err := bolt.Seen(ctx, k)
			require.NoError(t, err)
			require.Equal(t, want, got, "step %d: Seen(%q)", i, k)
		}
	}
}

// TestDeduperPurgesExpiredKeys checks that marking keeps the store from
// growing with expired keys, a bounded number per Mark, and that
// PurgeExpired takes the rest.
func TestDeduperPurgesExpiredKeys(t *testing.T) {
	t.Parallel()
	clock := clockwork.NewFakeClockAt(t0)
	db := openInMemory(t, boltstore.Options{Clock: clock})
	d := db.Deduper()
	ctx := t.Context()
	count := func() int {
		t.Helper()
		n, err := db.DedupeLen(ctx)
		require.NoError(t, err)
		return n
	}
	const old = 3*boltstore.PurgeBatch + 10
	for i := range old {
		require.NoError(t, d.Mark(ctx, strconv.Itoa(i), time.Second))
	}
	clock.Advance(2 * time.Second)
	require.NoError(t, d.Mark(ctx, "new-0", time.Second))
	require.Equal(t, old-boltstore.PurgeBatch+1, count(), "one Mark purges PurgeBatch expired keys")
	for i := 1; i < 4; i++ {
		require.NoError(t, d.Mark(ctx, "new-"+strconv.Itoa(i), time.Second))
	}
	require.Equal(t, 4, count(), "4 Marks purged every expired key")

	clock.Advance(time.Second)
	n, err := db.PurgeExpired(ctx)
	require.NoError(t, err)
	require.Equal(t, 4, n)
	require.Zero(t, count())
	n, err = db.PurgeExpired(ctx)
	require.NoError(t, err)
	require.Zero(t, n)
}

// TestDeduperSurvivesRestart is the point of a durable deduper: a retry
// that arrives after a restart is still recognised.
func TestDeduperSurvivesRestart(t *testing.T) {
	t.Parallel()
	clock := clockwork.NewFakeClockAt(t0)
	path := filepath.Join(t.TempDir(), "store.db")
	db, err := boltstore.Open(path, boltstore.Options{Clock: clock})
	require.NoError(t, err)
	require.NoError(t, db.Deduper().Mark(t.Context(), "delivery-1", time.Hour))
	require.NoError(t, db.Close())

	d := openAt(t, path, boltstore.Options{Clock: clock}).Deduper()
	seen, err := d.Seen(t.Context(), "delivery-1")
	require.NoError(t, err)
	require.True(t, seen)
	clock.Advance(time.Hour)
	seen, err = d.Seen(t.Context(), "delivery-1")
	require.NoError(t, err)
	require.False(t, seen)
}
