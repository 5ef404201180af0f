package boltstore

import (
	"fmt"
	"time"

	"github.com/a12b7632/elementevents/notify"
	bolt "go.etcd.io/bbolt"
)

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
func encodeDelivery(d *notify.Delivery) []byte {
	size := 64 + len(d.Endpoint) + len(d.OrderKey) + len(d.Key) + len(d.Body) + len(d.DeadReason) + len(d.Trace)
	size += attemptsSize(d.Attempts)
	e := enc{b: make([]byte, 0, size)}
	e.str(d.Endpoint)
	e.str(d.OrderKey)
	e.bytes(d.Key)
	e.bytes(d.Body)
	e.varint(int64(d.Events))
	e.uvarint(d.Seq)
	e.time(d.CreatedAt)
	if d.State == notify.Dead {
		e.byte1(stateDead)
	} else {
		e.byte1(statePending)
	}
	e.time(d.NextAttempt)
	e.str(d.DeadReason)
	e.attempts(d.Attempts)
	if d.Trace != "" {
		e.str(d.Trace) // optional: absent, the record ends here
	}
	return e.b
}

func decodeDelivery(id string, raw []byte) (notify.Delivery, error) {
	d := dec{b: raw}
	out := notify.Delivery{ID: id}
	out.Endpoint = d.str()
	out.OrderKey = d.str()
	out.Key = d.bytes()
	out.Body = d.bytes()
	out.Events = int(d.varint())
	out.Seq = d.uvarint()
	out.CreatedAt = d.time()
	switch d.byte1() {
	case statePending:
		out.State = notify.Pending
	case stateDead:
		out.State = notify.Dead
	default:
		d.fail()
	}
	out.NextAttempt = d.time()
	out.DeadReason = d.str()
	out.Attempts = d.attempts()
	if d.err == nil && len(d.b) > 0 {
		out.Trace = d.str()
	}
	return out, d.end()
}

// get returns the delivery id with its lease, or nil if it is not held.
func (o *obTx) get(id string) (*notify.Delivery, error) {
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
func (o *obTx) pending(id string) (*notify.Delivery, *endpoint, error) {
	d, err := o.getIn(id, notify.Pending)
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
func (o *obTx) getIn(id string, want notify.DeliveryState) (*notify.Delivery, error) {
	d, err := o.get(id)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return nil, fmt.Errorf("%w: %q", notify.ErrNotFound, id)
	}
	if d.State != want {
		return nil, fmt.Errorf("%w: %q is %s, not %s", notify.ErrNotFound, id, d.State, want)
	}
	return d, nil
}

func (o *obTx) put(d *notify.Delivery) error {
	if err := o.dels.Put([]byte(d.ID), encodeDelivery(d)); err != nil {
		return fmt.Errorf("boltstore: write delivery %q: %w", d.ID, err)
	}
	return nil
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
func isZeroAttempt(a notify.Attempt) bool {
	return a.At.IsZero() && a.Status == 0 && a.Latency == 0 && a.Error == "" && len(a.Response) == 0
}
