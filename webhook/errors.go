package webhook

import "errors"

// Errors of the handler and the receiver. Test for them with [errors.Is].
// Verification errors also wrap the signature package's sentinels.
var (
	// ErrUnknownInstance reports a request for an instance the resolver
	// does not know (answered 404).
	ErrUnknownInstance = errors.New("webhook: unknown instance")

	// ErrEventsDisabled reports a request for an instance whose events are
	// not enabled (answered 404).
	ErrEventsDisabled = errors.New("webhook: events disabled for the instance")

	// ErrBadSignature reports a request whose signature does not verify
	// (answered 401).
	ErrBadSignature = errors.New("webhook: signature does not verify")

	// ErrBadBody reports a body that cannot be read as the element
	// definition says (answered 400).
	ErrBadBody = errors.New("webhook: unreadable body")

	// ErrTooLarge reports a body over the configured limit (answered 413).
	ErrTooLarge = errors.New("webhook: body too large")
)
