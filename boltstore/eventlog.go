package boltstore

import (
	"bytes"
	"context"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/a12b7632/elementevents/engine"
)

// eventLog is the store's [engine.EventLog], in the eventlog bucket: each
// notification by id, and three indexes of it, by tenant and instance, by
// tenant, and by creation time. Index keys end with the creation time
// and the id, ascending; List walks them backwards (bbolt's Prev costs
// what Next does), so a page is one Seek and a walk that stops at the
// limit, and its order is Created then ID descending for any id bytes.
//
// An index value holds what List filters on besides its key (status,
// object type, event types): a notification is read by id only once it
// is selected. An Update rewrites the notification and both of its index
// values in one transaction.
type eventLog struct {
	db *DB
}

var _ engine.EventLog = (*eventLog)(nil)

// pruneBatch is how many notifications one Prune transaction removes at
// most, so that a prune of a week of notifications does not hold every
// page it frees in one transaction.
const pruneBatch = 10_000

func eventlog(tx *bolt.Tx) *bolt.Bucket { return tx.Bucket(bucketEventLog) }

func loggedEvents(tx *bolt.Tx) region { return region{eventlog(tx), elEvent} }

// checkLogged refuses what the memory log refuses, and parts longer than
// a bbolt key holds.
func checkLogged(e engine.LoggedEvent) error {
	if err := e.Check(); err != nil {
		return err
	}
	if n := len(e.Tenant) + len(e.Instance) + len(e.ID) + 2*binaryMaxVarint + timeKeyLen + 1; n > maxKeySize {
		return fmt.Errorf("%w: %w: event %q: tenant, instance and id take %d bytes of an index key, at most %d",
			engine.ErrInvalid, ErrInvalid, truncate([]byte(e.ID), 40), n, maxKeySize)
	}
	return nil
}

const binaryMaxVarint = 10

// getLogged reads notification id inside tx; found is false when there
// is none.
func (l *eventLog) getLogged(tx *bolt.Tx, id string) (e engine.LoggedEvent, found bool, err error) {
	v := loggedEvents(tx).Get([]byte(id))
	if v == nil {
		return engine.LoggedEvent{}, false, nil
	}
	e, err = decodeLogged(id, v)
	if err != nil {
		return engine.LoggedEvent{}, false, l.corrupt(id, err)
	}
	return e, true, nil
}

func (l *eventLog) corrupt(id string, err error) error {
	return fmt.Errorf("%w: %s: logged event %q: %w", ErrCorrupt, l.db.path, truncate([]byte(id), 80), err)
}

// Append implements [engine.EventLog.Append]: every notification of the
// call in one transaction.
func (l *eventLog) Append(ctx context.Context, evs ...engine.LoggedEvent) error {
	for _, e := range evs {
		if err := checkLogged(e); err != nil {
			return err
		}
	}
	if len(evs) == 0 {
		return nil
	}
	err := l.db.update(ctx, func(tx *bolt.Tx) error {
		b, rg := eventlog(tx), loggedEvents(tx)
		for _, e := range evs {
			if rg.Get([]byte(e.ID)) != nil {
				continue
			}
			if err := rg.Put([]byte(e.ID), encodeLogged(e)); err != nil {
				return err
			}
			inst, ten, crt := loggedKeys(e.Tenant, e.Instance, e.Created, e.ID)
			iv := encodeLoggedIndex(e)
			if err := putAll(b, kv{inst, iv}, kv{ten, iv}, kv{crt, nil}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("boltstore: append %d logged events: %w", len(evs), err)
	}
	return nil
}

type kv struct{ k, v []byte }

func putAll(b *bolt.Bucket, kvs ...kv) error {
	for _, p := range kvs {
		if p.v == nil {
			p.v = []byte{}
		}
		if err := b.Put(p.k, p.v); err != nil {
			return err
		}
	}
	return nil
}

// Update implements [engine.EventLog.Update]: every change of the call
// in one transaction.
func (l *eventLog) Update(ctx context.Context, us ...engine.EventUpdate) error {
	for _, u := range us {
		if err := u.Check(); err != nil {
			return err
		}
	}
	if len(us) == 0 {
		return nil
	}
	err := l.db.update(ctx, func(tx *bolt.Tx) error {
		b := eventlog(tx)
		for _, u := range us {
			e, found, err := l.getLogged(tx, u.ID)
			if err != nil {
				return err
			}
			if !found {
				continue
			}
			e = e.Apply(u)
			if err := loggedEvents(tx).Put([]byte(e.ID), encodeLogged(e)); err != nil {
				return err
			}
			inst, ten, _ := loggedKeys(e.Tenant, e.Instance, e.Created, e.ID)
			iv := encodeLoggedIndex(e)
			if err := putAll(b, kv{inst, iv}, kv{ten, iv}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("boltstore: update %d logged events: %w", len(us), err)
	}
	return nil
}

// Get implements [engine.EventLog.Get].
func (l *eventLog) Get(ctx context.Context, tenant, id string) (engine.LoggedEvent, error) {
	var e engine.LoggedEvent
	err := l.db.view(ctx, func(tx *bolt.Tx) error {
		got, found, err := l.getLogged(tx, id)
		switch {
		case err != nil:
			return err
		case !found || got.Tenant != tenant:
			return engine.ErrEventNotFound
		}
		e = got
		return nil
	})
	if err != nil {
		return engine.LoggedEvent{}, fmt.Errorf("boltstore: get logged event %q: %w", truncate([]byte(id), 80), err)
	}
	return e, nil
}

// List implements [engine.EventLog.List]: it walks the instance's index
// when f names one, the tenant's otherwise, backwards from the earlier of
// the cursor and f.Until, and stops at f.Since or the limit.
func (l *eventLog) List(ctx context.Context, f engine.EventFilter) ([]engine.LoggedEvent, error) {
	limit, err := f.PageSize()
	if err != nil {
		return nil, err
	}
	prefix := tenantPrefix(f.Tenant)
	if f.Instance != "" {
		prefix = instancePrefix(f.Tenant, f.Instance)
	}
	out := []engine.LoggedEvent{}
	err = l.db.view(ctx, func(tx *bolt.Tx) error {
		end := successor(prefix) // exclusive; nil: the bucket's end
		if f.After != "" {
			v := loggedEvents(tx).Get([]byte(f.After))
			if v == nil {
				return fmt.Errorf("%w: EventFilter.After %q: the tenant has no such event (pruned since the last page?)", engine.ErrInvalid, truncate([]byte(f.After), 80))
			}
			tenant, _, created, err := decodeLoggedHead(v)
			switch {
			case err != nil:
				return l.corrupt(f.After, err)
			case tenant != f.Tenant:
				return fmt.Errorf("%w: EventFilter.After %q: the tenant has no such event (pruned since the last page?)", engine.ErrInvalid, truncate([]byte(f.After), 80))
			}
			end = appendTimeID(bytes.Clone(prefix), created, f.After)
		}
		if !f.Until.IsZero() {
			if u := appendTimeID(bytes.Clone(prefix), f.Until, ""); end == nil || bytes.Compare(u, end) < 0 {
				end = u
			}
		}
		var since []byte
		if !f.Since.IsZero() {
			since = appendTimeID(bytes.Clone(prefix), f.Since, "")
		}
		c := eventlog(tx).Cursor()
		var k, v []byte
		if end == nil {
			k, v = c.Last()
		} else if k, _ = c.Seek(end); k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
		rg := loggedEvents(tx)
		for ; k != nil && bytes.HasPrefix(k, prefix) && len(out) < limit; k, v = c.Prev() {
			if since != nil && bytes.Compare(k, since) < 0 {
				break
			}
			if len(k) < len(prefix)+timeKeyLen {
				return l.corrupt(string(k), errShort)
			}
			id := k[len(prefix)+timeKeyLen:]
			// The key holds the tenant, instance and time; the value the
			// rest of what f filters on.
			match, err := matchLoggedIndex(v, f)
			if err != nil {
				return l.corrupt(string(id), err)
			}
			if !match {
				continue
			}
			raw := rg.Get(id)
			if raw == nil {
				return l.corrupt(string(id), fmt.Errorf("indexed but not stored"))
			}
			e, err := decodeLogged(string(id), raw)
			if err != nil {
				return l.corrupt(string(id), err)
			}
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("boltstore: list logged events of tenant %q: %w", f.Tenant, err)
	}
	return out, nil
}

// Prune implements [engine.EventLog.Prune]: it walks the creation order
// from its start and removes each notification and its index entries,
// in transactions of at most pruneBatch notifications.
func (l *eventLog) Prune(ctx context.Context, before time.Time) (int, error) {
	var limit [timeKeyLen]byte
	putTimeKey(limit[:], before)
	total := 0
	for {
		n := 0
		err := l.db.update(ctx, func(tx *bolt.Tx) error {
			b, rg := eventlog(tx), loggedEvents(tx)
			var crts [][]byte
			c := b.Cursor()
			for k, _ := c.Seek([]byte{elCreated}); k != nil && k[0] == elCreated && len(crts) < pruneBatch; k, _ = c.Next() {
				if len(k) < 1+timeKeyLen {
					return l.corrupt(string(k), errShort)
				}
				if bytes.Compare(k[1:1+timeKeyLen], limit[:]) >= 0 {
					break
				}
				crts = append(crts, bytes.Clone(k))
			}
			for _, crt := range crts {
				id := crt[1+timeKeyLen:]
				if raw := rg.Get(id); raw != nil {
					tenant, instance, created, err := decodeLoggedHead(raw)
					if err != nil {
						return l.corrupt(string(id), err)
					}
					inst, ten, _ := loggedKeys(tenant, instance, created, string(id))
					if err := deleteAll(b, inst, ten); err != nil {
						return err
					}
					if err := rg.Delete(id); err != nil {
						return err
					}
				}
				if err := b.Delete(crt); err != nil {
					return err
				}
			}
			n = len(crts)
			return nil
		})
		total += n
		if err != nil {
			return total, fmt.Errorf("boltstore: prune logged events before %s: %w", before.UTC().Format(time.RFC3339Nano), err)
		}
		if n < pruneBatch {
			return total, nil
		}
	}
}

func deleteAll(b *bolt.Bucket, keys ...[]byte) error {
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
