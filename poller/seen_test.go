package poller

import (
	"maps"
	"slices"
	"strconv"
	"testing"
)

// TestSeenSet runs cycles of ids through one seenSet, as a resource does,
// and checks it against a plain set: whatever range its bitmap takes from
// the cycle before, it answers as the set does.
func TestSeenSet(t *testing.T) {
	seq := func(from, n, step uint64) []string {
		var ids []string
		for i := range n {
			ids = append(ids, strconv.FormatUint(from+i*step, 10))
		}
		return ids
	}
	tests := []struct {
		name   string
		cycles [][]string
	}{
		{"dense, growing", [][]string{seq(1000, 500, 1), seq(1000, 600, 1), seq(900, 900, 1)}},
		{"dense, then past the room", [][]string{seq(1, 100, 1), seq(1, 100, 1), seq(1_000_000, 50, 1)}},
		{"sparse", [][]string{seq(7, 100, 1_000_003), seq(7, 100, 1_000_003)}},
		{"mixed kinds", [][]string{
			{"1", "2", "abc", "007", "-1", "18446744073709551615", "0", "2", "abc"},
			{"18446744073709551615", "0", "1", "x", "2", "3", "007"},
			{"5", "", "18446744073709551614"},
		}},
		{"empty cycles", [][]string{nil, seq(10, 10, 1), nil, seq(10, 10, 1)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var s seenSet
			for c, ids := range tc.cycles {
				s.reset()
				want := map[string]bool{}
				for _, id := range ids {
					if got := s.add(id); got != !want[id] {
						t.Fatalf("cycle %d: add(%q) = %v, want %v", c, id, got, !want[id])
					}
					want[id] = true
				}
				if s.len() != len(want) {
					t.Fatalf("cycle %d: len %d, want %d", c, s.len(), len(want))
				}
				// Remembered: what the cycle saw and some it did not.
				var r Records
				remembered := append(slices.Clone(ids), "999999999", "zz", "1001", "12")
				for _, id := range remembered {
					r.Set(id, Record{})
					if s.has(id) != want[id] {
						t.Fatalf("cycle %d: has(%q) = %v, want %v", c, id, s.has(id), want[id])
					}
				}
				var unseen []string
				s.unseen(&r, func(id string) { unseen = append(unseen, id) })
				var wantUnseen []string
				for id := range maps.Collect(r.All()) {
					if !want[id] {
						wantUnseen = append(wantUnseen, id)
					}
				}
				slices.Sort(unseen)
				slices.Sort(wantUnseen)
				if !slices.Equal(unseen, wantUnseen) {
					t.Fatalf("cycle %d: unseen %v, want %v", c, unseen, wantUnseen)
				}
			}
		})
	}
}
