// Package memdedupe is the in-memory set of handled ids behind
// webhook.NewMemoryDeduper and the receiver's default Deduper: ids that
// expire on an injected clock, held so that the garbage collector has no
// pointers to scan however many a day brings.
//
//	d := memdedupe.New(clock)
//	if seen, _ := d.Seen(ctx, id); !seen {
//		handle()
//		d.Mark(ctx, id, 24*time.Hour)
//	}
package memdedupe

import (
	"context"
	"crypto/sha256"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"
)

// Set remembers ids until their ttl runs out on its clock. Ids are kept as
// 128-bit hashes with integer expiry times, and expired ids leave in the
// order they came. It is safe for concurrent use.
type Set struct {
	clock clockwork.Clock

	mu      sync.Mutex
	expires map[key]int64 // Unix nanoseconds
	queue   []entry       // in marking order, for expiry
	head    int
}

type key [16]byte

type entry struct {
	key key
	exp int64
}

// hash returns the key of id. An id that fits is copied to the stack
// first: a plain conversion would allocate for any id over 32 bytes, which
// the handlers' namespaced keys are.
func hash(id string) key {
	var buf [256]byte
	b := buf[:0]
	if len(id) <= len(buf) {
		b = append(b, id...)
	} else {
		b = []byte(id)
	}
	sum := sha256.Sum256(b)
	return key(sum[:16])
}

// New returns an empty Set on clock (nil: the real clock).
func New(clock clockwork.Clock) *Set {
	if clock == nil {
		clock = clockwork.NewRealClock()
	}
	return &Set{clock: clock, expires: make(map[key]int64)}
}

// Seen reports whether id was marked and its ttl has not run out. It never
// fails; the error is there to match the Deduper interfaces.
func (s *Set) Seen(_ context.Context, id string) (bool, error) {
	k := hash(id)
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.expires[k]
	return ok && s.clock.Now().UnixNano() < exp, nil
}

// Mark remembers id for ttl. It never fails.
func (s *Set) Mark(_ context.Context, id string, ttl time.Duration) error {
	k := hash(id)
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now().UnixNano()
	s.expire(now)
	exp := now + int64(ttl)
	s.expires[k] = exp
	s.queue = append(s.queue, entry{key: k, exp: exp})
	return nil
}

// expire drops the ids at the front of the queue whose time has come; an
// id marked again later stays, since its map entry moved on.
func (s *Set) expire(now int64) {
	for s.head < len(s.queue) && s.queue[s.head].exp <= now {
		e := s.queue[s.head]
		if s.expires[e.key] == e.exp {
			delete(s.expires, e.key)
		}
		s.head++
	}
	if s.head > 1024 && s.head > len(s.queue)/2 {
		s.queue = append(s.queue[:0], s.queue[s.head:]...)
		s.head = 0
	}
}

// Len returns the number of ids held, expired ones not yet swept
// included.
func (s *Set) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.expires)
}
