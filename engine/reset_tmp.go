package engine

import (
	"context"

	"github.com/a12b7632/elementevents/poller"
)

// resetState stands in for poller.ResetState until it lands.
func resetState(ctx context.Context, st poller.State, key poller.StateKey) error {
	cur, err := st.Load(ctx, key)
	if err != nil {
		return err
	}
	var del []string
	for id := range cur.Records.All() {
		del = append(del, id)
	}
	return st.Commit(ctx, key, poller.Change{Delete: del, Missing: map[string]int{}})
}
