package boltstore_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/a12b7632/elementevents/boltstore"
	"github.com/a12b7632/elementevents/engine"
	"github.com/a12b7632/elementevents/engine/eventlogtest"
	"github.com/a12b7632/elementevents/notify"
)

func TestEventLogConformance(t *testing.T) {
	t.Parallel()
	eventlogtest.Run(t, func(t *testing.T) engine.EventLog {
		return openInMemory(t, boltstore.Options{}).EventLog()
	})
}

// The log is in the file: a notification, its attempts and its indexes
// are there after a reopen.
func TestEventLogSurvivesReopen(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "store.db")
	db, err := boltstore.Open(path, boltstore.Options{})
	require.NoError(t, err)
	created := time.Date(2026, 12, 7, 12, 0, 0, 123456000, time.UTC)
	e := engine.LoggedEvent{ID: "ev-1", Tenant: "acme", Instance: "42", ObjectType: "contacts", EventTypes: []string{"UPDATED"},
		Events: 1, Body: []byte(`{"message":{}}`), Status: engine.StatusNew, Created: created, Updated: created}
	require.NoError(t, db.EventLog().Append(t.Context(), e))
	a := notify.Attempt{At: created.Add(time.Second), Status: 500, Error: "HTTP 500"}
	require.NoError(t, db.EventLog().Update(t.Context(), engine.EventUpdate{ID: e.ID, Status: engine.StatusFailed, At: a.At, Attempt: &a}))
	require.NoError(t, db.Close())

	db = openAt(t, path, boltstore.Options{ReadOnly: true})
	page, err := db.EventLog().List(t.Context(), engine.EventFilter{Tenant: "acme", Instance: "42", Statuses: []engine.EventStatus{engine.StatusFailed}})
	require.NoError(t, err)
	require.Len(t, page, 1)
	require.Equal(t, engine.StatusFailed, page[0].Status)
	require.Len(t, page[0].Attempts, 1)
	require.Equal(t, "HTTP 500", page[0].Attempts[0].Error)
}

// A store of schema version 3, before the event log, is migrated at
// Open: the eventlog bucket is added and the rest kept.
func TestMigrationAddsTheEventLogBucket(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "store.db")
	populate(t, path)
	writeBolt(t, path, func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket([]byte("eventlog")); err != nil {
			return err
		}
		return tx.Bucket([]byte("meta")).Put([]byte("schema"), schema(3))
	})

	_, err := boltstore.Open(path, boltstore.Options{ReadOnly: true})
	require.ErrorIs(t, err, boltstore.ErrSchemaVersion, "read-only cannot migrate")

	db := openAt(t, path, boltstore.Options{})
	e := engine.LoggedEvent{ID: "ev-1", Tenant: "acme", Instance: "42", Status: engine.StatusNew, Created: time.Unix(1e9, 0)}
	require.NoError(t, db.EventLog().Append(t.Context(), e))
	ds, err := db.Outbox().List(t.Context(), notify.Filter{})
	require.NoError(t, err)
	require.Len(t, ds, 60, "the migration kept the data")
	require.NoError(t, db.Close())
	require.Equal(t, boltstore.SchemaVersion, readSchema(t, path))
}
