package boltstore_test

import (
	"encoding/json"
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
	"github.com/a12b7632/elementevents/engine"
	"github.com/a12b7632/elementevents/engine/instancetest"
	"github.com/a12b7632/elementevents/notify"
)

func TestInstanceStoreConformance(t *testing.T) {
	t.Parallel()
	instancetest.Run(t, func(t *testing.T) engine.InstanceStore {
		return openInMemory(t, boltstore.Options{}).Instances()
	})
}

const instanceSecret = "cs_7f3a9c1e"

func sampleInstance(tenant, id string) engine.Record {
	return engine.Record{
		Tenant: tenant, ID: id, Version: 1,
		// Not canonical JSON: spaces and key order must survive.
		Body:       json.RawMessage(`{ "name":"shop",  "configuration":{"oauth.api.secret":"` + instanceSecret + `"}}`),
		ElementKey: "woocommercerest", VendorType: "polling", Tags: []string{}, Enabled: true,
		Created: time.Date(2026, 12, 7, 12, 0, 0, 123456789, time.UTC),
		Updated: time.Date(2026, 12, 7, 13, 0, 0, 987654321, time.UTC),
	}
}

// An instance is in the file, body as written, once Create returns; a
// process that starts again reads it, nanoseconds and empty tags included.
func TestInstancesSurviveReopen(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "store.db")
	db, err := boltstore.Open(path, boltstore.Options{})
	require.NoError(t, err)
	want := sampleInstance("tenant", "inst-1")
	require.NoError(t, db.Instances().Create(t.Context(), want))
	require.NoError(t, db.Close())

	db = openAt(t, path, boltstore.Options{ReadOnly: true})
	got, err := db.Instances().Get(t.Context(), "tenant", "inst-1")
	require.NoError(t, err)
	require.Equal(t, want, got, "every field: Tags empty, not nil; times to the nanosecond")

	next := want
	next.Version = 2
	require.ErrorIs(t, db.Instances().Update(t.Context(), next), boltstore.ErrReadOnly)
	require.ErrorIs(t, db.Instances().Delete(t.Context(), "tenant", "inst-1", 1), boltstore.ErrReadOnly)
}

// List pages through the ids of one tenant while other tenants' instances
// lie between them.
func TestInstanceListSkipsOtherTenants(t *testing.T) {
	t.Parallel()
	s := openInMemory(t, boltstore.Options{}).Instances()
	var want []string
	for i := range 30 {
		tenant := []string{"a", "b", "c"}[i%3]
		id := fmt.Sprintf("id-%02d", i)
		require.NoError(t, s.Create(t.Context(), sampleInstance(tenant, id)))
		if tenant == "b" {
			want = append(want, id)
		}
	}
	var got []string
	for after := ""; ; {
		page, err := s.List(t.Context(), engine.Filter{Tenant: "b", After: after, Limit: 4})
		require.NoError(t, err)
		for _, r := range page {
			require.Equal(t, "b", r.Tenant)
			got = append(got, r.ID)
		}
		if len(page) < 4 {
			break
		}
		after = page[len(page)-1].ID
	}
	require.Equal(t, want, got)
}

func TestInstanceErrors(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "store.db")
	db, err := boltstore.Open(path, boltstore.Options{})
	require.NoError(t, err)
	require.NoError(t, db.Instances().Create(t.Context(), sampleInstance("tenant", "inst-1")))
	require.NoError(t, db.Instances().Create(t.Context(), sampleInstance("tenant", "inst-2")))
	require.NoError(t, db.Close())
	// A value cut short: the body's secret must not show in the errors.
	writeBolt(t, path, func(tx *bolt.Tx) error {
		k := append([]byte{'i'}, "inst-1"...)
		b := tx.Bucket([]byte("instances"))
		v := b.Get(k)
		return b.Put(k, slices.Clone(v[:len(v)-3]))
	})

	db = openAt(t, path, boltstore.Options{})
	s := db.Instances()
	_, err = s.Get(t.Context(), "tenant", "inst-1")
	var errs []error
	errs = append(errs, err)
	_, err = s.List(t.Context(), engine.Filter{Tenant: "tenant"})
	errs = append(errs, err)
	next := sampleInstance("tenant", "inst-1")
	next.Version = 2
	errs = append(errs, s.Update(t.Context(), next))
	errs = append(errs, s.Delete(t.Context(), "tenant", "inst-1", 1))
	for _, err := range errs {
		require.ErrorIs(t, err, boltstore.ErrCorrupt)
		require.ErrorContains(t, err, `instance "inst-1"`)
		require.NotContains(t, fmt.Sprintf("%v %+v", err, err), instanceSecret)
	}
	page, err := s.List(t.Context(), engine.Filter{Tenant: "tenant", After: "inst-1"})
	require.NoError(t, err, "a page after the damaged record")
	require.Len(t, page, 1)

	long := string(make([]byte, bolt.MaxKeySize))
	_, err = s.Get(t.Context(), "tenant", long)
	require.ErrorIs(t, err, engine.ErrInvalid)
	require.ErrorIs(t, s.Create(t.Context(), sampleInstance("tenant", long)), boltstore.ErrInvalid)

	require.NoError(t, db.Close())
	_, err = s.Get(t.Context(), "tenant", "inst-2")
	require.ErrorIs(t, err, boltstore.ErrClosed)
	require.ErrorIs(t, s.Create(t.Context(), sampleInstance("tenant", "inst-3")), boltstore.ErrClosed)
}

// The body, secrets and all, is in the file as written: the store is
// the place of record for the credentials, as the docs say.
func TestInstanceBodyIsStoredAsItsBytes(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "store.db")
	db, err := boltstore.Open(path, boltstore.Options{})
	require.NoError(t, err)
	rec := sampleInstance("tenant", "inst-1")
	require.NoError(t, db.Instances().Create(t.Context(), rec))
	require.NoError(t, db.Close())
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Contains(t, string(raw), string(rec.Body))
}

// A store of schema version 2, before instances, is migrated at Open: the
// instances bucket is added and the rest kept.
func TestMigrationAddsTheInstancesBucket(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "store.db")
	populate(t, path)
	writeBolt(t, path, func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket([]byte("instances")); err != nil {
			return err
		}
		return tx.Bucket([]byte("meta")).Put([]byte("schema"), schema(2))
	})

	_, err := boltstore.Open(path, boltstore.Options{ReadOnly: true})
	require.ErrorIs(t, err, boltstore.ErrSchemaVersion, "read-only cannot migrate")

	db := openAt(t, path, boltstore.Options{})
	require.NoError(t, db.Instances().Create(t.Context(), sampleInstance("tenant", "inst-1")))
	ds, err := db.Outbox().List(t.Context(), notify.Filter{})
	require.NoError(t, err)
	require.Len(t, ds, 60, "the migration kept the data")
	require.NoError(t, db.Close())
	require.Equal(t, boltstore.SchemaVersion, readSchema(t, path))
}

// An Update and a Delete of one version race: exactly one of them wins.
func TestInstanceUpdateAndDeleteOfOneVersion(t *testing.T) {
	t.Parallel()
	s := openInMemory(t, boltstore.Options{}).Instances()
	for i := range 20 {
		id := fmt.Sprintf("inst-%d", i)
		rec := sampleInstance("tenant", id)
		require.NoError(t, s.Create(t.Context(), rec))
		next := rec
		next.Version = 2
		errs := make(chan error, 2)
		go func() { errs <- s.Update(t.Context(), next) }()
		go func() { errs <- s.Delete(t.Context(), "tenant", id, 1) }()
		e1, e2 := <-errs, <-errs
		require.True(t, (e1 == nil) != (e2 == nil), "exactly one wins: %v, %v", e1, e2)
		lost := e1
		if lost == nil {
			lost = e2
		}
		require.True(t, errors.Is(lost, engine.ErrConflict) || errors.Is(lost, engine.ErrNotFound), "%v", lost)
	}
}

// BenchmarkInstanceList lists a page of 100 of one tenant's instances,
// from a cursor in the middle, in a store of 10,000 instances of 10
// tenants (the goal: p99 under 5 ms over 10,000 instances).
func BenchmarkInstanceList(b *testing.B) {
	s := openInMemory(b, boltstore.Options{}).Instances()
	for i := range 10_000 {
		rec := sampleInstance(fmt.Sprintf("tenant-%d", i%10), fmt.Sprintf("inst-%05d", i))
		require.NoError(b, s.Create(b.Context(), rec))
	}
	f := engine.Filter{Tenant: "tenant-3", After: "inst-05000", Limit: 100}
	for b.Loop() {
		page, err := s.List(b.Context(), f)
		if err != nil || len(page) != 100 {
			b.Fatalf("List: %d records, %v", len(page), err)
		}
	}
}
