package vendorauth

import (
	"context"
	"fmt"
	"sync"

	"github.com/a12b7632/elementevents/internal/keylock"
)

// NewMemoryTokenStore returns a [TokenStore] that keeps tokens in process
// memory: a restart forgets every rotated refresh token, so use it for
// tests and for vendors that do not rotate them. Its lock is a mutex per
// key, which excludes Updates of this process only.
func NewMemoryTokenStore() TokenStore {
	return &memoryTokenStore{tokens: make(map[string]Token)}
}

type memoryTokenStore struct {
	mu     sync.Mutex
	tokens map[string]Token
	locks  keylock.Set
}

var _ TokenStore = (*memoryTokenStore)(nil)

func (s *memoryTokenStore) Load(_ context.Context, key string) (Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[key]
	if !ok {
		return Token{}, fmt.Errorf("vendorauth: load token %q: %w", key, ErrNoToken)
	}
	return t, nil
}

func (s *memoryTokenStore) Update(ctx context.Context, key string, fn func(Token, bool) (Token, error)) (Token, error) {
	unlock, err := s.locks.Lock(ctx, key)
	if err != nil {
		return Token{}, fmt.Errorf("vendorauth: lock token %q: %w", key, err)
	}
	defer unlock()

	s.mu.Lock()
	cur, found := s.tokens[key]
	s.mu.Unlock()
	next, err := fn(cur, found)
	if err != nil {
		return Token{}, err
	}
	s.mu.Lock()
	s.tokens[key] = next
	s.mu.Unlock()
	return next, nil
}

func (s *memoryTokenStore) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.tokens, key)
	return nil
}

// String describes the store without its tokens: fmt would print the
// map's Secrets in the clear, since they sit in an unexported field.
func (s *memoryTokenStore) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fmt.Sprintf("vendorauth.memoryTokenStore{%d tokens}", len(s.tokens))
}

// Format prints the store as String does, in every verb.
func (s *memoryTokenStore) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(s.String())) }
