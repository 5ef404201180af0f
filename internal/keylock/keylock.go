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

// Set holds a lock per key, made on first use and kept: a key is an
// instance, and they are few. The zero value is ready. It is safe for
// concurrent use.
type Set struct {
	mu    sync.Mutex
	locks map[string]chan struct{} // a 1-slot channel: a wait can end with ctx
}

// Lock takes key's lock and returns the function that releases it, or
// fails with ctx.Err() when ctx ends first (at once if it already has).
func (s *Set) Lock(ctx context.Context, key string) (unlock func(), err error) {
	if err := ctx.Err(); err != nil { // a select picks at random between two ready cases
		return nil, err
	}
	s.mu.Lock()
	if s.locks == nil {
		s.locks = make(map[string]chan struct{})
	}
	l, ok := s.locks[key]
	if !ok {
		l = make(chan struct{}, 1)
		s.locks[key] = l
	}
	s.mu.Unlock()
	select {
	case l <- struct{}{}:
		return func() { <-l }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
