package notify_test

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/a12b7632/elementevents/events"
	"github.com/a12b7632/elementevents/notify"
)

// traceKey carries a fake trace id in a context.
type traceKey struct{}

// fakeTracer records what the Notifier asks of a Tracer.
type fakeTracer struct {
	mu       sync.Mutex
	started  []tracedAttempt
	ended    []notify.AttemptInfo
	captured int
}

type tracedAttempt struct {
	trace  string
	number int
}

func (f *fakeTracer) Capture(ctx context.Context) string {
	f.mu.Lock()
	f.captured++
	f.mu.Unlock()
	s, _ := ctx.Value(traceKey{}).(string)
	return s
}

func (f *fakeTracer) StartAttempt(d *notify.Delivery, number int, h http.Header) func(notify.AttemptInfo) {
	f.mu.Lock()
	f.started = append(f.started, tracedAttempt{trace: d.Trace, number: number})
	f.mu.Unlock()
	h.Set("Traceparent", d.Trace+"/attempt")
	h.Set("Webhook-Id", "a tracer cannot override the Notifier's headers")
	h.Set("Content-Type", "text/plain")
	return func(info notify.AttemptInfo) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.ended = append(f.ended, info)
	}
}

func (f *fakeTracer) snapshot() ([]tracedAttempt, []notify.AttemptInfo) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]tracedAttempt(nil), f.started...), append([]notify.AttemptInfo(nil), f.ended...)
}

// TestNotifierTracer follows one notification through a retry: the trace
// of the Publish context is stored with the delivery, each attempt is
// started with it and its number, the tracer's headers go on the request
// but cannot replace the Notifier's, and each attempt ends with its
// outcome.
func TestNotifierTracer(t *testing.T) {
	tr := &fakeTracer{}
	n, clock := setup(t, notify.Config{Tracer: tr})
	rc := newReceiver(t, clock, func(i int, w http.ResponseWriter, _ *http.Request) {
		if i == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	ctx := context.WithValue(context.Background(), traceKey{}, "cycle-1")
	require.NoError(t, n.Publish(ctx, batch(rc.URL, []byte("whsec_k"), evt("customers", "1", events.Created, ""))))

	ds, err := n.Outbox().List(ctx, notify.Filter{})
	require.NoError(t, err)
	require.Len(t, ds, 1)
	require.Equal(t, "cycle-1", ds[0].Trace, "the Publish context's trace is stored")

	drive(t, n, clock, func() bool { return len(rc.got()) == 2 && n.Stats().Delivered == 1 })
	started, ended := tr.snapshot()
	require.Equal(t, []tracedAttempt{{"cycle-1", 1}, {"cycle-1", 2}}, started)
	require.Len(t, ended, 2)
	require.Equal(t, notify.OutcomeRetry, ended[0].Outcome)
	require.Equal(t, 503, ended[0].Status)
	require.Equal(t, notify.OutcomeDelivered, ended[1].Outcome)
	require.Equal(t, 2, ended[1].Number)
	for _, r := range rc.got() {
		require.Equal(t, "cycle-1/attempt", r.header.Get("Traceparent"))
		require.Equal(t, ds[0].ID, r.header.Get("Webhook-Id"), "the Notifier's header wins")
		require.Equal(t, "application/json", r.header.Get("Content-Type"), "the Notifier's header wins")
	}
	require.Equal(t, 1, tr.captured)
}
