package statetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/poller"
)

var loadCases = []testCase{
	{Name: "UnknownKeyIsEmpty", Test: testLoadUnknown},
	{Name: "CallerOwnsTheResult", Test: testLoadOwned},
	{Name: "CallerOwnsTheEmptyResult", Test: testLoadOwnedEmpty},
	{Name: "EarlierResultIsNotUpdatedByLaterCommits", Test: testLoadSnapshot},
}

// testLoadUnknown loads keys never committed to: no error, zero
// Watermark, zero Cycles, no records, no Missing counts.
func testLoadUnknown(t *testing.T, s poller.State) {
	for _, key := range []poller.StateKey{keyA, keyB, {}} {
		st := load(t, s, key)
		require.True(t, st.Watermark.IsZero(), "Watermark of %+v: %v", key, st.Watermark)
		require.Zero(t, st.Cycles, "Cycles of %+v", key)
		require.Zero(t, st.Records.Len(), "records of %+v", key)
		for _, id := range ids {
			_, ok := st.Records.Get(id)
			require.False(t, ok, "record %q of %+v", id, key)
		}
		require.Empty(t, st.Missing, "Missing of %+v", key)
	}
	// Loading leaves the key unknown.
	RequireState(t, empty(), load(t, s, keyA))
}

// testLoadOwned changes a loaded state every way a caller can, the way
// the poller does (applying its Change), then loads again.
func testLoadOwned(t *testing.T, s poller.State) {
	want := empty()
	step(t, s, keyA, want, poller.Change{
		Watermark: t0,
		Cycles:    3,
		Upsert:    upserts(0, ids...),
		Missing:   map[string]int{"42": 1, "gWq$x": 1},
	})

	got := load(t, s, keyA)
	got.Watermark = at(time.Hour)
	got.Cycles = 99
	var seen []string
	for id := range got.Records.All() {
		seen = append(seen, id)
	}
	for _, id := range seen[:len(seen)/2] {
		got.Records.Delete(id)
	}
	got.Records.Set("42", rec(99))
	got.Records.Set("gWq$x", rec(98))
	got.Records.Set("new", rec(97))
	got.Records.Set("4242", rec(96))
	if got.Missing != nil {
		got.Missing["42"] = 7
		got.Missing["new"] = 1
		delete(got.Missing, "gWq$x")
	}
	poller.Change{
		Watermark: at(2 * time.Hour),
		Cycles:    100,
		Upsert:    upserts(50, "1", "2", "x"),
		Delete:    []string{"0", "", "007"},
		Missing:   map[string]int{"9": 1},
	}.Apply(got)
	RequireState(t, want, load(t, s, keyA))

	// The store's own state is intact too: it goes on from what it held.
	step(t, s, keyA, want, poller.Change{Watermark: at(time.Minute), Cycles: 4, Upsert: upserts(10, "42")})
}

// testLoadOwnedEmpty changes the result of loading an unknown key: a
// store must not hand out a shared empty state.
func testLoadOwnedEmpty(t *testing.T, s poller.State) {
	got := load(t, s, keyA)
	got.Watermark = t0
	got.Cycles = 1
	got.Records.Set("42", rec(1))
	got.Records.Set("gWq$x", rec(2))
	if got.Missing != nil {
		got.Missing["42"] = 1
	}
	RequireState(t, empty(), load(t, s, keyA))
	RequireState(t, empty(), load(t, s, keyB))

	want := empty()
	step(t, s, keyB, want, poller.Change{Watermark: t0, Cycles: 1, Upsert: upserts(5, "7")})
	RequireState(t, empty(), load(t, s, keyA))
}

// testLoadSnapshot keeps a loaded state while the store moves on: what
// the caller holds does not change under it.
func testLoadSnapshot(t *testing.T, s poller.State) {
	want := empty()
	step(t, s, keyA, want, poller.Change{
		Watermark: t0,
		Cycles:    1,
		Upsert:    upserts(0, "1", "2", "3", "a", "b", "c"),
		Missing:   map[string]int{"1": 1, "a": 1},
	})
	held := load(t, s, keyA)
	before := cloneState(held)

	step(t, s, keyA, want, poller.Change{
		Watermark: at(time.Minute),
		Cycles:    2,
		Upsert:    upserts(100, "1", "a", "4", "d"),
		Delete:    []string{"2", "b"},
		Missing:   map[string]int{"1": 2, "3": 1},
	})
	step(t, s, keyA, want, poller.Change{Watermark: at(2 * time.Minute), Cycles: 3, Missing: map[string]int{}})
	RequireState(t, before, held)
}
