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
//	store := engine.NewMemoryInstanceStore()
//	err := store.Create(ctx, engine.Record{Tenant: "acme", ID: "42", Version: 1, Body: body})
//	rec, err := store.Get(ctx, "acme", "42")
package engine
