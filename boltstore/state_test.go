package boltstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/boltstore"
	"github.com/a12b7632/elementevents/poller"
	"github.com/a12b7632/elementevents/poller/statetest"
)

// TestFailedCommitAppliesNothing provokes the failures a Commit can have
// and checks, as the statetest package asks of each implementation, that
// the state is as it was.
func TestFailedCommitAppliesNothing(t *testing.T) {
	t.Parallel()
	db := openInMemory(t, boltstore.Options{})
	s := db.PollerState()
	ctx := t.Context()
	require.NoError(t, s.Commit(ctx, key, poller.Change{
		Watermark: t0, Cycles: 1,
		Upsert:  map[string]poller.Record{"1": {Updated: 1, Hash: 1}, "a": {Updated: 2, Hash: 2}},
		Missing: map[string]int{"1": 1},
	}))
	before, err := s.Load(ctx, key)
	require.NoError(t, err)

	huge := strings.Repeat("x", 40_000)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	tests := []struct {
		name    string
		ctx     context.Context
		key     poller.StateKey
		wantErr error
	}{
		{"a record id too long for bbolt, among good ones", ctx, key, boltstore.ErrInvalid},
		{"a poller key too long for bbolt", ctx, poller.StateKey{Instance: huge, Resource: "contacts"}, boltstore.ErrInvalid},
		{"a cancelled context", cancelled, key, context.Canceled},
	}
	for _, tt := range tests {
		c := poller.Change{
			Watermark: t0.Add(time.Hour), Cycles: 2,
			Upsert:  map[string]poller.Record{"1": {Updated: 9}, "b": {Updated: 9}, "2": {}},
			Delete:  []string{"a"},
			Missing: map[string]int{},
		}
		if tt.wantErr == boltstore.ErrInvalid && tt.key == key {
			c.Upsert[huge] = poller.Record{}
		}
		err := s.Commit(tt.ctx, tt.key, c)
		require.ErrorIs(t, err, tt.wantErr, tt.name)
		after, err := s.Load(ctx, key)
		require.NoError(t, err)
		statetest.RequireState(t, before, after)
	}

	require.NoError(t, db.Close())
	err = s.Commit(ctx, key, poller.Change{Watermark: t0.Add(time.Hour), Cycles: 2})
	require.ErrorIs(t, err, boltstore.ErrClosed)
}
