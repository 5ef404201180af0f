package eventstest_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/events/eventstest"
)

func batch(objectIDs ...string) events.Batch {
	b := events.Batch{Instance: events.Instance{ID: "123", ElementKey: "woocommercerest"}, Source: events.FromWebhook}
	for _, id := range objectIDs {
		b.Events = append(b.Events, events.Event{ID: "e" + id, Type: events.Updated, ObjectType: "orders", ObjectID: id})
	}
	return b
}

func TestRecorder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var r eventstest.Recorder
	require.Empty(t, r.Batches())
	require.Empty(t, r.Events())

	b := batch("1", "2")
	require.NoError(t, r.Publish(ctx, b))
	require.NoError(t, r.Publish(ctx, batch("3")))
	b.Events[0].ObjectID = "changed by the publisher"

	require.Len(t, r.Batches(), 2)
	var ids []string
	for _, e := range r.Events() {
		ids = append(ids, e.ObjectID)
	}
	require.Equal(t, []string{"1", "2", "3"}, ids, "kept in order, and copied")

	refused := errors.New("sink full")
	r.Err = refused
	require.ErrorIs(t, r.Publish(ctx, batch("4")), refused)
	require.Len(t, r.Batches(), 2, "a refused batch is not kept")
	r.Err = nil
	require.NoError(t, r.Publish(ctx, batch("4")))
	require.Len(t, r.Events(), 4)

	taken := r.Take()
	require.Len(t, taken, 3, "Take returns every batch kept")
	require.Equal(t, "4", taken[2].Events[0].ObjectID)
	require.Empty(t, r.Take(), "and forgets them")
	require.Empty(t, r.Events())
	require.NoError(t, r.Publish(ctx, batch("5")))
	require.Len(t, r.Take(), 1)
}

func TestRecorderConcurrent(t *testing.T) {
	t.Parallel()
	var r eventstest.Recorder
	var taken atomic.Int64
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			require.NoError(t, r.Publish(context.Background(), batch(strconv.Itoa(i))))
			_ = r.Batches()
			_ = r.Events()
			if i%10 == 0 {
				taken.Add(int64(len(r.Take())))
			}
		})
	}
	wg.Wait()
	require.Equal(t, 50, int(taken.Load())+len(r.Batches()), "every batch taken or kept, none twice")
	require.Equal(t, 50, int(taken.Load())+len(r.Events()))
}
