package keylock

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestIdleKeysAreDropped(t *testing.T) {
	var s Set
	unlock, err := s.Lock(t.Context(), "a")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	waited := make(chan error, 1)
	go func() {
		_, err := s.Lock(ctx, "a")
		waited <- err
	}()
	for {
		s.mu.Lock()
		refs := s.locks["a"].refs
		s.mu.Unlock()
		if refs == 2 {
			break
		}
	}
	cancel()
	require.ErrorIs(t, <-waited, context.Canceled)
	unlock()
	for i := range 100 {
		unlock, err := s.Lock(t.Context(), string(rune('b'+i%20)))
		require.NoError(t, err)
		unlock()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	require.Empty(t, s.locks, "a key nobody holds nor waits for is dropped")
}
