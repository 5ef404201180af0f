// Package webhook holds both HTTP ends of the library.
//
// # Handler: vendor webhooks in
//
// [Handler] receives a vendor's webhooks for one instance or many, verifies
// them over the raw body with the scheme the element definition names,
// turns them into events and publishes them to a Sink (the Notifier). It
// answers 2xx only once the Sink accepted the events:
//
//	h, err := webhook.NewHandler(webhook.Config{Instances: insts, Sink: notifier})
//	mux.Handle("POST /events/{elementKey}/{instanceID}", h)
//
// The instance id may also be base64, or be named by the Element-Instances
// header on any path. WooCommerce webhooks are verified with
// X-WC-Webhook-Signature, base64 HMAC-SHA256 of the raw body keyed with
// the secret in the instance's configuration key webhook.secret (the
// definition's webhook.secretKey names it); the creation ping
// (webhook_id=N) is answered 200 with no events; X-WC-Webhook-Topic maps
// to object and event type; X-WC-Webhook-Delivery-ID dedupes retries.
// Generic vendors are read by the dotted paths of their definition. Bodies
// are bounded (1 MiB, 413); other refusals are 405, 404, 401 and 400, and a
// failing Sink is 503 so the vendor retries.
//
// # Receiver: notifications in, at the consumer
//
// [Receiver] is for the service that receives the Notifier's
// notifications: it verifies either signature scheme against one or more
// keys, checks the Standard Webhooks timestamp tolerance, drops duplicates,
// decodes the events.Notification and hands it on, as an http.Handler or
// as middleware that restores the body for the next handler:
//
//	rcv, err := webhook.NewReceiver(webhook.ReceiverConfig{
//		Keys: [][]byte{key},
//		Handle: func(ctx context.Context, n events.Notification) error {
//			return process(n) // an error answers 500, so the sender retries
//		},
//	})
//	mux.Handle("POST /element-events", rcv)
//
// For the host's own tests, package webhooktest builds signed
// notification requests; WooCommerce's webhook requests, and a fake store
// that sends them, come from package vendortest; eventstest.Recorder keeps
// what a Handler publishes.
package webhook
