// Package poller will turn vendor resources that have no webhooks into
// events: it fetches each resource configured in event.poller.configuration
// every refresh interval, diffs the records by id and by their created and
// updated dates, and emits CREATED, UPDATED and DELETED events to an
// events.Sink.
//
// It is not built yet: this file only reserves the package and states its
// purpose (see DESIGN.md and the poller issue).
package poller
