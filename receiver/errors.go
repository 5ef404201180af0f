package receiver

import "errors"

// Errors the Receiver logs with each refused request. Test for them with
// [errors.Is]; signature errors also wrap the signature package's
// sentinels (signature.ErrNoMatch, ErrTooOld, ...).
var (
	// ErrBadSignature reports a request whose signature does not verify
	// (answered 401).
	ErrBadSignature = errors.New("receiver: signature does not verify")

	// ErrBadBody reports a body that cannot be read or is not a
	// notification (answered 400).
	ErrBadBody = errors.New("receiver: not a notification")

	// ErrTooLarge reports a body over Config.MaxBodyBytes (answered 413).
	ErrTooLarge = errors.New("receiver: body too large")
)
