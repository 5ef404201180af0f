package engine

import (
	"context"
	"fmt"
	"slices"
	"sync"
)

// NewMemoryInstanceStore returns an [InstanceStore] in process memory:
// for tests, and for hosts that load their instances at start from
// somewhere else.
func NewMemoryInstanceStore() InstanceStore {
	return &memoryStore{byID: make(map[string]Record)}
}

type memoryStore struct {
	mu   sync.RWMutex
	byID map[string]Record
	ids  []string // sorted: List walks it from the cursor
}

var _ InstanceStore = (*memoryStore)(nil)

func (s *memoryStore) Create(_ context.Context, r Record) error {
	if err := r.Check(); err != nil {
		return err
	}
	if r.Version != 1 {
		return fmt.Errorf("%w: create %q: version %d, want 1", ErrInvalid, r.ID, r.Version)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.byID[r.ID]; ok {
		return fmt.Errorf("engine: create %q: %w", r.ID, ErrExists)
	}
	s.byID[r.ID] = clone(r)
	i, _ := slices.BinarySearch(s.ids, r.ID)
	s.ids = slices.Insert(s.ids, i, r.ID)
	return nil
}

func (s *memoryStore) Get(_ context.Context, tenant, id string) (Record, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, ok := s.byID[id]
	if !ok || r.Tenant != tenant {
		return Record{}, fmt.Errorf("engine: get %q: %w", id, ErrNotFound)
	}
	return clone(r), nil
}

func (s *memoryStore) List(_ context.Context, f Filter) ([]Record, error) {
	limit, err := f.PageSize()
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	i, found := slices.BinarySearch(s.ids, f.After)
	if found {
		i++
	}
	var out []Record
	for ; i < len(s.ids) && len(out) < limit; i++ {
		if r := s.byID[s.ids[i]]; f.Match(r) {
			out = append(out, clone(r))
		}
	}
	return out, nil
}

func (s *memoryStore) Update(_ context.Context, r Record) error {
	if err := r.Check(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.byID[r.ID]
	if !ok || old.Tenant != r.Tenant {
		return fmt.Errorf("engine: update %q: %w", r.ID, ErrNotFound)
	}
	if old.Version != r.Version-1 {
		return &ConflictError{ID: r.ID, Stored: old.Version, Base: r.Version - 1}
	}
	r = clone(r)
	r.Created = old.Created
	s.byID[r.ID] = r
	return nil
}

func (s *memoryStore) Delete(_ context.Context, tenant, id string, version int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.byID[id]
	if !ok || old.Tenant != tenant {
		return fmt.Errorf("engine: delete %q: %w", id, ErrNotFound)
	}
	if old.Version != version {
		return &ConflictError{ID: id, Stored: old.Version, Base: version}
	}
	delete(s.byID, id)
	i, _ := slices.BinarySearch(s.ids, id)
	s.ids = slices.Delete(s.ids, i, i+1)
	return nil
}

// clone copies r's slices, so that a record handed in or out shares
// nothing with the stored one.
func clone(r Record) Record {
	r.Body = slices.Clone(r.Body)
	r.Tags = slices.Clone(r.Tags)
	return r
}
