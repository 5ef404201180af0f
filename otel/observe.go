package otel

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/a12b7632/elementevents/engine"
	"github.com/a12b7632/elementevents/notify"
)

// EndpointLister is what the delivery gauges read: a notify.Outbox (the
// Notifier's Outbox method gives it) has it.
type EndpointLister interface {
	Endpoints(ctx context.Context) ([]notify.EndpointStatus, error)
}

// InstanceCounter is what the instance gauge reads: an *engine.Engine has
// it.
type InstanceCounter interface {
	Counts() map[engine.InstanceState]int
}

// Observe registers the gauges read at each collection: from outbox, the
// notifications pending per callback URL, the age of the oldest, and the
// disabled callback URLs; from instances, the instances by state. Either
// may be nil, not both. Unregister the returned registration to stop.
func (i *Instrumentation) Observe(outbox EndpointLister, instances InstanceCounter) (metric.Registration, error) {
	if outbox == nil && instances == nil {
		return nil, ErrNoSource
	}
	var obs []metric.Observable
	var pending, disabled, count metric.Int64ObservableGauge
	var oldest metric.Float64ObservableGauge
	var err error
	if outbox != nil {
		if pending, err = i.meter.Int64ObservableGauge(MetricPending, metric.WithUnit("{notification}"),
			metric.WithDescription("Notifications waiting for each callback URL.")); err != nil {
			return nil, fmt.Errorf("otel: instrument %s: %w", MetricPending, err)
		}
		if oldest, err = i.meter.Float64ObservableGauge(MetricOldestAge, metric.WithUnit("s"),
			metric.WithDescription("Age of each callback URL's oldest pending notification; 0 when none is pending.")); err != nil {
			return nil, fmt.Errorf("otel: instrument %s: %w", MetricOldestAge, err)
		}
		if disabled, err = i.meter.Int64ObservableGauge(MetricDisabledEndpoints, metric.WithUnit("{endpoint}"),
			metric.WithDescription("Callback URLs disabled after answering 410 Gone.")); err != nil {
			return nil, fmt.Errorf("otel: instrument %s: %w", MetricDisabledEndpoints, err)
		}
		obs = append(obs, pending, oldest, disabled)
	}
	if instances != nil {
		if count, err = i.meter.Int64ObservableGauge(MetricInstances, metric.WithUnit("{instance}"),
			metric.WithDescription("Instances by state.")); err != nil {
			return nil, fmt.Errorf("otel: instrument %s: %w", MetricInstances, err)
		}
		obs = append(obs, count)
	}
	return i.meter.RegisterCallback(func(ctx context.Context, o metric.Observer) error {
		if instances != nil {
			for state, n := range instances.Counts() {
				o.ObserveInt64(count, int64(n), metric.WithAttributes(AttrInstanceState.String(string(state))))
			}
		}
		if outbox == nil {
			return nil
		}
		eps, err := outbox.Endpoints(ctx)
		if err != nil {
			return fmt.Errorf("otel: read the outbox's endpoints: %w", err)
		}
		now := i.clock.Now()
		off := 0
		for _, ep := range eps {
			if ep.Disabled {
				off++
			}
			attr := metric.WithAttributes(attribute.String(string(AttrEndpoint), safeURL(ep.URL)))
			o.ObserveInt64(pending, int64(ep.Pending), attr)
			age := 0.0
			if ep.Pending > 0 && !ep.Oldest.IsZero() {
				age = max(now.Sub(ep.Oldest).Seconds(), 0)
			}
			o.ObserveFloat64(oldest, age, attr)
		}
		o.ObserveInt64(disabled, int64(off))
		return nil
	}, obs...)
}
