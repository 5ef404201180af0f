// Package engine owns the running set of instances of one process or
// replica: it will create, change and remove instances live, starting and
// stopping their pollers and webhook routes (issue 17, in progress).
//
// Today it holds the storage contract the rest is built on: an
// [InstanceStore] keeps each instance's /instances body as written, per
// tenant, with a version for optimistic concurrency, and lists them by
// cursor. [NewMemoryInstanceStore] is the in-memory one; package
// instancetest is the conformance suite every implementation runs.
//
// An [EventLog] keeps every notification with its status (NEW,
// DISPATCHED, NOTIFIED, FAILED, DEAD) and its delivery attempts, per
// tenant and instance, for a retention time ([DefaultRetention], pruned
// by the host), listed newest first with filters and a cursor.
// [NewMemoryEventLog] is the bounded in-memory one; package eventlogtest
// is its conformance suite.
//
//	store := engine.NewMemoryInstanceStore()
//	err := store.Create(ctx, engine.Record{Tenant: "acme", ID: "42", Version: 1, Body: body})
//	rec, err := store.Get(ctx, "acme", "42")
package engine
