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
	"io"
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
	expires map[Key]int64 // Unix nanoseconds
	queue   queue         // in marking order, for expiry
}

// Key is what an id is held by: the first 128 bits of its SHA-256.
type Key [16]byte

type entry struct {
	key Key
	exp int64
}

// hash returns the key of id.
func hash(id string) Key { return KeyOf(id) }

// KeyOf returns the key of the id made of parts, joined without a
// separator: KeyOf("a", "b") is the key of "ab". Callers that build an id
// from pieces hash it without building it. Ids up to 256 bytes are
// copied to the stack first: a plain conversion would allocate for any id
// over 32 bytes, which the handlers' namespaced keys are.
func KeyOf(parts ...string) Key {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	var sum [sha256.Size]byte
	var buf [256]byte
	if n <= len(buf) {
		b := buf[:0]
		for _, p := range parts {
			b = append(b, p...)
		}
		sum = sha256.Sum256(b)
	} else {
		d := sha256.New()
		for _, p := range parts {
			_, _ = io.WriteString(d, p)
		}
		d.Sum(sum[:0])
	}
	return Key(sum[:16])
}

// New returns an empty Set on clock (nil: the real clock).
func New(clock clockwork.Clock) *Set {
	if clock == nil {
		clock = clockwork.NewRealClock()
	}
	return &Set{clock: clock, expires: make(map[Key]int64)}
}

// Seen reports whether id was marked and its ttl has not run out. It never
// fails; the error is there to match the Deduper interfaces.
func (s *Set) Seen(_ context.Context, id string) (bool, error) {
	return s.SeenKey(hash(id)), nil
}

// SeenKey is Seen of the id whose key ([KeyOf]) is k.
func (s *Set) SeenKey(k Key) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.expires[k]
	return ok && s.clock.Now().UnixNano() < exp
}

// Mark remembers id for ttl. It never fails.
func (s *Set) Mark(_ context.Context, id string, ttl time.Duration) error {
	s.MarkKey(hash(id), ttl)
	return nil
}

// MarkKey is Mark of the id whose key ([KeyOf]) is k.
func (s *Set) MarkKey(k Key, ttl time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now().UnixNano()
	s.expire(now)
	exp := now + int64(ttl)
	s.expires[k] = exp
	s.queue.push(entry{key: k, exp: exp})
}

// expire drops the ids at the front of the queue whose time has come; an
// id marked again later stays, since its map entry moved on.
func (s *Set) expire(now int64) {
	for {
		e, ok := s.queue.front()
		if !ok || e.exp > now {
			return
		}
		if s.expires[e.key] == e.exp {
			delete(s.expires, e.key)
		}
		s.queue.pop()
	}
}

// Len returns the number of ids held, expired ones not yet swept
// included.
func (s *Set) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.expires)
}
