package notify

import (
	"bytes"
	"cmp"
	"fmt"
	"hash/maphash"
	"slices"
)

// The slots, indexes and queues behind a memoryOutbox: how a delivery is
// stored, found, freed and queued by endpoint and OrderKey.

// delivery returns the delivery in slot s. Claim shares its Key and Body
// with the outbox (nothing modifies them, and Claim is the delivery hot
// path); List (owned) gives the caller its own. The ID and OrderKey are
// new strings. Attempts are always copied: Retry appends to the outbox's
// slice.
func (o *memoryOutbox) delivery(s slot, owned bool) Delivery {
	r := &o.records[s]
	d := Delivery{
		ID:          string(r.id()),
		Endpoint:    o.endpointOf(s).url,
		OrderKey:    string(r.orderKey()),
		Key:         r.key(),
		Body:        r.body(),
		Events:      r.events,
		Trace:       string(r.trace()),
		Seq:         r.seq,
		CreatedAt:   r.created.Time(),
		State:       Pending,
		NextAttempt: r.next.Time(),
		LeaseUntil:  r.lease.Time(),
	}
	if len(d.Key) == 0 {
		d.Key = nil
	}
	if len(d.Body) == 0 {
		d.Body = nil
	}
	if r.dead {
		d.State = Dead
	}
	if h := o.history[s]; h != nil {
		d.DeadReason = h.deadReason
		if owned {
			d.Attempts = make([]Attempt, len(h.attempts))
			for i, a := range h.attempts {
				d.Attempts[i] = cloneAttempt(a)
			}
		} else {
			d.Attempts = slices.Clone(h.attempts)
		}
	}
	if owned {
		d.Key, d.Body = bytes.Clone(d.Key), bytes.Clone(d.Body)
	}
	return d
}

// get returns the slot of delivery id if it is in state want, and the
// hash of id, for an unindex to follow without hashing it again.
func (o *memoryOutbox) get(id string, want DeliveryState) (slot, uint64, error) {
	if o.byHash == nil { // nothing enqueued yet: the seed is not made
		return 0, 0, fmt.Errorf("%w: %q", ErrNotFound, id)
	}
	h := o.hash(id)
	s, ok := o.lookup(h, id)
	if !ok {
		return 0, h, fmt.Errorf("%w: %q", ErrNotFound, id)
	}
	if state := o.state(s); state != want {
		return 0, h, fmt.Errorf("%w: %q is %s, not %s", ErrNotFound, id, state, want)
	}
	return s, h, nil
}

func (o *memoryOutbox) state(s slot) DeliveryState {
	if o.records[s].dead {
		return Dead
	}
	return Pending
}

func (o *memoryOutbox) hash(id string) uint64 { return maphash.String(o.seed, id) }

// lookup returns the slot of the delivery with id, whose hash is h.
func (o *memoryOutbox) lookup(h uint64, id string) (slot, bool) {
	if s, ok := o.byHash[h]; ok && string(o.records[s].id()) == id {
		return s, true
	}
	s, ok := o.collided[id]
	return s, ok
}

// index makes slot s, which holds id of hash h, found by lookup.
func (o *memoryOutbox) index(h uint64, id string, s slot) {
	if _, taken := o.byHash[h]; !taken {
		o.byHash[h] = s
		return
	}
	if o.collided == nil {
		o.collided = make(map[string]slot)
	}
	o.collided[id] = s
}

// unindex forgets slot s, which holds id of hash h.
func (o *memoryOutbox) unindex(h uint64, id string, s slot) {
	if t, ok := o.byHash[h]; ok && t == s {
		delete(o.byHash, h)
		return
	}
	delete(o.collided, id)
}

// alloc stores r in a free slot.
func (o *memoryOutbox) alloc(r memRecord) slot {
	o.live++
	if n := len(o.free); n > 0 {
		s := o.free[n-1]
		o.free = o.free[:n-1]
		o.records[s] = r
		return s
	}
	o.records = append(o.records, r)
	return slot(len(o.records) - 1)
}

// release frees slot s, whose delivery is gone from every index, and
// compacts the records once most slots are free, so a drained backlog
// does not keep its peak's memory.
func (o *memoryOutbox) release(s slot) {
	o.records[s] = memRecord{}
	delete(o.history, s)
	o.live--
	if o.live == 0 {
		o.records, o.free = o.records[:0], o.free[:0]
		if cap(o.records) > minCompact {
			o.records, o.free = nil, nil
		}
		return
	}
	o.free = append(o.free, s)
	if len(o.records) > minCompact && o.live < len(o.records)/4 {
		o.compact()
	}
}

// minCompact is the record count below which the outbox never compacts.
const minCompact = 1024

// compact moves the used records to the front of a new, smaller slice and
// renumbers every index. It runs at most once per halving of the records,
// so its cost is spread over the deliveries that left.
func (o *memoryOutbox) compact() {
	moved := make([]slot, len(o.records))
	records := make([]memRecord, 0, 2*o.live)
	for s := range o.records {
		if o.records[s].used {
			moved[s] = slot(len(records))
			records = append(records, o.records[s])
		}
	}
	renumber := func(list []slot) {
		for i, s := range list {
			list[i] = moved[s]
		}
	}
	for h, s := range o.byHash {
		o.byHash[h] = moved[s]
	}
	for id, s := range o.collided {
		o.collided[id] = moved[s]
	}
	for _, ep := range o.endpoints {
		for _, q := range ep.queues {
			renumber(*q)
		}
		renumber(ep.heads)
		renumber(ep.dead)
	}
	if len(o.history) > 0 {
		history := make(map[slot]*memHistory, len(o.history))
		for s, h := range o.history {
			history[moved[s]] = h
		}
		o.history = history
	}
	o.records, o.free = records, nil
}

// historyOf returns slot s's history, creating it.
func (o *memoryOutbox) historyOf(s slot) *memHistory {
	h := o.history[s]
	if h == nil {
		h = new(memHistory)
		o.setHistory(s, h)
	}
	return h
}

func (o *memoryOutbox) setHistory(s slot, h *memHistory) {
	if o.history == nil {
		o.history = make(map[slot]*memHistory)
	}
	o.history[s] = h
}

// endpoint returns the endpoint's record, creating it.
func (o *memoryOutbox) endpoint(url string) *memEndpoint {
	if o.endpoints == nil {
		o.endpoints = make(map[string]*memEndpoint)
	}
	ep := o.endpoints[url]
	if ep == nil {
		ep = &memEndpoint{url: url, index: uint32(len(o.eps))}
		if i := slices.Index(o.eps, nil); i >= 0 {
			ep.index = uint32(i) // endpoints are few: a scan is cheap
			o.eps[i] = ep
		} else {
			o.eps = append(o.eps, ep)
		}
		o.endpoints[url] = ep
	}
	return ep
}

// prune forgets an endpoint that Endpoints would no longer report, so the
// map does not grow with every callback URL ever seen. No record refers to
// a pruned endpoint: it has none.
func (o *memoryOutbox) prune(ep *memEndpoint) {
	if ep.pending == 0 && len(ep.dead) == 0 && !ep.disabled {
		delete(o.endpoints, ep.url)
		o.eps[ep.index] = nil
	}
}

// push queues a new pending delivery, which has the highest Seq yet.
func (o *memoryOutbox) push(s slot) {
	ep, key := o.endpointOf(s), o.records[s].orderKey()
	qp := ep.queue(key)
	if len(*qp) == 0 || len(key) == 0 {
		ep.heads = append(ep.heads, s) // the highest Seq yet: order kept
	}
	*qp = append(*qp, s)
	ep.pending++
}

// requeue puts a replayed delivery back in its queue, in Seq order: ahead
// of later deliveries of its OrderKey, whose head it may become.
func (o *memoryOutbox) requeue(s slot) {
	ep, key := o.endpointOf(s), o.records[s].orderKey()
	qp := ep.queue(key)
	q := *qp
	switch {
	case len(key) == 0, len(q) == 0:
		ep.heads = o.insert(ep.heads, s)
	case o.records[s].seq < o.records[q[0]].seq:
		ep.heads = o.insert(o.remove(ep.heads, q[0]), s)
	}
	*qp = o.insert(q, s)
	ep.pending++
}

// drop takes a pending delivery out of its queue, forgetting the queue
// once it is empty; the next of its OrderKey becomes a head.
func (o *memoryOutbox) drop(s slot) {
	ep, key := o.endpointOf(s), o.records[s].orderKey()
	qp := ep.queues[string(key)]
	q := *qp
	wasHead := len(key) == 0 || q[0] == s
	q = o.remove(q, s)
	if wasHead {
		ep.heads = o.remove(ep.heads, s)
		if len(key) != 0 && len(q) > 0 {
			ep.heads = o.insert(ep.heads, q[0])
		}
	}
	if len(q) == 0 {
		delete(ep.queues, string(key))
	} else {
		*qp = q
	}
	ep.pending--
}

// queue returns the queue of OrderKey key, creating it; only a new key is
// copied into a string.
func (ep *memEndpoint) queue(key []byte) *[]slot {
	if qp := ep.queues[string(key)]; qp != nil {
		return qp
	}
	if ep.queues == nil {
		ep.queues = make(map[string]*[]slot)
	}
	qp := new([]slot)
	ep.queues[string(key)] = qp
	return qp
}

func (o *memoryOutbox) bySeq(a, b slot) int {
	return cmp.Compare(o.records[a].seq, o.records[b].seq)
}

// insert adds s to a list in Seq order.
func (o *memoryOutbox) insert(list []slot, s slot) []slot {
	i, _ := slices.BinarySearchFunc(list, s, o.bySeq)
	return slices.Insert(list, i, s)
}

// remove takes s out of a list in Seq order.
func (o *memoryOutbox) remove(list []slot, s slot) []slot {
	if len(list) > 0 && list[0] == s {
		return list[1:] // the usual case: a queue's head leaves
	}
	i, found := slices.BinarySearchFunc(list, s, o.bySeq)
	if !found || list[i] != s {
		panic("notify: memoryOutbox index out of step with its deliveries")
	}
	if i < len(list)/2 {
		// Deliveries mostly leave near the front: move the few before i
		// rather than the many after it.
		copy(list[1:i+1], list[:i])
		return list[1:]
	}
	return slices.Delete(list, i, i+1)
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
