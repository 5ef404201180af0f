package boltstore

import (
	"context"
	"maps"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// BoltStats exposes bbolt's statistics to tests.
func (db *DB) BoltStats() bolt.Stats { return db.bolt.Stats() }

// SetMigration installs a migration from schema version from for the
// rest of the test. Tests that use it must not run in parallel: Open
// reads the table.
func SetMigration(t testing.TB, from uint32, name string, apply func(*bolt.Tx) error) {
	old := migrations
	migrations = maps.Clone(old)
	migrations[from] = migration{name: name, apply: apply}
	t.Cleanup(func() { migrations = old })
}

// UsedBytes returns the bytes of the file's pages in use: its size as its
// last transaction sees it, less free pages (bbolt grows files ahead of
// need, up to 16 MiB at a time, so the file's size says little).
func (db *DB) UsedBytes() int64 {
	var size int64
	_ = db.bolt.View(func(tx *bolt.Tx) error {
		size = tx.Size()
		return nil
	})
	st := db.bolt.Stats()
	return size - int64(st.FreePageN+st.PendingPageN)*int64(db.bolt.Info().PageSize)
}

// PurgeBatch is how many expired keys a Mark deletes at most.
const PurgeBatch = purgeBatch

// DedupeLen returns the number of dedupe keys held, expired ones not yet
// purged included.
func (db *DB) DedupeLen(ctx context.Context) (int, error) { return db.dedupe.len(ctx) }

// ReadRawEvents reads n values of the event log's by-id region from the
// first id at or after from, copying each as a page would: the floor
// under a List of n notifications, for its benchmark.
func (db *DB) ReadRawEvents(from string, n int) (read int, err error) {
	err = db.bolt.View(func(tx *bolt.Tx) error {
		c := loggedEvents(tx).Cursor()
		var keep [][]byte
		for k, v := c.Seek([]byte(from)); k != nil && len(keep) < n; k, v = c.Next() {
			keep = append(keep, append([]byte(nil), v...))
		}
		read = len(keep)
		return nil
	})
	return read, err
}
