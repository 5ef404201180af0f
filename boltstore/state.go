package boltstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"

	bolt "go.etcd.io/bbolt"

	"github.com/a12b7632/elementevents/internal/numid"
	"github.com/a12b7632/elementevents/poller"
)

// pollerState is the store's [poller.State]. Each [poller.StateKey] has its
// own bucket holding the watermark, the cycle count, the Missing counts
// and a nested bucket with one 16-byte value per record, so a Commit
// writes what its Change touches, not the whole state, and applies all of
// it or nothing.
type pollerState struct{ db *DB }

var _ poller.State = (*pollerState)(nil)

// Keys inside a poller.StateKey's bucket.
var (
	psHeader  = []byte("h") // watermark, cycles
	psMissing = []byte("m") // Missing counts
	psRecords = []byte("r") // nested: record key -> Updated(8) Hash(8)
)

// Record keys: a canonical decimal id (as poller.Records keeps as a
// number) is 'n' and its value in 8 bytes, which is shorter than most
// such ids and never ambiguous; any other id, the empty one included, is
// 's' and its bytes.
const (
	recNumeric = 'n'
	recString  = 's'
	recordLen  = 16
)

// stateBucketName encodes a Key so that no two keys share a name:
// Instance is length-prefixed.
func stateBucketName(key poller.StateKey) []byte {
	b := binary.AppendUvarint(make([]byte, 0, 2+len(key.Instance)+len(key.Resource)), uint64(len(key.Instance)))
	b = append(b, key.Instance...)
	return append(b, key.Resource...)
}

func recordKey(id string) []byte {
	if n, ok := numid.Parse(id); ok {
		k := make([]byte, 9)
		k[0] = recNumeric
		putU64(k[1:], n)
		return k
	}
	k := make([]byte, 1+len(id))
	k[0] = recString
	copy(k[1:], id)
	return k
}

func recordID(k []byte) (string, bool) {
	switch {
	case len(k) == 9 && k[0] == recNumeric:
		return strconv.FormatUint(getU64(k[1:]), 10), true
	case len(k) >= 1 && k[0] == recString:
		return string(k[1:]), true
	}
	return "", false
}

// Load implements [poller.State.Load].
func (s *pollerState) Load(ctx context.Context, key poller.StateKey) (*poller.ResourceState, error) {
	st := &poller.ResourceState{Missing: map[string]int{}}
	name := stateBucketName(key)
	if len(name) > maxKeySize {
		return st, nil // Commit refuses such a key, so it is never saved
	}
	err := s.db.view(ctx, func(tx *bolt.Tx) error {
		kb := tx.Bucket(bucketPoller).Bucket(name)
		if kb == nil {
			return nil
		}
		corrupt := func(what string, err error) error {
			return fmt.Errorf("%w: %s: poller state of %+v: %s: %w", ErrCorrupt, s.db.path, key, what, err)
		}
		if h := kb.Get(psHeader); h != nil {
			d := dec{b: h}
			st.Watermark = d.time()
			st.Cycles = d.varint()
			if err := d.end(); err != nil {
				return corrupt("header", err)
			}
		}
		if m := kb.Get(psMissing); m != nil {
			d := dec{b: m}
			n := d.int()
			if n > len(m) {
				d.fail()
			}
			for i := 0; i < n && d.err == nil; i++ {
				id := d.str()
				st.Missing[id] = int(d.varint())
			}
			if err := d.end(); err != nil {
				return corrupt("missing counts", err)
			}
		}
		rb := kb.Bucket(psRecords)
		if rb == nil {
			return nil
		}
		return rb.ForEach(func(k, v []byte) error {
			id, ok := recordID(k)
			if !ok || len(v) != recordLen {
				return corrupt(fmt.Sprintf("record key %x", k), errShort)
			}
			st.Records.Set(id, poller.Record{Updated: int64(getU64(v)), Hash: getU64(v[8:])})
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}

// Commit implements [poller.State.Commit] in one transaction. A key or a
// record id too long for bbolt (32 KiB) is [ErrInvalid] and nothing is
// applied.
func (s *pollerState) Commit(ctx context.Context, key poller.StateKey, c poller.Change) error {
	name := stateBucketName(key)
	if len(name) > maxKeySize {
		return fmt.Errorf("%w: poller key %q/%q is %d bytes, at most %d", ErrInvalid,
			truncate([]byte(key.Instance), 40), truncate([]byte(key.Resource), 40), len(name), maxKeySize)
	}
	// Sorted keys go into bbolt's pages in order: appends rather than
	// inserts, fewer page splits, fuller pages.
	type kv struct {
		k []byte
		v [recordLen]byte
	}
	ups := make([]kv, 0, len(c.Upsert))
	for id, r := range c.Upsert {
		k := recordKey(id)
		if len(k) > maxKeySize {
			return fmt.Errorf("%w: record id %q is %d bytes, at most %d", ErrInvalid, truncate([]byte(id), 40), len(id), maxKeySize-1)
		}
		e := kv{k: k}
		putU64(e.v[:], uint64(r.Updated))
		putU64(e.v[8:], r.Hash)
		ups = append(ups, e)
	}
	slices.SortFunc(ups, func(a, b kv) int { return bytes.Compare(a.k, b.k) })

	h := enc{}
	h.time(c.Watermark)
	h.varint(c.Cycles)
	var missing []byte
	if len(c.Missing) > 0 {
		m := enc{}
		m.uvarint(uint64(len(c.Missing)))
		for id, n := range c.Missing {
			m.str(id)
			m.varint(int64(n))
		}
		missing = m.b
	}

	return s.db.update(ctx, func(tx *bolt.Tx) error {
		kb, err := tx.Bucket(bucketPoller).CreateBucketIfNotExists(name)
		if err != nil {
			return fmt.Errorf("boltstore: poller state of %+v: %w", key, err)
		}
		rb, err := kb.CreateBucketIfNotExists(psRecords)
		if err != nil {
			return fmt.Errorf("boltstore: poller records of %+v: %w", key, err)
		}
		rb.FillPercent = 0.9
		if err := kb.Put(psHeader, h.b); err != nil {
			return err
		}
		for i := range ups {
			if err := rb.Put(ups[i].k, ups[i].v[:]); err != nil {
				return fmt.Errorf("boltstore: poller record of %+v: %w", key, err)
			}
		}
		for _, id := range c.Delete {
			if k := recordKey(id); len(k) <= maxKeySize {
				if err := rb.Delete(k); err != nil {
					return err
				}
			}
		}
		switch {
		case c.Missing == nil:
		case len(c.Missing) == 0:
			return kb.Delete(psMissing)
		default:
			return kb.Put(psMissing, missing)
		}
		return nil
	})
}
