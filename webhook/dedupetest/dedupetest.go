// Package dedupetest is the conformance suite for implementations of
// [webhook.Deduper] (and so of receiver.Deduper, which has the same
// methods). The in-memory deduper, the embedded file store and PostgreSQL
// all run it, so they are interchangeable under a Handler or a Receiver.
//
// Run it from a test in the implementation's package, handing it a
// constructor that returns a deduper reading the given clock:
//
//	func TestDeduper(t *testing.T) {
//		dedupetest.Run(t, func(t *testing.T, clock clockwork.Clock) webhook.Deduper {
//			return mystore.NewDeduper(clock)
//		})
//	}
//
// Every case uses keys of its own, so dedupers that share one table (one
// database for every subtest) may be returned.
package dedupetest

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/internal/suite"
	"github.com/a12b7632/elementevents/webhook"
)

// t0 is the fake clock's start.
var t0 = time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)

// Run runs the conformance suite against the dedupers newDeduper returns,
// each on a fake clock of its own that the suite advances. Subtests run in
// parallel, so newDeduper may be called concurrently.
func Run(t *testing.T, newDeduper func(t *testing.T, clock clockwork.Clock) webhook.Deduper) {
	t.Helper()
	suite.Run(t, groups, func(t *testing.T) *rig {
		clock := clockwork.NewFakeClockAt(t0)
		return &rig{t: t, d: newDeduper(t, clock), clock: clock, prefix: t.Name() + "/"}
	})
}

// rig is one case's deduper, its clock, and its key prefix.
type rig struct {
	t      *testing.T
	d      webhook.Deduper
	clock  *clockwork.FakeClock
	prefix string
}

func (r *rig) key(k string) string { return r.prefix + k }

func (r *rig) mark(k string, ttl time.Duration) {
	r.t.Helper()
	require.NoError(r.t, r.d.Mark(r.t.Context(), r.key(k), ttl), "Mark(%q, %s)", k, ttl)
}

func (r *rig) seen(k string) bool {
	r.t.Helper()
	seen, err := r.d.Seen(r.t.Context(), r.key(k))
	require.NoError(r.t, err, "Seen(%q)", k)
	return seen
}

type testCase = suite.Case[*rig]

var groups = []suite.Group[*rig]{
	{Name: "Seen", Cases: []testCase{
		{Name: "UnknownKey", Test: testUnknown},
		{Name: "UntilTheTTLRunsOut", Test: testTTL},
		{Name: "OnlyTheMarkedKey", Test: testOnlyMarked},
	}},
	{Name: "Mark", Cases: []testCase{
		{Name: "AgainReplacesTheTTL", Test: testMarkAgain},
		{Name: "NonPositiveTTLExpiresAtOnce", Test: testNonPositiveTTL},
		{Name: "ManyKeys", Test: testManyKeys},
		{Name: "Concurrent", Test: testConcurrent},
	}},
}

func testUnknown(t *testing.T, r *rig) {
	require.False(t, r.seen("never-marked"))
}

func testTTL(t *testing.T, r *rig) {
	r.mark("a", time.Minute)
	require.True(t, r.seen("a"))
	r.clock.Advance(time.Minute - time.Millisecond)
	require.True(t, r.seen("a"), "still inside the TTL")
	r.clock.Advance(time.Millisecond)
	require.False(t, r.seen("a"), "expired when the TTL has run out")
}

func testOnlyMarked(t *testing.T, r *rig) {
	long := strings.Repeat("k", 10_000)
	r.mark("a", time.Hour)
	r.mark(long+"1", time.Hour)
	for _, k := range []string{"b", "A", "a ", " a", "aa", long + "2", long, "a\x00"} {
		require.False(t, r.seen(k), "Seen(%.20q) after marking only other keys", k)
	}
	require.True(t, r.seen(long+"1"))
}

func testMarkAgain(t *testing.T, r *rig) {
	r.mark("longer", time.Minute)
	r.clock.Advance(30 * time.Second)
	r.mark("longer", time.Minute) // now until 90 s
	r.clock.Advance(45 * time.Second)
	require.True(t, r.seen("longer"), "the second mark holds past the first")
	r.clock.Advance(15 * time.Second)
	require.False(t, r.seen("longer"))

	r.mark("shorter", time.Hour)
	r.mark("shorter", time.Second) // a shorter TTL replaces a longer one
	r.clock.Advance(time.Second)
	require.False(t, r.seen("shorter"))
}

func testNonPositiveTTL(t *testing.T, r *rig) {
	r.mark("zero", 0)
	r.mark("negative", -time.Hour)
	require.False(t, r.seen("zero"))
	require.False(t, r.seen("negative"))
}

func testManyKeys(t *testing.T, r *rig) {
	const n = 1000
	for i := range n {
		r.mark("k"+strconv.Itoa(i), time.Minute)
	}
	for i := range n {
		require.True(t, r.seen("k"+strconv.Itoa(i)), "key %d", i)
	}
	r.clock.Advance(time.Minute)
	for i := 0; i < n; i += 97 {
		require.False(t, r.seen("k"+strconv.Itoa(i)), "key %d after the TTL", i)
	}
}

func testConcurrent(t *testing.T, r *rig) {
	const workers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				k := r.key(fmt.Sprintf("w%d-%d", w, i))
				if err := r.d.Mark(t.Context(), k, time.Hour); err != nil {
					errs <- err
					return
				}
				if seen, err := r.d.Seen(t.Context(), k); err != nil || !seen {
					errs <- fmt.Errorf("Seen(%q) = %v, %v right after Mark", k, seen, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}
