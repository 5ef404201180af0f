package webhook

import (
	"context"
	"crypto/sha256"
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
// injected clock. Keys are kept as 128-bit hashes with integer expiry
// times, so the garbage collector has no pointers to scan however many
// deliveries a day brings, and expired keys leave in the order they came.
type MemoryDeduper struct {
	clock clockwork.Clock

	mu      sync.Mutex
	expires map[memKey]int64 // Unix nanoseconds
	queue   []dedupeEntry    // in marking order, for expiry
	head    int
}

type memKey [16]byte

type dedupeEntry struct {
	key memKey
	exp int64
}

func hashKey(key string) memKey {
	sum := sha256.Sum256([]byte(key))
	return memKey(sum[:16])
}

// NewMemoryDeduper returns an empty MemoryDeduper on clock (nil: the real
// clock).
func NewMemoryDeduper(clock clockwork.Clock) *MemoryDeduper {
	if clock == nil {
		clock = clockwork.NewRealClock()
	}
	return &MemoryDeduper{clock: clock, expires: make(map[memKey]int64)}
}

var _ Deduper = (*MemoryDeduper)(nil)

// Seen reports whether key is remembered.
func (m *MemoryDeduper) Seen(_ context.Context, key string) (bool, error) {
	k := hashKey(key)
	m.mu.Lock()
	defer m.mu.Unlock()
	exp, ok := m.expires[k]
	return ok && m.clock.Now().UnixNano() < exp, nil
}

// Mark remembers key for ttl.
func (m *MemoryDeduper) Mark(_ context.Context, key string, ttl time.Duration) error {
	k := hashKey(key)
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.clock.Now().UnixNano()
	m.expire(now)
	exp := now + int64(ttl)
	m.expires[k] = exp
	m.queue = append(m.queue, dedupeEntry{key: k, exp: exp})
	return nil
}

// expire drops the keys at the front of the queue whose time has come; a
// key marked again later stays, since its map entry moved on.
func (m *MemoryDeduper) expire(now int64) {
	for m.head < len(m.queue) && m.queue[m.head].exp <= now {
		e := m.queue[m.head]
		if m.expires[e.key] == e.exp {
			delete(m.expires, e.key)
		}
		m.head++
	}
	if m.head > 1024 && m.head > len(m.queue)/2 {
		m.queue = append(m.queue[:0], m.queue[m.head:]...)
		m.head = 0
	}
}

// Len returns the number of keys held, expired ones not yet swept
// included.
func (m *MemoryDeduper) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.expires)
}
