package riverstore_test

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/engine"
	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/poller"
	consumer "github.com/a12b7632/elementevents/receiver"
	"github.com/a12b7632/elementevents/riverstore"
	"github.com/a12b7632/elementevents/signature"
	"github.com/a12b7632/elementevents/vendortest"
)

// claimRig is three engines sharing one database, as three replicas: the
// instance store, the claimer, the poller state and the token store of
// riverstore, each replica on a pool of its own with its own in-memory
// notify outbox and event log; one fake clock, one fake WooCommerce store,
// one receiver.
type claimRig struct {
	t        *testing.T
	admin    *pgxpool.Pool
	schema   string
	clock    *clockwork.FakeClock
	woo      *vendortest.WooCommerce
	recv     *claimReceiver
	replicas []*claimReplica
}

// claimReplica is one replica's engine and what its Claimer answered.
type claimReplica struct {
	eng *engine.Engine
	countingClaimer
}

// countingClaimer counts the claims an engine asked for and was granted.
type countingClaimer struct {
	engine.Claimer
	t              *testing.T
	now            func() time.Time
	asked, granted atomic.Int64
}

func (c *countingClaimer) Claim(ctx context.Context, id string, version int64, window time.Time) (bool, error) {
	ok, err := c.Claimer.Claim(ctx, id, version, window)
	if err != nil && ctx.Err() == nil {
		c.t.Errorf("claim %s v%d %v: %v", id, version, window, err)
	}
	c.asked.Add(1)
	c.t.Logf("claim %s v%d %v -> %v (%v)", id, version, window.Format("15:04:05"), ok, c.now().Format("15:04:05"))
	if ok {
		c.granted.Add(1)
	}
	return ok, err
}

func newClaimRig(t *testing.T) *claimRig {
	t.Helper()
	admin := connect(t, "", 4)
	r := &claimRig{t: t, admin: admin, schema: newSchema(t, admin), clock: clockwork.NewFakeClockAt(claimT0.Add(-claimReload / 2))}
	r.recv = newClaimReceiver(t, r.clock)
	r.woo = vendortest.ServeWooCommerce(t, vendortest.WooConfig{Key: wooKey, Secret: wooSecret, Clock: r.clock})
	guard := netguard.Guard{AllowPrivate: true}
	for range 3 {
		pool := connect(t, r.schema, 8)
		sc := riverstore.StoreConfig{Schema: r.schema, Clock: r.clock}
		store, err := riverstore.NewInstanceStore(pool, sc)
		require.NoError(t, err)
		claimer, err := riverstore.NewClaimer(pool, sc)
		require.NoError(t, err)
		state, err := riverstore.NewState(pool, sc)
		require.NoError(t, err)
		tokens, err := riverstore.NewTokenStore(pool, sc)
		require.NoError(t, err)
		rep := &claimReplica{countingClaimer: countingClaimer{Claimer: claimer, t: t, now: r.clock.Now}}
		cfg := engine.Config{
			Store: store, Claimer: &rep.countingClaimer, State: state, Tokens: tokens,
			Reload: claimReload, Clock: r.clock, Logger: quiet,
			Poller: func(*element.Instance) poller.Config {
				return poller.Config{Guard: guard, SingleSnapshotDeletes: true}
			},
		}
		cfg.Notify.Policy.Guard = guard
		rep.eng, err = engine.New(cfg)
		require.NoError(t, err)
		r.replicas = append(r.replicas, rep)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- rep.eng.Run(ctx) }()
		t.Cleanup(func() {
			cancel()
			select {
			case err := <-done:
				require.NoError(t, err)
			case <-time.After(10 * time.Second):
				t.Error("Run did not return after its context ended")
			}
		})
	}
	time.Sleep(100 * time.Millisecond) // the engines' tickers start on the clock as it is
	return r
}

// claimReload is how often the replicas reload the instances. The rig's
// clock starts half of it before a whole minute, so that the replicas
// reload a quarter minute after the start of each window (see toBefore).
const claimReload = 30 * time.Second

const (
	wooKey    = "ck_claims_0123456789abcdef0123456789abcdef"
	wooSecret = "cs_claims_0123456789abcdef0123456789abcdef"
)

// body returns a polling instance of the fake store, its customers polled
// every interval minutes, signed with testKey for the receiver.
func (r *claimRig) body(id string, interval int) []byte {
	return vendortest.WooPollingBody(vendortest.WooInstance{ID: id, StoreURL: r.woo.URL(), Key: wooKey, Secret: wooSecret,
		CallbackURL: r.recv.srv.URL + "/cb", SignatureKey: string(testKey), RefreshMinutes: interval})
}

// step is the real time the replicas get after each fake second.
func step() time.Duration {
	if raceEnabled {
		return 10 * time.Millisecond
	}
	return 4 * time.Millisecond
}

// during advances the clock by d, a second at a time.
func (r *claimRig) during(d time.Duration) {
	end := r.clock.Now().Add(d)
	for r.clock.Now().Before(end) {
		r.clock.Advance(time.Second)
		time.Sleep(step())
	}
}

// until advances the clock a second at a time until cond holds, or fails
// the test after limit of fake time.
func (r *claimRig) until(limit time.Duration, cond func() bool, msg string) {
	r.t.Helper()
	end := r.clock.Now().Add(limit)
	for !cond() {
		if r.clock.Now().After(end) {
			r.t.Fatalf("after %v of fake time: %s", limit, msg)
		}
		r.clock.Advance(time.Second)
		time.Sleep(step())
	}
}

// polls returns the fake clock's times of the store's customer list
// requests, each a poll.
func (r *claimRig) polls() []time.Time {
	var at []time.Time
	for _, req := range r.woo.Log().Since(0) {
		if req.Resource == "customers" {
			at = append(at, req.At)
		}
	}
	return at
}

// requireOncePerWindow checks that the polls since from fall one in each
// window of every, in every window from from's to the last one that has
// fully passed, and that they are as many as the claims of id since from.
func (r *claimRig) requireOncePerWindow(id string, from time.Time, every time.Duration) {
	r.t.Helper()
	per := map[time.Time]int{}
	n := 0
	for _, at := range r.polls() {
		if !at.Before(from) {
			per[at.Truncate(every)]++
			n++
		}
	}
	last := r.clock.Now().Truncate(every).Add(-every)
	for w := from.Truncate(every); !w.After(last); w = w.Add(every) {
		require.Equal(r.t, 1, per[w], "polls in the window of %v; all: %v", w, per)
	}
	var claims int
	require.NoError(r.t, r.admin.QueryRow(r.t.Context(), "SELECT count(*) FROM "+pgx.Identifier{r.schema, "elementevents_claim"}.Sanitize()+
		" WHERE instance = $1 AND window_start >= $2", id, from.Truncate(every)).Scan(&claims))
	require.Equal(r.t, n, claims, "each claim polled once, no poll without a claim")
}

// granted returns how many claims each replica was granted.
func (r *claimRig) granted() []int64 {
	var out []int64
	for _, rep := range r.replicas {
		out = append(out, rep.granted.Load())
	}
	return out
}

// asked returns how many claims the replicas asked for, together.
func (r *claimRig) asked() int64 {
	var n int64
	for _, rep := range r.replicas {
		n += rep.asked.Load()
	}
	return n
}

// settle waits in real time, the clock standing still, until cond holds:
// for what the replicas do at once, whatever the machine's load.
func (r *claimRig) settle(cond func() bool, msg string) {
	r.t.Helper()
	eventually(r.t, 10*time.Second, cond, msg)
}

// toBefore advances the clock to 14 s before the next window of every:
// just after the replicas reloaded, so that they poll that window (in its
// first tenth, 12 s at most) before their next reload.
func (r *claimRig) toBefore(every time.Duration) {
	for r.clock.Now().Add(14*time.Second).Sub(r.clock.Now().Add(14*time.Second).Truncate(every)) != 0 {
		r.clock.Advance(time.Second)
		time.Sleep(step())
	}
}

// TestEngineReplicasPollEachIntervalOnce runs an instance on three
// engines that share PostgreSQL: created through one, each interval is
// polled by exactly one of them; a new customer is notified once; a patch
// through another applies to all; a disable or a delete through a third
// stops it everywhere at once (the others, still running the version they
// loaded, are refused their claims) and, after one reload interval, the
// others no longer run it. Not parallel: the replicas get a few
// milliseconds of real time per fake second, which other tests' load
// would eat into.
func TestEngineReplicasPollEachIntervalOnce(t *testing.T) {
	r := newClaimRig(t)
	one, two, three := r.replicas[0].eng, r.replicas[1].eng, r.replicas[2].eng
	ctx := t.Context()
	r.during(3 * time.Second)

	inst, err := one.Create(ctx, "acme", r.body("7", 1))
	require.NoError(t, err)
	created := r.clock.Now()
	r.settle(func() bool { return len(r.polls()) == 1 }, "not polled at once")

	r.during(10 * time.Minute)
	r.requireOncePerWindow("7", created, time.Minute)
	sharing := 0
	for _, g := range r.granted() {
		if g > 0 {
			sharing++
		}
	}
	require.GreaterOrEqual(t, sharing, 2, "the replicas share the polling: %v", r.granted())

	// A new customer is reported once across the replicas.
	now := r.clock.Now()
	r.woo.PutCustomer(vendortest.Customer{ID: 4, Email: "c4@example.com", FirstName: "C", LastName: "D", Username: "c4", Created: now, Modified: now})
	r.until(2*time.Minute, func() bool { return len(r.recv.counts()) == 1 }, "the new customer was not reported")
	r.during(3 * time.Minute)
	require.Len(t, r.recv.counts(), 1)
	for id, n := range r.recv.counts() {
		require.Equal(t, 1, n, "event %s delivered once", id)
	}

	// A patch through replica 2 applies everywhere: every 2 minutes.
	const every = 2 * time.Minute
	patched, err := two.Patch(ctx, "acme", inst.ID, inst.Version, []byte(`{"configuration": {"event.poller.refresh_interval": "2"}}`))
	require.NoError(t, err)
	require.Equal(t, int64(2), patched.Version)
	r.during(claimReload + every) // every replica reloaded, the current window passed
	from := r.clock.Now().Truncate(every)
	r.during(10 * time.Minute)
	r.requireOncePerWindow("7", from, every)

	// Disabled through replica 3 just before a window: the two others ask
	// to poll that window with the version they run, and are refused.
	r.toBefore(every)
	t.Logf("disable at %v", r.clock.Now())
	_, err = three.SetEnabled(ctx, "acme", inst.ID, false)
	require.NoError(t, err)
	polls, granted, asked := len(r.polls()), r.granted(), r.asked()
	r.during(26 * time.Second) // the window's first tenth, not its reload
	r.settle(func() bool { return r.asked() >= asked+2 }, "the replicas that ran the enabled version did not ask")
	r.during(5 * time.Minute)
	require.Equal(t, polls, len(r.polls()), "a disabled instance is polled by no replica")
	require.Equal(t, granted, r.granted(), "no claim granted for a disabled instance")

	// Enabled through replica 1: polled again at once.
	_, err = one.SetEnabled(ctx, "acme", inst.ID, true)
	require.NoError(t, err)
	r.settle(func() bool { return len(r.polls()) > polls }, "not polled again once enabled")

	// Deleted through replica 3 just before a window: refused to the
	// others at once, and dropped by them at their next reload.
	r.toBefore(every)
	require.NoError(t, three.Delete(ctx, "acme", inst.ID, 0))
	polls, granted, asked = len(r.polls()), r.granted(), r.asked()
	r.during(26 * time.Second)
	r.settle(func() bool { return r.asked() >= asked+2 }, "the replicas that ran the instance did not ask")
	r.during(claimReload)
	asked = r.asked()
	r.during(5 * time.Minute)
	require.Equal(t, polls, len(r.polls()), "a deleted instance is polled by no replica")
	require.Equal(t, granted, r.granted(), "no claim granted for a deleted instance")
	require.Equal(t, asked, r.asked(), "every replica dropped the deleted instance within a reload interval")
	for _, rep := range r.replicas {
		_, err := rep.eng.Get(ctx, "acme", inst.ID)
		require.ErrorIs(t, err, engine.ErrNotFound)
	}
}

// claimReceiver verifies the notifications on the rig's clock and counts
// their events by id.
type claimReceiver struct {
	srv *httptest.Server

	mu     sync.Mutex
	events map[string]int
}

func newClaimReceiver(t *testing.T, clock clockwork.Clock) *claimReceiver {
	t.Helper()
	rc := &claimReceiver{events: map[string]int{}}
	verify, err := consumer.New(consumer.Config{Keys: []signature.Key{testKey}, Deduper: noDedupe{}, Clock: clock, Logger: quiet})
	require.NoError(t, err)
	rc.srv = httptest.NewServer(verify.Middleware(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var n events.Notification
		if err := json.NewDecoder(req.Body).Decode(&n); err != nil {
			t.Errorf("notification: %v", err)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		rc.mu.Lock()
		defer rc.mu.Unlock()
		for _, e := range n.Message.Events {
			rc.events[events.NewID(n.Message.InstanceID, e.ObjectType, e.ObjectID, e.EventType, e.Date)]++
		}
	})))
	t.Cleanup(rc.srv.Close)
	return rc
}

// counts returns a copy of the events received, by id.
func (rc *claimReceiver) counts() map[string]int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return maps.Clone(rc.events)
}
