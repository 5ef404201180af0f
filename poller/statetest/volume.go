package statetest

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/a12b7632/elementevents/poller"
)

var volumeCases = []testCase{
	{Name: "HundredThousandRecordsInBatches", Test: testVolumeBatches},
	{Name: "HundredThousandRecordsInOneChange", Test: testVolumeOneChange},
}

const (
	volume      = 100_000
	volumeBatch = 1_000
)

// volumeID returns the n-th id of the volume cases: half numbers, half
// strings.
func volumeID(n int) string {
	if n%2 == 0 {
		return strconv.Itoa(10_000_000 + n)
	}
	return fmt.Sprintf("rec-%07d", n)
}

// testVolumeBatches grows a state to 100,000 records, 1,000 a Commit,
// then updates half and deletes the other half, 1,000 at a time.
func testVolumeBatches(t *testing.T, s poller.State) {
	want := empty()
	cycle := 0
	next := func(c poller.Change) {
		t.Helper()
		cycle++
		c.Watermark, c.Cycles = at(time.Duration(cycle)*time.Second), int64(cycle)
		c.Apply(want)
		commit(t, s, keyA, c)
	}
	for start := 0; start < volume; start += volumeBatch {
		c := poller.Change{Upsert: make(map[string]poller.Record, volumeBatch)}
		for n := start; n < start+volumeBatch; n++ {
			c.Upsert[volumeID(n)] = rec(n)
		}
		next(c)
	}
	RequireState(t, want, load(t, s, keyA))

	for start := 0; start < volume; start += 2 * volumeBatch {
		c := poller.Change{Upsert: make(map[string]poller.Record, volumeBatch)}
		for n := start; n < start+2*volumeBatch; n++ {
			if n%4 < 2 {
				c.Upsert[volumeID(n)] = rec(volume + n)
			} else {
				c.Delete = append(c.Delete, volumeID(n))
			}
		}
		next(c)
	}
	missing := make(map[string]int, volumeBatch)
	for n := range volumeBatch {
		missing[volumeID(4*n)] = 1
	}
	next(poller.Change{Missing: missing})
	RequireState(t, want, load(t, s, keyA))
}

// testVolumeOneChange commits what the poller commits for a large
// resource: a first baseline of 100,000 records in one Change, then a
// complete snapshot that updates a tenth, deletes half and counts the
// missing, then a quiet cycle.
func testVolumeOneChange(t *testing.T, s poller.State) {
	want := empty()
	baseline := poller.Change{Watermark: t0, Cycles: 1, Upsert: make(map[string]poller.Record, volume)}
	for n := range volume {
		baseline.Upsert[volumeID(n)] = rec(n)
	}
	step(t, s, keyA, want, baseline)

	snapshot := poller.Change{
		Watermark: at(time.Minute),
		Cycles:    2,
		Upsert:    map[string]poller.Record{},
		Missing:   map[string]int{},
	}
	for n := range volume {
		switch {
		case n%10 == 0:
			snapshot.Upsert[volumeID(n)] = rec(volume + n)
		case n%10 < 5:
			snapshot.Delete = append(snapshot.Delete, volumeID(n))
		case n%10 == 9:
			snapshot.Missing[volumeID(n)] = 1
		}
	}
	step(t, s, keyA, want, snapshot)
	step(t, s, keyA, want, poller.Change{Watermark: at(2 * time.Minute), Cycles: 3})
}
