// Package receiver is the consumer's side of the notifications: for the
// service at an instance's callback URL, it verifies each request's
// signature against one or more keys, checks the Standard Webhooks
// timestamp tolerance, drops duplicates by the signed id, decodes the
// events.Notification and hands it on, as an http.Handler or as
// middleware that restores the body for the next handler:
//
//	rcv, err := receiver.New(receiver.Config{
//		Keys: []signature.Key{key},
//		Handle: func(ctx context.Context, n events.Notification) error {
//			return process(n) // an error answers 500, so the sender retries
//		},
//	})
//	mux.Handle("POST /element-events", rcv)
//
// A notification with Message.Status set and no events is an instance
// status (events.Status): the instance needs the user to authorise it
// again, a vendor subscription is failing, a mass delete is held, or one
// of these is over. Handle receives it like any other; a consumer that
// only reads Message.Events skips it.
//
// # Signature schemes
//
// By default only the Standard Webhooks scheme is accepted: webhook-id,
// webhook-timestamp and webhook-signature, the timestamp within
// Config.Tolerance. The Notifier signs every request in it (and in the
// Cloud Elements scheme too, for older consumers). The same headers
// under the names Svix sends, svix-id, svix-timestamp and svix-signature,
// are accepted too, so a consumer moving from Svix changes nothing; the
// webhook- ones are read first, and the two are never mixed.
//
// The Cloud Elements scheme (Elements-Webhook-Signature) signs the body
// alone, with no timestamp, so a captured notification stripped of its
// Standard Webhooks headers would stay valid forever, stopped only by the
// Deduper for as long as it remembers the id: not after DedupeTTL, nor
// after a restart with the in-memory default. Config.AllowElementsScheme
// accepts it, for senders that cannot sign otherwise.
//
// Header names are matched whatever their case, so a header map built by
// hand with "webhook-signature" is read as net/http's "Webhook-Signature".
// A request with any Standard Webhooks header is verified in that scheme
// alone: it never falls back to the Cloud Elements one.
//
// It imports only events and signature of this module, so a consumer
// does not pull in the element catalogue or its dependencies. Package
// receivertest builds signed requests for the consumer's own tests.
package receiver
