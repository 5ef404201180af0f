// Package riverstore runs the poller and the Notifier of elementevents on
// River (github.com/riverqueue/river) and PostgreSQL, so that any number of
// replicas share the work without polling a resource twice or losing a
// notification.
//
// It lives in a module of its own, so that the core module keeps no
// PostgreSQL dependency.
//
// The shortest use:
//
//	pool, _ := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
//	_, err := riverstore.Migrate(ctx, pool, riverstore.MigrateConfig{})
//	rep, err := riverstore.New(riverstore.Config{Pool: pool, Instances: insts})
//	err = rep.Start(ctx) // on every replica
//	err = rep.PublishTx(ctx, tx, batch) // webhook events, in the caller's transaction
//
// # Polling
//
// Each resource of each instance in Config.Instances is a River periodic
// job. The leader replica enqueues it once per interval (and once when it
// becomes leader), unique by instance, resource and interval number, so
// each interval is polled by exactly one job, whichever replica works it
// and however leadership moves. A poll takes a PostgreSQL advisory lock on
// its resource, so it never overlaps a slow poll of the previous
// interval. The events it finds, the poller state it moves forward and the
// job's completion are committed in one transaction: a poll interrupted at
// any point leaves nothing behind and is done again.
//
// # Delivery
//
// Replica is an events.Sink: Publish (or PublishTx, inside the caller's
// transaction: the transactional outbox) splits a batch into notifications
// as events.Notifier does and inserts one River job per notification,
// unique by its id. Workers make each attempt with an events.Sender, as
// the Notifier does, so they POST them signed in both schemes, under the
// rules of package events: 2xx delivered; 410 disables the endpoint (its
// deliveries wait, without using attempts, until Enable); 408, 425, 429,
// 5xx, 3xx, timeouts and network errors retried on Config.Schedule, with
// Retry-After kept between the step and twice the step, River's
// MaxAttempts being the schedule's length; other 4xx and addresses the
// SSRF guard refuses are dead letters at once, listed by DeadLetters and
// replayed by Replay. Each replica bounds the attempts in flight per
// endpoint (Config.Concurrency). Unlike events.Notifier, deliveries of one
// instance and object type are not ordered.
//
// Delivery is at least once: a replica that dies after the receiver
// answered but before River recorded it delivers that notification again
// elsewhere, with the same id, which receivers dedupe.
//
// # Storage
//
// Migrate runs River's migrations and the package's own (Migrations, in
// elementevents_migration), under an advisory lock. State is a
// poller.State and Deduper a webhook.Deduper on the same database; both
// pass their packages' tests. Tests of this package need a PostgreSQL
// server: DATABASE_URL, by default postgres://postgres@127.0.0.1:5432/test;
// without one they skip, unless ELEMENTEVENTS_REQUIRE_POSTGRES=1.
package riverstore
