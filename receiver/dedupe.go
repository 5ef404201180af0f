package receiver

import (
	"context"
	"time"
)

// defaultDedupeTTL is how long a handled notification id is remembered
// when Config.DedupeTTL is zero.
const defaultDedupeTTL = 24 * time.Hour

// Deduper remembers the ids of notifications already handled, so that a
// sender's retry of a delivery that did arrive is not handled twice.
// Implementations must be safe for concurrent use. webhook.NewMemoryDeduper
// and the Dedupers of boltstore and riverstore satisfy it; share one
// between replicas to dedupe across them.
type Deduper interface {
	// Seen reports whether id was marked and its ttl has not run out. An
	// error is answered 503, so that the sender retries.
	Seen(ctx context.Context, id string) (bool, error)
	// Mark remembers id for ttl. The Receiver marks an id only once the
	// notification was handled, so a failed attempt can be retried; an
	// error is logged.
	Mark(ctx context.Context, id string, ttl time.Duration) error
}
