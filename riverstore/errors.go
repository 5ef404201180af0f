package riverstore

import "errors"

// Errors of the store. Test for them with errors.Is; returned errors wrap
// them with the key, id or field at fault.
var (
	// ErrConfig reports a Config or an argument the store cannot work
	// with: a missing pool, a negative duration, an instance without an
	// id.
	ErrConfig = errors.New("riverstore: bad configuration")

	// ErrInvalidKey reports a poller key whose instance or resource name
	// PostgreSQL text cannot hold (a NUL byte, invalid UTF-8).
	ErrInvalidKey = errors.New("riverstore: invalid key")

	// ErrSchemaTooNew reports a database migrated by a newer version of
	// this package than the running one.
	ErrSchemaTooNew = errors.New("riverstore: database schema is newer than this code")

	// ErrNotFound reports a dead letter that does not exist.
	ErrNotFound = errors.New("riverstore: not found")

	// ErrCorrupt reports stored state that does not decode.
	ErrCorrupt = errors.New("riverstore: corrupt stored state")
)
