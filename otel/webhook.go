package otel

import (
	"context"
	"net/http"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/a12b7632/elementevents/webhook"
)

// Webhook returns cfg with an OnRequest hook (one set before still runs,
// after it) that counts the requests by outcome and element, counts the
// events they emitted, and names the instance and outcome on the
// request's span (see [Instrumentation.Handler]).
func (i *Instrumentation) Webhook(cfg webhook.Config) webhook.Config {
	prev := cfg.OnRequest
	cfg.OnRequest = func(ctx context.Context, info webhook.RequestInfo) {
		outcome := AttrOutcome.String(string(info.Outcome))
		attrs := []attribute.KeyValue{outcome}
		if info.ElementKey != "" {
			attrs = append(attrs, AttrElement.String(info.ElementKey))
		}
		i.webhookRequests.Add(ctx, 1, metric.WithAttributes(attrs...))
		for typ, n := range info.Events {
			i.events.Add(ctx, int64(n), metric.WithAttributes(AttrElement.String(info.ElementKey),
				AttrSource.String(sourceWebhook), AttrEventType.String(string(typ))))
		}
		span := trace.SpanFromContext(ctx)
		span.SetAttributes(attrs...)
		if info.Instance != "" {
			span.SetAttributes(AttrInstance.String(info.Instance))
		}
		if prev != nil {
			prev(ctx, info)
		}
	}
	return cfg
}

// Handler wraps the webhook handler h: each request gets a server span
// (a new trace: a vendor's trace context is not trusted) that the events
// it publishes carry to their deliveries, and its duration goes to
// http.server.request.duration with its method, status and route. Wrap
// the handler where it is mounted, so that the route (the ServeMux
// pattern) is known:
//
//	mux.Handle("POST /events/{elementKey}/{instanceID}", ins.Handler(e.Webhooks()))
func (i *Instrumentation) Handler(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := i.clock.Now()
		method := methodOf(r.Method)
		name := r.Method
		route := routeOf(r.Pattern)
		attrs := []attribute.KeyValue{method}
		if route != "" {
			name += " " + route
			attrs = append(attrs, semconv.HTTPRoute(route))
		}
		ctx, span := i.tracer.Start(r.Context(), name, trace.WithNewRoot(), trace.WithSpanKind(trace.SpanKindServer),
			trace.WithTimestamp(start), trace.WithAttributes(attrs...))
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r.WithContext(ctx))
		status := sw.status
		if status == 0 {
			status = http.StatusOK
		}
		attrs = append(attrs, semconv.HTTPResponseStatusCode(status))
		span.SetAttributes(semconv.HTTPResponseStatusCode(status))
		if status >= 500 {
			attrs = append(attrs, errorStatus(status))
			span.SetStatus(codes.Error, http.StatusText(status))
		}
		end := i.clock.Now()
		i.serverDuration.Record(ctx, end.Sub(start).Seconds(), metric.WithAttributes(attrs...))
		span.End(trace.WithTimestamp(end))
	})
}

// routeOf is http.route of a ServeMux pattern: its path, without the
// method and host.
func routeOf(pattern string) string {
	for i := 0; i < len(pattern); i++ {
		if pattern[i] == '/' {
			return pattern[i:]
		}
	}
	return ""
}

// statusWriter remembers the status written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the writer beneath.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
