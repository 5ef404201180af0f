package statetest

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/poller"
)

var applyCases = []testCase{
	{Name: "LoadAfterCommitMatchesApply", Test: testMatchesApply},
}

// testMatchesApply commits a long, seeded random run of Changes to a few
// keys and, after each, compares Load with [poller.Change.Apply] run on
// the suite's own copy: Apply is the contract.
func testMatchesApply(t *testing.T, s poller.State) {
	rng := rand.New(rand.NewPCG(0x5eed, 2026))
	keys := []poller.StateKey{keyA, keyB, {Instance: "inst-2", Resource: "contacts"}}
	want := map[poller.StateKey]*poller.ResourceState{}
	for _, key := range keys {
		want[key] = empty()
	}
	for i := range 300 {
		key := keys[rng.IntN(len(keys))]
		c := randomChange(rng, i)
		c.Apply(want[key])
		commit(t, s, key, c)
		if d := diffState(want[key], load(t, s, key)); d != "" {
			require.FailNow(t, "Load differs from Change.Apply", "change %d to %+v: %+v\n%s", i, key, c, d)
		}
	}
	for _, key := range keys {
		RequireState(t, want[key], load(t, s, key))
	}
}

// idPool is what random Changes draw ids from: every shape of id, and
// plenty of plain ones so that upserts and deletes meet.
var idPool = func() []string {
	pool := append([]string(nil), ids...)
	for i := range 30 {
		pool = append(pool, strconv.Itoa(100+i), fmt.Sprintf("r%d", i))
	}
	return pool
}()

var zoneMinus3 = time.FixedZone("-03", -3*3600)

// randomChange returns the i-th Change of a random run: any mix of
// upserts, deletes (of known, unknown and just-upserted ids, some twice),
// and nil, empty or new Missing counts.
func randomChange(rng *rand.Rand, i int) poller.Change {
	pick := func() string { return idPool[rng.IntN(len(idPool))] }
	c := poller.Change{
		Watermark: at(time.Duration(i)*time.Second + time.Duration(rng.IntN(1e9))),
		Cycles:    int64(i + 1),
	}
	switch rng.IntN(12) {
	case 0:
		c.Watermark = time.Time{}
	case 1:
		c.Watermark = c.Watermark.In(zoneMinus3)
	case 2:
		c.Cycles = rng.Int64N(5)
	}
	if rng.IntN(4) > 0 {
		c.Upsert = map[string]poller.Record{}
		for range rng.IntN(12) {
			c.Upsert[pick()] = poller.Record{Updated: int64(rng.Uint64()), Hash: rng.Uint64()}
		}
	}
	for range rng.IntN(6) {
		c.Delete = append(c.Delete, pick())
	}
	switch rng.IntN(6) {
	case 0, 1, 2: // nil: unchanged
	case 3:
		c.Missing = map[string]int{}
	default:
		c.Missing = map[string]int{}
		for range 1 + rng.IntN(5) {
			c.Missing[pick()] = 1 + rng.IntN(3)
		}
	}
	return c
}
