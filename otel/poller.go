package otel

import (
	"context"
	"fmt"
	"net/http"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/netguard"
	"github.com/a12b7632/elementevents/poller"
)

// cycleKey carries a cycle's element and resource in its context, for
// the transport's attributes.
type cycleKey struct{}

type cycleInfo struct{ element, resource string }

// Poller returns cfg instrumented for inst: a span per cycle (the
// StartCycle hook; one set already runs first), with a child span per
// vendor request; the cycle metrics; and, when cfg has no Source, the
// vendor requests' duration, through a transport wrapping cfg.Transport,
// or one transport that dials through cfg.Guard shared by every poller of
// the Instrumentation with that guard.
func (i *Instrumentation) Poller(inst *element.Instance, cfg poller.Config) poller.Config {
	var elementKey, instanceID string
	if inst != nil {
		elementKey, instanceID = inst.Element.Key, inst.ID
	}
	prev := cfg.StartCycle
	cfg.StartCycle = func(ctx context.Context, resource string) (context.Context, func(poller.Result)) {
		var prevEnd func(poller.Result)
		if prev != nil {
			ctx, prevEnd = prev(ctx, resource)
		}
		ctx, span := i.tracer.Start(ctx, "poll "+resource, trace.WithTimestamp(i.clock.Now()),
			trace.WithAttributes(AttrElement.String(elementKey), AttrResource.String(resource), AttrInstance.String(instanceID)))
		ctx = context.WithValue(ctx, cycleKey{}, cycleInfo{element: elementKey, resource: resource})
		return ctx, func(r poller.Result) {
			i.endCycle(ctx, span, elementKey, r)
			if prevEnd != nil {
				prevEnd(r)
			}
		}
	}
	if cfg.Source == nil {
		if cfg.Transport == nil {
			cfg.Transport = i.sharedTransport(cfg.Guard)
		} else {
			cfg.Transport = i.Transport(cfg.Transport)
		}
	}
	return cfg
}

// endCycle records a cycle's metrics and ends its span.
func (i *Instrumentation) endCycle(ctx context.Context, span trace.Span, elementKey string, r poller.Result) {
	outcome := CycleOK
	switch {
	case r.Err != nil:
		outcome = CycleError
	case r.Partial:
		outcome = CyclePartial
	}
	base := []attribute.KeyValue{AttrElement.String(elementKey), AttrResource.String(r.Resource)}
	i.cycleDuration.Record(ctx, r.Duration.Seconds(), metric.WithAttributes(append(base, AttrOutcome.String(outcome))...))
	if r.Records > 0 {
		i.records.Add(ctx, int64(r.Records), metric.WithAttributes(base...))
	}
	total := 0
	for typ, n := range r.Events {
		if n == 0 {
			continue
		}
		total += n
		i.events.Add(ctx, int64(n), metric.WithAttributes(AttrElement.String(elementKey), AttrResource.String(r.Resource),
			AttrSource.String(sourcePolling), AttrEventType.String(string(typ))))
	}
	span.SetAttributes(AttrOutcome.String(outcome), AttrPages.Int(r.Pages), AttrRecords.Int(r.Records), AttrEventCount.Int(total))
	if r.Err != nil {
		span.SetStatus(codes.Error, r.Err.Error())
	}
	span.End(trace.WithTimestamp(i.clock.Now()))
}

// sharedTransport returns the Instrumentation's transport for guard: one
// per guard, so that the pollers share its connections.
func (i *Instrumentation) sharedTransport(g netguard.Guard) http.RoundTripper {
	key := fmt.Sprint(g.AllowPrivate, g.HTTPSOnly, g.Allow, g.AllowAddrPorts)
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.transports == nil {
		i.transports = make(map[string]*transport)
	}
	t, ok := i.transports[key]
	if !ok {
		t = &transport{i: i, base: g.RoundTripper(nil)}
		i.transports[key] = t
	}
	return t
}

// Transport returns base instrumented for vendor requests: a client span
// per request, a child of the cycle's span, and its duration in
// http.client.request.duration (operation poll). It adds no header: the
// vendor gets the request as the poller made it. The poller still guards
// it (see poller.HTTPConfig.Transport); base must dial through the guard
// itself, as netguard.Guard.RoundTripper's result does. A nil base is the
// zero Guard's round tripper, which refuses loopback and private
// addresses.
func (i *Instrumentation) Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = netguard.Guard{}.RoundTripper(nil)
	}
	return &transport{i: i, base: base}
}

// transport is the instrumented round tripper of the pollers.
type transport struct {
	i    *Instrumentation
	base http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	i := t.i
	ctx := req.Context()
	c, _ := ctx.Value(cycleKey{}).(cycleInfo)
	method := methodOf(req.Method)
	start := i.clock.Now()
	attrs := append([]attribute.KeyValue{method}, urlAttrs(req.URL)...)
	ctx, span := i.tracer.Start(ctx, req.Method, trace.WithSpanKind(trace.SpanKindClient), trace.WithTimestamp(start),
		trace.WithAttributes(attrs...))
	resp, err := t.base.RoundTrip(req)
	end := i.clock.Now()
	m := []attribute.KeyValue{method, AttrOperation.String(operationPoll), AttrElement.String(c.element), AttrResource.String(c.resource)}
	status := 0
	if err == nil {
		status = resp.StatusCode
	}
	res := responseAttrs(status)
	m = append(m, res...)
	span.SetAttributes(res...)
	switch {
	case err != nil:
		span.SetStatus(codes.Error, "request failed")
	case status >= 400:
		span.SetStatus(codes.Error, http.StatusText(status))
	}
	i.clientDuration.Record(ctx, end.Sub(start).Seconds(), metric.WithAttributes(m...))
	span.End(trace.WithTimestamp(end))
	return resp, err
}
