package otel_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/notify"
	"github.com/a12b7632/elementevents/otel"
	"github.com/a12b7632/elementevents/poller"
	"github.com/a12b7632/elementevents/webhook"
)

// TestOutboxGauges reads the delivery gauges of an outbox: pending and
// the oldest's age per callback URL (shown without its query), and the
// disabled URLs.
func TestOutboxGauges(t *testing.T) {
	clock := clockwork.NewFakeClockAt(t0)
	reader := sdkmetric.NewManualReader()
	ins, err := otel.New(otel.Config{MeterProvider: sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)), Clock: clock})
	require.NoError(t, err)
	_, err = ins.Observe(nil, nil)
	require.ErrorIs(t, err, otel.ErrNoSource)

	ob := notify.NewMemoryOutbox()
	const a, b = "https://a.example/cb?token=s3cret", "https://user:pw@b.example/hook"
	require.NoError(t, ob.Enqueue(t.Context(), t0, notify.Delivery{ID: "1", Endpoint: a, Body: []byte("{}")}))
	require.NoError(t, ob.Enqueue(t.Context(), t0.Add(30*time.Second), notify.Delivery{ID: "2", Endpoint: a, Body: []byte("{}")},
		notify.Delivery{ID: "3", Endpoint: b, Body: []byte("{}")}))
	require.NoError(t, ob.SetDisabled(t.Context(), b, true, "410 Gone"))
	_, err = ins.Observe(ob, nil)
	require.NoError(t, err)
	clock.Advance(90 * time.Second)

	r := &rig{t: t, reader: reader}
	ms := r.collect()
	require.Equal(t, "{notification}", ms["elementevents.notifications.pending"].Unit)
	require.Equal(t, "s", ms["elementevents.notifications.oldest.age"].Unit)
	pending := gauges(t, ms["elementevents.notifications.pending"])
	require.Equal(t, 2.0, find(t, pending, map[string]string{"elementevents.endpoint": "https://a.example/cb"}))
	require.Equal(t, 1.0, find(t, pending, map[string]string{"elementevents.endpoint": "https://b.example/hook"}))
	oldest := gauges(t, ms["elementevents.notifications.oldest.age"])
	require.Equal(t, 90.0, find(t, oldest, map[string]string{"elementevents.endpoint": "https://a.example/cb"}))
	require.Equal(t, 60.0, find(t, oldest, map[string]string{"elementevents.endpoint": "https://b.example/hook"}))
	require.Equal(t, 1.0, find(t, gauges(t, ms["elementevents.endpoints.disabled"]), map[string]string{}))
	_, counted := ms["elementevents.instances"]
	require.False(t, counted, "no instance gauge without a counter")
}

// TestHooksChain checks that the hooks set before instrumenting still
// run, and that Notify's tracer captures nothing outside a span.
func TestHooksChain(t *testing.T) {
	sr := tracetest.NewSpanRecorder()
	ins, err := otel.New(otel.Config{TracerProvider: sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sr)), Clock: clockwork.NewFakeClockAt(t0)})
	require.NoError(t, err)

	type key struct{}
	var ran []string
	pc := ins.Poller(nil, poller.Config{StartCycle: func(ctx context.Context, resource string) (context.Context, func(poller.Result)) {
		ran = append(ran, "start "+resource)
		return context.WithValue(ctx, key{}, "host"), func(poller.Result) { ran = append(ran, "end") }
	}})
	ctx, end := pc.StartCycle(context.Background(), "orders")
	require.Equal(t, "host", ctx.Value(key{}), "the host's context is kept")
	end(poller.Result{Resource: "orders"})
	require.Equal(t, []string{"start orders", "end"}, ran)
	require.Len(t, sr.Ended(), 1)
	require.Equal(t, "poll orders", sr.Ended()[0].Name())
	require.NotNil(t, pc.Transport, "the default source's requests are instrumented")

	wc := ins.Webhook(webhook.Config{OnRequest: func(context.Context, webhook.RequestInfo) { ran = append(ran, "request") }})
	wc.OnRequest(context.Background(), webhook.RequestInfo{Outcome: webhook.OutcomePing, Status: http.StatusOK})
	require.Equal(t, "request", ran[len(ran)-1])

	nc := ins.Notify(notify.Config{})
	require.NotNil(t, nc.Tracer)
	require.Empty(t, nc.Tracer.Capture(context.Background()), "no span, no trace")
}

// TestTransportOfNilIsGuarded checks that Transport(nil) dials through
// the zero Guard: loopback is refused.
func TestTransportOfNilIsGuarded(t *testing.T) {
	ins, err := otel.New(otel.Config{Clock: clockwork.NewFakeClockAt(t0)})
	require.NoError(t, err)
	srv := newReceiver(t)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL, nil)
	require.NoError(t, err)
	resp, err := ins.Transport(nil).RoundTrip(req)
	if resp != nil {
		_ = resp.Body.Close()
	}
	require.ErrorIs(t, err, netguard.ErrRefused)
}
