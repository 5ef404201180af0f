package statetest

import (
	"testing"
	"time"

	"github.com/a12b7632/elementevents/poller"
)

var missingCases = []testCase{
	{Name: "RoundTrips", Test: testMissingRoundTrip},
	{Name: "NilLeavesItAsItWas", Test: testMissingNil},
	{Name: "NonNilReplacesItWhole", Test: testMissingReplaced},
	{Name: "EmptyClearsIt", Test: testMissingEmpty},
	{Name: "RecordDeletesLeaveIt", Test: testMissingIndependent},
}

// testMissingRoundTrip commits counts for every shape of id.
func testMissingRoundTrip(t *testing.T, s poller.State) {
	missing := map[string]int{}
	for i, id := range ids {
		missing[id] = i + 1
	}
	step(t, s, keyA, empty(), poller.Change{Watermark: t0, Cycles: 1, Upsert: upserts(0, ids...), Missing: missing})
}

// testMissingNil commits Changes with a nil Missing, before and after
// counts were set.
func testMissingNil(t *testing.T, s poller.State) {
	want := empty()
	step(t, s, keyA, want, poller.Change{Watermark: at(0), Cycles: 1, Upsert: upserts(0, "1", "a")})
	step(t, s, keyA, want, poller.Change{Watermark: at(time.Minute), Cycles: 2, Missing: map[string]int{"1": 1, "a": 1}})
	step(t, s, keyA, want, poller.Change{Watermark: at(2 * time.Minute), Cycles: 3, Upsert: upserts(10, "2")})
	step(t, s, keyA, want, poller.Change{Watermark: at(3 * time.Minute), Cycles: 4})
}

// testMissingReplaced commits counts over counts: entries absent from the
// new map are gone, not merged.
func testMissingReplaced(t *testing.T, s poller.State) {
	want := empty()
	step(t, s, keyA, want, poller.Change{Watermark: at(0), Cycles: 1, Upsert: upserts(0, "1", "2", "a", "b"), Missing: map[string]int{"1": 1, "a": 1}})
	step(t, s, keyA, want, poller.Change{Watermark: at(time.Minute), Cycles: 2, Missing: map[string]int{"a": 2, "2": 1}})
	step(t, s, keyA, want, poller.Change{Watermark: at(2 * time.Minute), Cycles: 3, Missing: map[string]int{"b": 1}})
}

// testMissingEmpty commits an empty, non-nil Missing: it clears the
// counts, and a later nil one keeps them cleared.
func testMissingEmpty(t *testing.T, s poller.State) {
	want := empty()
	step(t, s, keyA, want, poller.Change{Watermark: at(0), Cycles: 1, Upsert: upserts(0, "1", "a"), Missing: map[string]int{"1": 1, "a": 1}})
	step(t, s, keyA, want, poller.Change{Watermark: at(time.Minute), Cycles: 2, Missing: map[string]int{}})
	step(t, s, keyA, want, poller.Change{Watermark: at(2 * time.Minute), Cycles: 3})
	step(t, s, keyA, want, poller.Change{Watermark: at(3 * time.Minute), Cycles: 4, Missing: map[string]int{"a": 1}})
}

// testMissingIndependent deletes and upserts records that have counts:
// Missing only changes when a Change replaces it, and may name ids that
// are not records.
func testMissingIndependent(t *testing.T, s poller.State) {
	want := empty()
	step(t, s, keyA, want, poller.Change{Watermark: at(0), Cycles: 1, Upsert: upserts(0, "1", "2", "a"), Missing: map[string]int{"1": 1, "a": 1, "gone": 1}})
	step(t, s, keyA, want, poller.Change{Watermark: at(time.Minute), Cycles: 2, Delete: []string{"1", "a"}})
	step(t, s, keyA, want, poller.Change{Watermark: at(2 * time.Minute), Cycles: 3, Upsert: upserts(10, "1")})
}
