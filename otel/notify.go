package otel

import (
	"context"
	"net/http"
	"net/url"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/a12b7632/elementevents/notify"
)

// traceparent is the W3C Trace Context header.
const traceparent = "traceparent"

// Notify returns cfg with its Tracer set to the Instrumentation's (any
// Tracer set before is replaced): each notification keeps the trace of
// the poll cycle or webhook that published it; each attempt is a client
// span linked to that trace, with http.request.resend_count on retries,
// and its traceparent is sent with the request, so the receiver's trace
// continues the attempt's. Attempts are counted by outcome and timed in
// http.client.request.duration (operation deliver).
func (i *Instrumentation) Notify(cfg notify.Config) notify.Config {
	cfg.Tracer = notifyTracer{i}
	return cfg
}

// notifyTracer is the notify.Tracer of an Instrumentation.
type notifyTracer struct{ i *Instrumentation }

var _ notify.Tracer = notifyTracer{}

// Capture implements notify.Tracer: the traceparent of ctx's span.
func (t notifyTracer) Capture(ctx context.Context) string {
	if !trace.SpanContextFromContext(ctx).IsValid() {
		return ""
	}
	c := propagation.MapCarrier{}
	t.i.prop.Inject(ctx, c)
	return c[traceparent]
}

// StartAttempt implements notify.Tracer.
func (t notifyTracer) StartAttempt(d *notify.Delivery, number int, h http.Header) func(notify.AttemptInfo) {
	i := t.i
	opts := []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindClient), trace.WithTimestamp(i.clock.Now()), trace.WithNewRoot()}
	attrs := []attribute.KeyValue{methodOf(http.MethodPost), AttrNotification.String(d.ID)}
	if u, err := url.Parse(d.Endpoint); err == nil {
		attrs = append(attrs, urlAttrs(u)...)
	}
	if number > 1 {
		attrs = append(attrs, semconv.HTTPRequestResendCount(number-1))
	}
	opts = append(opts, trace.WithAttributes(attrs...))
	if d.Trace != "" {
		pctx := i.prop.Extract(context.Background(), propagation.MapCarrier{traceparent: d.Trace})
		if sc := trace.SpanContextFromContext(pctx); sc.IsValid() {
			opts = append(opts, trace.WithLinks(trace.Link{SpanContext: sc}))
		}
	}
	ctx, span := i.tracer.Start(context.Background(), http.MethodPost, opts...)
	i.prop.Inject(ctx, propagation.HeaderCarrier(h))
	return func(info notify.AttemptInfo) {
		outcome := string(info.Outcome)
		if info.Outcome == notify.OutcomeRetry {
			outcome = "retried"
		}
		m := []attribute.KeyValue{methodOf(http.MethodPost), AttrOperation.String(operationDeliver)}
		span.SetAttributes(AttrOutcome.String(outcome))
		res := responseAttrs(info.Status)
		m = append(m, res...)
		span.SetAttributes(res...)
		if info.Outcome != notify.OutcomeDelivered {
			// The outcome only: an error's text may quote the URL.
			span.SetStatus(codes.Error, outcome)
		}
		i.clientDuration.Record(ctx, info.Latency.Seconds(), metric.WithAttributes(m...))
		i.notifications.Add(ctx, 1, metric.WithAttributes(AttrOutcome.String(outcome)))
		span.End(trace.WithTimestamp(info.At.Add(info.Latency)))
	}
}
