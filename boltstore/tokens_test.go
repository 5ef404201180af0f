package boltstore_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/a12b7632/elementevents/boltstore"
	"github.com/a12b7632/elementevents/notify"
	"github.com/a12b7632/elementevents/vendorauth"
	"github.com/a12b7632/elementevents/vendorauth/tokentest"
)

func TestTokenStoreConformance(t *testing.T) {
	t.Parallel()
	tokentest.Run(t, func(t *testing.T, n int) []vendorauth.TokenStore {
		// One process holds a bbolt file: n handles are the same store.
		return slices.Repeat([]vendorauth.TokenStore{openInMemory(t, boltstore.Options{}).Tokens()}, n)
	})
}

var sampleToken = vendorauth.Token{
	AccessToken:  "access-7f3a",
	RefreshToken: "refresh-9c1e",
	TokenType:    "Bearer",
	Expiry:       time.Date(2026, 12, 7, 13, 0, 0, 123456789, time.UTC),
	Seed:         "seed",
}

func putToken(t *testing.T, s vendorauth.TokenStore, key string, tok vendorauth.Token) {
	t.Helper()
	_, err := s.Update(t.Context(), key, func(vendorauth.Token, bool) (vendorauth.Token, error) { return tok, nil })
	require.NoError(t, err)
}

// A rotated refresh token is in the file, as itself, once Update returns:
// a process that starts again reads it.
func TestTokensSurviveReopen(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "store.db")
	db, err := boltstore.Open(path, boltstore.Options{})
	require.NoError(t, err)
	putToken(t, db.Tokens(), "inst-1", sampleToken)
	require.NoError(t, db.Close())

	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	require.True(t, bytes.Contains(raw, []byte("refresh-9c1e")), "the refresh token is stored as its value")
	require.False(t, bytes.Contains(raw, []byte("[REDACTED]")), "a secret was stored redacted")

	db = openAt(t, path, boltstore.Options{})
	got, err := db.Tokens().Load(t.Context(), "inst-1")
	require.NoError(t, err)
	require.Equal(t, sampleToken, got, "every field, Expiry to the nanosecond")
}

// fn calls the vendor; the rest of the store must not wait for it.
func TestTokenUpdateDoesNotBlockOtherWrites(t *testing.T) {
	t.Parallel()
	db := openInMemory(t, boltstore.Options{})
	entered, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		_, err := db.Tokens().Update(t.Context(), "slow", func(vendorauth.Token, bool) (vendorauth.Token, error) {
			close(entered)
			<-release
			return sampleToken, nil
		})
		done <- err
	}()
	<-entered
	wrote := make(chan error, 1)
	go func() { wrote <- db.Deduper().Mark(t.Context(), "k", time.Hour) }()
	select {
	case err := <-wrote:
		close(release)
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		close(release)
		t.Error("a write waited for an Update's fn")
		require.NoError(t, <-wrote)
	}
	require.NoError(t, <-done)
}

func TestTokenUpdateOnAReadOnlyStoreDoesNotCallFn(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "store.db")
	db, err := boltstore.Open(path, boltstore.Options{})
	require.NoError(t, err)
	putToken(t, db.Tokens(), "inst-1", sampleToken)
	require.NoError(t, db.Close())

	db = openAt(t, path, boltstore.Options{ReadOnly: true})
	got, err := db.Tokens().Load(t.Context(), "inst-1")
	require.NoError(t, err)
	require.Equal(t, sampleToken, got)
	_, err = db.Tokens().Update(t.Context(), "inst-1", func(vendorauth.Token, bool) (vendorauth.Token, error) {
		t.Error("fn ran although its token could not be stored")
		return sampleToken, nil
	})
	require.ErrorIs(t, err, boltstore.ErrReadOnly)
}

func TestTokenErrors(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "store.db")
	db, err := boltstore.Open(path, boltstore.Options{})
	require.NoError(t, err)
	putToken(t, db.Tokens(), "inst-1", sampleToken)
	require.NoError(t, db.Close())
	// A value cut short: its secrets must not show in the error.
	writeBolt(t, path, func(tx *bolt.Tx) error {
		k := append([]byte{'t'}, "inst-1"...)
		b := tx.Bucket([]byte("tokens"))
		v := b.Get(k)
		return b.Put(k, slices.Clone(v[:len(v)-3]))
	})

	db = openAt(t, path, boltstore.Options{})
	s := db.Tokens()
	_, err = s.Load(t.Context(), "inst-1")
	require.ErrorIs(t, err, boltstore.ErrCorrupt)
	require.ErrorContains(t, err, `token "inst-1"`)
	_, err = s.Update(t.Context(), "inst-1", func(vendorauth.Token, bool) (vendorauth.Token, error) {
		t.Error("fn ran on a token that does not decode")
		return sampleToken, nil
	})
	require.ErrorIs(t, err, boltstore.ErrCorrupt)
	for _, secret := range []string{"access-7f3a", "refresh-9c1e"} {
		require.NotContains(t, fmt.Sprintf("%v %+v", err, err), secret)
	}
	require.NoError(t, s.Delete(t.Context(), "inst-1"), "a damaged token can be deleted")
	_, err = s.Load(t.Context(), "inst-1")
	require.ErrorIs(t, err, vendorauth.ErrNoToken)

	long := string(make([]byte, bolt.MaxKeySize))
	_, err = s.Load(t.Context(), long)
	require.ErrorIs(t, err, boltstore.ErrInvalid)

	require.NoError(t, db.Close())
	_, err = s.Load(t.Context(), "inst-1")
	require.ErrorIs(t, err, boltstore.ErrClosed)
	_, err = s.Update(t.Context(), "inst-1", func(vendorauth.Token, bool) (vendorauth.Token, error) {
		return vendorauth.Token{}, errors.New("fn ran on a closed store")
	})
	require.ErrorIs(t, err, boltstore.ErrClosed)
}

// A store of schema version 1, before tokens and instances, is migrated
// at Open through every later version: the buckets are added and the rest
// kept.
func TestMigrationAddsTheTokensBucket(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "store.db")
	populate(t, path)
	writeBolt(t, path, func(tx *bolt.Tx) error {
		for _, name := range []string{"tokens", "instances"} {
			if err := tx.DeleteBucket([]byte(name)); err != nil {
				return err
			}
		}
		return tx.Bucket([]byte("meta")).Put([]byte("schema"), schema(1))
	})

	_, err := boltstore.Open(path, boltstore.Options{ReadOnly: true})
	require.ErrorIs(t, err, boltstore.ErrSchemaVersion, "read-only cannot migrate")

	db := openAt(t, path, boltstore.Options{})
	putToken(t, db.Tokens(), "inst-1", sampleToken)
	require.NoError(t, db.Instances().Create(t.Context(), sampleInstance("tenant", "inst-1")))
	ds, err := db.Outbox().List(t.Context(), notify.Filter{})
	require.NoError(t, err)
	require.Len(t, ds, 60, "the migration kept the data")
	require.NoError(t, db.Close())
	require.Equal(t, boltstore.SchemaVersion, readSchema(t, path))
}
