package poller

import (
	"context"
	"testing"

	"github.com/jonboulle/clockwork"

	"github.com/a12b7632/elementevents/events"
)

// TestSteadyCycleAllocs checks that a steady cycle (nothing changed, a
// complete snapshot) allocates nothing per record: pages are read into
// the memory of pages already done with, unchanged records make no
// strings, and the set of ids seen is the last cycle's, emptied.
func TestSteadyCycleAllocs(t *testing.T) {
	const n = 1000
	noop := events.SinkFunc(func(context.Context, events.Batch) error { return nil })
	for _, tc := range []struct {
		name string
		src  Source
	}{
		{"one page", pageSource{wooCustomersPage(n)}},
		{"pages of 100", newPagedSource(t, n)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := New(Config{Instance: benchInstance(t), Source: tc.src, Sink: noop,
				Clock: clockwork.NewFakeClock(), FirstRun: Baseline})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			poll := func() {
				res := p.Poll(ctx)
				if res[0].Err != nil || res[0].Records != n || len(res[0].Events) != 0 {
					t.Fatalf("cycle: %v, %d records, events %v", res[0].Err, res[0].Records, res[0].Events)
				}
			}
			poll() // the baseline
			poll() // the set of ids seen grows to its size once
			// A per-record allocation would be 1,000 a cycle; what is left
			// is per cycle and per page (and, under -race, a page's memory
			// that sync.Pool drops at random).
			if allocs := testing.AllocsPerRun(10, poll); allocs >= n/2 {
				t.Errorf("steady cycle of %d records: %.0f allocations, want fewer than %d", n, allocs, n/2)
			}
		})
	}
}
