package boltstore

import (
	"bytes"
	"container/heap"
	"context"
	"fmt"
	"time"

	"github.com/a12b7632/elementevents/notify"
	bolt "go.etcd.io/bbolt"
)

// outbox is the store's [notify.Outbox]. Every call is one transaction:
// Enqueue returns only once its deliveries are on disk. Claim walks an
// index of the deliveries that no earlier one of their OrderKey holds
// back, so its cost does not grow with the deliveries waiting behind
// others, and Endpoints finds each endpoint's next due time in an index
// ordered by time.
//
// It answers every call as notify's memory outbox does (the attempt passed
// to Ack leaves with the delivery in both), but keeps its deliveries
// across restarts; Open ends the leases a previous process held.
type outbox struct{ db *DB }

var _ notify.Outbox = (*outbox)(nil)

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

// Enqueue implements [notify.Outbox.Enqueue] in one transaction. An
// empty ID or Endpoint, or one longer than 32 KiB, is [ErrInvalid] and
// nothing is stored.
func (o *outbox) Enqueue(ctx context.Context, now time.Time, ds ...notify.Delivery) error {
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
			d.Seq, d.State, d.CreatedAt = seq, notify.Pending, now
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

// Claim implements [notify.Outbox.Claim].
func (o *outbox) Claim(ctx context.Context, endpoint string, now time.Time, lease time.Duration, limit int) ([]notify.Delivery, error) {
	if limit <= 0 || endpoint == "" || len(endpoint) > maxKeySize {
		return nil, nil
	}
	var out []notify.Delivery
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
			d, err := ob.getIn(id, notify.Pending)
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

// Ack implements [notify.Outbox.Ack]. The attempt is dropped with the
// delivery.
func (o *outbox) Ack(ctx context.Context, id string, _ notify.Attempt) error {
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

// Retry implements [notify.Outbox.Retry].
func (o *outbox) Retry(ctx context.Context, id string, a notify.Attempt, next time.Time) error {
	return o.reschedule(ctx, id, next, func(d *notify.Delivery) {
		d.Attempts = append(d.Attempts, a)
	})
}

// Release implements [notify.Outbox.Release].
func (o *outbox) Release(ctx context.Context, id string, next time.Time) error {
	return o.reschedule(ctx, id, next, nil)
}

// reschedule ends a pending delivery's lease and makes it due at next,
// after change (if any) has updated it.
func (o *outbox) reschedule(ctx context.Context, id string, next time.Time, change func(*notify.Delivery)) error {
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

// DeadLetter implements [notify.Outbox.DeadLetter].
func (o *outbox) DeadLetter(ctx context.Context, id string, a notify.Attempt, reason string) error {
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
		d.State, d.DeadReason, d.LeaseUntil = notify.Dead, reason, time.Time{}
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

// Replay implements [notify.Outbox.Replay]. The delivery keeps its Seq,
// so it goes back ahead of later deliveries of its OrderKey.
func (o *outbox) Replay(ctx context.Context, id string, next time.Time) error {
	return o.db.update(ctx, func(tx *bolt.Tx) error {
		ob := newObTx(tx, o.db.path)
		d, err := ob.getIn(id, notify.Dead)
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
		d.State, d.DeadReason, d.NextAttempt = notify.Pending, "", next
		if err := ob.put(d); err != nil {
			return err
		}
		if err := ob.addPending(ep, d); err != nil {
			return err
		}
		return ob.saveEndpoint(ep)
	})
}

// List implements [notify.Outbox.List]. It merges the per-endpoint,
// per-state indexes, so a filtered list reads only what it returns.
func (o *outbox) List(ctx context.Context, f notify.Filter) ([]notify.Delivery, error) {
	out := []notify.Delivery{}
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
		if f.State == "" || f.State == notify.Pending {
			states = append(states, statePending)
		}
		if f.State == "" || f.State == notify.Dead {
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

// Endpoints implements [notify.Outbox.Endpoints]: the endpoint records in
// URL order, each NextDue read from the first entry of its due index.
func (o *outbox) Endpoints(ctx context.Context) ([]notify.EndpointStatus, error) {
	var out []notify.EndpointStatus
	err := o.db.view(ctx, func(tx *bolt.Tx) error {
		out = out[:0]
		ob := newObTx(tx, o.db.path)
		dc, sc := ob.due.Cursor(), ob.byState.Cursor()
		return ob.eps.ForEach(func(k, v []byte) error {
			ep, err := decodeEndpoint(string(k), v, o.db.path)
			if err != nil {
				return err
			}
			s := notify.EndpointStatus{
				URL: ep.url, Disabled: ep.disabled, Reason: ep.reason,
				Pending: int(ep.pending), Dead: int(ep.dead),
			}
			prefix := epPrefix(ep.id)
			if dk, _ := dc.Seek(prefix); dk != nil && bytes.HasPrefix(dk, prefix) && len(dk) >= 8+timeKeyLen {
				s.NextDue = getTimeKey(dk[8:])
			}
			if ep.pending > 0 {
				// The lowest Seq pending is the first of its 's' region.
				sp := stateKey(ep.id, statePending, 0)[:9]
				if sk, id := sc.Seek(sp); sk != nil && bytes.HasPrefix(sk, sp) {
					d, err := decodeDelivery(string(id), ob.dels.Get(id))
					if err != nil {
						return fmt.Errorf("%w: %s: delivery %q: %w", ErrCorrupt, o.db.path, id, err)
					}
					s.Oldest = d.CreatedAt
				}
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

// SetDisabled implements [notify.Outbox.SetDisabled]. Enabling clears the
// reason. An empty endpoint, or one longer than 32 KiB, is [ErrInvalid].
func (o *outbox) SetDisabled(ctx context.Context, endpoint string, disabled bool, reason string) error {
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
