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
//	go test ./...
//
// # Instances: element
//
// An instance is the JSON body of an /instances call: an element key, a
// configuration (vendor keys and event.* keys), tags and a name.
// [github.com/a12b7632/elementevents/element.Parse] reads it as the platform
// writes it (strings for booleans, configuration as an object or a JSON
// string, legacy pipe URLs) and Instance.Validate reports every problem by
// the key as written. The element catalogue (element.Lookup) says how to
// reach each vendor: base URL, auth, pagination, records path, and how its
// webhooks are signed. Java date patterns and zones are compiled once by
// element.NewDateFormat.
//
// # Events and their delivery: events and signature
//
// Package events holds the model: an Event (CREATED, UPDATED, DELETED of one
// object, with a deterministic id), the Notification wire body, and the
// Sink interface that producers write to. The Notifier is the Sink that
// delivers: Publish stores notifications in an Outbox and returns; Run
// signs each attempt (package signature, both the Cloud Elements and the
// Standard Webhooks scheme), posts it to the instance's callback URL and
// retries on a schedule, per endpoint, in order per object, behind an SSRF
// guard. Nothing accepted is lost: a delivery leaves the outbox only when
// acknowledged or dead-lettered, and dead letters can be replayed.
//
// # Producers: poller and webhook
//
// A poller.Poller fetches each configured resource every refresh interval,
// page by page, as the element definition says (a pagination that loops
// or passes the page cap fails the cycle); it remembers each record's
// date and content hash in a poller.State and emits CREATED, UPDATED and
// (from complete snapshots only) DELETED. A webhook.Handler receives vendor
// webhooks on the host's mux, verifies them over the raw body, and turns
// them into the same events. Both write to any events.Sink: the Notifier,
// or an in-process channel.
//
// # Consumers: webhook.Receiver
//
// At the other end, webhook.Receiver is a net/http handler (or middleware)
// that verifies a notification in either scheme, checks its timestamp,
// drops duplicates by the signed id, and hands the decoded Notification to
// a function. webhook/webhooktest signs requests for the consumer's tests.
//
// # State that survives restarts
//
// The Notifier's Outbox, the poller's State and the webhook Deduper are
// interfaces with in-memory defaults and conformance suites
// (events/outboxtest, poller/statetest). Package boltstore keeps all three
// in one file for a single process; the riverstore module runs polling and
// delivery on PostgreSQL through River for several replicas, so the core
// module never depends on a database driver.
//
// # Time
//
// Every timing rule (poll intervals, retry schedules, timeouts, signature
// tolerance, dedupe windows) runs on an injected clockwork.Clock: tests
// drive hours of schedule on a fake clock in milliseconds.
package elementevents
