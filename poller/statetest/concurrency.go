package statetest

import (
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/poller"
)

var concurrencyCases = []testCase{
	{Name: "DifferentKeysLoseNothing", Test: testConcurrentKeys},
	{Name: "SameKeyDistinctIDsLoseNothing", Test: func(t *testing.T, s poller.State) { runSameKey(t, s, 8, 40, 0) }},
	{Name: "LoadSeesWholeCommits", Test: func(t *testing.T, s poller.State) { runSameKey(t, s, 3, 100, 4) }},
}

// errs collects the errors of goroutines, which must not call FailNow.
type errs struct {
	mu   sync.Mutex
	errs []error
	stop atomic.Bool
}

// add records err, if any, and reports whether it did.
func (e *errs) add(err error) bool {
	if err == nil {
		return false
	}
	e.mu.Lock()
	e.errs = append(e.errs, err)
	e.mu.Unlock()
	e.stop.Store(true)
	return true
}

func (e *errs) err() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return errors.Join(e.errs...)
}

// testConcurrentKeys runs writers at once, each committing a random run
// of Changes to its own key (keys share instances and resources), and
// loading it back after every Commit.
func testConcurrentKeys(t *testing.T, s poller.State) {
	const writers, commits = 16, 40
	ctx := t.Context()
	key := func(w int) poller.StateKey {
		return poller.StateKey{Instance: fmt.Sprintf("inst-%d", w%4), Resource: fmt.Sprintf("res-%d", w/4)}
	}
	var (
		e     errs
		wg    sync.WaitGroup
		final = make([]*poller.ResourceState, writers)
	)
	for w := range writers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			want := empty()
			for i := 0; i < commits && !e.stop.Load(); i++ {
				c := randomChange(rng, i)
				c.Apply(want)
				if e.add(s.Commit(ctx, key(w), c)) {
					return
				}
				got, err := s.Load(ctx, key(w))
				if e.add(err) {
					return
				}
				if d := diffState(want, got); d != "" {
					e.add(fmt.Errorf("%+v after commit %d:\n%s", key(w), i, d))
					return
				}
			}
			final[w] = want
		})
	}
	wg.Wait()
	require.NoError(t, e.err())
	for w := range writers {
		RequireState(t, final[w], load(t, s, key(w)))
	}
}

// sameKeyBatch is how many records each Commit of runSameKey upserts.
const sameKeyBatch = 5

// runSameKey runs writers committing to one key at once, each upserting
// its own ids (numbers for some writers, strings for others) and deleting
// some it upserted earlier, while readers load the key.
//
// Each Commit (number b) upserts a batch of records dated b+1, sets
// Cycles to b+1, the Watermark to b+1 seconds after t0 and Missing to
// one count named after b. So every Load, taken at any moment, must show
// every batch whole or not at all, and a Watermark, Cycles and Missing
// from the same Commit. At the end, no record is lost, and the Watermark,
// Cycles and Missing are those of some writer's last Commit.
func runSameKey(t *testing.T, s poller.State, writers, commits, readers int) {
	ctx := t.Context()
	key := keyA
	id := func(w, i, j int) string {
		if w%2 == 0 {
			return strconv.Itoa(1_000_000 + (w*commits+i)*sameKeyBatch + j)
		}
		return fmt.Sprintf("w%02d-c%03d-%d", w, i, j)
	}
	stamp := func(b int) string { return fmt.Sprintf("commit-%d", b) }
	batchOf := map[string]int{}
	for w := range writers {
		for i := range commits {
			for j := range sameKeyBatch {
				batchOf[id(w, i, j)] = w*commits + i
			}
		}
	}
	change := func(w, i int) poller.Change {
		b := w*commits + i
		c := poller.Change{
			Watermark: at(time.Duration(b+1) * time.Second),
			Cycles:    int64(b + 1),
			Upsert:    map[string]poller.Record{},
			Missing:   map[string]int{stamp(b): 1},
		}
		for j := range sameKeyBatch {
			c.Upsert[id(w, i, j)] = poller.Record{Updated: int64(b + 1), Hash: uint64(j)}
			if i%3 == 2 {
				c.Delete = append(c.Delete, id(w, i-1, j))
			}
		}
		return c
	}
	whole := func(st *poller.ResourceState) error {
		if st == nil {
			return errors.New("Load gave a nil state")
		}
		if st.Cycles == 0 {
			if d := diffState(empty(), st); d != "" {
				return fmt.Errorf("Load before any commit:\n%s", d)
			}
			return nil
		}
		b := int(st.Cycles) - 1
		if b < 0 || b >= writers*commits {
			return fmt.Errorf("Cycles %d was never committed", st.Cycles)
		}
		if w := at(time.Duration(b+1) * time.Second); !st.Watermark.Equal(w) {
			return fmt.Errorf("Cycles %d comes from commit %d, but the Watermark %v does not (want %v)", st.Cycles, b, st.Watermark, w)
		}
		if want := map[string]int{stamp(b): 1}; !maps.Equal(want, st.Missing) {
			return fmt.Errorf("Cycles %d comes from commit %d, but Missing %v does not (want %v)", st.Cycles, b, st.Missing, want)
		}
		seen := map[int]int{}
		for id, r := range st.Records.All() {
			b, ok := batchOf[id]
			if !ok {
				return fmt.Errorf("record %q was never committed", id)
			}
			if r.Updated != int64(b+1) || r.Hash >= sameKeyBatch {
				return fmt.Errorf("record %q: %+v was never committed", id, r)
			}
			seen[b]++
		}
		for b, n := range seen {
			if n != sameKeyBatch {
				return fmt.Errorf("commit %d seen in part: %d of its %d records", b, n, sameKeyBatch)
			}
		}
		return nil
	}

	var (
		e                   errs
		ready, writing, rwg sync.WaitGroup
		done                atomic.Bool
		loads, nonEmpty     atomic.Int64
	)
	// Writers start once every reader is loading, and yield after each
	// Commit, so that loads fall between commits.
	ready.Add(readers)
	for range readers {
		rwg.Go(func() {
			var once sync.Once
			defer once.Do(ready.Done)
			for !done.Load() && !e.stop.Load() {
				st, err := s.Load(ctx, key)
				once.Do(ready.Done)
				if e.add(err) || e.add(whole(st)) {
					return
				}
				loads.Add(1)
				if st.Cycles != 0 {
					nonEmpty.Add(1)
				}
				runtime.Gosched()
			}
		})
	}
	for w := range writers {
		writing.Go(func() {
			ready.Wait()
			for i := 0; i < commits && !e.stop.Load(); i++ {
				if e.add(s.Commit(ctx, key, change(w, i))) {
					return
				}
				runtime.Gosched()
			}
		})
	}
	writing.Wait()
	done.Store(true)
	rwg.Wait()
	require.NoError(t, e.err())
	if readers > 0 {
		t.Logf("%d loads by %d readers, %d after the first commit", loads.Load(), readers, nonEmpty.Load())
	}

	got := load(t, s, key)
	require.NoError(t, whole(got), "final state")
	last := -1
	want := empty()
	for w := range writers {
		for i := range commits {
			change(w, i).Apply(want)
		}
		if int(got.Cycles) == (w+1)*commits {
			last = w
		}
	}
	require.NotEqual(t, -1, last, "Cycles %d is not the last commit of a writer", got.Cycles)
	change(last, commits-1).Apply(want)
	RequireState(t, want, got)
}
