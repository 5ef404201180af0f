package riverstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/engine"
	"github.com/a12b7632/elementevents/riverstore"
)

// claimT0 is a window start of the claim tests.
var claimT0 = time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)

// claimFixture is an instance store and a claimer on one fresh schema.
type claimFixture struct {
	pool    *pgxpool.Pool
	schema  string
	clock   *clockwork.FakeClock
	store   engine.InstanceStore
	claimer engine.Claimer
}

func newClaimFixture(t *testing.T, maxConns int32) *claimFixture {
	t.Helper()
	pool, schema := setup(t, maxConns)
	f := &claimFixture{pool: pool, schema: schema, clock: clockwork.NewFakeClockAt(claimT0)}
	cfg := riverstore.StoreConfig{Schema: schema, Clock: f.clock}
	var err error
	f.store, err = riverstore.NewInstanceStore(pool, cfg)
	require.NoError(t, err)
	f.claimer, err = riverstore.NewClaimer(pool, cfg)
	require.NoError(t, err)
	return f
}

// put stores instance id at version 1, enabled or not.
func (f *claimFixture) put(t *testing.T, id string, enabled bool) engine.Record {
	t.Helper()
	rec := engine.Record{Tenant: "t", ID: id, Version: 1, Body: json.RawMessage(`{}`),
		ElementKey: "woocommercerest", VendorType: "polling", Enabled: enabled, Created: claimT0, Updated: claimT0}
	require.NoError(t, f.store.Create(t.Context(), rec))
	return rec
}

// windows returns the windows claimed for id, oldest first.
func (f *claimFixture) windows(t *testing.T, id string) []time.Time {
	t.Helper()
	rows, err := f.pool.Query(t.Context(), "SELECT window_start FROM elementevents_claim WHERE instance = $1 ORDER BY window_start", id)
	require.NoError(t, err)
	ws, err := pgx.CollectRows(rows, pgx.RowTo[time.Time])
	require.NoError(t, err)
	for i := range ws {
		ws[i] = ws[i].UTC()
	}
	return ws
}

func TestClaim(t *testing.T) {
	t.Parallel()
	f := newClaimFixture(t, 4)
	w := claimT0
	enabled := func(t *testing.T, id string) { f.put(t, id, true) }
	type call struct {
		version int64
		window  time.Time
		want    bool
	}
	tests := []struct {
		name    string
		prepare func(t *testing.T, id string) // stores the instance
		calls   []call
	}{
		{"first caller gets it, the second does not", enabled, []call{{1, w, true}, {1, w, false}, {1, w, false}}},
		{"another window is another claim", enabled, []call{{1, w, true}, {1, w.Add(time.Minute), true}, {1, w.Add(time.Minute), false}, {1, w, false}}},
		{"the same instant in another zone is the same window", enabled, []call{{1, w, true}, {1, w.In(time.FixedZone("X", 3600)), false}}},
		{"a stale version is refused and claims nothing", func(t *testing.T, id string) {
			rec := f.put(t, id, true)
			rec.Version = 2
			require.NoError(t, f.store.Update(t.Context(), rec))
		}, []call{{1, w, false}, {2, w, true}}},
		{"a version not yet stored is refused", enabled, []call{{2, w, false}, {1, w, true}}},
		{"a disabled instance is refused", func(t *testing.T, id string) { f.put(t, id, false) }, []call{{1, w, false}, {1, w.Add(time.Minute), false}}},
		{"disabled after a claim: the next window is refused", func(t *testing.T, id string) {
			rec := f.put(t, id, true)
			require.True(t, claim(t, f.claimer, id, 1, w))
			rec.Version, rec.Enabled = 2, false
			require.NoError(t, f.store.Update(t.Context(), rec))
		}, []call{{1, w.Add(time.Minute), false}, {2, w.Add(time.Minute), false}}},
		{"a deleted instance is refused", func(t *testing.T, id string) {
			f.put(t, id, true)
			require.NoError(t, f.store.Delete(t.Context(), "t", id, 1))
		}, []call{{1, w, false}}},
		{"an unknown instance is refused", func(*testing.T, string) {}, []call{{1, w, false}}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := fmt.Sprintf("claim-%d", i)
			tt.prepare(t, id)
			for j, c := range tt.calls {
				require.Equal(t, c.want, claim(t, f.claimer, id, c.version, c.window), "call %d: version %d, window %v", j, c.version, c.window)
			}
		})
	}
}

func claim(t *testing.T, c engine.Claimer, id string, version int64, window time.Time) bool {
	t.Helper()
	ok, err := c.Claim(t.Context(), id, version, window)
	require.NoError(t, err)
	return ok
}

// TestClaimConcurrent has 20 callers on three pools (as three replicas)
// claim one window at once, round after round: exactly one wins each.
func TestClaimConcurrent(t *testing.T) {
	t.Parallel()
	f := newClaimFixture(t, 4)
	f.put(t, "race", true)
	var cs []engine.Claimer
	for range 3 {
		c, err := riverstore.NewClaimer(connect(t, f.schema, 8), riverstore.StoreConfig{Schema: f.schema})
		require.NoError(t, err)
		cs = append(cs, c)
	}
	for round := range 10 {
		window := claimT0.Add(time.Duration(round) * time.Minute)
		start := make(chan struct{})
		var won atomic.Int32
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Go(func() {
				<-start
				ok, err := cs[i%len(cs)].Claim(context.Background(), "race", 1, window)
				if err != nil {
					t.Errorf("caller %d: %v", i, err)
				}
				if ok {
					won.Add(1)
				}
			})
		}
		close(start)
		wg.Wait()
		require.Equal(t, int32(1), won.Load(), "round %d: one of 20 callers claims the window", round)
	}
	require.Len(t, f.windows(t, "race"), 10)
}

// TestClaimPrunes checks that a Claim deletes the claims more than a day
// older than its window, of every instance, at most once a minute, but
// not an instance's newest (its interval may be longer than a day).
func TestClaimPrunes(t *testing.T) {
	t.Parallel()
	f := newClaimFixture(t, 4)
	f.put(t, "a", true)
	f.put(t, "gone", true)
	f.put(t, "weekly", true)
	day := 24 * time.Hour
	require.True(t, claim(t, f.claimer, "a", 1, claimT0))      // prunes (nothing yet)
	require.True(t, claim(t, f.claimer, "gone", 1, claimT0))   // within the minute: no prune
	require.True(t, claim(t, f.claimer, "weekly", 1, claimT0)) // a week's window
	require.NoError(t, f.store.Delete(t.Context(), "t", "gone", 1))
	require.True(t, claim(t, f.claimer, "a", 1, claimT0.Add(day+2*time.Minute)))
	require.True(t, claim(t, f.claimer, "a", 1, claimT0.Add(2*day)))
	require.Equal(t, []time.Time{claimT0, claimT0.Add(day + 2*time.Minute), claimT0.Add(2 * day)}, f.windows(t, "a"),
		"no prune twice in a minute")
	require.Len(t, f.windows(t, "gone"), 1)

	f.clock.Advance(time.Minute)
	require.True(t, claim(t, f.claimer, "a", 1, claimT0.Add(2*day+time.Minute)))
	require.Equal(t, []time.Time{claimT0.Add(day + 2*time.Minute), claimT0.Add(2 * day), claimT0.Add(2*day + time.Minute)}, f.windows(t, "a"),
		"windows more than a day older than the one claimed are pruned, the others kept")
	require.Empty(t, f.windows(t, "gone"), "a deleted instance's claims are pruned too")
	require.Equal(t, []time.Time{claimT0}, f.windows(t, "weekly"), "an instance's newest claim is kept")
	require.False(t, claim(t, f.claimer, "weekly", 1, claimT0), "and still refused")

	require.True(t, claim(t, f.claimer, "weekly", 1, claimT0.Add(7*day)))
	f.clock.Advance(time.Minute)
	require.True(t, claim(t, f.claimer, "a", 1, claimT0.Add(7*day)))
	require.Equal(t, []time.Time{claimT0.Add(7 * day)}, f.windows(t, "weekly"), "pruned once a newer one is claimed")
}

func TestClaimErrors(t *testing.T) {
	t.Parallel()
	_, err := riverstore.NewClaimer(nil, riverstore.StoreConfig{})
	require.ErrorIs(t, err, riverstore.ErrConfig)

	f := newClaimFixture(t, 4)
	for name, id := range map[string]string{"NUL": "inst\x00", "invalid UTF-8": "\xff"} {
		_, err := f.claimer.Claim(t.Context(), id, 1, claimT0)
		require.ErrorIs(t, err, engine.ErrInvalid, name)
	}

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = f.claimer.Claim(ctx, "inst-1", 1, claimT0)
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorContains(t, err, `instance "inst-1"`)

	_, err = f.pool.Exec(t.Context(), "DROP TABLE elementevents_claim")
	require.NoError(t, err)
	ok, err := f.claimer.Claim(t.Context(), "inst-1", 1, claimT0)
	require.False(t, ok)
	require.ErrorContains(t, err, `claim instance "inst-1" at version 1`)
}

// BenchmarkClaim measures claims of 1,000 instances, each claimed by
// three callers (as three replicas) of which one wins, 16 at a time.
func BenchmarkClaim(b *testing.B) {
	pool, schema := setup(b, 16)
	cfg := riverstore.StoreConfig{Schema: schema}
	store, err := riverstore.NewInstanceStore(pool, cfg)
	require.NoError(b, err)
	c, err := riverstore.NewClaimer(pool, cfg)
	require.NoError(b, err)
	const instances = 1000
	for i := range instances {
		require.NoError(b, store.Create(b.Context(), engine.Record{Tenant: "t", ID: fmt.Sprint("b-", i), Version: 1,
			Body: json.RawMessage(`{}`), Enabled: true, Created: claimT0, Updated: claimT0}))
	}
	var next atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := next.Add(1)
			call := n / 3 // three callers per (instance, window)
			id := fmt.Sprint("b-", call%instances)
			window := claimT0.Add(time.Duration(call/instances) * time.Minute)
			if _, err := c.Claim(context.Background(), id, 1, window); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "claims/s")
}
