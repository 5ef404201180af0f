package boltstore

import (
	"encoding/binary"
	"fmt"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// SchemaVersion is the layout version this build writes (see the package
// documentation). A store with a lower version is migrated at Open; one
// with a higher version is refused.
const SchemaVersion uint32 = 5

// appName marks the meta bucket of a file this package wrote.
const appName = "github.com/a12b7632/elementevents/boltstore"

// Top-level buckets and the meta bucket's keys.
var (
	bucketMeta      = []byte("meta")
	bucketOutbox    = []byte("outbox")
	bucketPoller    = []byte("poller")
	bucketDedupe    = []byte("dedupe")
	bucketTokens    = []byte("tokens")
	bucketInstances = []byte("instances")
	bucketEventLog  = []byte("eventlog")

	keyApp    = []byte("app")
	keySchema = []byte("schema")
)

// layout lists the top-level buckets of the current schema.
var layout = [][]byte{bucketMeta, bucketOutbox, bucketPoller, bucketDedupe, bucketTokens, bucketInstances, bucketEventLog}

// migration upgrades a store from one schema version to the next, inside
// the transaction that opens it: either the whole chain applies and the
// new version is written, or the file is left as it was.
type migration struct {
	// what the migration does, for errors.
	name  string
	apply func(tx *bolt.Tx) error
}

// migrations maps a schema version to the migration that takes it to the
// next one. Version 1 is the first released layout; a change of layout
// adds an entry here and bumps [SchemaVersion].
var migrations = map[uint32]migration{
	1: {name: "add the tokens bucket", apply: func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucketTokens)
		return err
	}},
	2: {name: "add the instances bucket", apply: func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucketInstances)
		return err
	}},
	3: {name: "add the eventlog bucket", apply: func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucketEventLog)
		return err
	}},
	// Version 5 lets a delivery record end with its trace context. The
	// records of version 4 are valid as they are; the version is bumped so
	// that an older build refuses the file instead of reading such a
	// record as corrupt.
	4: {name: "allow a trace context on deliveries", apply: func(*bolt.Tx) error { return nil }},
}

// checkSchema recognises the file as this package's and brings it to
// SchemaVersion, creating the layout in a new file. Read-only, it only
// checks.
func (db *DB) checkSchema(tx *bolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		var names []string
		_ = tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			if len(names) < 5 {
				names = append(names, fmt.Sprintf("%q", name))
			}
			return nil
		})
		if len(names) > 0 {
			return fmt.Errorf("%w: %s is a bbolt file of another application (no %q bucket; it has %s)",
				ErrForeignFile, db.path, bucketMeta, strings.Join(names, ", "))
		}
		if !tx.Writable() {
			return fmt.Errorf("%w: %s is an empty bbolt file, and read-only it cannot be set up", ErrForeignFile, db.path)
		}
		return initLayout(tx)
	}
	if app := meta.Get(keyApp); string(app) != appName {
		return fmt.Errorf("%w: %s is a bbolt file of another application (app %q, want %q)",
			ErrForeignFile, db.path, truncate(app, 80), appName)
	}
	v := uint32(0) // before versions were written
	if raw := meta.Get(keySchema); raw != nil {
		if len(raw) != 4 {
			return fmt.Errorf("%w: %s: schema version is %d bytes, want 4", ErrCorrupt, db.path, len(raw))
		}
		v = binary.BigEndian.Uint32(raw)
	}
	serr := func(reason string, args ...any) error {
		return &SchemaError{Path: db.path, Found: v, Supported: SchemaVersion, Reason: fmt.Sprintf(reason, args...)}
	}
	switch {
	case v > SchemaVersion:
		return serr("the file was written by a newer build of elementevents; upgrade to open it")
	case v < SchemaVersion && !tx.Writable():
		return serr("the file needs a migration, which a read-only open cannot do; open it once read-write")
	}
	for ; v < SchemaVersion; v++ {
		m, ok := migrations[v]
		if !ok {
			return serr("no migration from version %d to %d exists; this build cannot read the file", v, v+1)
		}
		if err := m.apply(tx); err != nil {
			return fmt.Errorf("%w", &SchemaError{Path: db.path, Found: v, Supported: SchemaVersion,
				Reason: fmt.Sprintf("migration %d to %d (%s) failed, the file is unchanged: %v", v, v+1, m.name, err)})
		}
		if err := putSchema(meta, v+1); err != nil {
			return err
		}
	}
	return checkLayout(tx, db.path)
}

// initLayout writes the meta bucket and every bucket of a new store.
func initLayout(tx *bolt.Tx) error {
	for _, name := range layout {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("boltstore: create bucket %q: %w", name, err)
		}
	}
	meta := tx.Bucket(bucketMeta)
	if err := meta.Put(keyApp, []byte(appName)); err != nil {
		return fmt.Errorf("boltstore: write meta: %w", err)
	}
	return putSchema(meta, SchemaVersion)
}

func putSchema(meta *bolt.Bucket, v uint32) error {
	if err := meta.Put(keySchema, binary.BigEndian.AppendUint32(nil, v)); err != nil {
		return fmt.Errorf("boltstore: write schema version: %w", err)
	}
	return nil
}

// checkLayout fails with ErrCorrupt if a bucket of the schema is missing.
func checkLayout(tx *bolt.Tx, path string) error {
	for _, name := range layout {
		if tx.Bucket(name) == nil {
			return fmt.Errorf("%w: %s: bucket %q is missing", ErrCorrupt, path, name)
		}
	}
	return nil
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}
