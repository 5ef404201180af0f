package events

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync"
	"time"
)

// MemoryOutbox is an [Outbox] held in memory. It keeps nothing across
// restarts: notifications not yet delivered when the process stops are
// lost. It is the [Notifier]'s default outbox; use a durable one where
// that loss matters.
//
// A MemoryOutbox is safe for concurrent use. The zero value is an empty
// outbox ready to use. Deliveries are copied in and out, so callers never
// share memory with it, with one exception: the Key and Body of the
// deliveries Claim returns are the outbox's own and must not be modified.
type MemoryOutbox struct {
	mu        sync.Mutex
	seq       uint64
	byID      map[string]*Delivery    // every delivery held, pending or dead
	endpoints map[string]*memEndpoint // only endpoints that are reportable
}

// memEndpoint holds one endpoint's deliveries, each list in Seq order so
// Claim and List walk them without sorting.
type memEndpoint struct {
	pending  []*Delivery
	dead     []*Delivery
	disabled bool
	reason   string
	// seen is claimable's scratch set, kept to spare an allocation per
	// call; the outbox's mutex guards it.
	seen map[string]struct{}
}

var _ Outbox = (*MemoryOutbox)(nil)

// NewMemoryOutbox returns an empty in-memory outbox.
func NewMemoryOutbox() *MemoryOutbox {
	return &MemoryOutbox{
		byID:      make(map[string]*Delivery),
		endpoints: make(map[string]*memEndpoint),
	}
}

// Enqueue implements [Outbox.Enqueue]. It cannot fail: every delivery is
// stored before the lock is released.
func (o *MemoryOutbox) Enqueue(_ context.Context, now time.Time, ds ...Delivery) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.byID == nil {
		o.byID = make(map[string]*Delivery)
	}
	for i := range ds {
		if _, held := o.byID[ds[i].ID]; held {
			continue
		}
		d := cloneDelivery(&ds[i])
		o.seq++
		d.Seq = o.seq
		d.State = Pending
		d.CreatedAt = now
		if d.NextAttempt.IsZero() {
			d.NextAttempt = now
		}
		// A fresh delivery is neither leased nor dead, whatever the
		// caller's copy says.
		d.LeaseUntil = time.Time{}
		d.DeadReason = ""
		o.byID[d.ID] = &d
		ep := o.endpoint(d.Endpoint)
		ep.pending = append(ep.pending, &d) // the highest Seq yet: order kept
	}
	return nil
}

// Claim implements [Outbox.Claim]. It walks the endpoint's pending
// deliveries, so it costs O(pending of that endpoint).
func (o *MemoryOutbox) Claim(_ context.Context, endpoint string, now time.Time, lease time.Duration, limit int) ([]Delivery, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	ep := o.endpoints[endpoint]
	if ep == nil || ep.disabled || limit <= 0 {
		return nil, nil
	}
	var out []Delivery
	for d := range ep.claimable() {
		if readyAt(d).After(now) {
			continue
		}
		d.LeaseUntil = now.Add(lease)
		out = append(out, claimCopy(d))
		if len(out) == limit {
			break
		}
	}
	return out, nil
}

// Ack implements [Outbox.Ack]. The attempt leaves with the delivery: an
// in-memory outbox has nowhere to keep it.
func (o *MemoryOutbox) Ack(_ context.Context, id string, _ Attempt) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	d, err := o.get(id, Pending)
	if err != nil {
		return err
	}
	ep := o.endpoints[d.Endpoint]
	ep.pending = remove(ep.pending, d)
	delete(o.byID, id)
	o.prune(d.Endpoint)
	return nil
}

// Retry implements [Outbox.Retry].
func (o *MemoryOutbox) Retry(_ context.Context, id string, a Attempt, next time.Time) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	d, err := o.get(id, Pending)
	if err != nil {
		return err
	}
	d.Attempts = append(d.Attempts, cloneAttempt(a))
	d.LeaseUntil = time.Time{}
	d.NextAttempt = next
	return nil
}

// Release implements [Outbox.Release].
func (o *MemoryOutbox) Release(_ context.Context, id string, next time.Time) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	d, err := o.get(id, Pending)
	if err != nil {
		return err
	}
	d.LeaseUntil = time.Time{}
	d.NextAttempt = next
	return nil
}

// DeadLetter implements [Outbox.DeadLetter].
func (o *MemoryOutbox) DeadLetter(_ context.Context, id string, a Attempt, reason string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	d, err := o.get(id, Pending)
	if err != nil {
		return err
	}
	if !isZeroAttempt(a) {
		d.Attempts = append(d.Attempts, cloneAttempt(a))
	}
	d.State = Dead
	d.DeadReason = reason
	d.LeaseUntil = time.Time{}
	ep := o.endpoints[d.Endpoint]
	ep.pending = remove(ep.pending, d)
	ep.dead = insert(ep.dead, d)
	return nil
}

// Replay implements [Outbox.Replay]. The delivery keeps its Seq, so it
// goes back ahead of later deliveries of its OrderKey.
func (o *MemoryOutbox) Replay(_ context.Context, id string, next time.Time) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	d, err := o.get(id, Dead)
	if err != nil {
		return err
	}
	d.State = Pending
	d.DeadReason = ""
	d.NextAttempt = next
	ep := o.endpoints[d.Endpoint]
	ep.dead = remove(ep.dead, d)
	ep.pending = insert(ep.pending, d)
	return nil
}

// List implements [Outbox.List].
func (o *MemoryOutbox) List(_ context.Context, f Filter) ([]Delivery, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var lists [][]*Delivery
	for url, ep := range o.endpoints {
		if f.Endpoint != "" && url != f.Endpoint {
			continue
		}
		if f.State == "" || f.State == Pending {
			lists = append(lists, ep.pending)
		}
		if f.State == "" || f.State == Dead {
			lists = append(lists, ep.dead)
		}
	}
	// Each list is in Seq order already; only a mix of them needs sorting.
	matched := slices.Concat(lists...)
	if len(lists) > 1 {
		slices.SortFunc(matched, bySeq)
	}
	if f.Limit > 0 && len(matched) > f.Limit {
		matched = matched[:f.Limit]
	}
	out := make([]Delivery, len(matched))
	for i, d := range matched {
		out[i] = cloneDelivery(d)
	}
	return out, nil
}

// Endpoints implements [Outbox.Endpoints]. NextDue only considers
// deliveries that Claim could return once due: one blocked behind an
// earlier delivery of its OrderKey waits for that one, whose own time
// already counts.
func (o *MemoryOutbox) Endpoints(_ context.Context) ([]EndpointStatus, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make([]EndpointStatus, 0, len(o.endpoints))
	for url, ep := range o.endpoints {
		s := EndpointStatus{
			URL:      url,
			Disabled: ep.disabled,
			Reason:   ep.reason,
			Pending:  len(ep.pending),
			Dead:     len(ep.dead),
		}
		for d := range ep.claimable() {
			if at := readyAt(d); s.NextDue.IsZero() || at.Before(s.NextDue) {
				s.NextDue = at
			}
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b EndpointStatus) int { return strings.Compare(a.URL, b.URL) })
	return out, nil
}

// SetDisabled implements [Outbox.SetDisabled]. Enabling clears the
// reason.
func (o *MemoryOutbox) SetDisabled(_ context.Context, endpoint string, disabled bool, reason string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if disabled {
		ep := o.endpoint(endpoint)
		ep.disabled, ep.reason = true, reason
		return nil
	}
	if ep := o.endpoints[endpoint]; ep != nil {
		ep.disabled, ep.reason = false, ""
		o.prune(endpoint)
	}
	return nil
}

// get returns the delivery id if it is in state want.
func (o *MemoryOutbox) get(id string, want State) (*Delivery, error) {
	d := o.byID[id]
	if d == nil {
		return nil, fmt.Errorf("%w: %q", ErrNotFound, id)
	}
	if d.State != want {
		return nil, fmt.Errorf("%w: %q is %s, not %s", ErrNotFound, id, d.State, want)
	}
	return d, nil
}

// endpoint returns the endpoint's record, creating it.
func (o *MemoryOutbox) endpoint(url string) *memEndpoint {
	if o.endpoints == nil {
		o.endpoints = make(map[string]*memEndpoint)
	}
	ep := o.endpoints[url]
	if ep == nil {
		ep = new(memEndpoint)
		o.endpoints[url] = ep
	}
	return ep
}

// prune forgets an endpoint that Endpoints would no longer report, so the
// map does not grow with every callback URL ever seen.
func (o *MemoryOutbox) prune(url string) {
	ep := o.endpoints[url]
	if len(ep.pending) == 0 && len(ep.dead) == 0 && !ep.disabled {
		delete(o.endpoints, url)
	}
}

// claimable yields, in Seq order, the pending deliveries that no earlier
// pending delivery of the same OrderKey holds back, whether they are due
// or not.
func (ep *memEndpoint) claimable() iter.Seq[*Delivery] {
	return func(yield func(*Delivery) bool) {
		if ep.seen == nil {
			ep.seen = make(map[string]struct{})
		}
		seen := ep.seen
		clear(seen)
		for _, d := range ep.pending {
			if d.OrderKey != "" {
				if _, blocked := seen[d.OrderKey]; blocked {
					continue
				}
				seen[d.OrderKey] = struct{}{}
			}
			if !yield(d) {
				return
			}
		}
	}
}

// readyAt is the earliest time a pending delivery can be claimed. A lease
// is only taken on a due delivery, so it always ends after NextAttempt.
func readyAt(d *Delivery) time.Time {
	if d.LeaseUntil.After(d.NextAttempt) {
		return d.LeaseUntil
	}
	return d.NextAttempt
}

func bySeq(a, b *Delivery) int { return cmp.Compare(a.Seq, b.Seq) }

// insert adds d to a list in Seq order.
func insert(list []*Delivery, d *Delivery) []*Delivery {
	i, _ := slices.BinarySearchFunc(list, d, bySeq)
	return slices.Insert(list, i, d)
}

// remove takes d out of a list in Seq order.
func remove(list []*Delivery, d *Delivery) []*Delivery {
	i, found := slices.BinarySearchFunc(list, d, bySeq)
	if !found || list[i] != d {
		panic("events: MemoryOutbox index out of step with its deliveries")
	}
	if i < len(list)/2 {
		// Deliveries mostly leave near the front: move the few before i
		// rather than the many after it.
		copy(list[1:i+1], list[:i])
		list[0] = nil
		return list[1:]
	}
	return slices.Delete(list, i, i+1)
}

// claimCopy copies d for Claim, sharing Key and Body with the outbox:
// nothing modifies them once enqueued, and Claim is the delivery hot path.
// Attempts are copied, since Retry appends to the outbox's slice.
func claimCopy(d *Delivery) Delivery {
	c := *d
	c.Attempts = slices.Clone(d.Attempts)
	return c
}

// cloneDelivery copies d with its own Key, Body and Attempts.
func cloneDelivery(d *Delivery) Delivery {
	c := *d
	c.Key = bytes.Clone(d.Key)
	c.Body = bytes.Clone(d.Body)
	if d.Attempts != nil {
		c.Attempts = make([]Attempt, len(d.Attempts))
		for i, a := range d.Attempts {
			c.Attempts[i] = cloneAttempt(a)
		}
	}
	return c
}

func cloneAttempt(a Attempt) Attempt {
	a.Response = bytes.Clone(a.Response)
	return a
}

// isZeroAttempt reports whether a records nothing; Attempt holds a slice,
// so it cannot be compared with ==.
func isZeroAttempt(a Attempt) bool {
	return a.At.IsZero() && a.Status == 0 && a.Latency == 0 && a.Error == "" && len(a.Response) == 0
}
