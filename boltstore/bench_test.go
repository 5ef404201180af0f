package boltstore_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/boltstore"
	"github.com/a12b7632/elementevents/notify"
	"github.com/a12b7632/elementevents/notify/notifytest"
	"github.com/a12b7632/elementevents/poller"
)

// BenchmarkOutboxDelivery measures one delivery's way through the outbox
// as the Notifier drives it: Enqueue, Claim, Ack, each its own
// transaction committed with fsync.
func BenchmarkOutboxDelivery(b *testing.B) {
	o := open(b, boltstore.Options{}).Outbox()
	ctx := b.Context()
	now := time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)
	const ep = "https://app.example.com/hook"
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		d := notifytest.NewDelivery(fmt.Sprintf("d%09d", i), ep, fmt.Sprintf("k%d", i%8))
		require.NoError(b, o.Enqueue(ctx, now, d))
		ds, err := o.Claim(ctx, ep, now, time.Minute, 1)
		require.NoError(b, err)
		require.Len(b, ds, 1)
		require.NoError(b, o.Ack(ctx, ds[0].ID, notify.Attempt{At: now, Status: 200}))
	}
}

// BenchmarkStateCommit10k measures a Commit of 10,000 changed records
// into a resource state of 100,000, as a busy poll cycle makes: one
// transaction, fsync included.
func BenchmarkStateCommit10k(b *testing.B) {
	s := open(b, boltstore.Options{}).PollerState()
	ctx := b.Context()
	const n, changed = 100_000, 10_000
	base := poller.Change{Watermark: t0, Cycles: 1, Upsert: make(map[string]poller.Record, n)}
	for i := range n {
		base.Upsert[strconv.Itoa(10_000_000+i)] = poller.Record{Updated: int64(i), Hash: uint64(i)}
	}
	require.NoError(b, s.Commit(ctx, key, base))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		c := poller.Change{Watermark: t0.Add(time.Duration(i) * time.Minute), Cycles: int64(i + 2), Upsert: make(map[string]poller.Record, changed)}
		for j := range changed {
			id := (i*changed + j*7) % n
			c.Upsert[strconv.Itoa(10_000_000+id)] = poller.Record{Updated: int64(i), Hash: uint64(j)}
		}
		require.NoError(b, s.Commit(ctx, key, c))
	}
}

// BenchmarkOpen measures Open of a store holding 100,000 poller records
// and 10,000 pending notifications, with the structural check and
// without it: the check's cost is the difference.
func BenchmarkOpen(b *testing.B) {
	path := filepath.Join(b.TempDir(), "big.db")
	db, err := boltstore.Open(path, boltstore.Options{})
	require.NoError(b, err)
	ctx := b.Context()
	c := poller.Change{Watermark: t0, Cycles: 1, Upsert: make(map[string]poller.Record, 100_000)}
	for i := range 100_000 {
		c.Upsert[fmt.Sprintf("rec-%07d", i)] = poller.Record{Updated: int64(i), Hash: uint64(i)}
	}
	require.NoError(b, db.PollerState().Commit(ctx, key, c))
	ds := make([]notify.Delivery, 0, 10_000)
	for i := range 10_000 {
		d := notifytest.NewDelivery(fmt.Sprintf("d%05d", i), epA, fmt.Sprintf("k%d", i%50))
		d.Body = append(d.Body, make([]byte, 1000)...)
		ds = append(ds, d)
	}
	require.NoError(b, db.Outbox().Enqueue(ctx, t0, ds...))
	require.NoError(b, db.Close())
	info, err := os.Stat(path)
	require.NoError(b, err)
	b.Logf("store file: %d KiB", info.Size()>>10)

	for _, skip := range []bool{false, true} {
		b.Run(fmt.Sprintf("SkipVerify=%v", skip), func(b *testing.B) {
			for b.Loop() {
				db, err := boltstore.Open(path, boltstore.Options{SkipVerify: skip})
				require.NoError(b, err)
				require.NoError(b, db.Close())
			}
		})
	}
}

// BenchmarkPollerStateBytesPerRecord measures what the poller state of
// one resource costs in the file: 100,000 records committed in one Change
// (a first baseline), then 10 cycles of 1,000 updates. bytes/record is
// the pages in use per record (bbolt grows the file ahead of need, so
// its size says less); the commit of the baseline is the time per op.
func BenchmarkPollerStateBytesPerRecord(b *testing.B) {
	for _, tt := range []struct {
		name string
		id   func(n int) string
	}{
		{"numeric", func(n int) string { return strconv.Itoa(10_000_000 + n) }},
		{"string", func(n int) string { return fmt.Sprintf("rec-%07d", n) }},
		{"uuid", func(n int) string { return fmt.Sprintf("%08x-9c1e-4b7a-8d2f-%012x", uint32(n*2654435761), n) }},
	} {
		b.Run(tt.name, func(b *testing.B) {
			const n = 100_000
			c := poller.Change{Watermark: t0, Cycles: 1, Upsert: make(map[string]poller.Record, n)}
			for i := range n {
				c.Upsert[tt.id(i)] = poller.Record{Updated: t0.Add(time.Duration(i) * time.Second).UnixNano(), Hash: uint64(i) * 0x9E3779B97F4A7C15}
			}
			var perRecord float64
			for b.Loop() {
				b.StopTimer()
				db, err := boltstore.Open(filepath.Join(b.TempDir(), "state.db"), boltstore.Options{})
				require.NoError(b, err)
				s := db.PollerState()
				base := db.UsedBytes()
				b.StartTimer()
				require.NoError(b, s.Commit(b.Context(), key, c))
				b.StopTimer()
				for cycle := range 10 {
					u := poller.Change{Watermark: t0.Add(time.Duration(cycle+1) * time.Hour), Cycles: int64(cycle + 2), Upsert: map[string]poller.Record{}}
					for i := range 1000 {
						j := (cycle*7919 + i*97) % n
						u.Upsert[tt.id(j)] = poller.Record{Updated: int64(cycle), Hash: uint64(j)}
					}
					require.NoError(b, s.Commit(b.Context(), key, u))
				}
				perRecord = float64(db.UsedBytes()-base) / n
				require.NoError(b, db.Close())
				b.StartTimer()
			}
			b.ReportMetric(perRecord, "bytes/record")
		})
	}
}
