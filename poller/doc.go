// Package poller turns vendor resources that have no webhooks into events.
// It fetches each resource of an instance's event.poller.configuration
// every refresh interval, decides what changed by the Cloud Elements rules
// and against what it remembers, and publishes CREATED, UPDATED and
// DELETED events to an events.Sink (usually the events.Notifier).
//
// The shortest use:
//
//	p, err := poller.New(poller.Config{Instance: inst, Sink: notifier})
//	go p.Run(ctx) // every RefreshInterval, ±10%
//
// # Fetching
//
// A [Source] fetches one page of a resource for a window. [HTTPSource]
// builds it from the element definition: the base URL template filled from
// the configuration, hub paths mapped to vendor paths, auth, ${...}
// placeholders expanded for the window start, the page size capped by the
// definition, and its pagination style (page numbers with
// X-WP-TotalPages, Link rel="next", a next-page URL in the body such as
// Concur's NextPage, or offset and limit). Vendors that answer 429 or 503
// are waited for as Retry-After says; 5xx, timeouts and network errors
// are retried with exponential backoff on the injected clock; 401 and 403
// stop the resource ([ErrUnauthorized]) until [Poller.Resume].
//
// # Deciding what changed
//
// Records are scanned, not decoded: only the id, the updated and created
// dates and a hash of the record's bytes are extracted. With
// filterByUpdatedDate (the default) a record not updated after the window
// start is old news; updated within createdCheckTolerance of its creation
// it is CREATED, otherwise UPDATED. Remembered state (id, date, hash)
// keeps the lookback overlap from repeating anything and catches changes
// the vendor did not date. DELETED comes only from complete snapshots:
// every page fetched and the vendor's total matching.
//
// The window start and the state advance only after the Sink accepted the
// events, so a failed cycle is simply done again; event ids are
// deterministic, so a consumer can drop the repeats.
package poller
