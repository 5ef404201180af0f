package webhook

import (
	"context"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"
)

// DefaultDedupeTTL is how long a delivery id or event id is remembered.
const DefaultDedupeTTL = 24 * time.Hour

// Deduper remembers the ids of requests already handled, so that a
// vendor's or a notifier's retry of a delivery that did arrive produces no
// second event. Implementations must be safe for concurrent use.
type Deduper interface {
	// Seen reports whether key was marked and its ttl has not run out.
	Seen(ctx context.Context, key string) (bool, error)
	// Mark remembers key for ttl. Handlers mark a key only after the
	// request's events were accepted, so a failed attempt can be retried.
	Mark(ctx context.Context, key string, ttl time.Duration) error
}

// MemoryDeduper is an in-memory [Deduper] whose entries expire on the
// injected clock. Expired entries are swept as new ones are marked.
type MemoryDeduper struct {
	clock clockwork.Clock

	mu      sync.Mutex
	expires map[string]time.Time
	marks   int
}

// NewMemoryDeduper returns an empty MemoryDeduper on clock (nil: the real
// clock).
func NewMemoryDeduper(clock clockwork.Clock) *MemoryDeduper {
	if clock == nil {
		clock = clockwork.NewRealClock()
	}
	return &MemoryDeduper{clock: clock, expires: make(map[string]time.Time)}
}

var _ Deduper = (*MemoryDeduper)(nil)

// Seen reports whether key is remembered.
func (m *MemoryDeduper) Seen(_ context.Context, key string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	exp, ok := m.expires[key]
	return ok && m.clock.Now().Before(exp), nil
}

// Mark remembers key for ttl.
func (m *MemoryDeduper) Mark(_ context.Context, key string, ttl time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.clock.Now()
	m.expires[key] = now.Add(ttl)
	// Sweep now and then, so the map holds about one TTL of keys.
	if m.marks++; m.marks%1024 == 0 {
		for k, exp := range m.expires {
			if !now.Before(exp) {
				delete(m.expires, k)
			}
		}
	}
	return nil
}

// Len returns the number of keys held, expired ones not yet swept
// included.
func (m *MemoryDeduper) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.expires)
}
