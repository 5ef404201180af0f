package poller_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/poller"
)

// After ResetState, a new Poller's first cycle is a baseline again: what
// changed since the last cycle is taken in silently, a delete included,
// and only later changes are reported.
func TestResetStateMakesTheNextCycleAFirstRun(t *testing.T) {
	t.Parallel()
	r := newE2EWooRig(t, e2eWooCustomers, nil)
	r.seedCustomers(4)
	require.Empty(t, r.pollOK(t))
	r.touchCustomer(2, "two@example.com", r.now())
	r.deleteCustomer(3)
	other := poller.StateKey{Instance: "other", Resource: "customers"}
	require.NoError(t, r.state.Commit(t.Context(), other, poller.Change{Watermark: e2eT0, Cycles: 1, Upsert: map[string]poller.Record{"9": {Hash: 9}}}))

	require.NoError(t, poller.ResetState(t.Context(), r.state, poller.StateKey{Instance: e2eWooInstanceID, Resource: "customers"}))
	st := r.load(t, "customers")
	require.Zero(t, st.Records.Len())
	require.Zero(t, st.Cycles)
	require.True(t, st.Watermark.IsZero())
	kept, err := r.state.Load(t.Context(), other)
	require.NoError(t, err)
	require.Equal(t, 1, kept.Records.Len(), "another instance's state is kept")

	r.p = r.newPoller(t, nil)
	require.Empty(t, r.pollOK(t), "a baseline")
	require.Equal(t, []string{"1", "2", "4"}, remembered(r.load(t, "customers")))
	r.touchCustomer(4, "four@example.com", r.now())
	require.Equal(t, e2eWant(events.Updated, "4"), r.pollOK(t))
}

// failingState fails Load or Commit with err.
type failingState struct {
	poller.State
	loadErr, commitErr error
}

func (s failingState) Load(ctx context.Context, key poller.StateKey) (*poller.ResourceState, error) {
	if s.loadErr != nil {
		return nil, s.loadErr
	}
	return s.State.Load(ctx, key)
}

func (s failingState) Commit(ctx context.Context, key poller.StateKey, c poller.Change) error {
	if s.commitErr != nil {
		return s.commitErr
	}
	return s.State.Commit(ctx, key, c)
}

// A failing store fails ResetState with an error that wraps the store's
// and names the key; a failed Commit leaves the state as it was.
func TestResetStateErrors(t *testing.T) {
	t.Parallel()
	errStore := errors.New("store down")
	tests := []struct {
		name               string
		loadErr, commitErr error
		wantInErr          string
	}{
		{name: "load", loadErr: errStore, wantInErr: "load"},
		{name: "commit", commitErr: errStore, wantInErr: "commit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mem := poller.NewMemoryState()
			key := poller.StateKey{Instance: "inst-7", Resource: "contacts"}
			require.NoError(t, mem.Commit(t.Context(), key, poller.Change{Watermark: t0, Cycles: 2,
				Upsert: map[string]poller.Record{"1": {Updated: t0.UnixNano(), Hash: 1}}, Missing: map[string]int{"2": 1}}))
			err := poller.ResetState(t.Context(), failingState{State: mem, loadErr: tt.loadErr, commitErr: tt.commitErr}, key)
			require.ErrorIs(t, err, errStore)
			require.ErrorContains(t, err, `"inst-7"`)
			require.ErrorContains(t, err, `"contacts"`)
			require.ErrorContains(t, err, tt.wantInErr)
			st, err := mem.Load(t.Context(), key)
			require.NoError(t, err)
			require.Equal(t, 1, st.Records.Len())
			require.Equal(t, map[string]int{"2": 1}, st.Missing)
			require.True(t, st.Watermark.Equal(t0))
		})
	}
}
