package signature

import "errors"

// Errors returned by verification. Test for them with [errors.Is]; returned
// errors wrap them with the header or value at fault.
var (
	// ErrMissingHeader reports that a signature, id or timestamp header is
	// absent or empty.
	ErrMissingHeader = errors.New("signature: missing header")

	// ErrMalformedHeader reports a header that cannot be read: a timestamp
	// that is not Unix seconds, a signature that is not valid base64 or hex,
	// or an algorithm other than sha256.
	ErrMalformedHeader = errors.New("signature: malformed header")

	// ErrNoMatch reports that no signature in the header matches any key.
	ErrNoMatch = errors.New("signature: no matching signature")

	// ErrTooOld reports a timestamp further in the past than the tolerance.
	ErrTooOld = errors.New("signature: timestamp too old")

	// ErrTooNew reports a timestamp further in the future than the
	// tolerance.
	ErrTooNew = errors.New("signature: timestamp too new")

	// ErrNoKey reports a signer or verifier without a key, or a whsec_ key
	// that is not valid base64.
	ErrNoKey = errors.New("signature: no usable key")
)
