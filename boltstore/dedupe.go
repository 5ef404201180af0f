package boltstore

import (
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/a12b7632/elementevents/receiver"
	"github.com/a12b7632/elementevents/webhook"
)

// deduper is the store's [webhook.Deduper], and a [receiver.Deduper] too:
// the same semantics as webhook's memory deduper (keys kept as 128-bit
// hashes, expiring on Options.Clock), kept across restarts, so that a
// retry that arrives after a restart is still recognised.
//
// Expired keys are purged as new ones are marked: each Mark deletes at
// most [purgeBatch] of the oldest expired keys, which outpaces the keys
// it adds, so the file does not grow with keys nobody can see any more.
// DB.PurgeExpired deletes all of them at once.
type deduper struct{ db *DB }

var (
	_ webhook.Deduper  = (*deduper)(nil)
	_ receiver.Deduper = (*deduper)(nil)
)

// purgeBatch is how many expired keys a Mark deletes at most.
const purgeBatch = 64

// Regions of the dedupe bucket.
const (
	ddKeys   = 'k' // sha256(key)[:16] -> expiry(12)
	ddExpiry = 'x' // expiry(12) sha256(key)[:16] -> nil
)

func dedupeHash(key string) []byte {
	sum := sha256.Sum256([]byte(key))
	return sum[:16]
}

func expiryKey(exp []byte, h []byte) []byte {
	return append(append(make([]byte, 0, timeKeyLen+16), exp...), h...)
}

// Seen implements [webhook.Deduper.Seen]: key was marked and its ttl has
// not run out on the clock.
func (d *deduper) Seen(ctx context.Context, key string) (bool, error) {
	h := dedupeHash(key)
	now := d.db.clock.Now()
	var seen bool
	err := d.db.view(ctx, func(tx *bolt.Tx) error {
		v := region{tx.Bucket(bucketDedupe), ddKeys}.Get(h)
		if v == nil {
			return nil
		}
		if len(v) != timeKeyLen {
			return fmt.Errorf("%w: %s: dedupe entry %x is %d bytes", ErrCorrupt, d.db.path, h, len(v))
		}
		seen = now.Before(getTimeKey(v))
		return nil
	})
	return seen, err
}

// Mark implements [webhook.Deduper.Mark]: key is remembered until ttl
// from now, replacing an earlier mark. It first purges up to purgeBatch
// expired keys.
func (d *deduper) Mark(ctx context.Context, key string, ttl time.Duration) error {
	h := dedupeHash(key)
	now := d.db.clock.Now()
	exp := make([]byte, timeKeyLen)
	putTimeKey(exp, now.Add(ttl))
	return d.db.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDedupe)
		keys, expiry := region{b, ddKeys}, region{b, ddExpiry}
		if _, err := purge(keys, expiry, now, purgeBatch); err != nil {
			return err
		}
		if old := keys.Get(h); old != nil {
			if err := expiry.Delete(expiryKey(old, h)); err != nil {
				return err
			}
		}
		if err := keys.Put(h, exp); err != nil {
			return err
		}
		return expiry.Put(expiryKey(exp, h), nil)
	})
}

// purgeAll deletes every expired key and reports how many it deleted.
func (d *deduper) purgeAll(ctx context.Context) (int, error) {
	now := d.db.clock.Now()
	var n int
	err := d.db.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDedupe)
		var err error
		n, err = purge(region{b, ddKeys}, region{b, ddExpiry}, now, -1)
		return err
	})
	return n, err
}

// len returns the number of keys held, expired ones not yet purged
// included. It walks every key: it is for tests.
func (d *deduper) len(ctx context.Context) (int, error) {
	var n int
	err := d.db.view(ctx, func(tx *bolt.Tx) error {
		return region{tx.Bucket(bucketDedupe), ddKeys}.ForEach(func(_, _ []byte) error { n++; return nil })
	})
	return n, err
}

// purge deletes up to limit (all if negative) keys whose expiry is not
// after now, oldest first.
func purge(keys, expiry region, now time.Time, limit int) (int, error) {
	bound := make([]byte, timeKeyLen)
	putTimeKey(bound, now)
	var gone [][]byte
	c := expiry.Cursor()
	for k, _ := c.Seek(nil); k != nil && (limit < 0 || len(gone) < limit); k, _ = c.Next() {
		if len(k) != timeKeyLen+16 {
			return 0, fmt.Errorf("%w: dedupe expiry entry %x", ErrCorrupt, k)
		}
		if string(k[:timeKeyLen]) > string(bound) {
			break
		}
		gone = append(gone, slices.Clone(k)) // cursor memory is the page's
	}
	for _, k := range gone {
		if err := expiry.Delete(k); err != nil {
			return 0, err
		}
		if err := keys.Delete(k[timeKeyLen:]); err != nil {
			return 0, err
		}
	}
	return len(gone), nil
}
