// Package notify delivers events: it stores each notification of a
// published batch in an [Outbox], then POSTs it, signed, to the instance's
// callback URL, with retries, and loses nothing.
//
// The [Notifier] is the events.Sink that delivers. A store that schedules
// deliveries itself (riverstore, on a job queue) makes each attempt with
// a [Sender], the Notifier's own, so that both follow the same rules.
//
// The shortest use:
//
//	n, err := notify.New(notify.Config{})
//	go n.Run(ctx)
//	err = n.Publish(ctx, events.Batch{
//		Instance: events.Instance{ID: "123", ElementKey: "woocommercerest"},
//		Endpoint: events.Endpoint{URL: "https://app.example.com/events", Key: key},
//		Source:   events.FromWebhook,
//		Events:   evs,
//	})
//
// # Requests
//
// Each notification is an events.Notification in JSON, sent as a POST
// with Content-Type application/json. When the endpoint has a key, it
// carries both signature schemes of package signature, with the same id
// and timestamp: Elements-Webhook-Id and Elements-Webhook-Signature, and
// webhook-id, webhook-timestamp and webhook-signature. Every attempt is
// signed afresh with the same id.
//
// # Delivery rules
//
// A [DeliveryPolicy] holds the rules, each field with its default; the
// Notifier's is Config.Policy.
//
//   - 2xx: delivered. 3xx: failed, and redirects are never followed.
//   - 410 Gone: the endpoint is disabled; its notifications stay pending
//     until [Notifier.Enable].
//   - 408, 425, 429, 5xx, timeouts, connection and DNS errors: retried on
//     the schedule ([DefaultSchedule]: 0, 5s, 5m, 30m, 2h, 5h, 10h, 10h,
//     each ±20%). Retry-After is honoured between the step and twice it;
//     after a 429 or a timeout the next attempt is at least a minute away.
//   - other 4xx, and addresses the SSRF guard ([DeliveryPolicy.Guard])
//     refuses: dead-lettered at once. Dead letters stay in the outbox:
//     list them with [Outbox.List] and replay them with
//     [Notifier.Replay]. A callback URL the guard refuses without
//     resolving it (127.0.0.1, localhost) is refused by Publish instead
//     ([CheckEndpoint]).
//
// Each endpoint has its own concurrency limit, so a slow or dead endpoint
// never delays another, and notifications of one instance and object type
// are delivered in order, so an UPDATED never overtakes its CREATED.
//
// All timing runs on the Config's clockwork.Clock: tests drive a six-hour
// outage on a fake clock in milliseconds.
//
// # Outboxes
//
// [NewMemoryOutbox] is the default and keeps nothing across restarts;
// boltstore keeps deliveries in a file. Every Outbox passes the
// conformance suite in package notify/notifytest.
//
// # Secrets
//
// Keys and callback URLs never print: keys are signature.Key values, and
// a [Delivery] prints and logs its URL as netguard.RedactURL writes it, in
// every fmt verb and in log/slog.
//
// # Observing
//
// Config.OnAttempt hears every attempt; [Notifier.Stats] counts them; the
// outbox's Endpoints gives each callback URL's pending and dead counts,
// next due time and oldest pending delivery. A [Tracer] (Config.Tracer)
// keeps the trace context of each Publish with its deliveries
// (Delivery.Trace) and adds headers, such as traceparent, to each
// attempt: the otel module's links each attempt to the poll cycle or
// webhook that produced it.
package notify
