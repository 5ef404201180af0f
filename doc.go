// Package elementevents is the event engine of an API-integration platform,
// as a Go library: it turns a SaaS instance (a WooCommerce store, a Concur
// account, any REST API) into a stream of signed change notifications,
// whether the vendor pushes webhooks or has to be polled.
//
// This package holds no code; it is the tour. The host service imports the
// packages below and composes them itself: its own mux, its own server, its
// own clock in tests.
//
// # Run it
//
//	go run ./examples/quickstart   # a fake WooCommerce store, end to end, in seconds
//	go run ./examples/server -demo # the /instances API, live instances, a fake store
//	go test ./... ./riverstore/... ./otel/... ./interop/... ./bench/... ./examples/server/...
//
// # Instances: element and javatime
//
// An instance is the JSON body of an /instances call: an element key, a
// configuration (vendor keys and event.* keys), tags and a name.
// [github.com/a12b7632/elementevents/element.Parse] reads it as the platform
// writes it (strings for booleans, configuration as an object or a JSON
// string, legacy pipe URLs) and reports every problem at once, by the key
// as written; what parses but is probably not meant (events configured but
// not enabled) is in the instance's Warnings. The element catalogue
// (element.Default()) says how to reach each vendor: base URL, auth
// (WooCommerce over http signs with OAuth 1.0a, package vendorauth),
// pagination, records path, and how its webhooks are signed. Java date
// patterns and zones are read and written as the JDK does by package
// javatime (javatime.NewLayout), which element uses and which stands on
// its own.
//
// # Events and their delivery: events, notify and signature
//
// Package events is the model only: an Event (CREATED, UPDATED, DELETED of
// one object, with a deterministic id), the Batch producers publish, the
// Notification wire body, and the Sink interface that producers write to.
// Package notify delivers. Its Notifier is the Sink that delivers: Publish
// stores notifications in an Outbox and returns; Run signs each attempt
// (package signature, both the Cloud Elements and the Standard Webhooks
// scheme), posts it to the instance's callback URL and retries on a
// schedule, per endpoint, in order per object. Nothing accepted is lost: a
// delivery leaves the outbox only when acknowledged or dead-lettered, and
// dead letters can be replayed. One notify.DeliveryPolicy (client, guard,
// timeout, schedule, jitter, Retry-After bounds) decides every attempt,
// the Notifier's and riverstore's alike.
//
// # Outbound requests: netguard
//
// Callback URLs and vendor URLs are tenants' input. Every request the
// library sends, the Notifier's and the poller's, dials through a
// netguard.Guard, set in each Config, that refuses loopback, private,
// link-local and cloud metadata addresses on the resolved address of
// every connection, redirects included; tests allow their own httptest
// server by address and port. Errors and logs name URLs without their
// credentials (netguard.RedactURL), and signing keys print as [REDACTED].
//
// # Producers: poller and webhook
//
// A poller.Poller fetches each configured resource every refresh interval,
// page by page, as the element definition says (a pagination that loops
// or passes the page cap fails the cycle); it remembers each record's
// date and content hash in a poller.State and emits CREATED, UPDATED and
// (from complete snapshots only) DELETED. A webhook.Handler receives vendor
// webhooks on the host's mux, verifies them over the raw body, and turns
// them into the same events. Both write to any events.Sink: the
// notify.Notifier, or an in-process channel.
//
// Talking to the real vendors: the poller signs WooCommerce requests over
// http with OAuth 1.0a and refreshes Concur's one-hour OAuth 2 tokens
// itself, persisting each rotated refresh token in a
// vendorauth.TokenStore before using it; a refused authorisation stops
// the instance (no retry storm) until it is authorised again. A
// webhook.Subscriber registers the vendor's webhooks for webhook-type
// instances, repairs the ones the vendor disabled or a user deleted, and
// fills the gap with the poller's Backfill. A vendor that suddenly lists
// far fewer records has the deletes held by the poller's delete guard.
// Each of these conditions reaches the instance's callback as a signed
// instance status notification (events.Status), and its end too.
//
// # Consumers: receiver
//
// At the other end, receiver.Receiver is a net/http handler (or
// middleware) that verifies a notification's Standard Webhooks signature
// (the Cloud Elements one only when allowed, since it has no timestamp),
// checks its timestamp, drops duplicates by the signed id, and hands the
// decoded Notification to a function. It imports only events and
// signature of the library, so a consumer does not pull in the element
// catalogue. receiver/receivertest signs requests for the consumer's
// tests.
//
// # Instances at runtime: engine and api
//
// A host that lets its users manage instances mounts the optional layers.
// An engine.Engine runs the instances of an engine.InstanceStore live:
// Create, Patch, Disable and Delete take effect at once (pollers start,
// change plan or stop; webhook routes follow; a new callback URL applies
// to what is not delivered yet), every write is validated first and
// versioned, and every notification is logged with its status and
// attempts in an engine.EventLog for a retention time. Package api serves
// it as the /instances REST API (an http.Handler mounted under any
// prefix, per tenant, with RFC 9457 problems, ETags and an OpenAPI 3.1
// document); examples/server runs both as a service.
//
// # State that survives restarts
//
// The Notifier's Outbox, the poller's State, the Deduper, the OAuth 2
// TokenStore, the engine's InstanceStore and EventLog are interfaces with
// in-memory defaults and conformance suites (notify/notifytest,
// poller/statetest, webhook/dedupetest, vendorauth/tokentest,
// engine/instancetest, engine/eventlogtest). Package boltstore keeps them
// all in one file for a single process; the
// riverstore module runs polling and delivery on PostgreSQL through River
// for several replicas, so the core module never depends on a database
// driver.
//
// # Tests
//
// Package vendortest runs the vendors on your clock: a fake WooCommerce
// store (REST API v3 customers and orders, and the signed webhooks it
// sends) and a fake Concur reports API, with faults to inject and a log of
// every request; every test and example here uses them.
// events/eventstest.Recorder keeps what a poller or a handler publishes;
// receiver/receivertest signs notifications for the consumer's tests.
//
// # Time
//
// Every timing rule (poll intervals, retry schedules, timeouts, signature
// tolerance, dedupe windows) runs on an injected clockwork.Clock: tests
// drive hours of schedule on a fake clock in milliseconds.
package elementevents
