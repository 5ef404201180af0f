package boltstore

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/a12b7632/elementevents/internal/keylock"
	"github.com/a12b7632/elementevents/vendorauth"
)

// tokenStore is the store's [vendorauth.TokenStore]: one value per key in
// the tokens bucket.
//
// Update does not hold a bbolt write transaction while fn runs: fn makes
// an HTTP call to the vendor's token endpoint, and bbolt has one writer
// at a time, so every outbox and poller write of the process would wait
// for the vendor. The file lock already makes the process the store's
// only user (a bbolt file is never shared), so a per-key lock in this
// process is the lock of every user of the store: Update takes it
// (waiting with ctx), reads the token in a read transaction, calls fn,
// and writes fn's token in a write transaction of its own.
type tokenStore struct {
	db *DB

	locks keylock.Set
}

var _ vendorauth.TokenStore = (*tokenStore)(nil)

// tkToken is the tokens bucket's only region: key -> encoded token.
const tkToken = 't'

// tokenFormat is the first byte of an encoded token. The schema version
// fixes the encoding as it does every other record's; the byte lets a
// later schema tell old values from new ones without a full rewrite.
const tokenFormat = 1

// encodeToken writes the secrets as their real values: they are
// converted to strings here, never passed through fmt or encoding/json,
// which would store "[REDACTED]". Expiry keeps nanoseconds and the zero
// Time, like every time in the store.
func encodeToken(t vendorauth.Token) []byte {
	e := enc{}
	e.byte1(tokenFormat)
	e.str(string(t.AccessToken))
	e.str(string(t.RefreshToken))
	e.str(t.TokenType)
	e.str(t.Seed)
	if t.Expiry.IsZero() {
		e.byte1(0)
	} else {
		e.byte1(1)
		e.time(t.Expiry)
	}
	return e.b
}

// decodeToken reads what encodeToken wrote; the error never holds the
// bytes, which are secrets.
func decodeToken(b []byte) (vendorauth.Token, error) {
	d := dec{b: b}
	if f := d.byte1(); d.err == nil && f != tokenFormat {
		return vendorauth.Token{}, fmt.Errorf("token format %d, want %d", f, tokenFormat)
	}
	var t vendorauth.Token
	t.AccessToken = vendorauth.Secret(d.str())
	t.RefreshToken = vendorauth.Secret(d.str())
	t.TokenType = d.str()
	t.Seed = d.str()
	switch d.byte1() {
	case 0:
	case 1:
		t.Expiry = d.time()
	default:
		d.fail()
	}
	if err := d.end(); err != nil {
		return vendorauth.Token{}, err
	}
	return t, nil
}

func checkTokenKey(key string) error {
	if len(key)+1 > maxKeySize {
		return fmt.Errorf("%w: token key %q is %d bytes, at most %d", ErrInvalid, truncate([]byte(key), 40), len(key), maxKeySize-1)
	}
	return nil
}

// get reads key's token inside tx.
func (s *tokenStore) get(tx *bolt.Tx, key string) (vendorauth.Token, bool, error) {
	v := region{tx.Bucket(bucketTokens), tkToken}.Get([]byte(key))
	if v == nil {
		return vendorauth.Token{}, false, nil
	}
	t, err := decodeToken(v)
	if err != nil {
		return vendorauth.Token{}, false, fmt.Errorf("%w: %s: token %q: %w", ErrCorrupt, s.db.path, key, err)
	}
	return t, true, nil
}

// Load implements [vendorauth.TokenStore.Load].
func (s *tokenStore) Load(ctx context.Context, key string) (vendorauth.Token, error) {
	if err := checkTokenKey(key); err != nil {
		return vendorauth.Token{}, err
	}
	var (
		t     vendorauth.Token
		found bool
	)
	err := s.db.view(ctx, func(tx *bolt.Tx) (err error) {
		t, found, err = s.get(tx, key)
		return err
	})
	switch {
	case err != nil:
		return vendorauth.Token{}, fmt.Errorf("boltstore: load token %q: %w", key, err)
	case !found:
		return vendorauth.Token{}, fmt.Errorf("boltstore: load token %q: %w", key, vendorauth.ErrNoToken)
	}
	return t, nil
}

// Update implements [vendorauth.TokenStore.Update]; see tokenStore for
// why the lock is a process lock and not a bbolt transaction.
func (s *tokenStore) Update(ctx context.Context, key string, fn func(vendorauth.Token, bool) (vendorauth.Token, error)) (vendorauth.Token, error) {
	if err := checkTokenKey(key); err != nil {
		return vendorauth.Token{}, err
	}
	if s.db.bolt.IsReadOnly() {
		// Before fn: a vendor that rotated the token for a store that
		// cannot keep it would leave the only valid one in memory.
		return vendorauth.Token{}, fmt.Errorf("%w: %s: update token %q", ErrReadOnly, s.db.path, key)
	}
	unlock, err := s.locks.Lock(ctx, key)
	if err != nil {
		return vendorauth.Token{}, fmt.Errorf("boltstore: lock token %q: %w", key, err)
	}
	defer unlock()

	var (
		cur   vendorauth.Token
		found bool
	)
	err = s.db.view(ctx, func(tx *bolt.Tx) (err error) {
		cur, found, err = s.get(tx, key)
		return err
	})
	if err != nil {
		return vendorauth.Token{}, fmt.Errorf("boltstore: update token %q: %w", key, err)
	}
	next, err := fn(cur, found)
	if err != nil {
		return vendorauth.Token{}, err
	}
	// Not s.db.update(ctx, ...): once fn succeeded the vendor may have
	// rotated the refresh token, so the write happens even if ctx ended
	// meanwhile.
	v := encodeToken(next)
	err = s.db.tx(true, func(tx *bolt.Tx) error {
		return region{tx.Bucket(bucketTokens), tkToken}.Put([]byte(key), v)
	})
	if err != nil {
		return next, fmt.Errorf("boltstore: store token %q: %w", key, err)
	}
	return next, nil
}

// Delete implements [vendorauth.TokenStore.Delete]. It takes key's lock,
// so that it never lands between the read and the write of an Update.
func (s *tokenStore) Delete(ctx context.Context, key string) error {
	if err := checkTokenKey(key); err != nil {
		return err
	}
	unlock, err := s.locks.Lock(ctx, key)
	if err != nil {
		return fmt.Errorf("boltstore: lock token %q: %w", key, err)
	}
	defer unlock()
	err = s.db.update(ctx, func(tx *bolt.Tx) error {
		return region{tx.Bucket(bucketTokens), tkToken}.Delete([]byte(key))
	})
	if err != nil {
		return fmt.Errorf("boltstore: delete token %q: %w", key, err)
	}
	return nil
}
