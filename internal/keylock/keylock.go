// Package keylock is a set of mutexes by key whose wait ends with a
// context: the in-process lock of the token stores, held across a call to
// a vendor's token endpoint.
//
//	var locks keylock.Set
//	unlock, err := locks.Lock(ctx, key)
//	if err != nil { return err } // ctx ended first
//	defer unlock()
package keylock

import (
	"context"
	"sync"
)

// Set holds a lock per key while someone holds or waits for it; a key
// nobody holds nor waits for takes no memory. The zero value is ready. It
// is safe for concurrent use.
type Set struct {
	mu    sync.Mutex
	locks map[string]*lock
}

// lock is one key's: a 1-slot channel, so that a wait can end with ctx,
// and the number of holders and waiters.
type lock struct {
	ch   chan struct{}
	refs int
}

// Lock takes key's lock and returns the function that releases it, or
// fails with ctx.Err() when ctx ends first (at once if it already has).
func (s *Set) Lock(ctx context.Context, key string) (unlock func(), err error) {
	if err := ctx.Err(); err != nil { // a select picks at random between two ready cases
		return nil, err
	}
	s.mu.Lock()
	if s.locks == nil {
		s.locks = make(map[string]*lock)
	}
	l, ok := s.locks[key]
	if !ok {
		l = &lock{ch: make(chan struct{}, 1)}
		s.locks[key] = l
	}
	l.refs++
	s.mu.Unlock()
	select {
	case l.ch <- struct{}{}:
		return func() {
			<-l.ch
			s.release(key, l)
		}, nil
	case <-ctx.Done():
		s.release(key, l)
		return nil, ctx.Err()
	}
}

// release drops a holder or waiter of l, and l when it was the last.
func (s *Set) release(key string, l *lock) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l.refs--; l.refs == 0 {
		delete(s.locks, key)
	}
}
