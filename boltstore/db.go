package boltstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/a12b7632/elementevents/engine"
	"github.com/a12b7632/elementevents/notify"
	"github.com/a12b7632/elementevents/poller"
	"github.com/a12b7632/elementevents/vendorauth"
	"github.com/a12b7632/elementevents/webhook"
)

// defaultTimeout is Options.Timeout's default.
const defaultTimeout = time.Second

var initialMmapSize = func() int {
	if runtime.GOOS == "windows" {
		return 0
	}
	return 256 << 20
}()

// Options configures [Open]. The zero value is ready to use: every field
// documents its default.
type Options struct {
	// Clock is what the Deduper reads to expire keys. The outbox and the
	// poller state read no clock: their callers pass times in. Default:
	// the real clock.
	Clock clockwork.Clock

	// Timeout bounds the wait for the file lock, which one process holds
	// while the store is open. Default one second; after it Open
	// fails with [ErrLocked] rather than hang.
	Timeout time.Duration

	// ReadOnly opens the file for reading: several read-only DBs may
	// share it, but not with a writer. Writes fail with [ErrReadOnly], a
	// store with an older schema is refused rather than migrated, and
	// leases are left as they are.
	ReadOnly bool

	// SkipVerify skips the structural check of the file at Open (see
	// the package documentation). The check reads the part of the file in
	// use once, 35 to 60 ms for 100,000 poller records and 10,000 pending
	// notifications; without it a damaged file may only fail later, or
	// send bbolt into a loop. Default false: the check runs.
	SkipVerify bool

	// Mode is the permission of a file Open creates. Default 0600: the
	// outbox holds signing keys.
	Mode os.FileMode
}

// DB is an open store file. Its Outbox, PollerState, Deduper, Tokens,
// Instances and EventLog are views of the one file and may be used concurrently;
// every write is one bbolt transaction, committed with fsync before the
// call returns (Tokens' Update reads in one and writes in another, see
// Tokens).
type DB struct {
	bolt  *bolt.DB
	path  string
	clock clockwork.Clock

	outbox *outbox
	state  *pollerState
	dedupe *deduper
	tokens *tokenStore
	insts  *instanceStore
	evlog  *eventLog

	closeOnce sync.Once
	closeErr  error
}

// Open opens the store at path, creating it if it does not exist.
//
// A file that is not a bbolt file, or a bbolt file of another application,
// is refused with [ErrForeignFile]; a damaged one with [ErrCorrupt]; one
// written by a newer build, with a [*SchemaError]; one that another
// process has open, after Options.Timeout, with [ErrLocked]. A file with
// an older schema is migrated in the same transaction that checks it.
//
// Open ends every lease a previous process held on a delivery: the file
// lock proves that process is gone, so its deliveries are due again at
// once instead of when their leases would have run out.
func Open(path string, opts Options) (*DB, error) {
	if opts.Clock == nil {
		opts.Clock = clockwork.NewRealClock()
	}
	if opts.Timeout <= 0 {
		opts.Timeout = defaultTimeout
	}
	if opts.Mode == 0 {
		opts.Mode = 0o600
	}
	fresh, err := precheck(path)
	if err != nil {
		return nil, err
	}
	if fresh && opts.ReadOnly {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("boltstore: open %s read-only: %w", path, err)
		}
		return nil, fmt.Errorf("%w: %s is empty, and read-only it cannot be set up", ErrForeignFile, path)
	}
	bdb, err := openBolt(path, opts)
	if err != nil {
		return nil, err
	}
	if !opts.SkipVerify {
		// With the lock held: nobody writes the file under the check.
		if err := verifyFile(path); err != nil {
			_ = bdb.Close()
			return nil, err
		}
	}
	db := &DB{bolt: bdb, path: path, clock: opts.Clock}
	db.outbox = &outbox{db: db}
	db.state = &pollerState{db: db}
	db.dedupe = &deduper{db: db}
	db.tokens = &tokenStore{db: db}
	db.insts = &instanceStore{db: db}
	db.evlog = &eventLog{db: db}
	if err := db.setup(opts); err != nil {
		_ = bdb.Close()
		return nil, err
	}
	return db, nil
}

// openBolt opens the file with bbolt, turning its errors, and any panic
// or memory fault while it reads the file, into the store's errors.
func openBolt(path string, opts Options) (bdb *bolt.DB, err error) {
	var file *os.File
	bopts := &bolt.Options{
		Timeout:  opts.Timeout,
		ReadOnly: opts.ReadOnly,
		// Address space, not memory: a first mapping this large spares
		// the remaps of a growing file, each of which copies every page
		// the write in progress holds out of the old mapping. (Windows
		// would grow the file to it.)
		InitialMmapSize: initialMmapSize,
		OpenFile: func(name string, flag int, mode os.FileMode) (*os.File, error) {
			f, err := os.OpenFile(name, flag, mode)
			file = f
			return f, err
		},
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			// bbolt gave up half way: its mapping is lost, but closing
			// the file releases the lock.
			if file != nil {
				_ = file.Close()
			}
			bdb, err = nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, path, r)
		}
	}()
	bdb, err = bolt.Open(path, opts.Mode, bopts)
	switch {
	case err == nil:
		return bdb, nil
	case errors.Is(err, berrors.ErrTimeout):
		return nil, fmt.Errorf("%w: %s: no lock after %v: %w", ErrLocked, path, opts.Timeout, err)
	case errors.Is(err, berrors.ErrInvalid):
		return nil, fmt.Errorf("%w: %s: %w", ErrForeignFile, path, err)
	case errors.Is(err, berrors.ErrChecksum), errors.Is(err, berrors.ErrVersionMismatch):
		return nil, fmt.Errorf("%w: %s: %w", ErrCorrupt, path, err)
	default:
		return nil, fmt.Errorf("boltstore: open %s: %w", path, err)
	}
}

// setup checks and, if needed, initialises or migrates the schema, ends
// leftover leases and runs the optional consistency check.
func (db *DB) setup(opts Options) error {
	return db.tx(!opts.ReadOnly, func(tx *bolt.Tx) error {
		if size, err := fileSize(db.path); err == nil && tx.Size() > size {
			return fmt.Errorf("%w: %s is %d bytes, its last transaction needs %d", ErrCorrupt, db.path, size, tx.Size())
		}
		if err := db.checkSchema(tx); err != nil {
			return err
		}
		if tx.Writable() {
			return releaseLeases(tx, db.path)
		}
		return nil
	})
}

func fileSize(path string) (int64, error) {
	info, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return info.Size(), nil
}

// Path returns the store file's path.
func (db *DB) Path() string { return db.path }

// Outbox returns the store's [notify.Outbox]: give it to notify.Config so
// that accepted notifications survive a crash. It answers every call as
// notify's memory outbox does, but returns from Enqueue only once the
// deliveries are on disk, and Open ends the leases a previous process
// held.
func (db *DB) Outbox() notify.Outbox { return db.outbox }

// PollerState returns the store's [poller.State]: give it to
// poller.Config so that a restart polls on from where it stopped. A
// Commit applies all of its Change or nothing.
func (db *DB) PollerState() poller.State { return db.state }

// Deduper returns the store's [webhook.Deduper], which is a
// receiver.Deduper too: the memory deduper's semantics (keys kept as
// 128-bit hashes, expiring on Options.Clock), kept across restarts. Each
// Mark also deletes a few of the oldest expired keys, which outpaces the
// keys it adds, so the file does not grow with keys nobody can see.
func (db *DB) Deduper() webhook.Deduper { return db.dedupe }

// Tokens returns the store's [vendorauth.TokenStore]: give it to the
// OAuth 2 configuration so that a refresh token the vendor rotated
// survives a restart. Update holds a per-key lock of this process while
// its fn calls the vendor, not a write transaction, so a slow token
// endpoint never holds up the outbox or the poller; a bbolt file has one
// process, so that lock excludes every other Update of the key. The
// token is on disk before Update returns it.
func (db *DB) Tokens() vendorauth.TokenStore { return db.tokens }

// Instances returns the store's [engine.InstanceStore]: the instances of
// every tenant, each body kept byte for byte (its secrets included: the
// file is created 0600). Update and Delete check the version and write
// in one transaction, so of concurrent writers of one version exactly
// one wins. List walks the ids from the cursor and stops at the limit.
func (db *DB) Instances() engine.InstanceStore { return db.insts }

// EventLog returns the store's [engine.EventLog]: every notification
// with its status and attempts, per tenant and instance. A page of one
// instance's notifications, newest first, is one Seek in an index of that
// instance and a walk that stops at the limit, whatever the log holds
// besides. Nothing is removed but by Prune, which the host calls with
// the end of its retention (engine.DefaultRetention).
func (db *DB) EventLog() engine.EventLog { return db.evlog }

// PurgeExpired deletes every expired dedupe key at once and reports how
// many it deleted. Marks purge as they go, so a host calls it only to
// reclaim space at once, say after a burst of webhooks.
func (db *DB) PurgeExpired(ctx context.Context) (int, error) {
	return db.dedupe.purgeAll(ctx)
}

// Close closes the file and releases its lock. Calls after the first
// return the first one's result; every other method then fails with
// [ErrClosed].
func (db *DB) Close() error {
	db.closeOnce.Do(func() { db.closeErr = db.bolt.Close() })
	return db.closeErr
}

// tx runs fn in a read-write (committed, with fsync) or read-only bbolt
// transaction. A panic in bbolt, which it raises on a damaged page, and a
// memory fault on a page past the end of a file cut short while open,
// become ErrCorrupt; the transaction is rolled back.
func (db *DB) tx(write bool, fn func(*bolt.Tx) error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %s: %v", ErrCorrupt, db.path, r)
		}
	}()
	if write {
		err = db.bolt.Update(fn)
	} else {
		err = db.bolt.View(fn)
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, berrors.ErrDatabaseNotOpen):
		return fmt.Errorf("%w: %s: %w", ErrClosed, db.path, err)
	case errors.Is(err, berrors.ErrDatabaseReadOnly), errors.Is(err, berrors.ErrTxNotWritable):
		return fmt.Errorf("%w: %s: %w", ErrReadOnly, db.path, err)
	}
	return err
}

// update and view run fn after checking ctx: a transaction is short and
// is not interrupted once begun.
func (db *DB) update(ctx context.Context, fn func(*bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return db.tx(true, fn)
}

func (db *DB) view(ctx context.Context, fn func(*bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return db.tx(false, fn)
}
