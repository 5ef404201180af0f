// Package webhook is the inbound end for vendors' webhooks. [Handler]
// receives a vendor's webhooks for one instance or many, verifies them
// over the raw body with the scheme the element definition names, turns
// them into events and publishes them to a Sink (the Notifier). It answers
// 2xx only once the Sink accepted the events:
//
//	h, err := webhook.New(webhook.Config{Instances: insts, Sink: notifier})
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
// [Subscriber] registers the vendor's webhooks for webhook-type instances
// and keeps them in place (see "Subscriptions" below).
//
// The consumer's side, verifying the notifications the Notifier sends, is
// package receiver.
//
// For the host's own tests, package vendortest builds signed WooCommerce
// webhook requests and runs a fake store that sends them, and
// eventstest.Recorder keeps what a Handler publishes.
//
// # Routing
//
// Mounted as POST /events/{elementKey}/{instanceID}, the Handler reads the
// wildcards with r.PathValue. The instance id may also be written in
// base64 (standard or URL-safe, padded or not), as Cloud Elements wrote
// it: the id is looked up as given, then decoded. Without those wildcards
// it reads a path ending in /events/{elementKey}/{instanceID} (so
// http.StripPrefix around the bare handler works), else the
// Element-Instances header, which names the instance on any path.
//
// # Answers
//
// A request is answered, in this order:
//   - 404 when it names no instance, an unknown one, one of another
//     element than the path says, or one whose events are disabled;
//   - 405, with Allow, for a method the element definition does not list
//     (Webhook.Methods; default POST);
//   - 413 for a body over MaxBodyBytes: refused on its Content-Length, or,
//     for a body of unknown length, once read past the limit through
//     http.MaxBytesReader (never truncated);
//   - 200 for the vendor's unsigned creation ping, which yields no event
//     (Webhook.PingField: WooCommerce posts the form webhook_id=N with no
//     X-WC-* header);
//   - 401 for a missing, malformed or wrong signature;
//   - 200 for a delivery already accepted, with no new event;
//   - 400 for a body that cannot be read as the definition says, or whose
//     topic or object type is longer than 256 bytes or holds a control
//     character;
//   - 503 when the Sink refuses the events (or Resolve fails), so the
//     vendor retries; 500 when the instance's element has no usable
//     definition;
//   - 200 once the Sink has accepted the events, as one [events.Batch]
//     with Source events.FromWebhook, the instance, its callback URL and
//     notification signature key, the events, and the body as Raw.
//
// Error bodies are a short plain-text reason, never a secret.
//
// # Signatures
//
// Signatures are checked over the raw bytes before anything is parsed, as
// the definition's Webhook.SignatureScheme says: an HMAC-SHA256 of the body
// in Webhook.SignatureHeader, hex or base64, with or without
// Webhook.SignaturePrefix or "sha256=" (any value of the header may
// match); or Standard Webhooks (webhook-id, webhook-timestamp,
// webhook-signature, within SignatureTolerance). For a GET the signed bytes
// are the raw query string. The secret is the instance's configuration
// value under the definition's Webhook.SecretKey. An instance without a
// secret, or of an element whose webhooks are unsigned, is accepted
// unverified, with a warning logged once.
//
// # Changes and events
//
// Each change in a body becomes one event. The object type and event type
// come from the topic header (Webhook.TopicHeader through Webhook.Topics:
// X-WC-Webhook-Topic "order.updated" is orders, UPDATED;
// "action.woocommerce_..." is action, UNKNOWN), or from dotted paths into
// the change. A resource missing from the topic map is its own object
// type; as WooCommerce does not sign its headers, a topic and an object
// type are limited to 256 bytes without control characters. The object id
// (a string, or a number as written) and the date come from their paths
// (WooCommerce: id, and date_modified_gmt in GMT); a change without a
// readable date is dated with Clock's now. A body is one change, a
// top-level array of changes, or holds them in an array at
// Webhook.ChangesPath. Forms (Webhook.FormEncoded) and GET query
// parameters are read as one flat change whose paths are field names; the
// batch's Raw is then the fields as a JSON object. Event ids are
// [events.NewID] of the instance, object type, object id, event type and
// date.
//
// # Deduplication
//
// Deliveries are deduplicated with the Deduper for DedupeTTL: by the
// vendor's delivery id (Webhook.DeliveryIDHeader, X-WC-Webhook-Delivery-ID)
// when the request has one, else by event id, so that only events not yet
// accepted are published. A delivery is remembered only after the Sink
// accepted it, so a request answered 503 can be retried. Two copies of a
// delivery arriving at the same moment may both be published; event ids
// let consumers drop the second.
//
// # Subscriptions
//
// For an element whose definition has a Webhook.Subscription section
// (woocommercerest does: POST /webhooks with name, topic, delivery_url,
// secret and status), a [Subscriber] creates the vendor's webhooks itself:
//
//	sub, err := webhook.NewSubscriber(webhook.SubscriberConfig{
//		PublicURL: "https://hooks.example.com", Sink: notifier, Backfill: backfill})
//	inst, err = sub.Reconcile(ctx, inst) // persist inst: it holds the webhook secret
//	h, err := webhook.New(webhook.Config{Resolve: resolve, Sink: notifier, Subscriber: sub})
//	go sub.Run(ctx)
//
// Reconcile registers one vendor webhook per topic of the instance's
// objects (event.objects, else the element's resources) and subscribed
// action: for WooCommerce customers, customer.created, customer.updated
// and customer.deleted. Each is named "elementevents {instanceID} {topic}",
// by which the Subscriber knows its own and never touches others', and
// delivers to PublicURL + "/events/{elementKey}/{instanceID}", signed with
// a secret the Subscriber generates (32 random bytes) unless the instance
// already has one under the definition's Webhook.SecretKey. The secret is
// returned in a copy of the instance; the host persists that copy and
// serves it to the Handler, which verifies with it. A secret changed in
// the instance's configuration is sent to the vendor at the next
// reconcile.
//
// Each Reconcile lists the vendor's webhooks and creates the missing,
// updates those whose delivery URL, topic or secret is out of date or that
// are not active (WooCommerce disables a webhook after five failed
// deliveries; its admin can pause or delete one), and deletes ours no
// longer configured; when nothing changed it sends no write. Run repeats
// it for every instance at the refresh interval on the injected clock.
// Removing an instance (Remove, or Reconcile of one whose events are
// disabled or polled) deletes ours.
//
// A webhook found down and repaired leaves a gap: SubscriberConfig.Backfill
// is called for its object with the time of the last webhook the Handler
// accepted for the instance (the Handler tells the Subscriber set in its
// Config), else of the last healthy reconcile, so that the changes made
// meanwhile are polled once; deterministic event ids make a change seen
// both ways one event. When the webhooks cannot be set up or repaired,
// the instance's callback receives one SubscriptionFailing status and
// one warning is logged, then one Recovered status and one warning once
// they are back. Errors are [*SubscriptionError]s, naming the instance,
// the vendor's answer and the configuration key to fix, never a secret;
// only 5xx, 408, 429 and network errors are retried (twice, after 1 s and
// 5 s). Every request dials through SubscriberConfig.Guard.
//
// The Subscriber authenticates to the vendor as the poller does, through
// [vendorauth.Credentials]: every auth style of the definition for the
// store URL's scheme (OAuth 1.0a over http, Basic or the consumer_key and
// consumer_secret query parameters over https, OAuth 2 with the token
// chain in SubscriberConfig.Tokens, which the instance's poller should
// share). A 401 under OAuth 2 renews the access token once and sends the
// request again.
//
// Config.OnRequest hears what became of each request ([RequestInfo]: its
// [Outcome], status, instance and events by type), in the request's
// context; the otel module counts requests by outcome with it.
package webhook
