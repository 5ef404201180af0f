package boltstore

import (
	"bytes"
	"container/heap"
	"crypto/sha256"
	"fmt"
	"slices"
	"time"

	"github.com/a12b7632/elementevents/notify"
)

// The outbox indexes: their keys, and how a delivery is filed on them and
// taken off again as its state, lease and OrderKey head change.

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
func readyAt(d *notify.Delivery) time.Time {
	if d.LeaseUntil.After(d.NextAttempt) {
		return d.LeaseUntil
	}
	return d.NextAttempt
}

// makeReady lists d as claimable (a head of its OrderKey, or without one).
func (o *obTx) makeReady(ep uint64, d *notify.Delivery) error {
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
func (o *obTx) reschedule(ep uint64, d *notify.Delivery) error {
	was, err := o.unready(ep, d.Seq)
	if err != nil || !was {
		return err
	}
	return o.makeReady(ep, d)
}

// setLease records d.LeaseUntil (zero: no lease).
func (o *obTx) setLease(d *notify.Delivery) error {
	if d.LeaseUntil.IsZero() {
		return o.leases.Delete([]byte(d.ID))
	}
	v := make([]byte, timeKeyLen)
	putTimeKey(v, d.LeaseUntil)
	return o.leases.Put([]byte(d.ID), v)
}

// headOf returns the first pending delivery of an OrderKey prefix.
func (o *obTx) headOf(prefix []byte) (*notify.Delivery, error) {
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
func (o *obTx) addPending(ep *endpoint, d *notify.Delivery) error {
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
func (o *obTx) removePending(ep *endpoint, d *notify.Delivery) error {
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
