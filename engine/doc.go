// Package engine runs element instances live: an [Engine] keeps the
// instances of an [InstanceStore], polls the polling ones on their
// schedules, serves the webhooks of the others, delivers every
// notification through its Notifier and logs each, with its status and
// attempts, in an [EventLog]. Instances are created, changed, disabled
// and deleted while it runs, and each change takes effect at once,
// without a restart. Package api serves it over HTTP as the /instances
// API; a host may also call it directly.
//
//	eng, err := engine.New(engine.Config{Store: db.Instances(), Events: db.EventLog(),
//		State: db.PollerState(), Tokens: db.Tokens(), Notify: notify.Config{Outbox: db.Outbox()}})
//	go eng.Run(ctx)
//	mux.Handle("/events/{elementKey}/{instanceID}", eng.Webhooks())
//	inst, err := eng.Create(ctx, "acme", body) // an /instances body
//	inst, err = eng.Patch(ctx, "acme", inst.ID, inst.Version,
//		[]byte(`{"configuration":{"event.poller.refresh_interval":"5"}}`))
//
// # Instances
//
// An instance is its /instances body, stored as written with three keys
// the engine owns: "id" (the body's, or Config.NewID's), "token" (the
// instance token, assigned at Create) and "disabled". Every write is
// parsed and validated first (element.Parse, and the poller's plan for a
// polling instance): an invalid body or patch changes nothing, and its
// error wraps [ErrInvalid] and the element package's *SyntaxError or
// *ValidationError, which name the offending key. Writes are versioned: a
// write that names a version other than the stored one fails with a
// [*ConflictError]; a write with version 0 rereads and retries, so that
// concurrent patches of one instance lose no update. Every read and write
// names a tenant, and an instance of another tenant is [ErrNotFound], as
// if it did not exist.
//
// # What a change does
//
//   - Create: a polling instance is polled at once (its first cycle takes
//     a baseline and reports nothing); a webhook instance is served at
//     once, and its vendor webhooks are registered in the background
//     (see "Vendor webhook subscriptions").
//   - Update and Patch: the new configuration applies from the next
//     cycle. The schedule is kept (brought forward if the refresh interval
//     shrank) and so is what the pollers remember, except for a resource
//     whose url or idField changed, or that was removed: it is forgotten,
//     and its next cycle takes a new baseline. A new callback URL or
//     signature key applies to the notifications not yet delivered.
//   - Disable: nothing is polled, webhooks are refused (404), the
//     configuration and what the pollers remember are kept; Enable polls
//     at once and carries on from there.
//   - Delete: the instance stops at once; what its pollers remembered and
//     its OAuth 2 token are forgotten. Its notifications already accepted
//     are still delivered, to the callback URL they were published for,
//     or dead-lettered as any other, and stay in the event log until it is
//     pruned.
//
// # Vendor webhook subscriptions
//
// With Config.Subscriptions.PublicURL set (the public base URL where
// vendors reach [Engine.Webhooks]), the engine registers the webhook
// instances' webhooks at their vendor itself, through a
// webhook.Subscriber: for WooCommerce, one webhook per topic of
// event.objects, delivered to PublicURL/events/{elementKey}/{id}.
//
//	eng, err := engine.New(engine.Config{Subscriptions: webhook.SubscriberConfig{
//		PublicURL: "https://hooks.example.com"}})
//
// A write never waits for the vendor: creating, changing or enabling a
// webhook instance queues it, and Run's workers reconcile it with the
// vendor (creating, updating or re-activating what is missing); deleting
// or disabling it, or making it a polling instance, queues the removal
// of its webhooks; a changed store URL removes them from the old store.
// While Run runs, the Subscriber repairs every reconciled instance each
// Subscriptions.Interval (default: the instance's refresh interval), and
// polls once, through a poller made as the polling instances' are, what a
// webhook found disabled or deleted missed meanwhile. A failed
// registration is logged and tried again at that repair, a failed removal
// every Interval (default 15 minutes); the instance's callback gets a
// SUBSCRIPTION_FAILING status, then RECOVERED. Run reconciles every
// webhook instance it loads at start.
//
// An instance without a webhook secret (webhook.secret for WooCommerce)
// gets a generated one, which the engine stores in its body with a
// versioned write, so that the handler verifies the vendor's deliveries
// with it and a restart keeps it. The secret is never logged, and the
// /instances API masks it as any secret.
//
// # Scheduling
//
// One dispatcher runs every polling instance's cycles on Config.Workers
// goroutines, each an interval (±10%) after the previous one started; a
// cycle never overlaps the next of the same instance. Run spreads the
// instances it loads at start over their first interval. Several
// replicas share one Store through a [Claimer] (riverstore has one): each
// interval of each instance is then polled by the one replica that claims
// it, at the version it claims it for, so a replica that has not yet
// reloaded a change never polls with the old plan.
//
// # Event log
//
// Every notification is logged as it moves through the outbox: NEW when
// published, DISPATCHED while an attempt is in flight, NOTIFIED when
// delivered, FAILED when an attempt failed and another is due, DEAD when
// given up, with every attempt (time, status code, latency, error and the
// start of the answer). Run prunes the log every hour of what is older
// than Config.Retention (7 days by default). [Engine.Replay] sends a dead
// or delivered notification again with the same id.
//
// # Stores
//
// NewMemoryInstanceStore and NewMemoryEventLog keep everything in memory;
// boltstore keeps it in one file, riverstore in PostgreSQL. Packages
// instancetest and eventlogtest are the conformance suites each
// implementation runs.
//
// # Observing
//
// [Engine.Status] says how one instance is doing (its last poll and its
// callback URL's deliveries); [Engine.Counts] counts the instances this
// process runs by [InstanceState], from memory. Config.Poller, Config.Notify
// and Config.Webhook carry the hooks of the packages beneath (OnCycle,
// StartCycle, OnAttempt, Tracer, OnRequest): the otel module's
// Instrumentation.Engine sets them for OpenTelemetry.
package engine
