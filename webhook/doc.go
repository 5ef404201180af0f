// Package webhook is the inbound end for vendors' webhooks. [Handler]
// receives a vendor's webhooks for one instance or many, verifies them
// over the raw body with the scheme the element definition names, turns
// them into events and publishes them to a Sink (the Notifier). It answers
// 2xx only once the Sink accepted the events:
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
// The consumer's side, verifying the notifications the Notifier sends, is
// package receiver.
//
// Package webhooktest builds signed WooCommerce requests and records
// published batches, for the host's own tests.
package webhook
