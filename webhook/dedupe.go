package webhook

import (
	"context"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/a12b7632/elementevents/internal/memdedupe"
)

// defaultDedupeTTL is Config.DedupeTTL's default.
const defaultDedupeTTL = 24 * time.Hour

// Deduper remembers the ids of requests already handled, so that a
// vendor's retry of a delivery that did arrive produces no second event.
// Implementations must be safe for concurrent use.
type Deduper interface {
	// Seen reports whether key was marked and its ttl has not run out.
	Seen(ctx context.Context, key string) (bool, error)
	// Mark remembers key for ttl. Handlers mark a key only after the
	// request's events were accepted, so a failed attempt can be retried.
	Mark(ctx context.Context, key string, ttl time.Duration) error
}

// memoryDeduper is the [Deduper] that [NewMemoryDeduper] returns.
type memoryDeduper struct {
	set *memdedupe.Set
}

// NewMemoryDeduper returns an empty in-memory [Deduper] whose entries
// expire on clock (nil: the real clock), the Handler's default. Keys are
// kept as 128-bit hashes with integer expiry times, so the garbage
// collector has no pointers to scan however many deliveries a day
// brings, and expired keys leave in the order they came. It is also a
// receiver.Deduper.
func NewMemoryDeduper(clock clockwork.Clock) Deduper {
	return &memoryDeduper{set: memdedupe.New(clock)}
}

var _ Deduper = (*memoryDeduper)(nil)

// Seen reports whether key is remembered.
func (m *memoryDeduper) Seen(ctx context.Context, key string) (bool, error) {
	return m.set.Seen(ctx, key)
}

// Mark remembers key for ttl.
func (m *memoryDeduper) Mark(ctx context.Context, key string, ttl time.Duration) error {
	return m.set.Mark(ctx, key, ttl)
}

// len returns the number of keys held, expired ones not yet swept
// included.
func (m *memoryDeduper) len() int { return m.set.Len() }
