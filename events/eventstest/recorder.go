// Package eventstest holds a test double of [events.Sink]: a [Recorder]
// keeps what a handler or a poller publishes, so that a test checks it
// without a Notifier or HTTP.
//
// The shortest use:
//
//	var sink eventstest.Recorder
//	p, _ := poller.New(poller.Config{Instance: inst, Sink: &sink, Clock: clock})
//	p.Poll(ctx)
//	for _, e := range sink.Events() { ... }
package eventstest

import (
	"context"
	"slices"
	"sync"

	"github.com/a12b7632/elementevents/events"
)

// Recorder is an [events.Sink] that keeps the batches published to it, for
// tests of what a handler or poller publishes. The zero value is ready to
// use and it is safe for concurrent use.
type Recorder struct {
	// Err, when set, is returned by Publish and the batch is not kept, to
	// test how a publisher handles a sink that refuses. Set it while no
	// Publish runs (between requests of a test, for instance).
	Err error

	mu      sync.Mutex
	batches []events.Batch
}

var _ events.Sink = (*Recorder)(nil)

// Publish keeps a copy of b, or returns Err.
func (r *Recorder) Publish(_ context.Context, b events.Batch) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Err != nil {
		return r.Err
	}
	b.Events = slices.Clone(b.Events)
	b.Instance.Tags = slices.Clone(b.Instance.Tags)
	r.batches = append(r.batches, b)
	return nil
}

// Batches returns the batches kept, in the order they were published.
func (r *Recorder) Batches() []events.Batch {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.batches)
}

// Events returns the events of every batch kept, in order.
func (r *Recorder) Events() []events.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []events.Event
	for _, b := range r.batches {
		out = append(out, b.Events...)
	}
	return out
}

// Take returns the batches kept, in order, and forgets them: a test that
// polls cycle after cycle takes each cycle's batches.
func (r *Recorder) Take() []events.Batch {
	r.mu.Lock()
	defer r.mu.Unlock()
	b := r.batches
	r.batches = nil
	return b
}
