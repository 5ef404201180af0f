package poller

import (
	"maps"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRecordsDense drives Records through sets, deletes and clones of ids
// that fill their range, sparse ones, ids at the top of a range and
// string ids, and checks every read against a plain map: the array that
// dense ids move into changes nothing a caller sees.
func TestRecordsDense(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		id   func(r *rand.Rand, i int) string
	}{
		{"in sequence", func(_ *rand.Rand, i int) string { return strconv.Itoa(10_000_000 + i) }},
		{"half the range", func(r *rand.Rand, i int) string { return strconv.Itoa(5000 + r.IntN(2*(i+1))) }},
		{"sparse", func(r *rand.Rand, _ int) string { return strconv.FormatUint(r.Uint64(), 10) }},
		{"mixed", func(r *rand.Rand, i int) string {
			switch r.IntN(4) {
			case 0:
				return "s" + strconv.Itoa(i)
			case 1:
				return strconv.FormatUint(1<<64-1-uint64(r.IntN(100)), 10)
			}
			return strconv.Itoa(i)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(1, 2))
			var r Records
			want := map[string]Record{}
			var clones []Records
			var cloned []map[string]Record
			for i := range 6000 {
				id := tc.id(rng, i)
				if rng.IntN(5) == 0 && len(want) > 0 {
					// Delete an id set before, or one never set.
					id = tc.id(rng, rng.IntN(i+1))
					r.Delete(id)
					delete(want, id)
				} else {
					rec := Record{Updated: int64(i), Hash: rng.Uint64()}
					r.Set(id, rec)
					want[id] = rec
				}
				if i%1500 == 0 {
					clones, cloned = append(clones, r.Clone()), append(cloned, maps.Clone(want))
				}
			}
			check := func(r *Records, want map[string]Record) {
				t.Helper()
				require.Equal(t, len(want), r.Len())
				require.Equal(t, want, maps.Collect(r.All()))
				for id, rec := range want {
					got, ok := r.Get(id)
					require.True(t, ok, id)
					require.Equal(t, rec, got, id)
				}
				_, ok := r.Get("12345678901234567")
				require.Equal(t, want["12345678901234567"] != Record{}, ok)
			}
			check(&r, want)
			for i := range clones {
				check(&clones[i], cloned[i])
			}
		})
	}
	t.Run("in sequence moves into an array", func(t *testing.T) {
		var r Records
		for i := range 3 * minDense {
			r.Set(strconv.Itoa(1000+i), Record{Updated: 1})
		}
		require.Equal(t, 3*minDense, r.dense.n)
		require.Empty(t, r.num)
	})
}
