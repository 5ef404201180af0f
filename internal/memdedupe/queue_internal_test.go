package memdedupe

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestQueue checks the chunked queue against a plain slice through runs of
// pushes and pops that cross chunk boundaries, empty it and fill it again.
func TestQueue(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		pushShare int // percent of steps that push
		steps     int
	}{
		{"mostly pushes", 80, 5 * chunkSize},
		{"balanced", 50, 8 * chunkSize},
		{"mostly pops", 30, 5 * chunkSize},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(tc.pushShare)))
			var q queue
			var want []entry
			next := int64(0)
			for step := range tc.steps {
				if rng.IntN(100) < tc.pushShare || len(want) == 0 {
					next++
					e := entry{exp: next}
					q.push(e)
					want = append(want, e)
				} else {
					got, ok := q.front()
					require.True(t, ok, "step %d", step)
					require.Equal(t, want[0], got, "step %d", step)
					q.pop()
					want = want[1:]
				}
				require.Equal(t, len(want), q.len(), "step %d", step)
			}
			for len(want) > 0 {
				got, ok := q.front()
				require.True(t, ok)
				require.Equal(t, want[0], got)
				q.pop()
				want = want[1:]
			}
			_, ok := q.front()
			require.False(t, ok, "emptied")
			require.Zero(t, q.len())
			require.LessOrEqual(t, len(q.chunks), 1, "read chunks are dropped")
		})
	}
}
