package poller_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/poller"
)

type cycleKey struct{}

// ctxSource records the cycle value of each Fetch's context.
type ctxSource struct {
	poller.Source
	mu   sync.Mutex
	seen []any
}

func (s *ctxSource) Fetch(ctx context.Context, req poller.Request) (*poller.Page, error) {
	s.mu.Lock()
	s.seen = append(s.seen, ctx.Value(cycleKey{}))
	s.mu.Unlock()
	return s.Source.Fetch(ctx, req)
}

// ctxSink records the cycle value of each Publish's context.
type ctxSink struct {
	events.Sink
	seen []any
}

func (s *ctxSink) Publish(ctx context.Context, b events.Batch) error {
	s.seen = append(s.seen, ctx.Value(cycleKey{}))
	return s.Sink.Publish(ctx, b)
}

// TestStartCycle checks the tracing hook: the context it returns is the
// one the cycle fetches and publishes with, end gets the cycle's Result
// before OnCycle, and a backfill is traced as a cycle is.
func TestStartCycle(t *testing.T) {
	t.Parallel()
	var (
		order   []string
		results []poller.Result
		src     *ctxSource
		snk     *ctxSink
	)
	r := newRig(t, customersResource, func(c *poller.Config) {
		src = &ctxSource{Source: c.Source}
		snk = &ctxSink{Sink: c.Sink}
		c.Source, c.Sink = src, snk
		c.FirstRun = poller.EmitAll
		c.StartCycle = func(ctx context.Context, resource string) (context.Context, func(poller.Result)) {
			order = append(order, "start "+resource)
			return context.WithValue(ctx, cycleKey{}, "cycle of "+resource), func(res poller.Result) {
				order = append(order, "end")
				results = append(results, res)
			}
		}
		c.OnCycle = func(poller.Result) { order = append(order, "OnCycle") }
	})
	r.store.put(1, "a@example.com", t0, t0)

	res := r.poll(t)
	require.NoError(t, res.Err)
	require.Equal(t, []string{"start customers", "end", "OnCycle"}, order)
	require.Equal(t, res, results[0], "end gets the cycle's Result")
	require.NotEmpty(t, src.seen)
	for _, v := range src.seen {
		require.Equal(t, "cycle of customers", v, "every fetch runs in the cycle's context")
	}
	require.Equal(t, []any{"cycle of customers"}, snk.seen, "the batch is published in the cycle's context")

	res = r.p.Backfill(context.Background(), "customers", t0.Add(-time.Hour))
	require.NoError(t, res.Err)
	require.Equal(t, []string{"start customers", "end", "OnCycle", "start customers", "end"}, order, "a backfill is traced; OnCycle is for cycles")
}
