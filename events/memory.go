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

// memEndpoint holds one endpoint's deliveries. Pending ones are queued by
// OrderKey, each queue in Seq order: only the head of a queue can be
// claimed, so Claim and Endpoints look at one delivery per OrderKey, not at
// every pending delivery. Deliveries without an OrderKey share the queue
// of key "", where every one can be claimed.
type memEndpoint struct {
	queues map[string][]*Delivery
	// heads holds, in Seq order, the deliveries Claim may return: the head
	// of each queue and every delivery without an OrderKey.
	heads    []*Delivery
	pending  int
	dead     []*Delivery
	disabled bool
	reason   string
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
		ep.push(&d) // the highest Seq yet: order kept
	}
	return nil
}

// Claim implements [Outbox.Claim]. It walks the heads of the endpoint's
// OrderKeys (and every delivery without one) in Seq order, so it costs at
// most O(order keys of that endpoint), whatever the number pending behind
// them, and usually stops after the few in flight.
func (o *MemoryOutbox) Claim(_ context.Context, endpoint string, now time.Time, lease time.Duration, limit int) ([]Delivery, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	ep := o.endpoints[endpoint]
	if ep == nil || ep.disabled || limit <= 0 {
		return nil, nil
	}
	var out []Delivery
	for _, d := range ep.heads {
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
	ep.drop(d)
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
	ep.drop(d)
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
	ep.requeue(d)
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
			for _, q := range ep.queues {
				lists = append(lists, q)
			}
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
			Pending:  ep.pending,
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
	if ep.pending == 0 && len(ep.dead) == 0 && !ep.disabled {
		delete(o.endpoints, url)
	}
}

// claimable yields, in Seq order, the pending deliveries that no earlier
// pending delivery of the same OrderKey holds back, whether they are due or
// not.
func (ep *memEndpoint) claimable() iter.Seq[*Delivery] {
	return slices.Values(ep.heads)
}

// push queues a new pending delivery, which has the highest Seq yet.
func (ep *memEndpoint) push(d *Delivery) {
	if ep.queues == nil {
		ep.queues = make(map[string][]*Delivery)
	}
	q := ep.queues[d.OrderKey]
	if len(q) == 0 || d.OrderKey == "" {
		ep.heads = append(ep.heads, d) // the highest Seq yet: order kept
	}
	ep.queues[d.OrderKey] = append(q, d)
	ep.pending++
}

// requeue puts a replayed delivery back in its queue, in Seq order: ahead
// of later deliveries of its OrderKey, whose head it may become.
func (ep *memEndpoint) requeue(d *Delivery) {
	if ep.queues == nil {
		ep.queues = make(map[string][]*Delivery)
	}
	q := ep.queues[d.OrderKey]
	switch {
	case d.OrderKey == "":
		ep.heads = insert(ep.heads, d)
	case len(q) == 0:
		ep.heads = insert(ep.heads, d)
	case d.Seq < q[0].Seq:
		ep.heads = insert(remove(ep.heads, q[0]), d)
	}
	ep.queues[d.OrderKey] = insert(q, d)
	ep.pending++
}

// drop takes a pending delivery out of its queue, forgetting the queue
// once it is empty; the next of its OrderKey becomes a head.
func (ep *memEndpoint) drop(d *Delivery) {
	q := ep.queues[d.OrderKey]
	wasHead := d.OrderKey == "" || q[0] == d
	q = remove(q, d)
	if wasHead {
		ep.heads = remove(ep.heads, d)
		if d.OrderKey != "" && len(q) > 0 {
			ep.heads = insert(ep.heads, q[0])
		}
	}
	if len(q) == 0 {
		delete(ep.queues, d.OrderKey)
	} else {
		ep.queues[d.OrderKey] = q
	}
	ep.pending--
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
