package keylock_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/internal/keylock"
)

func TestLockExcludesOneKey(t *testing.T) {
	t.Parallel()
	var s keylock.Set
	var inside, most atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				unlock, err := s.Lock(t.Context(), "k")
				require.NoError(t, err)
				n := inside.Add(1)
				most.Store(max(most.Load(), n))
				inside.Add(-1)
				unlock()
			}
		})
	}
	wg.Wait()
	require.Equal(t, int32(1), most.Load())
}

func TestLockOtherKeysAndContext(t *testing.T) {
	t.Parallel()
	var s keylock.Set
	unlock, err := s.Lock(t.Context(), "a")
	require.NoError(t, err)
	other, err := s.Lock(t.Context(), "b")
	require.NoError(t, err, "another key does not wait")
	other()

	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	_, err = s.Lock(ctx, "a")
	require.ErrorIs(t, err, context.DeadlineExceeded)

	done, stop := context.WithCancel(t.Context())
	stop()
	_, err = s.Lock(done, "free")
	require.ErrorIs(t, err, context.Canceled, "an ended context fails even when the lock is free")

	unlock()
	again, err := s.Lock(t.Context(), "a")
	require.NoError(t, err)
	again()
}
