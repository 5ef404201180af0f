package boltstore_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/a12b7632/elementevents/boltstore"
	"github.com/a12b7632/elementevents/notify"
	"github.com/a12b7632/elementevents/notify/notifytest"
	"github.com/a12b7632/elementevents/poller"
)

var (
	t0  = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)
	epA = "https://a.example.com/hook"
	epB = "https://b.example.com/hook"
	key = poller.StateKey{Instance: "inst-1", Resource: "contacts"}
)

// populate fills a store at path with some of everything and closes it:
// pending, leased and dead deliveries on two endpoints, a disabled
// endpoint, poller state with numeric and string ids, dedupe keys.
func populate(t testing.TB, path string) {
	t.Helper()
	db, err := boltstore.Open(path, boltstore.Options{Clock: clockwork.NewFakeClockAt(t0)})
	require.NoError(t, err)
	defer func() { require.NoError(t, db.Close()) }()
	ctx := context.Background()
	o := db.Outbox()
	var ds []notify.Delivery
	for i := range 60 {
		d := notifytest.NewDelivery(fmt.Sprintf("d%03d", i), []string{epA, epB}[i%2], fmt.Sprintf("k%d", i%3))
		d.Body = append(d.Body, make([]byte, 200+i*40)...) // some bodies span pages
		ds = append(ds, d)
	}
	require.NoError(t, o.Enqueue(ctx, t0, ds...))
	claimed, err := o.Claim(ctx, epA, t0, time.Hour, 3)
	require.NoError(t, err)
	require.NoError(t, o.Retry(ctx, claimed[0].ID, notify.Attempt{At: t0, Status: 503, Error: "HTTP 503", Response: []byte("busy")}, t0.Add(time.Minute)))
	require.NoError(t, o.DeadLetter(ctx, claimed[1].ID, notify.Attempt{At: t0, Status: 400}, "400 Bad Request"))
	require.NoError(t, o.SetDisabled(ctx, "https://gone.example.com/hook", true, "410 Gone"))

	c := poller.Change{Watermark: t0, Cycles: 3, Upsert: map[string]poller.Record{}, Missing: map[string]int{"7": 1}}
	for i := range 3000 {
		c.Upsert[strconv.Itoa(i)] = poller.Record{Updated: int64(i), Hash: uint64(i) * 0x9E3779B97F4A7C15}
		c.Upsert[fmt.Sprintf("rec-%d", i)] = poller.Record{Updated: -int64(i), Hash: uint64(i)}
	}
	require.NoError(t, db.PollerState().Commit(ctx, key, c))
	for i := range 100 {
		require.NoError(t, db.Deduper().Mark(ctx, fmt.Sprintf("delivery-%d", i), time.Hour))
	}
}

func TestReopenKeepsEverything(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "store.db")
	populate(t, path)
	info, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "the outbox holds signing keys")

	db := openAt(t, path, boltstore.Options{Clock: clockwork.NewFakeClockAt(t0.Add(time.Minute))})
	ctx := t.Context()
	ds, err := db.Outbox().List(ctx, notify.Filter{})
	require.NoError(t, err)
	require.Len(t, ds, 60)
	eps, err := db.Outbox().Endpoints(ctx)
	require.NoError(t, err)
	require.Len(t, eps, 3)
	require.Equal(t, notify.EndpointStatus{URL: "https://gone.example.com/hook", Disabled: true, Reason: "410 Gone"}, eps[2])
	require.Equal(t, 29, eps[0].Pending)
	require.Equal(t, 1, eps[0].Dead)

	st, err := db.PollerState().Load(ctx, key)
	require.NoError(t, err)
	require.Equal(t, 6000, st.Records.Len())
	require.Equal(t, int64(3), st.Cycles)
	require.True(t, t0.Equal(st.Watermark))
	require.Equal(t, map[string]int{"7": 1}, st.Missing)
	r, ok := st.Records.Get("rec-2999")
	require.True(t, ok)
	require.Equal(t, poller.Record{Updated: -2999, Hash: 2999}, r)

	seen, err := db.Deduper().Seen(ctx, "delivery-42")
	require.NoError(t, err)
	require.True(t, seen)
}

// TestOpenEndsLeftoverLeases pins down that deliveries leased by a
// process that died are due again as soon as the store is reopened, not
// when their leases would have run out.
func TestOpenEndsLeftoverLeases(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "store.db")
	db, err := boltstore.Open(path, boltstore.Options{})
	require.NoError(t, err)
	ctx := t.Context()
	require.NoError(t, db.Outbox().Enqueue(ctx, t0,
		notifytest.NewDelivery("k1", epA, "k"), notifytest.NewDelivery("k2", epA, "k"), notifytest.NewDelivery("n1", epA, "")))
	ds, err := db.Outbox().Claim(ctx, epA, t0, time.Hour, 10)
	require.NoError(t, err)
	require.Len(t, ds, 2)
	require.NoError(t, db.Close())

	db = openAt(t, path, boltstore.Options{})
	eps, err := db.Outbox().Endpoints(ctx)
	require.NoError(t, err)
	require.True(t, t0.Equal(eps[0].NextDue), "NextDue %v", eps[0].NextDue)
	ds, err = db.Outbox().Claim(ctx, epA, t0, time.Minute, 10)
	require.NoError(t, err)
	require.Equal(t, []string{"k1", "n1"}, ids(ds), "k2 still waits behind k1")
	require.True(t, t0.Add(time.Minute).Equal(ds[0].LeaseUntil))
}

func ids(ds []notify.Delivery) []string {
	out := []string{}
	for _, d := range ds {
		out = append(out, d.ID)
	}
	return out
}

// writeBolt creates a bbolt file at path and runs fn in a transaction.
func writeBolt(t *testing.T, path string, fn func(tx *bolt.Tx) error) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, db.Update(fn))
	require.NoError(t, db.Close())
}

// setMeta rewrites a key of the store's meta bucket.
func setMeta(t *testing.T, path, key string, value []byte) {
	t.Helper()
	writeBolt(t, path, func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("meta")).Put([]byte(key), value)
	})
}

func schema(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

// corruptAt overwrites bytes of the file.
func corruptAt(t *testing.T, path string, off int64, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteAt(b, off)
	require.NoError(t, err)
	require.NoError(t, f.Close())
}

func TestOpenRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		make    func(t *testing.T, path string)
		opts    boltstore.Options
		wantErr error
		// wantIn is a piece of the message a user needs.
		wantIn string
	}{
		{"text file", func(t *testing.T, path string) {
			require.NoError(t, os.WriteFile(path, []byte(strings4k("not a database\n")), 0o600))
		}, boltstore.Options{}, boltstore.ErrForeignFile, "not a bbolt file"},
		{"short text file", func(t *testing.T, path string) {
			require.NoError(t, os.WriteFile(path, []byte("hello"), 0o600))
		}, boltstore.Options{}, boltstore.ErrForeignFile, "not a bbolt file"},
		{"directory", func(t *testing.T, path string) {
			require.NoError(t, os.Mkdir(path, 0o700))
		}, boltstore.Options{}, boltstore.ErrForeignFile, "directory"},
		{"bbolt file of another application", func(t *testing.T, path string) {
			writeBolt(t, path, func(tx *bolt.Tx) error {
				_, err := tx.CreateBucket([]byte("widgets"))
				return err
			})
		}, boltstore.Options{}, boltstore.ErrForeignFile, `"widgets"`},
		{"meta bucket of another application", func(t *testing.T, path string) {
			writeBolt(t, path, func(tx *bolt.Tx) error {
				b, err := tx.CreateBucket([]byte("meta"))
				if err != nil {
					return err
				}
				return b.Put([]byte("app"), []byte("someone-else"))
			})
		}, boltstore.Options{}, boltstore.ErrForeignFile, `app "someone-else"`},
		{"empty file, read-only", func(t *testing.T, path string) {
			require.NoError(t, os.WriteFile(path, nil, 0o600))
		}, boltstore.Options{ReadOnly: true}, boltstore.ErrForeignFile, "is empty"},
		{"empty bbolt file, read-only", func(t *testing.T, path string) {
			writeBolt(t, path, func(*bolt.Tx) error { return nil })
		}, boltstore.Options{ReadOnly: true}, boltstore.ErrForeignFile, "empty bbolt file"},
		{"newer schema", func(t *testing.T, path string) {
			populate(t, path)
			setMeta(t, path, "schema", schema(boltstore.SchemaVersion+1))
		}, boltstore.Options{}, boltstore.ErrSchemaVersion, "newer build"},
		{"older schema without a migration", func(t *testing.T, path string) {
			populate(t, path)
			setMeta(t, path, "schema", schema(0))
		}, boltstore.Options{}, boltstore.ErrSchemaVersion, "no migration from version 0 to 1"},
		{"older schema, read-only", func(t *testing.T, path string) {
			populate(t, path)
			setMeta(t, path, "schema", schema(0))
		}, boltstore.Options{ReadOnly: true}, boltstore.ErrSchemaVersion, "read-only"},
		{"garbled schema version", func(t *testing.T, path string) {
			populate(t, path)
			setMeta(t, path, "schema", []byte{1})
		}, boltstore.Options{}, boltstore.ErrCorrupt, "schema version is 1 bytes"},
		{"truncated", func(t *testing.T, path string) {
			populate(t, path)
			require.NoError(t, os.Truncate(path, usedSize(t, path)/2))
		}, boltstore.Options{}, boltstore.ErrCorrupt, "truncated?"},
		{"cut to the meta pages", func(t *testing.T, path string) {
			populate(t, path)
			require.NoError(t, os.Truncate(path, 2*4096))
		}, boltstore.Options{}, boltstore.ErrCorrupt, "truncated?"},
		{"both meta pages damaged", func(t *testing.T, path string) {
			populate(t, path)
			corruptAt(t, path, 16+40, []byte{0xde, 0xad})
			corruptAt(t, path, 4096+16+40, []byte{0xde, 0xad})
		}, boltstore.Options{}, boltstore.ErrCorrupt, "both bbolt meta pages are invalid"},
		{"a page of garbage", func(t *testing.T, path string) {
			populate(t, path)
			rng := rand.New(rand.NewPCG(1, 2))
			garbage := make([]byte, 4096)
			for i := range garbage {
				garbage[i] = byte(rng.Uint32())
			}
			corruptAt(t, path, 3*4096, garbage)
		}, boltstore.Options{}, boltstore.ErrCorrupt, "page 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "store.db")
			tt.make(t, path)
			db, err := boltstore.Open(path, tt.opts)
			if err == nil {
				_ = db.Close()
			}
			require.ErrorIs(t, err, tt.wantErr)
			require.ErrorContains(t, err, tt.wantIn)
			require.ErrorContains(t, err, path, "the message names the file")
		})
	}
}

// usedSize is the part of a bbolt file its last transaction uses: bbolt
// grows files ahead of need (sparse, in 16 MiB steps).
func usedSize(t testing.TB, path string) int64 {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	require.NoError(t, err)
	defer db.Close()
	var size int64
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		size = tx.Size()
		return nil
	}))
	return size
}

func strings4k(line string) string {
	out := ""
	for len(out) < 8192 {
		out += line
	}
	return out
}

func TestSchemaErrorCarriesTheVersions(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "store.db")
	populate(t, path)
	setMeta(t, path, "schema", schema(7))
	_, err := boltstore.Open(path, boltstore.Options{})
	var se *boltstore.SchemaError
	require.ErrorAs(t, err, &se)
	require.Equal(t, uint32(7), se.Found)
	require.Equal(t, boltstore.SchemaVersion, se.Supported)
	require.Equal(t, path, se.Path)
}

// TestOneMetaPageDamagedIsSurvivable checks what bbolt's two meta pages
// are for: a torn write of one of them leaves the other, and the store
// opens on the last transaction that it describes.
func TestOneMetaPageDamagedIsSurvivable(t *testing.T) {
	t.Parallel()
	for _, page := range []int64{0, 1} {
		path := filepath.Join(t.TempDir(), "store.db")
		populate(t, path)
		corruptAt(t, path, page*4096+16+40, []byte{0xde, 0xad})
		db, err := boltstore.Open(path, boltstore.Options{})
		require.NoError(t, err, "meta page %d damaged", page)
		st, err := db.PollerState().Load(t.Context(), key)
		require.NoError(t, err)
		require.Equal(t, 6000, st.Records.Len())
		require.NoError(t, db.Close())
	}
}

func TestOpenLockedFileFailsAfterTimeout(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "store.db")
	openAt(t, path, boltstore.Options{})

	start := time.Now()
	_, err := boltstore.Open(path, boltstore.Options{Timeout: 100 * time.Millisecond})
	require.ErrorIs(t, err, boltstore.ErrLocked)
	require.ErrorIs(t, err, berrors.ErrTimeout, "bbolt's error stays in the chain")
	require.ErrorContains(t, err, path)
	require.Less(t, time.Since(start), 5*time.Second)

	_, err = boltstore.Open(path, boltstore.Options{Timeout: 50 * time.Millisecond, ReadOnly: true})
	require.ErrorIs(t, err, boltstore.ErrLocked, "a reader waits for the writer too")
}

func TestReadOnly(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "store.db")
	populate(t, path)
	a := openAt(t, path, boltstore.Options{ReadOnly: true})
	b := openAt(t, path, boltstore.Options{ReadOnly: true}) // readers share the file
	ctx := t.Context()

	ds, err := a.Outbox().List(ctx, notify.Filter{State: notify.Dead})
	require.NoError(t, err)
	require.Len(t, ds, 1)
	st, err := b.PollerState().Load(ctx, key)
	require.NoError(t, err)
	require.Equal(t, 6000, st.Records.Len())

	for name, err := range map[string]error{
		"Enqueue": a.Outbox().Enqueue(ctx, t0, notifytest.NewDelivery("x", epA, "")),
		"Commit":  a.PollerState().Commit(ctx, key, poller.Change{}),
		"Mark":    a.Deduper().Mark(ctx, "x", time.Hour),
	} {
		require.ErrorIs(t, err, boltstore.ErrReadOnly, name)
	}
	_, err = a.Outbox().Claim(ctx, epA, t0.Add(time.Hour), time.Minute, 1)
	require.ErrorIs(t, err, boltstore.ErrReadOnly)

	_, err = boltstore.Open(filepath.Join(t.TempDir(), "absent.db"), boltstore.Options{ReadOnly: true})
	require.ErrorIs(t, err, os.ErrNotExist)
}

func TestClosed(t *testing.T) {
	t.Parallel()
	db, err := boltstore.Open(filepath.Join(t.TempDir(), "store.db"), boltstore.Options{})
	require.NoError(t, err)
	require.NoError(t, db.Close())
	require.NoError(t, db.Close(), "a second Close")
	ctx := t.Context()
	_, err = db.Outbox().List(ctx, notify.Filter{})
	require.ErrorIs(t, err, boltstore.ErrClosed)
	require.ErrorIs(t, db.Outbox().Enqueue(ctx, t0, notifytest.NewDelivery("x", epA, "")), boltstore.ErrClosed)
	_, err = db.PollerState().Load(ctx, key)
	require.ErrorIs(t, err, boltstore.ErrClosed)
	_, err = db.Deduper().Seen(ctx, "x")
	require.ErrorIs(t, err, boltstore.ErrClosed)
}

// The migration tests change the package's migration table, so they do
// not run in parallel.

// makeV0 writes what the artificial schema 0 of these tests looks like: a
// store without the dedupe bucket, whose schema key says 0.
func makeV0(t *testing.T, path string) {
	t.Helper()
	populate(t, path)
	writeBolt(t, path, func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket([]byte("dedupe")); err != nil {
			return err
		}
		return tx.Bucket([]byte("meta")).Put([]byte("schema"), schema(0))
	})
}

func readSchema(t *testing.T, path string) uint32 {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	require.NoError(t, err)
	defer db.Close()
	var v uint32
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		v = binary.BigEndian.Uint32(tx.Bucket([]byte("meta")).Get([]byte("schema")))
		return nil
	}))
	return v
}

func TestMigrationFromAnOlderSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	makeV0(t, path)
	boltstore.SetMigration(t, 0, "add the dedupe bucket", func(tx *bolt.Tx) error {
		_, err := tx.CreateBucket([]byte("dedupe"))
		return err
	})

	db := openAt(t, path, boltstore.Options{})
	require.NoError(t, db.Deduper().Mark(t.Context(), "k", time.Hour), "the migrated layout works")
	ds, err := db.Outbox().List(t.Context(), notify.Filter{})
	require.NoError(t, err)
	require.Len(t, ds, 60, "and kept the data")
	require.NoError(t, db.Close())
	require.Equal(t, boltstore.SchemaVersion, readSchema(t, path))
}

func TestFailedMigrationLeavesTheFileAsItWas(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	makeV0(t, path)
	boom := errors.New("disk says no")
	boltstore.SetMigration(t, 0, "add the dedupe bucket", func(tx *bolt.Tx) error {
		if _, err := tx.CreateBucket([]byte("dedupe")); err != nil {
			return err
		}
		return boom // after a change: the rollback must undo it
	})

	_, err := boltstore.Open(path, boltstore.Options{})
	require.ErrorIs(t, err, boltstore.ErrSchemaVersion)
	require.ErrorContains(t, err, "migration 0 to 1 (add the dedupe bucket) failed, the file is unchanged: disk says no")
	require.Equal(t, uint32(0), readSchema(t, path))

	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		require.Nil(t, tx.Bucket([]byte("dedupe")), "the migration's change was rolled back")
		return nil
	}))
}
