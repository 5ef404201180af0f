package webhook

import (
	"context"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/a12b7632/elementevents/internal/memdedupe"
)

// DefaultDedupeTTL is how long a delivery id is remembered.
const DefaultDedupeTTL = 24 * time.Hour

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

// MemoryDeduper is an in-memory [Deduper] whose entries expire on the
// injected clock. Keys are kept as 128-bit hashes with integer expiry
// times, so the garbage collector has no pointers to scan however many
// deliveries a day brings, and expired keys leave in the order they came.
// It is also a receiver.Deduper.
type MemoryDeduper struct {
	set *memdedupe.Set
}

// NewMemoryDeduper returns an empty MemoryDeduper on clock (nil: the real
// clock).
func NewMemoryDeduper(clock clockwork.Clock) *MemoryDeduper {
	return &MemoryDeduper{set: memdedupe.New(clock)}
}

var _ Deduper = (*MemoryDeduper)(nil)

// Seen reports whether key is remembered.
func (m *MemoryDeduper) Seen(ctx context.Context, key string) (bool, error) {
	return m.set.Seen(ctx, key)
}

// Mark remembers key for ttl.
func (m *MemoryDeduper) Mark(ctx context.Context, key string, ttl time.Duration) error {
	return m.set.Mark(ctx, key, ttl)
}

// Len returns the number of keys held, expired ones not yet swept
// included.
func (m *MemoryDeduper) Len() int { return m.set.Len() }
