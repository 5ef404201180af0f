package otel_test

import (
	"context"
	"fmt"
	"net/http"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/a12b7632/elementevents/engine"
	"github.com/a12b7632/elementevents/otel"
)

// An engine instrumented end to end: its pollers, Notifier and webhook
// handler through Engine, the handler's requests through Handler, and
// the gauges through Observe.
func ExampleInstrumentation_Engine() {
	reader := sdkmetric.NewManualReader()
	ins, err := otel.New(otel.Config{
		MeterProvider:  sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)),
		TracerProvider: sdktrace.NewTracerProvider(),
	})
	if err != nil {
		panic(err)
	}
	e, err := engine.New(ins.Engine(engine.Config{}))
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /events/{elementKey}/{instanceID}", ins.Handler(e.Webhooks()))
	if _, err := ins.Observe(e.Notifier().Outbox(), e); err != nil {
		panic(err)
	}

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		panic(err)
	}
	for _, m := range rm.ScopeMetrics[0].Metrics {
		fmt.Println(m.Name, m.Unit)
	}
	// Output:
	// elementevents.endpoints.disabled {endpoint}
	// elementevents.instances {instance}
}
