package riverstore_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/poller"
	"github.com/a12b7632/elementevents/riverstore"
)

// pollLog records the poll jobs of the tests.
type pollLog struct {
	mu    sync.Mutex
	infos []riverstore.PollInfo
}

func (l *pollLog) add(i riverstore.PollInfo) {
	l.mu.Lock()
	l.infos = append(l.infos, i)
	l.mu.Unlock()
}

func (l *pollLog) snapshot() []riverstore.PollInfo {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]riverstore.PollInfo(nil), l.infos...)
}

func pollConfig(interval time.Duration) func(*element.Instance) poller.Config {
	return func(*element.Instance) poller.Config {
		return poller.Config{Interval: interval, FirstRun: poller.EmitAll, Logger: quiet}
	}
}

// TestPollNeverOverlaps makes a poll outlast several intervals: the polls
// of the next intervals, on either of two replicas, wait for it instead of
// running beside it, and those it made too late are skipped.
func TestPollNeverOverlaps(t *testing.T) {
	t.Parallel()
	const interval = 300 * time.Millisecond
	pool, schema := setup(t, 8)
	v := newVendor(t)
	release := make(chan struct{})
	v.before = func(_ string, n int) {
		if n == 1 {
			<-release
		}
	}
	rc := newReceiver(t)
	inst := dayInstance(t, "slow", v.srv.URL, rc.srv.URL+"/events")
	var log pollLog
	for i := range 2 {
		p := pool
		if i > 0 {
			p = connect(t, schema, 8)
		}
		startReplica(t, p, riverstore.Config{Instances: []*element.Instance{inst}, Poller: pollConfig(interval), OnPoll: log.add})
	}
	time.Sleep(4 * interval)
	close(release)
	eventually(t, 10*time.Second, func() bool {
		ok := 0
		for _, i := range log.snapshot() {
			if !i.Skipped && i.Result.Err == nil {
				ok++
			}
		}
		return ok >= 4
	}, "polls go on once the slow one ends")

	v.mu.Lock()
	defer v.mu.Unlock()
	require.Equal(t, 1, v.maxIn, "never two polls of the resource at once")
	skipped := 0
	seen := map[int64]int{}
	for _, i := range log.snapshot() {
		if i.Skipped {
			skipped++
			continue
		}
		require.NoError(t, i.Result.Err)
		seen[i.Interval]++
	}
	require.Positive(t, skipped, "a poll held up beyond the next interval is skipped")
	for k, n := range seen {
		require.Equal(t, 1, n, "interval %d polled once", k)
	}
}

// TestPollIsAtomic makes the poller state's commit fail after the poll
// published its events: nothing of the poll is kept, no notification is
// sent, and the next poll, once the commit can succeed, sends them once.
func TestPollIsAtomic(t *testing.T) {
	t.Parallel()
	const interval = 250 * time.Millisecond
	pool, _ := setup(t, 8)
	ctx := t.Context()
	_, err := pool.Exec(ctx, `CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'refused by the test'; END $$;
		CREATE TRIGGER refuse BEFORE INSERT ON elementevents_poller_record FOR EACH ROW EXECUTE FUNCTION refuse();`)
	require.NoError(t, err)
	v := newVendor(t)
	rc := newReceiver(t)
	inst := dayInstance(t, "atomic", v.srv.URL, rc.srv.URL+"/events")
	var log pollLog
	r := startReplica(t, pool, riverstore.Config{Instances: []*element.Instance{inst}, Poller: pollConfig(interval), OnPoll: log.add})

	eventually(t, 10*time.Second, func() bool { return len(log.snapshot()) >= 3 }, "three polls")
	for _, i := range log.snapshot() {
		require.ErrorContains(t, i.Result.Err, "refused by the test")
		require.Positive(t, i.Result.Events["CREATED"], "the poll published before its commit failed")
	}
	time.Sleep(200 * time.Millisecond)
	require.Empty(t, rc.eventCounts(), "nothing of a failed poll is delivered")
	var jobs int
	require.NoError(t, pool.QueryRow(ctx, "SELECT count(*) FROM river_job WHERE kind = $1", "elementevents_deliver").Scan(&jobs))
	require.Zero(t, jobs, "no delivery job of a failed poll is left")
	st, err := r.State().Load(ctx, poller.StateKey{Instance: "atomic", Resource: "customers"})
	require.NoError(t, err)
	require.Zero(t, st.Cycles)

	_, err = pool.Exec(ctx, "DROP TRIGGER refuse ON elementevents_poller_record")
	require.NoError(t, err)
	want := v.expected(t)
	eventually(t, 10*time.Second, func() bool {
		v.mu.Lock()
		v.frozen = v.customers("atomic") >= 6
		v.mu.Unlock()
		got := rc.eventCounts()
		for id := range want {
			if got[id] == 0 {
				return false
			}
		}
		return true
	}, "the changes of the failed polls delivered by a later one")
	v.mu.Lock()
	v.frozen = true
	v.mu.Unlock()
	time.Sleep(2 * interval)
	for id, n := range rc.eventCounts() {
		require.Equal(t, 1, n, "event %s delivered once", id)
	}
}
