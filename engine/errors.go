package engine

import (
	"errors"
	"fmt"
)

// The errors of this package; returned errors wrap them, so test with
// errors.Is.
var (
	// ErrNotFound reports an instance that does not exist, or that
	// belongs to another tenant: the two are not told apart, so that ids
	// do not leak across tenants.
	ErrNotFound = errors.New("engine: instance not found")

	// ErrExists reports a Create of an id already taken, by any tenant.
	ErrExists = errors.New("engine: instance id already exists")

	// ErrConflict reports a write that names a version other than the
	// stored one: someone else wrote the instance in between. It is
	// matched by a [*ConflictError].
	ErrConflict = errors.New("engine: instance was changed by another write")

	// ErrInvalid reports a record or filter the store cannot take: no
	// tenant, no id, a first version other than 1, a negative limit.
	ErrInvalid = errors.New("engine: invalid record")
)

// ConflictError is a write refused because the instance's version moved
// on. It matches [ErrConflict].
type ConflictError struct {
	// ID is the instance.
	ID string
	// Stored is the version the store holds; Base the one the write
	// named (the version it replaces).
	Stored, Base int64
}

// Error names the instance and both versions.
func (e *ConflictError) Error() string {
	return fmt.Sprintf("engine: instance %q is at version %d, not %d: it was changed by another write", e.ID, e.Stored, e.Base)
}

// Is matches [ErrConflict].
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }
