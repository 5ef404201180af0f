package poller

import (
	"context"
	"maps"
	"sync"
	"time"
)

// Record is what the poller remembers of one vendor record: enough to tell
// whether it changed, and nothing more.
type Record struct {
	// Updated is the record's updated date (or created date) in Unix
	// nanoseconds; zero when it has none.
	Updated int64
	// Hash is a hash of the record's bytes.
	Hash uint64
}

// ResourceState is what the poller remembers of one resource of one
// instance between cycles.
type ResourceState struct {
	// Watermark is when the last cycle that moved the window started, by
	// the earlier of the vendor's Date header and the local clock. Zero
	// before the first cycle.
	Watermark time.Time
	// Cycles counts the cycles that moved the window.
	Cycles int64
	// Records holds every record id seen, with its date and hash.
	Records Records
	// Missing counts, per id, the complete snapshots in a row the record
	// was absent from (only kept when deletes need confirmation).
	Missing map[string]int
}

// Change is what one cycle changes in a [ResourceState]. The poller
// commits it only after the Sink accepted the cycle's events.
type Change struct {
	Watermark time.Time
	Cycles    int64
	// Upsert sets records.
	Upsert map[string]Record
	// Delete removes records.
	Delete []string
	// Missing replaces the Missing counts when not nil.
	Missing map[string]int
}

// StateKey names the state of one resource of one instance.
type StateKey struct {
	Instance, Resource string
}

// State stores resource states. Implementations must be safe for
// concurrent use and pass the conformance suite in poller/statetest.
type State interface {
	// Load returns the state of key, or an empty ResourceState (zero
	// Watermark, no records) if none was saved. The caller owns the
	// result.
	Load(ctx context.Context, key StateKey) (*ResourceState, error)

	// Commit applies c to the state of key as [Change.Apply] does,
	// atomically: a concurrent Load sees all of c or none of it, and after
	// an error nothing of c is applied. The store keeps no reference to
	// c's maps.
	Commit(ctx context.Context, key StateKey, c Change) error
}

// memoryState is the [State] that [NewMemoryState] returns.
type memoryState struct {
	mu     sync.Mutex
	states map[StateKey]*ResourceState
}

// NewMemoryState returns an empty in-memory [State], the Poller's default.
// It keeps nothing across restarts: after one, the poller takes a new
// baseline.
func NewMemoryState() State {
	return &memoryState{states: make(map[StateKey]*ResourceState)}
}

// Load returns a copy of the state of key.
func (m *memoryState) Load(_ context.Context, key StateKey) (*ResourceState, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st, ok := m.states[key]
	if !ok {
		return &ResourceState{Missing: map[string]int{}}, nil
	}
	return &ResourceState{
		Watermark: st.Watermark,
		Cycles:    st.Cycles,
		Records:   st.Records.Clone(),
		Missing:   maps.Clone(st.Missing),
	}, nil
}

// Commit applies c to the state of key.
func (m *memoryState) Commit(_ context.Context, key StateKey, c Change) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.states == nil {
		m.states = make(map[StateKey]*ResourceState)
	}
	st, ok := m.states[key]
	if !ok {
		st = &ResourceState{Missing: map[string]int{}}
		m.states[key] = st
	}
	c.Apply(st)
	return nil
}

// Apply changes st as c says. Every [State] implementation applies a
// Change this way, so that they all agree.
func (c Change) Apply(st *ResourceState) {
	st.Watermark = c.Watermark
	st.Cycles = c.Cycles
	for id, r := range c.Upsert {
		st.Records.Set(id, r)
	}
	for _, id := range c.Delete {
		st.Records.Delete(id)
	}
	if c.Missing != nil {
		st.Missing = maps.Clone(c.Missing)
	}
}
