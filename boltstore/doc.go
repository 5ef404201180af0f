// Package boltstore is the embedded durable store of elementevents: the
// notify.Outbox, the poller.State, the Deduper (for webhook and receiver),
// the vendorauth.TokenStore, the engine.InstanceStore and the
// engine.EventLog of one process, in one bbolt file. With it, a notification the Notifier accepted is
// delivered even if the process dies first, a restarted poller goes on
// from its last committed cycle instead of taking a new baseline, a
// vendor's retry that arrives after a restart is still recognised, an
// OAuth 2 refresh token the vendor rotated is on disk before it is used,
// and the instances created at run time are there after a restart.
//
// The shortest use:
//
//	db, err := boltstore.Open("elementevents.db", boltstore.Options{})
//	if err != nil {
//		return err
//	}
//	defer db.Close()
//	n, err := notify.New(notify.Config{Outbox: db.Outbox()})
//	p, err := poller.New(poller.Config{Instance: inst, Sink: n, State: db.PollerState()})
//	h, err := webhook.New(webhook.Config{Instances: insts, Sink: n, Deduper: db.Deduper()})
//	tokens := db.Tokens() // a vendorauth.TokenStore for OAuth 2 refresh
//	insts := db.Instances() // an engine.InstanceStore
//	log := db.EventLog()    // an engine.EventLog
//
// For several replicas sharing the work, use the PostgreSQL store
// instead: a bbolt file belongs to one process.
//
// # Durability
//
// Every method is one bbolt transaction, committed with fsync before it
// returns (but the token store's Update, below) (bbolt writes the changed pages, syncs, then writes and syncs a
// meta page; it never overwrites a page the last commit uses). A crash at
// any point leaves the file as of the last commit that returned. So
// Notifier.Publish returns only once its notifications are on disk, and
// the poller's state moves on only once its Commit is; what was in
// flight is done again after a restart, and nothing is lost. The crash
// tests of this package kill a child process at random points, over and
// over, and check exactly that.
//
// One process holds the file, with a lock that Open waits for up to
// Options.Timeout. As nobody else can hold a delivery's lease, Open ends
// the leases of the previous process: deliveries it was sending are due
// again at once, not a lease later (the Notifier's lease is its timeout
// plus 30 s). Each of them may reach its receiver twice, at most the
// Notifier's Concurrency per endpoint.
//
// The token store's Update calls its fn (a request to the vendor's token
// endpoint) between two transactions, a read and a write, under a lock
// per key in the process rather than inside a write transaction, which
// would hold up every other write for as long as the vendor takes. As the
// file has one process, that lock excludes every other Update of the key.
// fn's token is written, and synced, even when the caller's context ended
// while fn ran: the vendor may already refuse the old refresh token.
//
// # Opening a damaged or foreign file
//
// Open never hands bbolt a file it has not checked. It reads the two meta
// pages itself (magic, version, checksum, page size, and that the pages
// they describe fit in the file), then, with the lock held, walks the
// whole B+tree with bounds checks and a visited set: page types, element
// bounds, key order, no page referenced twice or both used and free.
// bbolt's own Tx.Check is not used: it follows page ids unchecked on a
// goroutine of its own and can crash the process on the very files it
// should report. The walk reads the used part of the file once (35 to 60
// ms for 100,000 poller records and 10,000 pending 1 KB notifications);
// Options.SkipVerify turns it off. After Open, a panic inside bbolt (its
// answer to a damaged page) or a memory fault on the mapped file is
// recovered and returned as [ErrCorrupt].
//
// The errors: a file that is not a bbolt file, or a bbolt file of another
// application, is [ErrForeignFile]; a damaged or truncated one is
// [ErrCorrupt]; one written by a newer build is a [*SchemaError]
// ([ErrSchemaVersion]); one with an older schema is migrated, in the
// transaction that checks it, by the table of migrations from each
// version to the next (1 to 2 adds the tokens bucket, 2 to 3 the
// instances bucket, 3 to 4 the eventlog bucket, 4 to 5 lets a delivery
// record end with a trace context and rewrites nothing), or refused with a *SchemaError naming the version;
// a read-only Open refuses a file that needs a migration.
//
// # File layout (schema version 5)
//
// Numbers in keys are big-endian, so that byte order is numeric order; a
// time in a key is 12 bytes, seconds since 1970 with the sign bit flipped
// then nanoseconds, so that byte order is time order. Values use varints
// and length-prefixed bytes. Top-level buckets:
//
//	meta     "app" -> "github.com/a12b7632/elementevents/boltstore"
//	         "schema" -> uint32, the schema version
//	outbox   one B+tree holding the tables and indexes below, each a
//	         region of keys that start with its tag byte; its bucket
//	         sequence numbers deliveries (Seq) and endpoints
//	poller   one nested bucket per poller.StateKey
//	dedupe   two regions, below
//	tokens   't' key -> an OAuth 2 token, below (added in version 2)
//	instances 'i' id -> an engine.Record, below (added in version 3)
//	eventlog four regions, below (added in version 4)
//
// The outbox regions. ep is an endpoint's 8-byte number, seq a delivery's
// Seq, id its ID:
//
//	'd' id                      -> the delivery but its ID and lease: endpoint,
//	                               OrderKey, key, body, events, Seq, created,
//	                               state, next attempt, dead reason, attempts,
//	                               and, if it has one, its trace context
//	                               (added in version 5)
//	'e' URL                     -> ep, pending and dead counts, disabled, reason;
//	                               deleted once empty and enabled
//	's' ep state(1) seq         -> id; state 'p' pending or 'd' dead (List)
//	'o' ep sha256(OrderKey)[:16] seq
//	                            -> id, pending deliveries with an OrderKey;
//	                               the first of a prefix is the head
//	'r' ep seq                  -> ready-at time, id: the claimable deliveries,
//	                               heads and those without an OrderKey
//	't' ep ready-at seq         -> id: the same, by time (NextDue, Claim)
//	'l' id                      -> lease end
//
// A delivery's ready-at time is its next attempt or, if later, its lease
// end. Claim walks 'r' in Seq order and 't' in time order a step each and
// keeps the first walk to finish, so it costs at most twice the cheaper
// of "the heads before the limit-th due one" and "the due heads", never
// the deliveries waiting behind an earlier one of their OrderKey.
// A claim writes the lease, not the delivery: bodies are written once.
//
// A poller.StateKey's bucket is named by the Instance's length as a uvarint,
// the Instance, then the Resource:
//
//	"h" -> watermark (seconds and nanoseconds), cycles
//	"m" -> the Missing counts: count, then id and count pairs
//	"r" nested bucket of records:
//	    'n' uint64 -> Updated, Hash (8 bytes each), for an id that is a
//	                  canonical decimal number, kept as that number
//	    's' id     -> the same for any other id, the empty one included
//
// The dedupe regions, with h the first 16 bytes of the key's SHA-256:
//
//	'k' h           -> expiry time
//	'x' expiry h    -> nothing; expired keys are purged from its front
//
// A token is a format byte (1), then the access token, the refresh
// token, the token type and the seed, each length-prefixed, as their
// real values (the file holds credentials: Options.Mode defaults to
// 0600), then 0 for no expiry or 1 and the expiry's seconds and
// nanoseconds.
//
// An instance is keyed by its id alone (ids are unique across tenants),
// so key order is List's order: a page is a Seek to the cursor and a walk
// that skips other tenants' instances, having read only their tenant, and
// stops at the limit; there is no other index. The value is a format byte
// (1), the tenant, the version, the element key, the vendor type, the
// tags (0 for nil, or 1, their count and each tag: an empty list stays
// empty), 1 or 0 for enabled, Created and Updated as seconds and
// nanoseconds, then the /instances body as its bytes, never re-encoded,
// secrets included. Update and Delete read the stored version and write
// in one transaction: of concurrent writers of one version, exactly one
// wins and the others get an *engine.ConflictError.
//
// The event log's regions; in a key, a time is as above and a tenant or
// an instance is preceded by its length as a uvarint, so that one never
// runs into the next:
//
//	'e' id                        -> the engine.LoggedEvent
//	'i' tenant instance created id
//	                              -> status, object type, event types
//	't' tenant created id         -> the same
//	'c' created id                -> nothing: Prune walks it from its start
//
// List walks 'i' (one instance) or 't' (every instance of a tenant)
// backwards from the earlier of its cursor and Until, so a page is a Seek
// and a walk of the index entries it skips and keeps: Since ends the
// walk, and the other filters read the index value, so only the
// notifications kept are read from 'e'. A logged notification is a format
// byte (1), the tenant, the instance and Created first (what Prune and a
// cursor read), then the status, object type, event types, event count,
// Updated, reason, attempts and the body as its bytes. Update rewrites it
// and its two index values; Prune removes its four entries, 10,000
// notifications a transaction.
//
// # Costs
//
// Measured on the development machine (2 cores, ext4, shared with other
// work, so upper bounds): a delivery's Enqueue, Claim and Ack, three
// commits, take 1 to 5 ms together, nearly all of it fsync; a Commit of
// 10,000 changed poller records into a state of 100,000 takes 50 to 60
// ms, and a first baseline of 100,000 records 0.3 to 0.5 s. A poller record takes 47
// bytes of the file with numeric ids, 50 with short string ids and 79
// with UUIDs. bbolt grows the file ahead of need, sparsely, in steps of
// 16 MiB, and reuses freed pages; the file does not shrink.
package boltstore
