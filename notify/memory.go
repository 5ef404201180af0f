package notify

import (
	"context"
	"hash/maphash"
	"slices"
	"strings"
	"sync"
	"time"
)

// memoryOutbox is the [Outbox] that [NewMemoryOutbox] returns. Its zero
// value is an empty outbox.
//
// A backlog costs the garbage collector little: each delivery is one
// block of bytes (its ID, OrderKey, Key and Body) and a record in one
// slice with a single pointer, to that block; the ID index is keyed by a
// hash of the ID and its queues hold record numbers, so neither has a
// pointer to follow.
type memoryOutbox struct {
	mu      sync.Mutex
	seq     uint64
	records []memRecord // a delivery's slot in records is its handle
	free    []slot      // unused slots of records
	live    int         // used slots
	// byHash finds a slot by a hash of its delivery's ID; the rare ID whose
	// hash another ID already has is in collided.
	seed     maphash.Seed
	byHash   map[uint64]slot
	collided map[string]slot
	// history holds attempts and dead reasons, which few deliveries have.
	history   map[slot]*memHistory
	endpoints map[string]*memEndpoint // only endpoints that are reportable
	eps       []*memEndpoint          // by memEndpoint.index; nil where free
}

// slot is the index of a delivery's record in memoryOutbox.records.
type slot uint32

// memRecord is one delivery as a memoryOutbox holds it. data is the ID,
// OrderKey, Key, Body and Trace back to back, ending at idEnd, orderEnd,
// keyEnd, bodyEnd and its end. It is never modified once stored, so slices of it can be
// handed out.
type memRecord struct {
	data                             []byte
	idEnd, orderEnd, keyEnd, bodyEnd uint32
	ep                               uint32 // memEndpoint.index
	seq                              uint64
	events                           int
	created, next, lease             stamp
	used, dead                       bool
}

// stamp is a time as a memoryOutbox keeps it: an instant without a
// location, which would be one more pointer per time to scan.
type stamp struct {
	sec  int64
	nsec int32
}

// noTime is the zero time.Time, "no lease".
var noTime = toStamp(time.Time{})

func toStamp(t time.Time) stamp { return stamp{t.Unix(), int32(t.Nanosecond())} }

// Time returns the instant in UTC.
func (s stamp) Time() time.Time { return time.Unix(s.sec, int64(s.nsec)).UTC() }

func (s stamp) after(t stamp) bool {
	return s.sec > t.sec || s.sec == t.sec && s.nsec > t.nsec
}

// memHistory is what a delivery has only once an attempt failed.
type memHistory struct {
	attempts   []Attempt
	deadReason string
}

// memEndpoint holds one endpoint's deliveries. Pending ones are queued by
// OrderKey, each queue in Seq order: only the head of a queue can be
// claimed, so Claim and Endpoints look at one delivery per OrderKey, not at
// every pending delivery. Deliveries without an OrderKey share the queue
// of key "", where every one can be claimed.
type memEndpoint struct {
	url    string
	index  uint32 // in memoryOutbox.eps
	queues map[string]*[]slot
	// heads holds, in Seq order, the deliveries Claim may return: the head
	// of each queue and every delivery without an OrderKey.
	heads    []slot
	pending  int
	dead     []slot
	disabled bool
	reason   string
}

var _ Outbox = (*memoryOutbox)(nil)

// NewMemoryOutbox returns an empty [Outbox] held in memory, the
// [Notifier]'s default. It keeps nothing across restarts: notifications
// not yet delivered when the process stops are lost; use a durable outbox
// where that loss matters.
//
// It is safe for concurrent use. Deliveries are copied in and out, so
// callers never share memory with it, with one exception: the Key and
// Body of the deliveries Claim returns are the outbox's own and must not
// be modified. Times come back in UTC.
func NewMemoryOutbox() Outbox { return new(memoryOutbox) }

func (r *memRecord) id() []byte       { return r.data[:r.idEnd:r.idEnd] }
func (r *memRecord) orderKey() []byte { return r.data[r.idEnd:r.orderEnd:r.orderEnd] }
func (r *memRecord) key() []byte      { return r.data[r.orderEnd:r.keyEnd:r.keyEnd] }
func (r *memRecord) body() []byte     { return r.data[r.keyEnd:r.bodyEnd:r.bodyEnd] }
func (r *memRecord) trace() []byte    { return r.data[r.bodyEnd:len(r.data):len(r.data)] }

func (o *memoryOutbox) endpointOf(s slot) *memEndpoint { return o.eps[o.records[s].ep] }

// readyAt is the earliest time a pending delivery can be claimed. A lease
// is only taken on a due delivery, so it always ends after next.
func (r *memRecord) readyAt() stamp {
	if r.lease.after(r.next) {
		return r.lease
	}
	return r.next
}

// Enqueue implements [Outbox.Enqueue]. It cannot fail: every delivery is
// stored before the lock is released.
func (o *memoryOutbox) Enqueue(_ context.Context, now time.Time, ds ...Delivery) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.byHash == nil {
		o.seed = maphash.MakeSeed()
		o.byHash = make(map[uint64]slot)
	}
	at := toStamp(now)
	for i := range ds {
		d := &ds[i]
		h := o.hash(d.ID)
		if _, held := o.lookup(h, d.ID); held {
			continue
		}
		data := make([]byte, 0, len(d.ID)+len(d.OrderKey)+len(d.Key)+len(d.Body)+len(d.Trace))
		data = append(append(append(append(append(data, d.ID...), d.OrderKey...), d.Key...), d.Body...), d.Trace...)
		idEnd := len(d.ID)
		orderEnd := idEnd + len(d.OrderKey)
		keyEnd := orderEnd + len(d.Key)
		o.seq++
		r := memRecord{
			data:  data,
			idEnd: uint32(idEnd), orderEnd: uint32(orderEnd), keyEnd: uint32(keyEnd), bodyEnd: uint32(keyEnd + len(d.Body)),
			ep: o.endpoint(d.Endpoint).index, seq: o.seq, events: d.Events,
			created: at, next: toStamp(d.NextAttempt), lease: noTime, used: true,
			// A fresh delivery is neither leased nor dead, whatever the
			// caller's copy says.
		}
		if d.NextAttempt.IsZero() {
			r.next = at
		}
		s := o.alloc(r)
		if len(d.Attempts) > 0 {
			h := &memHistory{attempts: make([]Attempt, len(d.Attempts))}
			for i, a := range d.Attempts {
				h.attempts[i] = cloneAttempt(a)
			}
			o.setHistory(s, h)
		}
		o.index(h, d.ID, s)
		o.push(s) // the highest Seq yet: order kept
	}
	return nil
}

// Claim implements [Outbox.Claim]. It walks the heads of the endpoint's
// OrderKeys (and every delivery without one) in Seq order, so it costs at
// most O(order keys of that endpoint), whatever the number pending behind
// them, and usually stops after the few in flight.
func (o *memoryOutbox) Claim(_ context.Context, endpoint string, now time.Time, lease time.Duration, limit int) ([]Delivery, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	ep := o.endpoints[endpoint]
	if ep == nil || ep.disabled || limit <= 0 {
		return nil, nil
	}
	var out []Delivery
	at, until := toStamp(now), toStamp(now.Add(lease))
	for _, s := range ep.heads {
		r := &o.records[s]
		if r.readyAt().after(at) {
			continue
		}
		r.lease = until
		out = append(out, o.delivery(s, false))
		if len(out) == limit {
			break
		}
	}
	return out, nil
}

// Ack implements [Outbox.Ack]. The attempt leaves with the delivery: an
// in-memory outbox has nowhere to keep it.
func (o *memoryOutbox) Ack(_ context.Context, id string, _ Attempt) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	s, h, err := o.get(id, Pending)
	if err != nil {
		return err
	}
	ep := o.endpointOf(s)
	o.drop(s)
	o.unindex(h, id, s)
	o.release(s)
	o.prune(ep)
	return nil
}

// Retry implements [Outbox.Retry].
func (o *memoryOutbox) Retry(_ context.Context, id string, a Attempt, next time.Time) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	s, _, err := o.get(id, Pending)
	if err != nil {
		return err
	}
	h := o.historyOf(s)
	h.attempts = append(h.attempts, cloneAttempt(a))
	o.reschedule(s, next)
	return nil
}

// Release implements [Outbox.Release].
func (o *memoryOutbox) Release(_ context.Context, id string, next time.Time) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	s, _, err := o.get(id, Pending)
	if err != nil {
		return err
	}
	o.reschedule(s, next)
	return nil
}

// reschedule ends slot s's lease and makes it due at next.
func (o *memoryOutbox) reschedule(s slot, next time.Time) {
	r := &o.records[s]
	r.lease = noTime
	r.next = toStamp(next)
}

// DeadLetter implements [Outbox.DeadLetter].
func (o *memoryOutbox) DeadLetter(_ context.Context, id string, a Attempt, reason string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	s, _, err := o.get(id, Pending)
	if err != nil {
		return err
	}
	h := o.historyOf(s)
	if !isZeroAttempt(a) {
		h.attempts = append(h.attempts, cloneAttempt(a))
	}
	h.deadReason = reason
	o.drop(s)
	r := &o.records[s]
	r.dead = true
	r.lease = noTime
	ep := o.endpointOf(s)
	ep.dead = o.insert(ep.dead, s)
	return nil
}

// Replay implements [Outbox.Replay]. The delivery keeps its Seq, so it
// goes back ahead of later deliveries of its OrderKey.
func (o *memoryOutbox) Replay(_ context.Context, id string, next time.Time) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	s, _, err := o.get(id, Dead)
	if err != nil {
		return err
	}
	r := &o.records[s]
	r.dead = false
	r.next = toStamp(next)
	if h := o.history[s]; h != nil {
		h.deadReason = ""
	}
	ep := o.endpointOf(s)
	ep.dead = o.remove(ep.dead, s)
	o.requeue(s)
	return nil
}

// List implements [Outbox.List].
func (o *memoryOutbox) List(_ context.Context, f Filter) ([]Delivery, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var lists [][]slot
	for url, ep := range o.endpoints {
		if f.Endpoint != "" && url != f.Endpoint {
			continue
		}
		if f.State == "" || f.State == Pending {
			for _, q := range ep.queues {
				lists = append(lists, *q)
			}
		}
		if f.State == "" || f.State == Dead {
			lists = append(lists, ep.dead)
		}
	}
	// Each list is in Seq order already; only a mix of them needs sorting.
	matched := slices.Concat(lists...)
	if len(lists) > 1 {
		slices.SortFunc(matched, o.bySeq)
	}
	if f.Limit > 0 && len(matched) > f.Limit {
		matched = matched[:f.Limit]
	}
	out := make([]Delivery, len(matched))
	for i, s := range matched {
		out[i] = o.delivery(s, true)
	}
	return out, nil
}

// Endpoints implements [Outbox.Endpoints]. NextDue only considers
// deliveries that Claim could return once due: one blocked behind an
// earlier delivery of its OrderKey waits for that one, whose own time
// already counts.
func (o *memoryOutbox) Endpoints(_ context.Context) ([]EndpointStatus, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make([]EndpointStatus, 0, len(o.endpoints))
	for url, ep := range o.endpoints {
		var next stamp
		s := EndpointStatus{
			URL:      url,
			Disabled: ep.disabled,
			Reason:   ep.reason,
			Pending:  ep.pending,
			Dead:     len(ep.dead),
		}
		for i, h := range ep.heads {
			if at := o.records[h].readyAt(); i == 0 || next.after(at) {
				next = at
			}
		}
		if len(ep.heads) > 0 {
			s.NextDue = next.Time()
			// The lowest Seq pending heads its queue: heads[0].
			s.Oldest = o.records[ep.heads[0]].created.Time()
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b EndpointStatus) int { return strings.Compare(a.URL, b.URL) })
	return out, nil
}

// SetDisabled implements [Outbox.SetDisabled]. Enabling clears the
// reason.
func (o *memoryOutbox) SetDisabled(_ context.Context, endpoint string, disabled bool, reason string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if disabled {
		ep := o.endpoint(endpoint)
		ep.disabled, ep.reason = true, reason
		return nil
	}
	if ep := o.endpoints[endpoint]; ep != nil {
		ep.disabled, ep.reason = false, ""
		o.prune(ep)
	}
	return nil
}
