package statetest

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/a12b7632/elementevents/poller"
)

var commitCases = []testCase{
	{Name: "RoundTripsEveryField", Test: testRoundTrip},
	{Name: "KeepsTheWatermarkInstant", Test: testWatermarks},
	{Name: "TakesWatermarkAndCyclesAsGiven", Test: testWatermarkCyclesReplaced},
	{Name: "KeepsEveryIDShape", Test: testIDs},
	{Name: "KeepsRecordValuesExactly", Test: testRecordValues},
	{Name: "UpsertsAccumulate", Test: testUpsertsAccumulate},
	{Name: "DeleteRemovesExactlyItsIDs", Test: testDelete},
	{Name: "DeleteOfUnknownIDIsFine", Test: testDeleteUnknown},
	{Name: "UpsertThenDeleteInOneChange", Test: testUpsertDeleteSameChange},
	{Name: "ChangeWithoutRecordsKeepsThem", Test: testNoRecordChange},
	{Name: "DoesNotRetainTheChange", Test: testNotRetained},
}

// testRoundTrip commits one Change with every field set and loads it.
func testRoundTrip(t *testing.T, s poller.State) {
	missing := map[string]int{}
	for i, id := range ids {
		missing[id] = i%3 + 1
	}
	step(t, s, keyA, empty(), poller.Change{
		Watermark: t0.In(time.FixedZone("CET", 3600)),
		Cycles:    1<<33 + 5,
		Upsert:    upserts(0, ids...),
		Missing:   missing,
	})
}

// testWatermarks commits watermarks to the nanosecond, in several
// locations, before 1970, far ahead, and zero. Load must give back the
// same instants; the location and the monotonic reading may go. A zero
// Watermark must come back zero, not as the Unix epoch: with zero Cycles
// it tells the poller it has no baseline yet.
func testWatermarks(t *testing.T, s poller.State) {
	want := empty()
	for i, w := range []time.Time{
		t0,
		t0.Add(1).In(time.FixedZone("UTC-5", -5*3600)),
		time.Date(2026, 3, 14, 15, 9, 26, 999999999, time.FixedZone("+0545", 5*3600+45*60)),
		time.Date(1969, 7, 20, 20, 17, 40, 123456789, time.UTC),
		time.Date(2100, 1, 1, 0, 0, 0, 1, time.FixedZone("+14", 14*3600)),
		{},
		t0.Add(time.Microsecond + time.Nanosecond),
	} {
		step(t, s, keyA, want, poller.Change{Watermark: w, Cycles: int64(i + 1)})
	}
}

// testWatermarkCyclesReplaced commits Watermarks and Cycles that go
// backwards and to zero. The poller only moves them forward, but a Change
// sets them, so a store must not keep the greatest.
func testWatermarkCyclesReplaced(t *testing.T, s poller.State) {
	want := empty()
	for _, c := range []poller.Change{
		{Watermark: at(time.Hour), Cycles: 10, Upsert: upserts(0, "1", "a")},
		{Watermark: at(time.Minute), Cycles: 3},
		{Watermark: at(-time.Hour), Cycles: 1<<40 + 1},
		{Watermark: time.Time{}, Cycles: 0},
		{Watermark: at(0), Cycles: 2},
	} {
		step(t, s, keyA, want, c)
	}
}

// testIDs commits records under every shape of id, all in one Change to
// one key and one Change per id to another.
func testIDs(t *testing.T, s poller.State) {
	step(t, s, keyA, empty(), poller.Change{Watermark: t0, Cycles: 1, Upsert: upserts(0, ids...)})

	want := empty()
	for i, id := range ids {
		step(t, s, keyB, want, poller.Change{Watermark: at(time.Duration(i)), Cycles: int64(i + 1), Upsert: upserts(i, id)})
	}
}

// testRecordValues commits the extremes of Updated and Hash, under
// numeric and string ids.
func testRecordValues(t *testing.T, s poller.State) {
	c := poller.Change{Watermark: t0, Cycles: 1, Upsert: map[string]poller.Record{}}
	for i, r := range recordValues {
		c.Upsert[strconv.Itoa(i+1)] = r
		c.Upsert[fmt.Sprintf("v%d", i)] = r
	}
	step(t, s, keyA, empty(), c)
}

// testUpsertsAccumulate commits records over several Changes: new ids
// join the old ones, known ids take their new values, the rest stay.
func testUpsertsAccumulate(t *testing.T, s poller.State) {
	want := empty()
	step(t, s, keyA, want, poller.Change{Watermark: at(0), Cycles: 1, Upsert: upserts(0, "1", "2", "a", "b")})
	step(t, s, keyA, want, poller.Change{Watermark: at(time.Minute), Cycles: 2, Upsert: upserts(10, "3", "c", "", "007")})
	step(t, s, keyA, want, poller.Change{Watermark: at(2 * time.Minute), Cycles: 3, Upsert: upserts(20, "1", "a", "", "7")})
	step(t, s, keyA, want, poller.Change{Watermark: at(3 * time.Minute), Cycles: 4, Upsert: map[string]poller.Record{"2": {}, "b": {}}})
	step(t, s, keyA, want, poller.Change{Watermark: at(4 * time.Minute), Cycles: 5, Upsert: upserts(30, ids...)})
}

// testDelete deletes ids among lookalikes: each delete removes its own id
// and nothing else. A deleted id can come back.
func testDelete(t *testing.T, s poller.State) {
	want := empty()
	step(t, s, keyA, want, poller.Change{Watermark: at(0), Cycles: 1, Upsert: upserts(0, ids...)})
	step(t, s, keyA, want, poller.Change{Watermark: at(time.Minute), Cycles: 2, Delete: []string{"42", "gWq$x", "", "0", "18446744073709551615", "café"}})
	step(t, s, keyA, want, poller.Change{Watermark: at(2 * time.Minute), Cycles: 3, Delete: []string{"007", "00", "nul\x00byte", "18446744073709551616"}})
	step(t, s, keyA, want, poller.Change{Watermark: at(3 * time.Minute), Cycles: 4, Delete: ids})
	step(t, s, keyA, want, poller.Change{Watermark: at(4 * time.Minute), Cycles: 5, Upsert: upserts(50, "42", "", "gWq$x")})
}

// testDeleteUnknown deletes ids never stored, on an unknown key and on a
// known one, and the same id twice in one Change.
func testDeleteUnknown(t *testing.T, s poller.State) {
	want := empty()
	step(t, s, keyA, want, poller.Change{Watermark: at(0), Cycles: 1, Delete: []string{"42", "nope", ""}})
	step(t, s, keyA, want, poller.Change{Watermark: at(time.Minute), Cycles: 2, Upsert: upserts(0, "1", "a")})
	step(t, s, keyA, want, poller.Change{Watermark: at(2 * time.Minute), Cycles: 3, Delete: []string{"2", "b", "1", "1", "b"}})
	step(t, s, keyA, want, poller.Change{Watermark: at(3 * time.Minute), Cycles: 4, Delete: []string{"1", "a", "a"}})
}

// testUpsertDeleteSameChange puts ids in both Upsert and Delete of one
// Change: as [poller.Change.Apply] does, upserts go first, so the delete
// wins.
func testUpsertDeleteSameChange(t *testing.T, s poller.State) {
	want := empty()
	step(t, s, keyA, want, poller.Change{Watermark: at(0), Cycles: 1, Upsert: upserts(0, "1", "a", "007")})
	step(t, s, keyA, want, poller.Change{
		Watermark: at(time.Minute),
		Cycles:    2,
		Upsert:    upserts(10, "1", "2", "a", "b", "7"),
		Delete:    []string{"1", "b", "7", "zzz"},
	})
}

// testNoRecordChange commits Changes that carry no records: nil and empty
// Upsert and Delete leave the records as they are.
func testNoRecordChange(t *testing.T, s poller.State) {
	want := empty()
	step(t, s, keyA, want, poller.Change{Watermark: at(0), Cycles: 1, Upsert: upserts(0, "1", "a"), Missing: map[string]int{"x": 1}})
	step(t, s, keyA, want, poller.Change{Watermark: at(time.Minute), Cycles: 2})
	step(t, s, keyA, want, poller.Change{Watermark: at(2 * time.Minute), Cycles: 3, Upsert: map[string]poller.Record{}, Delete: []string{}})
}

// testNotRetained changes a Change after committing it: the store keeps
// what it was given, not the caller's maps.
func testNotRetained(t *testing.T, s poller.State) {
	want := empty()
	c := poller.Change{
		Watermark: t0,
		Cycles:    1,
		Upsert:    upserts(0, "1", "2", "a", "b"),
		Delete:    []string{"3"},
		Missing:   map[string]int{"1": 1, "a": 1},
	}
	step(t, s, keyA, want, c)
	c.Upsert["1"] = rec(99)
	c.Upsert["c"] = rec(98)
	delete(c.Upsert, "a")
	c.Delete[0] = "2"
	c.Missing["1"] = 5
	c.Missing["b"] = 1
	delete(c.Missing, "a")
	RequireState(t, want, load(t, s, keyA))
}
