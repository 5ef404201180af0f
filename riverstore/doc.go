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
//	tokens, err := riverstore.NewTokenStore(pool, riverstore.StoreConfig{}) // OAuth 2 tokens
//	insts, err := riverstore.NewInstanceStore(pool, riverstore.StoreConfig{}) // the instances
//	claims, err := riverstore.NewClaimer(pool, riverstore.StoreConfig{}) // engines share the polling
//	log, err := riverstore.NewEventLog(pool, riverstore.StoreConfig{}) // and the event log
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
// as notify.Notifier does and inserts one River job per notification,
// unique by its id. Workers make each attempt with a notify.Sender built
// from Config.Policy, a notify.DeliveryPolicy, as the Notifier does, so
// they POST them signed in both schemes, under the rules of package
// notify: 2xx delivered; 410 disables the endpoint (its deliveries wait,
// without using attempts, until Enable); 408, 425, 429, 5xx, 3xx,
// timeouts and network errors retried on the policy's Schedule, with
// Retry-After kept within its bounds (by default between the step and
// twice the step), River's MaxAttempts being the schedule's length; other
// 4xx and addresses the SSRF guard refuses are dead letters at once,
// listed by DeadLetters and replayed by Replay. Each replica bounds the
// attempts in flight per endpoint (Config.Concurrency), and its default
// client keeps a connection per attempt in flight to an endpoint, so busy
// deliveries reuse their connections.
//
// # Order
//
// As with notify.Notifier, the notifications of one instance and object
// type (their order key) to one endpoint are attempted one at a time, in
// publish order, so an UPDATED never overtakes its CREATED; different keys
// do not wait for each other. Publish takes a transaction-scoped advisory
// lock per endpoint and order key; the first notification of a key that
// has no unfinished one is its head, a River job recorded in
// elementevents_delivery_order, and the ones behind it wait their turn in
// elementevents_delivery_wait, not in River. Dead-lettering the key's
// head completes its job, deletes its row and makes the first waiting one
// the head (deletes its waiting row and inserts its River job), in one
// transaction under the same lock. A delivered head's worker hands it to
// the replica's settler and takes its next job at once; the settler
// deletes the rows of every job delivered meanwhile and inserts the next
// ones, in one transaction under their locks, and wakes River's producers
// (River's own insert notification) to fetch them, while River completes
// the jobs in its own batches. A retry keeps it the head, so the ones
// behind it wait through its retries and through a disabled endpoint
// (Enable does not wake them). Order holds between publishes that commit
// one after the other; a replayed dead letter joins the tail of its key,
// behind those published since it died. Publish skips a notification
// that is waiting already, and one whose id River holds when it would be
// the head; one that waits is checked against River's when its turn
// comes. Safety nets: a job made due by another path (River's JobRetry)
// snoozes for Config.OrderRecheck while an earlier one of its key is
// unfinished, and the leader sweeps every OrderRecheck (SweepOrder) for
// heads finished through River (cancelled, discarded, deleted), or
// completed by River when a settle failed, releasing the next ones. A
// waiting notification costs one River insert, when its turn comes, as
// an unordered one does at publish; the price of order is a transaction
// per batch of deliveries and the rows of the two tables: BENCHMARKS.md
// holds the throughput against a bare River worker.
//
// Delivery is at least once: a replica that dies after the receiver
// answered but before River recorded it delivers that notification again
// elsewhere, with the same id, which receivers dedupe. If it died after
// the settler's transaction committed, the ones behind the notification
// may have been delivered since: River runs its job again, and the job,
// its row gone, completes without an attempt, so it never arrives after
// them. So does a delivered job that River's JobRetry runs again; Replay
// is the way to deliver a notification again, once it is a dead letter.
//
// # Storage
//
// Migrate runs River's migrations and the package's own (Migrations, in
// elementevents_migration), under an advisory lock. State is a
// poller.State, Deduper a webhook.Deduper, NewTokenStore's store a
// vendorauth.TokenStore (elementevents_token), NewInstanceStore's an
// engine.InstanceStore (elementevents_instance), NewClaimer's an
// engine.Claimer (elementevents_claim) and NewEventLog's an
// engine.EventLog (elementevents_event_log) on the same database; all but
// the Claimer, for which package engine has no suite, pass their
// packages' conformance tests.
//
// # Instances
//
// NewInstanceStore keeps the instances where every replica reads them:
// the body as bytea, byte for byte as written (secrets included: guard the
// database as the credentials), and columns for what List filters on. List
// is one query that walks the tenant's ids in byte order from the cursor
// and stops at the limit. Update and Delete read the row FOR UPDATE, check
// its tenant and version and write it in one transaction, so of concurrent
// writers of one version, on any replicas, exactly one wins; the others get
// an engine.ConflictError. Times are kept to the microsecond.
//
// # The engine on PostgreSQL
//
// A host that runs package engine (instances created, changed and removed
// at run time) on several replicas gives every replica's engine.Config
// the same database's stores, each replica its own pool:
//
//	sc := riverstore.StoreConfig{}
//	store, _ := riverstore.NewInstanceStore(pool, sc) // the instances, shared
//	claims, _ := riverstore.NewClaimer(pool, sc)      // each interval polled once
//	state, _ := riverstore.NewState(pool, sc)         // what the pollers remember
//	tokens, _ := riverstore.NewTokenStore(pool, sc)   // OAuth 2 tokens, refreshed once
//	log, _ := riverstore.NewEventLog(pool, sc)        // every replica's notifications
//	eng, _ := engine.New(engine.Config{Store: store, Claimer: claims, State: state, Tokens: tokens, Events: log})
//	err := eng.Run(ctx)
//
// Every replica schedules every polling instance at the start of each of
// its intervals (counted from the Unix epoch) and asks the Claimer; the
// first to claim the (instance, interval) polls it, with the State the
// replicas share, so a record is reported once whichever replica saw it.
// A claim is granted only to a replica that runs the version the store
// holds, enabled: after a write through one replica, the others are
// refused until they reload it (engine.Config.Reload, by default every
// minute), so a patch applies, and a disable or a delete stops the
// polling everywhere, at once; within one Reload the others run the new
// version or nothing. A claim is pruned a day after its interval began,
// an instance's newest only once a newer one is claimed or the instance
// is deleted.
//
// The engine does not use Replica: each replica's engine delivers through
// its own notify.Notifier (engine.Config's Notify.Outbox, in memory by
// default, so a replica that stops drops what it had not delivered; this
// package has no PostgreSQL notify.Outbox yet), and logs what it
// published, and each attempt, in engine.Config.Events: with NewEventLog
// there, the event log of every replica is one table, and any replica's
// engine lists (engine.Engine.Events, GET /instances/{id}/events) what
// every replica published. Inbound webhooks reach any replica: each
// serves every instance it has loaded (engine.Engine.Webhooks).
//
// # The event log
//
// NewEventLog keeps one row per notification: the body as bytea, byte
// for byte, the attempts as a jsonb array that an update appends to in
// place (so concurrent updates lose none), and columns for what List
// filters on. A page of one instance's notifications, newest first, is
// one read of the (tenant, instance, created, id) index from the cursor,
// stopped at the limit; with one status, of the (tenant, instance,
// status, created, id) index; with several (FAILED or DEAD), one read
// per status, merged. The suite of package eventlogtest passes; at
// 200,000 notifications a page of 100 takes about 0.4 ms, round trip
// included (README.md). Prune deletes the oldest in batches of 10,000,
// skipping rows another replica's prune holds.
//
// # OAuth 2 tokens across replicas
//
// NewTokenStore keeps each instance's OAuth 2 token where every replica
// reads it. Its Update is one transaction that takes a transaction-scoped
// advisory lock on the key, reads the token, calls fn (the refresh at the
// vendor), writes fn's token and commits: two replicas never refresh one
// instance's token at once, a refresh token the vendor rotated is
// committed before anyone uses it, and a replica that dies mid-refresh
// frees the lock with its connection. The commit goes ahead even if the
// caller's context ended while fn ran. Expiry is kept to the microsecond. Tests of this package need a PostgreSQL
// server: DATABASE_URL, by default postgres://postgres@127.0.0.1:5432/test;
// without one they skip, unless ELEMENTEVENTS_REQUIRE_POSTGRES=1.
package riverstore
