package boltstore

import (
	"errors"
	"fmt"
)

// Errors of the store. Test for them with [errors.Is]; the messages name
// the file and, where there is one, the offending key. Errors that come
// from bbolt are wrapped, so its sentinels (bbolt/errors) match too.
var (
	// ErrForeignFile reports a file that is not an elementevents store:
	// not a bbolt file at all, or a bbolt file of another application.
	// Open leaves such a file untouched.
	ErrForeignFile = errors.New("boltstore: not an elementevents store")

	// ErrCorrupt reports a store file that is damaged: truncated, with
	// invalid metadata pages, failing the consistency check, or holding a
	// record that does not decode. Restore it from a backup, or move it
	// aside and start afresh.
	ErrCorrupt = errors.New("boltstore: store file is corrupted")

	// ErrSchemaVersion reports a store written with a schema this build
	// cannot use: newer than it knows, or older with no migration. The
	// error is a [*SchemaError] with the versions.
	ErrSchemaVersion = errors.New("boltstore: unsupported schema version")

	// ErrLocked reports a store file that another process (or another
	// open DB in this process) holds, after waiting Options.Timeout.
	ErrLocked = errors.New("boltstore: store file is locked by another user")

	// ErrClosed reports a call on a DB that was closed.
	ErrClosed = errors.New("boltstore: store is closed")

	// ErrReadOnly reports a write to a DB opened with Options.ReadOnly.
	ErrReadOnly = errors.New("boltstore: store is read-only")

	// ErrInvalid reports input the store cannot keep: an empty delivery id
	// or endpoint, or a key longer than bbolt allows (32 KiB).
	ErrInvalid = errors.New("boltstore: invalid input")
)

// SchemaError reports a store whose schema version this build cannot
// use. It matches [ErrSchemaVersion] with [errors.Is].
type SchemaError struct {
	// Path is the store file.
	Path string
	// Found is the version written in the file; Supported is this
	// build's.
	Found, Supported uint32
	// Reason says why the file cannot be opened.
	Reason string
}

// Error names the file, both versions and the reason.
func (e *SchemaError) Error() string {
	return fmt.Sprintf("boltstore: %s: schema version %d, this build supports %d: %s", e.Path, e.Found, e.Supported, e.Reason)
}

// Is makes SchemaError match [ErrSchemaVersion].
func (e *SchemaError) Is(target error) bool { return target == ErrSchemaVersion }
