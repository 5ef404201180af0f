// Package events holds the event model and its delivery.
//
// The poller and the webhook handler turn vendor changes into [Event]
// values and publish them, a [Batch] at a time, to a [Sink]. The [Notifier]
// is the Sink that delivers: it stores each batch's notifications in an
// [Outbox], then POSTs them, signed, to the instance's callback URL, with
// retries, and loses nothing. [SinkFunc] and [ChanSink] are Sinks for hosts
// that want events in process.
//
// The shortest use:
//
//	n, err := events.New(events.Config{})
//	go n.Run(ctx)
//	err = n.Publish(ctx, events.Batch{
//		Instance: events.Instance{ID: "123", ElementKey: "woocommercerest"},
//		Endpoint: events.Endpoint{URL: "https://app.example.com/events", Key: key},
//		Source:   events.FromWebhook,
//		Events:   evs,
//	})
//
// # Wire format
//
// Each notification is a [Notification] in JSON, sent as a POST with
// Content-Type application/json. When the endpoint has a key, it carries
// both signature schemes of package signature, with the same id and
// timestamp: Elements-Webhook-Id and Elements-Webhook-Signature, and
// webhook-id, webhook-timestamp and webhook-signature. Every attempt is
// signed afresh with the same id.
//
// # Delivery rules
//
//   - 2xx: delivered. 3xx: failed, and redirects are never followed.
//   - 410 Gone: the endpoint is disabled; its notifications stay pending
//     until [Notifier.Enable].
//   - 408, 425, 429, 5xx, timeouts, connection and DNS errors: retried on
//     the schedule ([DefaultSchedule]: 0, 5s, 5m, 30m, 2h, 5h, 10h, 10h,
//     each ±20%). Retry-After is honoured between the step and twice it;
//     after a 429 or a timeout the next attempt is at least a minute away.
//   - other 4xx, and addresses the SSRF guard ([Config.Guard]) refuses:
//     dead-lettered at once. Dead letters stay in the outbox: list them
//     with [Outbox.List] and replay them with [Notifier.Replay]. A
//     callback URL the guard refuses without resolving it (127.0.0.1,
//     localhost) is refused by Publish instead.
//
// Each endpoint has its own concurrency limit, so a slow or dead endpoint
// never delays another, and notifications of one instance and object type
// are delivered in order, so an UPDATED never overtakes its CREATED.
//
// A store that schedules deliveries itself (riverstore, on a job queue)
// makes each attempt with a [Sender], the Notifier's own, and follows its
// [Result]: the same requests, outcomes and retry delays.
//
// All timing runs on the Config's clockwork.Clock: tests drive a six-hour
// outage on a fake clock in milliseconds.
//
// # Secrets
//
// Keys and callback URLs never print: keys are signature.Key values, and
// [Endpoint], [Delivery] and [Batch] print and log their URLs as
// [RedactURL] writes them, in every fmt verb and in log/slog.
package events
