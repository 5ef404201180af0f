package boltstore_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/boltstore"
	"github.com/a12b7632/elementevents/notify"
	"github.com/a12b7632/elementevents/notify/notifytest"
	"github.com/a12b7632/elementevents/poller"
)

// TestDamagedFilesNeverPanic damages a populated store in seeded random
// ways (bytes flipped in a page, a page of garbage, a zeroed page, a page
// copied over another, the file cut short, the meta pages hit) and opens
// it. Open must fail with ErrCorrupt or ErrForeignFile, or succeed; after
// a successful Open every call must return a result or ErrCorrupt (or
// the ErrNotFound of the outbox contract). A panic or a memory fault ends
// the test binary, which fails the test.
func TestDamagedFilesNeverPanic(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pristine := filepath.Join(dir, "pristine.db")
	populate(t, pristine)
	// Only the pages in use: the rest of the file is sparse room to grow.
	require.NoError(t, os.Truncate(pristine, usedSize(t, pristine)))
	orig, err := os.ReadFile(pristine)
	require.NoError(t, err)
	const ps = 4096
	pages := len(orig) / ps

	runs := 300
	if raceEnabled || testing.Short() {
		runs = 80 // one goroutine: the race detector only slows it down
	}
	outcomes := map[string]int{}
	for seed := range runs {
		rng := rand.New(rand.NewPCG(uint64(seed), 0xda3a9e))
		b := append([]byte(nil), orig...)
		page := 2 + rng.IntN(pages-2)
		kind := []string{"flip", "garbage", "zero", "copy", "truncate", "meta", "flip"}[seed%7]
		switch kind {
		case "flip":
			for range 1 + rng.IntN(16) {
				b[page*ps+rng.IntN(ps)] ^= byte(1 + rng.IntN(255))
			}
		case "garbage":
			for i := range ps {
				b[page*ps+i] = byte(rng.Uint32())
			}
		case "zero":
			clear(b[page*ps : (page+1)*ps])
		case "copy":
			other := 2 + rng.IntN(pages-2)
			copy(b[page*ps:(page+1)*ps], orig[other*ps:(other+1)*ps])
		case "truncate":
			b = b[:rng.IntN(len(b))]
		case "meta":
			for range 1 + rng.IntN(4) {
				b[rng.IntN(2)*ps+rng.IntN(128)] ^= byte(1 + rng.IntN(255))
			}
		}
		path := filepath.Join(dir, fmt.Sprintf("damaged-%d.db", seed))
		require.NoError(t, os.WriteFile(path, b, 0o600))
		outcome := exercise(t, path, fmt.Sprintf("seed %d (%s page %d)", seed, kind, page))
		outcomes[kind+": "+outcome]++
		require.NoError(t, os.Remove(path))
	}
	t.Logf("outcomes: %v", outcomes)
}

// exercise opens a damaged store and calls every method, failing t on
// any error that is not ErrCorrupt (or the contract's ErrNotFound). It
// returns what happened, for the log.
func exercise(t *testing.T, path, what string) string {
	t.Helper()
	db, err := boltstore.Open(path, boltstore.Options{})
	if err != nil {
		require.Truef(t, errors.Is(err, boltstore.ErrCorrupt) || errors.Is(err, boltstore.ErrForeignFile),
			"%s: Open: %v", what, err)
		if errors.Is(err, boltstore.ErrCorrupt) {
			return "refused corrupt"
		}
		return "refused foreign"
	}
	defer func() { require.NoError(t, db.Close(), what) }()
	ctx := t.Context()
	corrupt := 0
	check := func(call string, err error) {
		t.Helper()
		if err == nil || errors.Is(err, notify.ErrNotFound) {
			return
		}
		require.ErrorIsf(t, err, boltstore.ErrCorrupt, "%s: %s", what, call)
		corrupt++
	}
	o := db.Outbox()
	_, err = o.List(ctx, notify.Filter{})
	check("List", err)
	_, err = o.List(ctx, notify.Filter{Endpoint: epB, State: notify.Pending, Limit: 5})
	check("List filtered", err)
	_, err = o.Endpoints(ctx)
	check("Endpoints", err)
	for _, ep := range []string{epA, epB} {
		ds, err := o.Claim(ctx, ep, t0.Add(2*time.Hour), time.Minute, 4)
		check("Claim", err)
		for i, d := range ds {
			switch i % 4 {
			case 0:
				check("Ack", o.Ack(ctx, d.ID, notify.Attempt{}))
			case 1:
				check("Retry", o.Retry(ctx, d.ID, notify.Attempt{At: t0, Status: 500}, t0.Add(3*time.Hour)))
			case 2:
				check("DeadLetter", o.DeadLetter(ctx, d.ID, notify.Attempt{}, "x"))
				check("Replay", o.Replay(ctx, d.ID, t0))
			default:
				check("Release", o.Release(ctx, d.ID, t0))
			}
		}
	}
	check("Enqueue", o.Enqueue(ctx, t0, notifytest.NewDelivery("new", epA, "k1")))
	check("SetDisabled", o.SetDisabled(ctx, epB, true, "x"))

	s := db.PollerState()
	_, err = s.Load(ctx, key)
	check("Load", err)
	check("Commit", s.Commit(ctx, key, poller.Change{Watermark: t0, Cycles: 4,
		Upsert: map[string]poller.Record{"1": {}, "new": {}}, Delete: []string{"2", "rec-3"}, Missing: map[string]int{}}))
	_, err = s.Load(ctx, key)
	check("Load again", err)

	dd := db.Deduper()
	_, err = dd.Seen(ctx, "delivery-7")
	check("Seen", err)
	check("Mark", dd.Mark(ctx, "delivery-new", time.Minute))
	_, err = db.PurgeExpired(ctx)
	check("PurgeExpired", err)
	if corrupt > 0 {
		return "opened, some calls corrupt"
	}
	return "opened, all calls fine"
}
