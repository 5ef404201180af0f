package otel_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/engine"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/otel"
	"github.com/a12b7632/elementevents/poller"
	"github.com/a12b7632/elementevents/vendortest"
)

const (
	wooKey    = "ck_otel_0123456789abcdef0123456789abcdef01"
	wooSecret = "cs_otel_0123456789abcdef0123456789abcdef01"
)

var t0 = time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)

// rig is an instrumented engine on a fake clock, polling a fake
// WooCommerce store and delivering to a receiver, with a manual metric
// reader and a span recorder.
type rig struct {
	t      *testing.T
	clock  *clockwork.FakeClock
	woo    *vendortest.WooCommerce
	recv   *receiver
	reader *sdkmetric.ManualReader
	spans  *tracetest.SpanRecorder
	ins    *otel.Instrumentation
	eng    *engine.Engine
	hooks  *httptest.Server // the engine's webhook handler, instrumented
}

func newRig(t *testing.T) *rig {
	t.Helper()
	clock := clockwork.NewFakeClockAt(t0)
	r := &rig{t: t, clock: clock, recv: newReceiver(t), reader: sdkmetric.NewManualReader(), spans: tracetest.NewSpanRecorder()}
	r.woo = vendortest.ServeWooCommerce(t, vendortest.WooConfig{Key: wooKey, Secret: wooSecret, Clock: clock})
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(r.reader))
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(r.spans))
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()); _ = tp.Shutdown(context.Background()) })
	ins, err := otel.New(otel.Config{MeterProvider: mp, TracerProvider: tp, Clock: clock})
	require.NoError(t, err)
	r.ins = ins
	guard := netguard.Guard{AllowPrivate: true}
	cfg := engine.Config{
		Clock:  clock,
		Logger: slog.New(slog.DiscardHandler),
		Poller: func(*element.Instance) poller.Config { return poller.Config{Guard: guard} },
	}
	cfg.Notify.Policy.Guard = guard
	r.eng, err = engine.New(ins.Engine(cfg))
	require.NoError(t, err)
	reg, err := ins.Observe(r.eng.Notifier().Outbox(), r.eng)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, reg.Unregister()) })
	mux := http.NewServeMux()
	mux.Handle("POST /events/{elementKey}/{instanceID}", ins.Handler(r.eng.Webhooks()))
	r.hooks = httptest.NewServer(mux)
	t.Cleanup(r.hooks.Close)
	return r
}

// run runs the engine until the test ends, and checks Run returns.
func (r *rig) run() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.eng.Run(ctx) }()
	r.t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			require.NoError(r.t, err)
		case <-time.After(10 * time.Second):
			r.t.Fatal("Run did not return after its context ended")
		}
	})
}

// until advances the fake clock a second at a time until cond holds.
func (r *rig) until(limit time.Duration, cond func() bool, msg string) {
	r.t.Helper()
	end := r.clock.Now().Add(limit)
	var grace time.Time
	for !cond() {
		if r.clock.Now().Before(end) {
			r.clock.Advance(time.Second)
		} else if grace.IsZero() {
			grace = time.Now().Add(5 * time.Second)
		} else if time.Now().After(grace) {
			r.t.Fatalf("after %v of fake time: %s", limit, msg)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func (r *rig) customer(id int) {
	now := r.clock.Now()
	r.woo.PutCustomer(vendortest.Customer{ID: id, Email: fmt.Sprintf("c%d@example.com", id), FirstName: "C", LastName: "D",
		Username: fmt.Sprint("c", id), Created: now, Modified: now})
}

// collect reads every metric, by name.
func (r *rig) collect() map[string]metricdata.Metrics {
	r.t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(r.t, r.reader.Collect(context.Background(), &rm))
	out := map[string]metricdata.Metrics{}
	for _, sm := range rm.ScopeMetrics {
		require.Equal(r.t, otel.ScopeName, sm.Scope.Name)
		for _, m := range sm.Metrics {
			out[m.Name] = m
		}
	}
	return out
}

// receiver is the callback endpoint: it records each request's headers
// and answers with the statuses queued, then 204.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	headers  []http.Header
	statuses []int
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		_, _ = io.Copy(io.Discard, req.Body)
		rc.mu.Lock()
		rc.headers = append(rc.headers, req.Header.Clone())
		status := http.StatusNoContent
		if len(rc.statuses) > 0 {
			status, rc.statuses = rc.statuses[0], rc.statuses[1:]
		}
		rc.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) answer(statuses ...int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.statuses = append(rc.statuses, statuses...)
}

func (rc *receiver) got() []http.Header {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]http.Header(nil), rc.headers...)
}

// attrs returns a set's attributes as a map of strings, for comparing.
func attrs(s attribute.Set) map[string]string {
	out := map[string]string{}
	for _, kv := range s.ToSlice() {
		out[string(kv.Key)] = kv.Value.Emit()
	}
	return out
}

// sums returns a counter's points: attributes to value.
func sums(t *testing.T, m metricdata.Metrics) []point {
	t.Helper()
	s, ok := m.Data.(metricdata.Sum[int64])
	require.True(t, ok, "%s is a Sum[int64], got %T", m.Name, m.Data)
	require.True(t, s.IsMonotonic, "%s is a counter", m.Name)
	var out []point
	for _, dp := range s.DataPoints {
		out = append(out, point{attrs(dp.Attributes), float64(dp.Value)})
	}
	return out
}

// histograms returns a histogram's points: attributes to count.
func histograms(t *testing.T, m metricdata.Metrics) []point {
	t.Helper()
	h, ok := m.Data.(metricdata.Histogram[float64])
	require.True(t, ok, "%s is a Histogram[float64], got %T", m.Name, m.Data)
	var out []point
	for _, dp := range h.DataPoints {
		out = append(out, point{attrs(dp.Attributes), float64(dp.Count)})
	}
	return out
}

// gauges returns a gauge's points.
func gauges(t *testing.T, m metricdata.Metrics) []point {
	t.Helper()
	var out []point
	switch g := m.Data.(type) {
	case metricdata.Gauge[int64]:
		for _, dp := range g.DataPoints {
			out = append(out, point{attrs(dp.Attributes), float64(dp.Value)})
		}
	case metricdata.Gauge[float64]:
		for _, dp := range g.DataPoints {
			out = append(out, point{attrs(dp.Attributes), dp.Value})
		}
	default:
		t.Fatalf("%s is a gauge, got %T", m.Name, m.Data)
	}
	return out
}

// point is one data point: its attributes and its value (a histogram's
// count).
type point struct {
	attrs map[string]string
	value float64
}

// find returns the value of the point with exactly want's attributes.
func find(t *testing.T, ps []point, want map[string]string) float64 {
	t.Helper()
	for _, p := range ps {
		if fmt.Sprint(p.attrs) == fmt.Sprint(want) {
			return p.value
		}
	}
	t.Fatalf("no point with attributes %v among %v", want, ps)
	return 0
}
