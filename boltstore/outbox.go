package boltstore

import (
	"bytes"
	"container/heap"
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/a12b7632/elementevents/events"
)

// Outbox is the store's [events.Outbox]. Every call is one transaction:
// Enqueue returns only once its deliveries are on disk. Claim walks an
// index of the deliveries that no earlier one of their OrderKey holds
// back, so its cost does not grow with the deliveries waiting behind
// others, and Endpoints finds each endpoint's next due time in an index
// ordered by time.
//
// It answers every call as [events.MemoryOutbox] does (the attempt passed
// to Ack leaves with the delivery in both), but keeps its deliveries
// across restarts; Open ends the leases a previous process held.
type Outbox struct{ db *DB }

var _ events.Outbox = (*Outbox)(nil)

// Regions of the outbox bucket: tables and indexes sharing one B+tree,
// each keyed by its tag byte and then as listed.
const (
	obDeliveries = 'd' // id -> delivery record
	obEndpoints  = 'e' // URL -> endpoint record
	obByState    = 's' // ep(8) state(1) seq(8) -> id
	obByOrder    = 'o' // ep(8) sha256(OrderKey)[:16] seq(8) -> id, pending only
	obReady      = 'r' // ep(8) seq(8) -> readyAt(12) id, claimable heads
	obDue        = 't' // ep(8) readyAt(12) seq(8) -> id, the same heads by time
	obLeases     = 'l' // id -> LeaseUntil(12)
)

// State bytes in by-state keys and delivery records.
const (
	statePending = 'p'
	stateDead    = 'd'
)

// bolt's limit on key size; longer ids and URLs are refused up front.
const maxKeySize = bolt.MaxKeySize

// obTx is one transaction's view of the outbox buckets.
type obTx struct {
	path                               string
	dels, eps, byState, byOrder, ready region
	due, leases                        region
}

func newObTx(tx *bolt.Tx, path string) *obTx {
	ob := tx.Bucket(bucketOutbox)
	return &obTx{
		path: path,
		dels: region{ob, obDeliveries}, eps: region{ob, obEndpoints},
		byState: region{ob, obByState}, byOrder: region{ob, obByOrder},
		ready: region{ob, obReady}, due: region{ob, obDue}, leases: region{ob, obLeases},
	}
}

// endpoint is an endpoint record: its index id, counters and status.
type endpoint struct {
	url           string
	id            uint64
	pending, dead uint64
	disabled      bool
	reason        string
}

func (o *obTx) endpoint(url string) (*endpoint, error) {
	raw := o.eps.Get([]byte(url))
	if raw == nil {
		return nil, nil
	}
	return decodeEndpoint(url, raw, o.path)
}

func decodeEndpoint(url string, raw []byte, path string) (*endpoint, error) {
	d := dec{b: raw}
	ep := &endpoint{url: url, id: d.uvarint(), pending: d.uvarint(), dead: d.uvarint(), disabled: d.byte1() == 1, reason: d.str()}
	if err := d.end(); err != nil {
		return nil, fmt.Errorf("%w: %s: endpoint %q: %w", ErrCorrupt, path, url, err)
	}
	return ep, nil
}

// mustEndpoint returns the endpoint of a held delivery, which must exist.
func (o *obTx) mustEndpoint(url string) (*endpoint, error) {
	ep, err := o.endpoint(url)
	if err == nil && ep == nil {
		err = fmt.Errorf("%w: %s: endpoint %q of a held delivery has no record", ErrCorrupt, o.path, url)
	}
	return ep, err
}

// ensureEndpoint returns the endpoint's record, creating it.
func (o *obTx) ensureEndpoint(url string) (*endpoint, error) {
	ep, err := o.endpoint(url)
	if ep != nil || err != nil {
		return ep, err
	}
	id, err := o.eps.NextSequence()
	if err != nil {
		return nil, fmt.Errorf("boltstore: new endpoint id: %w", err)
	}
	return &endpoint{url: url, id: id}, nil
}

// saveEndpoint writes the record, or deletes it once it has nothing to
// report, so that the file does not keep every callback URL ever seen.
func (o *obTx) saveEndpoint(ep *endpoint) error {
	if ep.pending == 0 && ep.dead == 0 && !ep.disabled {
		return o.eps.Delete([]byte(ep.url))
	}
	e := enc{b: make([]byte, 0, 16+len(ep.reason))}
	e.uvarint(ep.id)
	e.uvarint(ep.pending)
	e.uvarint(ep.dead)
	if ep.disabled {
		e.byte1(1)
	} else {
		e.byte1(0)
	}
	e.str(ep.reason)
	return o.eps.Put([]byte(ep.url), e.b)
}

// encodeDelivery writes every field of d but ID (the key) and LeaseUntil
// (in the leases bucket, so that a claim does not rewrite the body).
func encodeDelivery(d *events.Delivery) []byte {
	size := 64 + len(d.Endpoint) + len(d.OrderKey) + len(d.Key) + len(d.Body) + len(d.DeadReason)
	for _, a := range d.Attempts {
		size += 32 + len(a.Error) + len(a.Response)
	}
	e := enc{b: make([]byte, 0, size)}
	e.str(d.Endpoint)
	e.str(d.OrderKey)
	e.bytes(d.Key)
	e.bytes(d.Body)
	e.varint(int64(d.Events))
	e.uvarint(d.Seq)
	e.time(d.CreatedAt)
	if d.State == events.Dead {
		e.byte1(stateDead)
	} else {
		e.byte1(statePending)
	}
	e.time(d.NextAttempt)
	e.str(d.DeadReason)
	e.uvarint(uint64(len(d.Attempts)))
	for _, a := range d.Attempts {
		e.time(a.At)
		e.varint(int64(a.Status))
		e.varint(int64(a.Latency))
		e.str(a.Error)
		e.bytes(a.Response)
	}
	return e.b
}

func decodeDelivery(id string, raw []byte) (events.Delivery, error) {
	d := dec{b: raw}
	out := events.Delivery{ID: id}
	out.Endpoint = d.str()
	out.OrderKey = d.str()
	out.Key = d.bytes()
	out.Body = d.bytes()
	out.Events = int(d.varint())
	out.Seq = d.uvarint()
	out.CreatedAt = d.time()
	switch d.byte1() {
	case statePending:
		out.State = events.Pending
	case stateDead:
		out.State = events.Dead
	default:
		d.fail()
	}
	out.NextAttempt = d.time()
	out.DeadReason = d.str()
	n := d.int()
	if n > len(d.b) { // each attempt takes several bytes
		d.fail()
	}
	if n > 0 && d.err == nil {
		out.Attempts = make([]events.Attempt, n)
		for i := range out.Attempts {
			a := &out.Attempts[i]
			a.At = d.time()
			a.Status = int(d.varint())
			a.Latency = time.Duration(d.varint())
			a.Error = d.str()
			a.Response = d.bytes()
		}
	}
	return out, d.end()
}

// get returns the delivery id with its lease, or nil if it is not held.
func (o *obTx) get(id string) (*events.Delivery, error) {
	raw := o.dels.Get([]byte(id))
	if raw == nil {
		return nil, nil
	}
	d, err := decodeDelivery(id, raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: delivery %q: %w", ErrCorrupt, o.path, id, err)
	}
	if l := o.leases.Get([]byte(id)); l != nil {
		if len(l) != timeKeyLen {
			return nil, fmt.Errorf("%w: %s: lease of delivery %q is %d bytes", ErrCorrupt, o.path, id, len(l))
		}
		d.LeaseUntil = getTimeKey(l)
	}
	return &d, nil
}

// pending returns the pending delivery id and its endpoint's record.
func (o *obTx) pending(id string) (*events.Delivery, *endpoint, error) {
	d, err := o.getIn(id, events.Pending)
	if err != nil {
		return nil, nil, err
	}
	ep, err := o.mustEndpoint(d.Endpoint)
	if err != nil {
		return nil, nil, err
	}
	return d, ep, nil
}

// getIn returns the delivery id if it is held in state want, else
// ErrNotFound.
func (o *obTx) getIn(id string, want events.State) (*events.Delivery, error) {
	d, err := o.get(id)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return nil, fmt.Errorf("%w: %q", events.ErrNotFound, id)
	}
	if d.State != want {
		return nil, fmt.Errorf("%w: %q is %s, not %s", events.ErrNotFound, id, d.State, want)
	}
	return d, nil
}

func (o *obTx) put(d *events.Delivery) error {
	if err := o.dels.Put([]byte(d.ID), encodeDelivery(d)); err != nil {
		return fmt.Errorf("boltstore: write delivery %q: %w", d.ID, err)
	}
	return nil
}

// Index keys.

func stateKey(ep uint64, state byte, seq uint64) []byte {
	k := make([]byte, 17)
	putU64(k, ep)
	k[8] = state
	putU64(k[9:], seq)
	return k
}

func orderPrefix(ep uint64, orderKey string) []byte {
	h := sha256.Sum256([]byte(orderKey))
	k := make([]byte, 24, 32)
	putU64(k, ep)
	copy(k[8:], h[:16])
	return k
}

func orderKey(prefix []byte, seq uint64) []byte {
	k := append(prefix[:24:24], make([]byte, 8)...)
	putU64(k[24:], seq)
	return k
}

func readyKey(ep, seq uint64) []byte {
	k := make([]byte, 16)
	putU64(k, ep)
	putU64(k[8:], seq)
	return k
}

func dueKey(ep uint64, at time.Time, seq uint64) []byte {
	k := make([]byte, 8+timeKeyLen+8)
	putU64(k, ep)
	putTimeKey(k[8:], at)
	putU64(k[8+timeKeyLen:], seq)
	return k
}

func epPrefix(ep uint64) []byte {
	b := make([]byte, 8)
	putU64(b, ep)
	return b
}

// readyAt is the earliest time a pending delivery can be claimed.
func readyAt(d *events.Delivery) time.Time {
	if d.LeaseUntil.After(d.NextAttempt) {
		return d.LeaseUntil
	}
	return d.NextAttempt
}

// makeReady lists d as claimable (a head of its OrderKey, or without one).
func (o *obTx) makeReady(ep uint64, d *events.Delivery) error {
	at := readyAt(d)
	v := make([]byte, timeKeyLen, timeKeyLen+len(d.ID))
	putTimeKey(v, at)
	v = append(v, d.ID...)
	if err := o.ready.Put(readyKey(ep, d.Seq), v); err != nil {
		return err
	}
	return o.due.Put(dueKey(ep, at, d.Seq), []byte(d.ID))
}

// unready takes a delivery off the claimable indexes, reporting whether
// it was on them.
func (o *obTx) unready(ep, seq uint64) (bool, error) {
	rk := readyKey(ep, seq)
	v := o.ready.Get(rk)
	if v == nil {
		return false, nil
	}
	if len(v) < timeKeyLen {
		return false, fmt.Errorf("%w: %s: ready entry of seq %d is %d bytes", ErrCorrupt, o.path, seq, len(v))
	}
	if err := o.due.Delete(dueKey(ep, getTimeKey(v), seq)); err != nil {
		return false, err
	}
	return true, o.ready.Delete(rk)
}

// reschedule re-files d on the claimable indexes after its NextAttempt or
// lease changed, if it is on them.
func (o *obTx) reschedule(ep uint64, d *events.Delivery) error {
	was, err := o.unready(ep, d.Seq)
	if err != nil || !was {
		return err
	}
	return o.makeReady(ep, d)
}

// setLease records d.LeaseUntil (zero: no lease).
func (o *obTx) setLease(d *events.Delivery) error {
	if d.LeaseUntil.IsZero() {
		return o.leases.Delete([]byte(d.ID))
	}
	v := make([]byte, timeKeyLen)
	putTimeKey(v, d.LeaseUntil)
	return o.leases.Put([]byte(d.ID), v)
}

// headOf returns the first pending delivery of an OrderKey prefix.
func (o *obTx) headOf(prefix []byte) (*events.Delivery, error) {
	k, v := o.byOrder.Cursor().Seek(prefix)
	if k == nil || !bytes.HasPrefix(k, prefix) {
		return nil, nil
	}
	d, err := o.get(string(v))
	if err == nil && d == nil {
		err = fmt.Errorf("%w: %s: order index names delivery %q, which is not held", ErrCorrupt, o.path, v)
	}
	return d, err
}

// addPending files a pending delivery on the indexes: by state, by
// OrderKey, and as claimable if nothing earlier of its OrderKey is
// pending (an earlier one that is replayed takes the head back).
func (o *obTx) addPending(ep *endpoint, d *events.Delivery) error {
	if err := o.byState.Put(stateKey(ep.id, statePending, d.Seq), []byte(d.ID)); err != nil {
		return err
	}
	ep.pending++
	if d.OrderKey == "" {
		return o.makeReady(ep.id, d)
	}
	prefix := orderPrefix(ep.id, d.OrderKey)
	old, err := o.headOf(prefix)
	if err != nil {
		return err
	}
	if err := o.byOrder.Put(orderKey(prefix, d.Seq), []byte(d.ID)); err != nil {
		return err
	}
	if old != nil && old.Seq < d.Seq {
		return nil // waits behind old
	}
	if old != nil {
		if _, err := o.unready(ep.id, old.Seq); err != nil {
			return err
		}
	}
	return o.makeReady(ep.id, d)
}

// removePending takes a pending delivery off the indexes and hands its
// OrderKey to the next pending delivery if it held it.
func (o *obTx) removePending(ep *endpoint, d *events.Delivery) error {
	was, err := o.unready(ep.id, d.Seq)
	if err != nil {
		return err
	}
	if err := o.byState.Delete(stateKey(ep.id, statePending, d.Seq)); err != nil {
		return err
	}
	ep.pending--
	if err := o.leases.Delete([]byte(d.ID)); err != nil {
		return err
	}
	if d.OrderKey == "" {
		return nil
	}
	prefix := orderPrefix(ep.id, d.OrderKey)
	if err := o.byOrder.Delete(orderKey(prefix, d.Seq)); err != nil {
		return err
	}
	if !was {
		return nil
	}
	next, err := o.headOf(prefix)
	if err != nil || next == nil {
		return err
	}
	return o.makeReady(ep.id, next)
}

// Enqueue implements [events.Outbox.Enqueue] in one transaction. An
// empty ID or Endpoint, or one longer than 32 KiB, is [ErrInvalid] and
// nothing is stored.
func (o *Outbox) Enqueue(ctx context.Context, now time.Time, ds ...events.Delivery) error {
	if len(ds) == 0 {
		return nil
	}
	for i := range ds {
		d := &ds[i]
		switch {
		case d.ID == "":
			return fmt.Errorf("%w: delivery %d of %d has an empty ID", ErrInvalid, i+1, len(ds))
		case len(d.ID) > maxKeySize:
			return fmt.Errorf("%w: delivery %d of %d: ID is %d bytes, at most %d", ErrInvalid, i+1, len(ds), len(d.ID), maxKeySize)
		case d.Endpoint == "":
			return fmt.Errorf("%w: delivery %q has an empty Endpoint", ErrInvalid, d.ID)
		case len(d.Endpoint) > maxKeySize:
			return fmt.Errorf("%w: delivery %q: Endpoint is %d bytes, at most %d", ErrInvalid, d.ID, len(d.Endpoint), maxKeySize)
		}
	}
	return o.db.update(ctx, func(tx *bolt.Tx) error {
		ob := newObTx(tx, o.db.path)
		for i := range ds {
			in := &ds[i]
			if ob.dels.Get([]byte(in.ID)) != nil {
				continue
			}
			seq, err := ob.dels.NextSequence()
			if err != nil {
				return fmt.Errorf("boltstore: next delivery seq: %w", err)
			}
			d := *in // the encoding copies the bytes
			d.Seq, d.State, d.CreatedAt = seq, events.Pending, now
			if d.NextAttempt.IsZero() {
				d.NextAttempt = now
			}
			d.LeaseUntil, d.DeadReason = time.Time{}, ""
			ep, err := ob.ensureEndpoint(d.Endpoint)
			if err != nil {
				return err
			}
			if err := ob.put(&d); err != nil {
				return err
			}
			if err := ob.addPending(ep, &d); err != nil {
				return err
			}
			if err := ob.saveEndpoint(ep); err != nil {
				return err
			}
		}
		return nil
	})
}

// Claim implements [events.Outbox.Claim].
func (o *Outbox) Claim(ctx context.Context, endpoint string, now time.Time, lease time.Duration, limit int) ([]events.Delivery, error) {
	if limit <= 0 || endpoint == "" || len(endpoint) > maxKeySize {
		return nil, nil
	}
	var out []events.Delivery
	err := o.db.update(ctx, func(tx *bolt.Tx) error {
		out = out[:0] // a retried function starts afresh
		ob := newObTx(tx, o.db.path)
		ep, err := ob.endpoint(endpoint)
		if err != nil || ep == nil || ep.disabled {
			return err
		}
		picked, err := ob.dueHeads(ep.id, now, limit)
		if err != nil {
			return err
		}
		for _, id := range picked {
			d, err := ob.getIn(id, events.Pending)
			if err != nil {
				return fmt.Errorf("%w: %s: ready index: %w", ErrCorrupt, o.db.path, err)
			}
			if _, err := ob.unready(ep.id, d.Seq); err != nil {
				return err
			}
			d.LeaseUntil = now.Add(lease)
			if err := ob.setLease(d); err != nil {
				return err
			}
			if err := ob.makeReady(ep.id, d); err != nil {
				return err
			}
			out = append(out, *d)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// dueHeads returns the ids of the first limit claimable deliveries of
// the endpoint, in Seq order, that are due at now.
//
// Two walks answer that: the ready index in Seq order, skipping those not
// due, stops after limit hits; the due index in time order stops at the
// first not due, then sorts what it found by Seq. The first is cheap when
// most heads are due (a backlog), the second when few are (an endpoint
// retrying later). Taking one step of each in turn and keeping the first
// to finish costs at most twice the cheaper one, with no statistics.
func (o *obTx) dueHeads(ep uint64, now time.Time, limit int) ([]string, error) {
	prefix := epPrefix(ep)
	rc, dc := o.ready.Cursor(), o.due.Cursor()
	rk, rv := rc.Seek(prefix)
	dk, dv := dc.Seek(prefix)
	if dk == nil || !bytes.HasPrefix(dk, prefix) {
		return nil, nil // nothing claimable
	}
	var bySeq []string
	type hit struct {
		seq uint64
		id  string
	}
	var byTime []hit
	for {
		// One step of the Seq-order walk.
		if rk == nil || !bytes.HasPrefix(rk, prefix) {
			return bySeq, nil
		}
		if len(rv) < timeKeyLen || len(rk) != 16 {
			return nil, fmt.Errorf("%w: %s: malformed ready entry %x", ErrCorrupt, o.path, rk)
		}
		if !getTimeKey(rv).After(now) {
			if bySeq = append(bySeq, string(rv[timeKeyLen:])); len(bySeq) == limit {
				return bySeq, nil
			}
		}
		rk, rv = rc.Next()

		// One step of the time-order walk.
		if dk == nil || !bytes.HasPrefix(dk, prefix) || getTimeKey(dk[8:]).After(now) {
			slices.SortFunc(byTime, func(a, b hit) int { return cmpU64(a.seq, b.seq) })
			out := make([]string, 0, min(limit, len(byTime)))
			for _, h := range byTime[:min(limit, len(byTime))] {
				out = append(out, h.id)
			}
			return out, nil
		}
		if len(dk) != 8+timeKeyLen+8 {
			return nil, fmt.Errorf("%w: %s: malformed due entry %x", ErrCorrupt, o.path, dk)
		}
		byTime = append(byTime, hit{seq: getU64(dk[8+timeKeyLen:]), id: string(dv)})
		dk, dv = dc.Next()
	}
}

func cmpU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Ack implements [events.Outbox.Ack]. The attempt is dropped with the
// delivery.
func (o *Outbox) Ack(ctx context.Context, id string, _ events.Attempt) error {
	return o.db.update(ctx, func(tx *bolt.Tx) error {
		ob := newObTx(tx, o.db.path)
		d, ep, err := ob.pending(id)
		if err != nil {
			return err
		}
		if err := ob.removePending(ep, d); err != nil {
			return err
		}
		if err := ob.dels.Delete([]byte(id)); err != nil {
			return err
		}
		return ob.saveEndpoint(ep)
	})
}

// Retry implements [events.Outbox.Retry].
func (o *Outbox) Retry(ctx context.Context, id string, a events.Attempt, next time.Time) error {
	return o.reschedule(ctx, id, next, func(d *events.Delivery) {
		d.Attempts = append(d.Attempts, a)
	})
}

// Release implements [events.Outbox.Release].
func (o *Outbox) Release(ctx context.Context, id string, next time.Time) error {
	return o.reschedule(ctx, id, next, nil)
}

// reschedule ends a pending delivery's lease and makes it due at next,
// after change (if any) has updated it.
func (o *Outbox) reschedule(ctx context.Context, id string, next time.Time, change func(*events.Delivery)) error {
	return o.db.update(ctx, func(tx *bolt.Tx) error {
		ob := newObTx(tx, o.db.path)
		d, ep, err := ob.pending(id)
		if err != nil {
			return err
		}
		if change != nil {
			change(d)
		}
		d.NextAttempt, d.LeaseUntil = next, time.Time{}
		if err := ob.put(d); err != nil {
			return err
		}
		if err := ob.setLease(d); err != nil {
			return err
		}
		return ob.reschedule(ep.id, d)
	})
}

// DeadLetter implements [events.Outbox.DeadLetter].
func (o *Outbox) DeadLetter(ctx context.Context, id string, a events.Attempt, reason string) error {
	return o.db.update(ctx, func(tx *bolt.Tx) error {
		ob := newObTx(tx, o.db.path)
		d, ep, err := ob.pending(id)
		if err != nil {
			return err
		}
		if err := ob.removePending(ep, d); err != nil {
			return err
		}
		if !isZeroAttempt(a) {
			d.Attempts = append(d.Attempts, a)
		}
		d.State, d.DeadReason, d.LeaseUntil = events.Dead, reason, time.Time{}
		if err := ob.put(d); err != nil {
			return err
		}
		if err := ob.byState.Put(stateKey(ep.id, stateDead, d.Seq), []byte(id)); err != nil {
			return err
		}
		ep.dead++
		return ob.saveEndpoint(ep)
	})
}

// Replay implements [events.Outbox.Replay]. The delivery keeps its Seq,
// so it goes back ahead of later deliveries of its OrderKey.
func (o *Outbox) Replay(ctx context.Context, id string, next time.Time) error {
	return o.db.update(ctx, func(tx *bolt.Tx) error {
		ob := newObTx(tx, o.db.path)
		d, err := ob.getIn(id, events.Dead)
		if err != nil {
			return err
		}
		ep, err := ob.mustEndpoint(d.Endpoint)
		if err != nil {
			return err
		}
		if err := ob.byState.Delete(stateKey(ep.id, stateDead, d.Seq)); err != nil {
			return err
		}
		ep.dead--
		d.State, d.DeadReason, d.NextAttempt = events.Pending, "", next
		if err := ob.put(d); err != nil {
			return err
		}
		if err := ob.addPending(ep, d); err != nil {
			return err
		}
		return ob.saveEndpoint(ep)
	})
}

// List implements [events.Outbox.List]. It merges the per-endpoint,
// per-state indexes, so a filtered list reads only what it returns.
func (o *Outbox) List(ctx context.Context, f events.Filter) ([]events.Delivery, error) {
	out := []events.Delivery{}
	err := o.db.view(ctx, func(tx *bolt.Tx) error {
		ob := newObTx(tx, o.db.path)
		var eps []*endpoint
		if f.Endpoint != "" {
			if len(f.Endpoint) > maxKeySize {
				return nil
			}
			ep, err := ob.endpoint(f.Endpoint)
			if err != nil || ep == nil {
				return err
			}
			eps = append(eps, ep)
		} else {
			err := ob.eps.ForEach(func(k, v []byte) error {
				ep, err := decodeEndpoint(string(k), v, o.db.path)
				eps = append(eps, ep)
				return err
			})
			if err != nil {
				return err
			}
		}
		var states []byte
		if f.State == "" || f.State == events.Pending {
			states = append(states, statePending)
		}
		if f.State == "" || f.State == events.Dead {
			states = append(states, stateDead)
		}
		var m merger
		for _, ep := range eps {
			for _, st := range states {
				m.add(ob.byState.Cursor(), stateKey(ep.id, st, 0)[:9])
			}
		}
		heap.Init(&m)
		for m.Len() > 0 && (f.Limit <= 0 || len(out) < f.Limit) {
			id := m.pop()
			d, err := ob.get(id)
			if err == nil && d == nil {
				err = fmt.Errorf("%w: %s: state index names delivery %q, which is not held", ErrCorrupt, o.db.path, id)
			}
			if err != nil {
				return err
			}
			out = append(out, *d)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// merger merges by-state cursors in Seq order (a heap of their heads).
type merger []*mergeCursor

type mergeCursor struct {
	c      regionCursor
	prefix []byte
	seq    uint64
	id     string
}

// add starts a cursor at prefix, if it has any entry.
func (m *merger) add(c regionCursor, prefix []byte) {
	mc := &mergeCursor{c: c, prefix: prefix}
	if mc.load(c.Seek(prefix)) {
		*m = append(*m, mc)
	}
}

func (mc *mergeCursor) load(k, v []byte) bool {
	if k == nil || !bytes.HasPrefix(k, mc.prefix) || len(k) != 17 {
		return false
	}
	mc.seq, mc.id = getU64(k[9:]), string(v)
	return true
}

// pop returns the id with the lowest Seq and advances its cursor.
func (m *merger) pop() string {
	top := (*m)[0]
	id := top.id
	if top.load(top.c.Next()) {
		heap.Fix(m, 0)
	} else {
		heap.Pop(m)
	}
	return id
}

func (m merger) Len() int           { return len(m) }
func (m merger) Less(i, j int) bool { return m[i].seq < m[j].seq }
func (m merger) Swap(i, j int)      { m[i], m[j] = m[j], m[i] }
func (m *merger) Push(x any)        { *m = append(*m, x.(*mergeCursor)) }
func (m *merger) Pop() any {
	old := *m
	x := old[len(old)-1]
	*m = old[:len(old)-1]
	return x
}

// Endpoints implements [events.Outbox.Endpoints]: the endpoint records in
// URL order, each NextDue read from the first entry of its due index.
func (o *Outbox) Endpoints(ctx context.Context) ([]events.EndpointStatus, error) {
	var out []events.EndpointStatus
	err := o.db.view(ctx, func(tx *bolt.Tx) error {
		out = out[:0]
		ob := newObTx(tx, o.db.path)
		dc := ob.due.Cursor()
		return ob.eps.ForEach(func(k, v []byte) error {
			ep, err := decodeEndpoint(string(k), v, o.db.path)
			if err != nil {
				return err
			}
			s := events.EndpointStatus{
				URL: ep.url, Disabled: ep.disabled, Reason: ep.reason,
				Pending: int(ep.pending), Dead: int(ep.dead),
			}
			prefix := epPrefix(ep.id)
			if dk, _ := dc.Seek(prefix); dk != nil && bytes.HasPrefix(dk, prefix) && len(dk) >= 8+timeKeyLen {
				s.NextDue = getTimeKey(dk[8:])
			}
			out = append(out, s)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SetDisabled implements [events.Outbox.SetDisabled]. Enabling clears the
// reason. An empty endpoint, or one longer than 32 KiB, is [ErrInvalid].
func (o *Outbox) SetDisabled(ctx context.Context, endpoint string, disabled bool, reason string) error {
	if endpoint == "" || len(endpoint) > maxKeySize {
		return fmt.Errorf("%w: endpoint of %d bytes, want 1 to %d", ErrInvalid, len(endpoint), maxKeySize)
	}
	return o.db.update(ctx, func(tx *bolt.Tx) error {
		ob := newObTx(tx, o.db.path)
		ep, err := ob.endpoint(endpoint)
		if err != nil {
			return err
		}
		if ep == nil {
			if !disabled {
				return nil
			}
			if ep, err = ob.ensureEndpoint(endpoint); err != nil {
				return err
			}
		}
		ep.disabled, ep.reason = disabled, reason
		if !disabled {
			ep.reason = ""
		}
		return ob.saveEndpoint(ep)
	})
}

// releaseLeases ends every lease in the file: run at Open, when the file
// lock proves that whoever held them is gone.
func releaseLeases(tx *bolt.Tx, path string) error {
	ob := newObTx(tx, path)
	var ids []string
	_ = ob.leases.ForEach(func(k, _ []byte) error {
		ids = append(ids, string(k))
		return nil
	})
	for _, id := range ids {
		d, err := ob.get(id)
		if err != nil {
			return err
		}
		if err := ob.leases.Delete([]byte(id)); err != nil {
			return err
		}
		if d == nil {
			continue
		}
		d.LeaseUntil = time.Time{}
		ep, err := ob.mustEndpoint(d.Endpoint)
		if err != nil {
			return err
		}
		if err := ob.reschedule(ep.id, d); err != nil {
			return err
		}
	}
	return nil
}

// isZeroAttempt reports whether a records nothing.
func isZeroAttempt(a events.Attempt) bool {
	return a.At.IsZero() && a.Status == 0 && a.Latency == 0 && a.Error == "" && len(a.Response) == 0
}
