package otel

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"sync"

	"github.com/jonboulle/clockwork"
	global "go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
)

// ScopeName is the instrumentation scope of every meter and tracer the
// package makes.
const ScopeName = "github.com/a12b7632/elementevents/otel"

// durationBuckets are the bucket boundaries, in seconds, that the
// semantic conventions advise for HTTP durations; the poll cycles use
// them too.
var durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}

// Config configures an [Instrumentation]. The zero value uses the global
// providers and the real clock.
type Config struct {
	// MeterProvider makes the meter. Default: the global one
	// (go.opentelemetry.io/otel.GetMeterProvider).
	MeterProvider metric.MeterProvider
	// TracerProvider makes the tracer. Default: the global one.
	TracerProvider trace.TracerProvider
	// Clock times what the hooks do not (outbound and inbound HTTP
	// requests) and stamps spans, so that a test on a fake clock sees
	// fake times. Give it the engine's clock. Default: the real clock.
	Clock clockwork.Clock
}

// Instrumentation turns the core's hooks into OpenTelemetry metrics and
// traces. Make one with [New] per process and hand its pieces to the
// engine ([Instrumentation.Engine]) or to the packages the host composes
// ([Instrumentation.Poller], [Instrumentation.Notify],
// [Instrumentation.Webhook], [Instrumentation.Handler],
// [Instrumentation.Observe]). It is safe for concurrent use.
type Instrumentation struct {
	clock  clockwork.Clock
	tracer trace.Tracer
	meter  metric.Meter
	prop   propagation.TraceContext

	clientDuration  metric.Float64Histogram
	serverDuration  metric.Float64Histogram
	cycleDuration   metric.Float64Histogram
	records         metric.Int64Counter
	events          metric.Int64Counter
	notifications   metric.Int64Counter
	webhookRequests metric.Int64Counter

	mu         sync.Mutex
	transports map[string]*transport // shared by the pollers, by guard
}

// New returns an Instrumentation whose instruments are made with cfg's
// providers; an error from the meter is returned.
func New(cfg Config) (*Instrumentation, error) {
	if cfg.MeterProvider == nil {
		cfg.MeterProvider = global.GetMeterProvider()
	}
	if cfg.TracerProvider == nil {
		cfg.TracerProvider = global.GetTracerProvider()
	}
	if cfg.Clock == nil {
		cfg.Clock = clockwork.NewRealClock()
	}
	i := &Instrumentation{
		clock:  cfg.Clock,
		tracer: cfg.TracerProvider.Tracer(ScopeName),
		meter:  cfg.MeterProvider.Meter(ScopeName),
	}
	var errs []error
	seconds := func(name, desc string) metric.Float64Histogram {
		h, err := i.meter.Float64Histogram(name, metric.WithUnit("s"), metric.WithDescription(desc),
			metric.WithExplicitBucketBoundaries(durationBuckets...))
		if err != nil {
			errs = append(errs, fmt.Errorf("otel: instrument %s: %w", name, err))
		}
		return h
	}
	count := func(name, unit, desc string) metric.Int64Counter {
		c, err := i.meter.Int64Counter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		if err != nil {
			errs = append(errs, fmt.Errorf("otel: instrument %s: %w", name, err))
		}
		return c
	}
	i.clientDuration = seconds(MetricClientDuration, "Duration of the HTTP requests to vendors and callback URLs.")
	i.serverDuration = seconds(MetricServerDuration, "Duration of the inbound webhook requests.")
	i.cycleDuration = seconds(MetricCycleDuration, "Duration of the poll cycles of a resource.")
	i.records = count(MetricRecords, "{record}", "Records fetched by poll cycles.")
	i.events = count(MetricEvents, "{event}", "Events emitted, by source and type.")
	i.notifications = count(MetricNotifications, "{attempt}", "Delivery attempts, by outcome.")
	i.webhookRequests = count(MetricWebhookRequests, "{request}", "Inbound webhook requests, by outcome.")
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return i, nil
}

// ErrNoSource is returned by [Instrumentation.Observe] when given
// nothing to observe.
var ErrNoSource = errors.New("otel: Observe needs an outbox or an instance counter")

// safeURL returns raw without user info, query or fragment, "" if it
// does not parse: what an attribute may show of a URL.
func safeURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	return safeURLOf(u)
}

// safeURLOf is safeURL of a parsed URL.
func safeURLOf(u *url.URL) string { return u.Scheme + "://" + u.Host + u.EscapedPath() }

// urlAttrs returns the span attributes of a request URL: url.full, as
// safeURL shows it, server.address and server.port.
func urlAttrs(u *url.URL) []attribute.KeyValue {
	if u == nil || u.Host == "" {
		return nil
	}
	out := []attribute.KeyValue{semconv.URLFull(safeURLOf(u)), semconv.ServerAddress(u.Hostname())}
	port := u.Port()
	if port == "" {
		switch u.Scheme {
		case "http":
			port = "80"
		case "https":
			port = "443"
		}
	}
	if n, err := strconv.Atoi(port); err == nil {
		out = append(out, semconv.ServerPort(n))
	}
	return out
}
