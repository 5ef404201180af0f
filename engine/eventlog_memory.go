package engine

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// DefaultMaxEvents is MemoryEventLogConfig.MaxEvents' default.
const DefaultMaxEvents = 100_000

// MemoryEventLogConfig configures [NewMemoryEventLog]. The zero value is
// ready to use.
type MemoryEventLogConfig struct {
	// MaxEvents bounds the notifications held: when an Append would pass
	// it, the oldest-created ones are dropped first, as Prune would drop
	// them. Default (zero or negative) [DefaultMaxEvents], 100,000.
	MaxEvents int
}

// NewMemoryEventLog returns an [EventLog] in process memory, bounded by
// cfg.MaxEvents: for tests, and for hosts that keep no history across
// restarts.
//
// List walks the notifications of every tenant newest first from the
// cursor, so a page costs the notifications it skips. A cursor
// (EventFilter.After) that names no notification of the tenant, one
// pruned or dropped since the previous page for instance, is
// [ErrInvalid]: an empty page would read as the end of the list.
func NewMemoryEventLog(cfg MemoryEventLogConfig) EventLog {
	if cfg.MaxEvents <= 0 {
		cfg.MaxEvents = DefaultMaxEvents
	}
	return &memoryEventLog{max: cfg.MaxEvents, byID: make(map[string]*LoggedEvent)}
}

// eventKey is a notification's place in the order: by Created, then ID.
type eventKey struct {
	created time.Time
	id      string
}

func compareKeys(a, b eventKey) int {
	if c := a.created.Compare(b.created); c != 0 {
		return c
	}
	return cmp.Compare(a.id, b.id)
}

type memoryEventLog struct {
	max  int
	mu   sync.RWMutex
	byID map[string]*LoggedEvent
	// order holds every notification's key from order[head] on, oldest
	// first; dropping the oldest moves head rather than the slice, which
	// is compacted once head passes half of it.
	order []eventKey
	head  int
}

var _ EventLog = (*memoryEventLog)(nil)

func (l *memoryEventLog) live() []eventKey { return l.order[l.head:] }

func (l *memoryEventLog) Append(_ context.Context, evs ...LoggedEvent) error {
	for _, e := range evs {
		if err := e.Check(); err != nil {
			return err
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, e := range evs {
		if _, ok := l.byID[e.ID]; ok {
			continue
		}
		e = cloneEvent(e)
		l.byID[e.ID] = &e
		k := eventKey{e.Created, e.ID}
		live := l.live()
		i, _ := slices.BinarySearchFunc(live, k, compareKeys)
		if i == len(live) {
			l.order = append(l.order, k) // the common case: the newest
		} else {
			l.order = slices.Insert(l.order, l.head+i, k)
		}
	}
	if n := len(l.live()) - l.max; n > 0 {
		l.drop(n)
	}
	return nil
}

// drop removes the n oldest notifications.
func (l *memoryEventLog) drop(n int) {
	for _, k := range l.order[l.head : l.head+n] {
		delete(l.byID, k.id)
	}
	clear(l.order[l.head : l.head+n]) // let their ids go
	l.head += n
	if l.head > len(l.order)/2 {
		l.order = slices.Clip(append(l.order[:0], l.order[l.head:]...))
		l.head = 0
	}
}

func (l *memoryEventLog) Update(_ context.Context, us ...EventUpdate) error {
	for _, u := range us {
		if err := u.Check(); err != nil {
			return err
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, u := range us {
		if e, ok := l.byID[u.ID]; ok {
			*e = e.Apply(u)
		}
	}
	return nil
}

func (l *memoryEventLog) Get(_ context.Context, tenant, id string) (LoggedEvent, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	e, ok := l.byID[id]
	if !ok || e.Tenant != tenant {
		return LoggedEvent{}, fmt.Errorf("engine: get event %q: %w", id, ErrEventNotFound)
	}
	return cloneEvent(*e), nil
}

func (l *memoryEventLog) List(_ context.Context, f EventFilter) ([]LoggedEvent, error) {
	limit, err := f.PageSize()
	if err != nil {
		return nil, err
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	live := l.live()
	end := len(live) // exclusive: the walk starts at end-1
	if f.After != "" {
		c, ok := l.byID[f.After]
		if !ok || c.Tenant != f.Tenant {
			return nil, fmt.Errorf("%w: EventFilter.After %q: the tenant has no such event (pruned since the last page?)", ErrInvalid, f.After)
		}
		end, _ = slices.BinarySearchFunc(live, eventKey{c.Created, c.ID}, compareKeys)
	}
	if !f.Until.IsZero() {
		u, _ := slices.BinarySearchFunc(live, eventKey{created: f.Until}, compareKeys)
		end = min(end, u)
	}
	out := []LoggedEvent{}
	for i := end - 1; i >= 0 && len(out) < limit; i-- {
		if !f.Since.IsZero() && live[i].created.Before(f.Since) {
			break
		}
		if e := l.byID[live[i].id]; f.Match(*e) {
			out = append(out, cloneEvent(*e))
		}
	}
	return out, nil
}

func (l *memoryEventLog) Prune(_ context.Context, before time.Time) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n, _ := slices.BinarySearchFunc(l.live(), eventKey{created: before}, compareKeys)
	if n > 0 {
		l.drop(n)
	}
	return n, nil
}
