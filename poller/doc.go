// Package poller turns vendor resources that have no webhooks into events.
// It fetches each resource of an instance's event.poller.configuration
// every refresh interval, decides what changed by the Cloud Elements rules
// and against what it remembers, and publishes CREATED, UPDATED and
// DELETED events to an events.Sink (usually the notify.Notifier).
//
// The shortest use:
//
//	p, err := poller.New(poller.Config{Instance: inst, Sink: notifier})
//	go p.Run(ctx) // every RefreshInterval, ±10%
//
// New compiles each resource once: its dates' Java layouts and zones, the
// id and date paths, the URL template, the page size and records path
// with their defaults, the page cap. A pattern, zone or URL that cannot
// be read fails New with [ErrConfig], naming its configuration key, never
// a poll: a cycle only runs what New compiled.
//
// # Fetching
//
// A [Source] fetches one page of a resource for a window. [HTTPSource]
// builds it from the element definition: the base URL template filled from
// the configuration, hub paths mapped to vendor paths, auth (read by
// [vendorauth.Credentials] from the definition's auth for the base URL's
// scheme, as the webhook Subscriber reads it; oauth1 signs every request of
// every page afresh through [vendorauth.OAuth1], and drops the oauth_*
// parameters a next-page link echoes), ${...}
// placeholders expanded for the window start, the page size capped by the
// definition, and its pagination style (page numbers with
// X-WP-TotalPages, Link rel="next", a next-page URL in the body such as
// Concur's NextPage, or offset and limit). Vendors that answer 429 or 503
// are waited for as Retry-After says; 5xx, timeouts and network errors
// are retried with exponential backoff on the injected clock; 401 and 403
// stop the resource ([ErrUnauthorized]) until [Poller.Resume].
//
// # OAuth 2
//
// The oauth2-refresh and oauth2-client auth styles (SAP Concur) send a
// bearer token from a [vendorauth.OAuth2], kept in [Config.Tokens] under
// the element key + "/" + the instance id; share one durable store
// between replicas. The token is renewed a minute before it expires; a
// 401 (or a 403, where the definition says forbiddenMeansExpired) renews
// it once and asks for the page again. A token endpoint that answers 5xx
// or cannot be reached is retried like a page. When the vendor refuses
// the refresh token (invalid_grant: expired, revoked, used twice), every
// resource of the instance stops at once, without a request: one Warn
// line, [Config.OnReauthorize], and a NEEDS_REAUTHORIZATION instance
// status to the Sink naming the configuration key to set
// (oauth.refresh.token). A Poller made with the new refresh token, or
// [Poller.Resume] once the store holds a working one, polls again and
// publishes RECOVERED once. [Config.NoStatusNotifications] turns the
// statuses off.
//
// Every request dials through the SSRF guard of [HTTPConfig.Guard] (or
// [Config.Guard]): store.url, resource URLs, redirects and next-page links
// never reach loopback, private or metadata addresses unless allowed, and
// redirects and links are followed only on the resource's own origin. A
// refusal is final, not retried; its error wraps [netguard.ErrRefused] and
// names the instance and the configuration key the URL came from.
//
// A vendor's pagination cannot hold a resource: a next page already
// fetched in the cycle (A → B → A) fails the cycle at once
// ([ErrPageLoop]), and so does a walk past the page cap
// ([ErrTooManyPages]; [Config.MaxPages], 1,000 pages unless
// [Config.ResourceMaxPages] says otherwise for a resource). Such a cycle
// publishes nothing and leaves the state as it was, so no record is taken
// for deleted from a walk that went astray.
//
// # Deciding what changed
//
// Records are scanned, not decoded: only the id, the updated and created
// dates and a hash of the record's bytes are extracted. With
// filterByUpdatedDate (the default) a record not updated after the window
// start is old news; updated within createdCheckTolerance of its creation
// it is CREATED, otherwise UPDATED. Remembered state (id, date, hash)
// keeps the lookback overlap from repeating anything and catches changes
// the vendor did not date.
//
// DELETED comes only from complete snapshots (every page fetched, every
// record readable, the vendor's total matching), and only for a record
// missing from two of them in a row: a list that shifts while it is paged
// can skip a record and still add up. A snapshot that finds a record
// missing is followed by another at the next cycle.
// [Config.SingleSnapshotDeletes] trades that safety for one cycle of
// latency.
//
// # Delete guard
//
// A vendor that suddenly lists much less (revoked permissions, a filter
// bug) must not turn into mass DELETED events. When one snapshot would
// delete more than [Config.DeleteGuardShare] of a resource's remembered
// records (default half) and more than [Config.DeleteGuardCount] (default
// 20), the poller holds those deletes: it publishes nothing for them,
// keeps the records, logs one warning, calls [Config.OnDeletesHeld] and
// publishes a DeletesHeld instance status ([events.Status]; off with
// [Config.NoStatusNotifications]), once per hold. [Result.Held] counts
// them. The held deletes go out when [Config.DeleteGuardSnapshots] more
// complete snapshots (default 2) still miss the same records; records
// that come back are not deleted, and a Recovered status follows once
// none is held. The host can end a hold at once:
//
//	n, err := p.ConfirmDeletes(ctx, "customers") // publish the held deletes now
//	n, err = p.DropDeletes(ctx, "customers")     // forget them; the records stay
//
// The hold lives in [ResourceState].Missing, so it is kept wherever the
// rest of the state is.
//
// # Windows and clocks
//
// A cycle's window starts at the previous cycle's watermark less pollDelay
// and [Config.Lookback]. The watermark is the earlier of the vendor's Date
// header (on the first page) and the local clock, both read when that
// cycle started. A vendor dates its records by its own clock, which the
// Date header usually shows; but a front server's Date can run ahead of
// the database's, and the local clock ahead of the vendor's. Taking the
// earlier of the two keeps every change made after the cycle started
// inside the next window as long as the records are dated by one of the
// two clocks, however far the other is off, in either direction. A window
// that starts early only fetches again records that remembered state
// already knows. Records dated by a third clock, behind both, need a
// Lookback at least as large as that lag.
//
// A walk that ends before the vendor's announced total or page count (an
// empty page in the middle, a list that shrank under the cursor) publishes
// what it saw, but leaves the watermark where it was ([Result.Partial]):
// the next cycle covers the same window again, and reports the records the
// short walk missed rather than taking them for old news.
//
// The window start and the state advance only after the Sink accepted the
// events, so a failed cycle is simply done again; event ids are
// deterministic, so a consumer can drop the repeats.
//
// # Backfill
//
// [Poller.Backfill] runs one cycle of a resource from a given time, with
// no lookback before it, to fill a gap such as a webhook subscription
// that was down:
//
//	res := p.Backfill(ctx, "customers", lastWebhook)
//
// It judges changes against the remembered state, so a change a cycle
// already reported is not reported again, and one that reaches the
// consumer by both paths has one event id. It never reports DELETED,
// never moves the watermark backwards, and waits for a running cycle of
// the resource. A webhook instance, which has no
// event.poller.configuration, is polled with its element definition's
// default resources (those of event.objects, or all).
//
// # Resync and reset
//
// [Poller.Resync] lists a resource whole, now, whatever its URL's date
// filter, and moves the window as a cycle does. [ResyncBaseline] forgets
// what was remembered and takes a new baseline, reporting nothing;
// [ResyncFull] reports every record once, CREATED or UPDATED by its
// dates, and remembers them all:
//
//	p.Resync(ctx, "", poller.ResyncFull) // every resource
//
// [ResetState] forgets, in a [State], everything of one resource of one
// instance, so that a new Poller's next cycle of it is a first run: for a
// resource whose URL or idField changed, or an instance deleted.
//
// # Observing
//
// Config.OnCycle hears the Result of every cycle; Config.StartCycle wraps
// each cycle (and backfill) for a tracer: its context is the one the
// cycle's vendor requests and published batch carry. The otel module
// builds its spans and metrics on them.
package poller
