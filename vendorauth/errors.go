package vendorauth

import "errors"

// The errors of this package; returned errors wrap them, so test with
// errors.Is.
var (
	// ErrConfig reports a configuration that cannot sign: a missing
	// consumer key or secret, an unknown signature method or placement.
	// The error names the field.
	ErrConfig = errors.New("vendorauth: invalid configuration")

	// ErrRequest reports a request that cannot be signed: no URL, a query
	// that does not decode, or a form body, whose parameters the signer
	// does not cover.
	ErrRequest = errors.New("vendorauth: request cannot be signed")

	// ErrNoToken is returned by [TokenStore.Load] for a key with no
	// token.
	ErrNoToken = errors.New("vendorauth: no token stored")

	// ErrReauthorize is matched by a [*TokenError] whose Reauthorize is
	// set: the vendor refused the refresh token (invalid_grant), and the
	// instance needs a new one.
	ErrReauthorize = errors.New("vendorauth: the vendor refused the authorisation; re-authorise")
)
