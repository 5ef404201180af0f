// Package otel exports what the elementevents engine does as
// OpenTelemetry metrics and traces, through the hooks of the core
// packages; it is its own module, so that the core never pulls in the
// OpenTelemetry SDK.
//
// The shortest use instruments an engine, its webhook handler and its
// gauges:
//
//	ins, err := otel.New(otel.Config{MeterProvider: mp, TracerProvider: tp})
//	...
//	e, err := engine.New(ins.Engine(engine.Config{Store: db.Instances()}))
//	...
//	mux.Handle("POST /events/{elementKey}/{instanceID}", ins.Handler(e.Webhooks()))
//	reg, err := ins.Observe(e.Notifier().Outbox(), e)
//
// A host that composes the packages itself uses the same pieces one by
// one: [Instrumentation.Poller] for each poller.Config,
// [Instrumentation.Notify] for the notify.Config, [Instrumentation.Webhook]
// for the webhook.Config, [Instrumentation.Handler] around the webhook
// handler, and [Instrumentation.Observe] with the outbox.
//
// # Metrics
//
// Named after the semantic conventions where they name one, under the
// elementevents. prefix otherwise. Their attributes are bounded: element
// key, resource, outcome, event type, source, operation, HTTP method,
// status, route and error type, and for the outbox gauges the callback
// URL without its user info, query or fragment; never an instance or
// notification id.
//
//	http.client.request.duration            s   vendor fetches (operation poll: element, resource)
//	                                            and delivery attempts (operation deliver)
//	http.server.request.duration            s   inbound webhooks (method, status, route)
//	elementevents.poll.cycle.duration       s   per cycle: element, resource, outcome ok|partial|error
//	elementevents.poll.records              {record}        fetched: element, resource
//	elementevents.events                    {event}         emitted: element, source polling|webhook, type
//	                                                        (and resource, for polling)
//	elementevents.notifications             {attempt}       attempts by outcome delivered|retried|dead|disabled
//	elementevents.notifications.pending     {notification}  gauge, per callback URL
//	elementevents.notifications.oldest.age  s               gauge, per callback URL (0 when none is pending)
//	elementevents.endpoints.disabled        {endpoint}      gauge
//	elementevents.webhook.requests          {request}       by outcome (webhook.Outcome) and element
//	elementevents.instances                 {instance}      gauge, by state (engine.InstanceState)
//
// # Traces
//
// A span per poll cycle ("poll customers"), with a client span per
// vendor request beneath it ("GET"; no header is added to the vendor's
// request). A server span per inbound webhook ("POST
// /events/{elementKey}/{instanceID}"), a new root: a vendor's trace
// context is not trusted. The notifications a cycle or a webhook
// publishes keep its trace context in the outbox (notify.Delivery.Trace),
// and each delivery attempt is a client span ("POST", a new root) linked
// to it, with http.request.resend_count on retries; the attempt's W3C
// traceparent goes with the notification, so the consumer's trace
// continues it. Span times come from Config.Clock. URLs on spans lose
// their user info, query and fragment, and span statuses never quote an
// error's text, which may hold a URL.
//
// Not covered: a riverstore.Replica's deliveries (its own outbox and
// sender) are neither traced nor in the outbox gauges.
package otel
