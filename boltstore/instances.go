package boltstore

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/a12b7632/elementevents/engine"
)

// instanceStore is the store's [engine.InstanceStore]: one value per
// instance id in the instances bucket. Ids are unique across tenants, so
// the id alone is the key, and bbolt's key order is List's order: a page
// is a Seek to the cursor and a walk that stops at the limit.
//
// Every write is one bbolt write transaction that reads the stored
// version and writes the new record, so of concurrent writers of one
// version exactly one finds the version it names.
type instanceStore struct {
	db *DB
}

var _ engine.InstanceStore = (*instanceStore)(nil)

// inRecord is the instances bucket's only region: id -> encoded record.
const inRecord = 'i'

// instanceFormat is the first byte of an encoded instance, as
// tokenFormat is of a token.
const instanceFormat = 1

// encodeInstance writes r. The tenant comes first, so that List skips
// another tenant's record without decoding it; the body goes last and as
// its bytes, never re-encoded: it is kept byte for byte. Tags keep nil
// apart from empty.
func encodeInstance(r engine.Record) []byte {
	e := enc{b: make([]byte, 0, 64+len(r.Tenant)+len(r.ElementKey)+len(r.VendorType)+len(r.Body))}
	e.byte1(instanceFormat)
	e.str(r.Tenant)
	e.varint(r.Version)
	e.str(r.ElementKey)
	e.str(r.VendorType)
	if r.Tags == nil {
		e.byte1(0)
	} else {
		e.byte1(1)
		e.uvarint(uint64(len(r.Tags)))
		for _, tag := range r.Tags {
			e.str(tag)
		}
	}
	if r.Enabled {
		e.byte1(1)
	} else {
		e.byte1(0)
	}
	e.time(r.Created)
	e.time(r.Updated)
	e.bytes(r.Body)
	return e.b
}

// decodeInstance reads what encodeInstance wrote, for the id it is
// stored under. The Body it returns is bbolt's memory, valid only inside
// the transaction: callers copy it with ownBody before they keep it. The
// error never holds the bytes, whose body holds secrets.
func decodeInstance(id string, b []byte) (engine.Record, error) {
	d := dec{b: b}
	if f := d.byte1(); d.err == nil && f != instanceFormat {
		return engine.Record{}, fmt.Errorf("instance format %d, want %d", f, instanceFormat)
	}
	r := engine.Record{ID: id}
	r.Tenant = d.str()
	r.Version = d.varint()
	r.ElementKey = d.str()
	r.VendorType = d.str()
	switch d.byte1() {
	case 0:
	case 1:
		n := d.int()
		if n > len(d.b) { // each tag takes a byte at least
			d.fail()
			break
		}
		r.Tags = make([]string, 0, n)
		for range n {
			r.Tags = append(r.Tags, d.str())
		}
	default:
		d.fail()
	}
	switch d.byte1() {
	case 0:
	case 1:
		r.Enabled = true
	default:
		d.fail()
	}
	r.Created = d.time()
	r.Updated = d.time()
	r.Body = d.raw()
	if err := d.end(); err != nil {
		return engine.Record{}, err
	}
	return r, nil
}

// otherTenant reports whether the encoded instance v belongs to a tenant
// other than tenant, reading no further than the tenant. A value it
// cannot read is not another tenant's: decodeInstance reports it.
func otherTenant(v []byte, tenant string) bool {
	d := dec{b: v}
	if d.byte1() != instanceFormat {
		return false
	}
	t := d.raw()
	return d.err == nil && string(t) != tenant
}

// ownBody copies r's Body out of bbolt's memory.
func ownBody(r engine.Record) engine.Record {
	r.Body = append([]byte(nil), r.Body...)
	return r
}

// checkInstance refuses what engine's memory store refuses, and an id
// longer than a bbolt key.
func checkInstance(r engine.Record) error {
	if err := r.Check(); err != nil {
		return err
	}
	return checkInstanceID(r.ID)
}

func checkInstanceID(id string) error {
	if len(id)+1 > maxKeySize {
		return fmt.Errorf("%w: %w: instance id %q is %d bytes, at most %d",
			engine.ErrInvalid, ErrInvalid, truncate([]byte(id), 40), len(id), maxKeySize-1)
	}
	return nil
}

func instances(tx *bolt.Tx) region { return region{tx.Bucket(bucketInstances), inRecord} }

// get reads instance id inside tx; found is false when there is none.
// Its Body is bbolt's memory.
func (s *instanceStore) get(tx *bolt.Tx, id string) (r engine.Record, found bool, err error) {
	v := instances(tx).Get([]byte(id))
	if v == nil {
		return engine.Record{}, false, nil
	}
	r, err = decodeInstance(id, v)
	if err != nil {
		return engine.Record{}, false, fmt.Errorf("%w: %s: instance %q: %w", ErrCorrupt, s.db.path, id, err)
	}
	return r, true, nil
}

// Create implements [engine.InstanceStore.Create].
func (s *instanceStore) Create(ctx context.Context, r engine.Record) error {
	if err := checkInstance(r); err != nil {
		return err
	}
	if r.Version != 1 {
		return fmt.Errorf("%w: create instance %q: version %d, want 1", engine.ErrInvalid, r.ID, r.Version)
	}
	v := encodeInstance(r)
	err := s.db.update(ctx, func(tx *bolt.Tx) error {
		rg := instances(tx)
		if rg.Get([]byte(r.ID)) != nil {
			return engine.ErrExists
		}
		return rg.Put([]byte(r.ID), v)
	})
	if err != nil {
		return fmt.Errorf("boltstore: create instance %q: %w", r.ID, err)
	}
	return nil
}

// Get implements [engine.InstanceStore.Get].
func (s *instanceStore) Get(ctx context.Context, tenant, id string) (engine.Record, error) {
	if err := checkInstanceID(id); err != nil {
		return engine.Record{}, err
	}
	var r engine.Record
	err := s.db.view(ctx, func(tx *bolt.Tx) error {
		got, found, err := s.get(tx, id)
		switch {
		case err != nil:
			return err
		case !found || got.Tenant != tenant:
			return engine.ErrNotFound
		}
		r = ownBody(got)
		return nil
	})
	if err != nil {
		return engine.Record{}, fmt.Errorf("boltstore: get instance %q: %w", id, err)
	}
	return r, nil
}

// List implements [engine.InstanceStore.List]. It walks the ids from the
// cursor, skips other tenants' records having read their tenant only,
// decodes the rest and filters them with [engine.Filter.Match], copying
// the bodies it keeps; it stops at the limit.
func (s *instanceStore) List(ctx context.Context, f engine.Filter) ([]engine.Record, error) {
	limit, err := f.PageSize()
	if err != nil {
		return nil, err
	}
	out := []engine.Record{}
	err = s.db.view(ctx, func(tx *bolt.Tx) error {
		c := instances(tx).Cursor()
		k, v := c.Seek([]byte(f.After))
		if k != nil && string(k) == f.After {
			k, v = c.Next()
		}
		for ; k != nil && len(out) < limit; k, v = c.Next() {
			if !f.AllTenants && otherTenant(v, f.Tenant) {
				continue
			}
			r, err := decodeInstance(string(k), v)
			if err != nil {
				return fmt.Errorf("%w: %s: instance %q: %w", ErrCorrupt, s.db.path, k, err)
			}
			if f.Match(r) {
				out = append(out, ownBody(r))
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("boltstore: list instances of tenant %q: %w", f.Tenant, err)
	}
	return out, nil
}

// Update implements [engine.InstanceStore.Update]: the version check and
// the write are one transaction.
func (s *instanceStore) Update(ctx context.Context, r engine.Record) error {
	if err := checkInstance(r); err != nil {
		return err
	}
	err := s.db.update(ctx, func(tx *bolt.Tx) error {
		old, found, err := s.get(tx, r.ID)
		switch {
		case err != nil:
			return err
		case !found || old.Tenant != r.Tenant:
			return engine.ErrNotFound
		case old.Version != r.Version-1:
			return &engine.ConflictError{ID: r.ID, Stored: old.Version, Base: r.Version - 1}
		}
		r.Created = old.Created
		return instances(tx).Put([]byte(r.ID), encodeInstance(r))
	})
	if err != nil {
		return fmt.Errorf("boltstore: update instance %q: %w", r.ID, err)
	}
	return nil
}

// Delete implements [engine.InstanceStore.Delete]: the version check and
// the delete are one transaction.
func (s *instanceStore) Delete(ctx context.Context, tenant, id string, version int64) error {
	if err := checkInstanceID(id); err != nil {
		return err
	}
	err := s.db.update(ctx, func(tx *bolt.Tx) error {
		old, found, err := s.get(tx, id)
		switch {
		case err != nil:
			return err
		case !found || old.Tenant != tenant:
			return engine.ErrNotFound
		case old.Version != version:
			return &engine.ConflictError{ID: id, Stored: old.Version, Base: version}
		}
		return instances(tx).Delete([]byte(id))
	})
	if err != nil {
		return fmt.Errorf("boltstore: delete instance %q: %w", id, err)
	}
	return nil
}
