package statetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/poller"
)

// resetCases check [poller.ResetState] on the store: it goes through Load
// and Commit only, so a store that applies Changes as Change.Apply does
// forgets everything of the key it resets and nothing of another.
var resetCases = []testCase{
	{Name: "ForgetsEverythingOfTheKey", Test: testResetForgets},
	{Name: "LeavesOtherKeys", Test: testResetOtherKeys},
	{Name: "OfAnEmptyState", Test: testResetEmpty},
	{Name: "CommitsAfterStartFromEmpty", Test: testResetThenCommit},
}

// fill commits a watermark, cycles, records of every id shape and
// missing counts to key, and returns what Load gives after.
func fill(t *testing.T, s poller.State, key poller.StateKey, base int) *poller.ResourceState {
	t.Helper()
	missing := map[string]int{}
	for i, id := range ids[:5] {
		missing[id] = i + 1
	}
	step(t, s, key, empty(), poller.Change{Watermark: at(time.Duration(base) * time.Hour), Cycles: int64(base + 3),
		Upsert: upserts(base, ids...), Missing: missing})
	return load(t, s, key)
}

func reset(t *testing.T, s poller.State, key poller.StateKey) {
	t.Helper()
	require.NoError(t, poller.ResetState(t.Context(), s, key), "ResetState %+v", key)
}

func testResetForgets(t *testing.T, s poller.State) {
	fill(t, s, keyA, 0)
	reset(t, s, keyA)
	RequireState(t, empty(), load(t, s, keyA))
	reset(t, s, keyA) // again: nothing to forget
	RequireState(t, empty(), load(t, s, keyA))
}

func testResetOtherKeys(t *testing.T, s poller.State) {
	fill(t, s, keyA, 0)
	wantB := fill(t, s, keyB, 10)
	other := poller.StateKey{Instance: "inst-2", Resource: keyA.Resource}
	wantOther := fill(t, s, other, 20)
	reset(t, s, keyA)
	RequireState(t, empty(), load(t, s, keyA))
	RequireState(t, wantB, load(t, s, keyB))
	RequireState(t, wantOther, load(t, s, other))
}

func testResetEmpty(t *testing.T, s poller.State) {
	reset(t, s, keyA)
	RequireState(t, empty(), load(t, s, keyA))
}

// testResetThenCommit commits after a reset: the state grows from empty,
// with no record, count or cycle left from before.
func testResetThenCommit(t *testing.T, s poller.State) {
	fill(t, s, keyA, 0)
	reset(t, s, keyA)
	step(t, s, keyA, empty(), poller.Change{Watermark: at(time.Minute), Cycles: 1, Upsert: upserts(100, "1", "a")})
}
