package vendorauth

import (
	"context"
	"time"
)

// Token is an OAuth 2 token as a [TokenStore] keeps it. It prints with
// its secrets redacted.
type Token struct {
	// AccessToken is sent as "Authorization: Bearer ...".
	AccessToken Secret

	// RefreshToken obtains the next access token. A vendor that rotates
	// refresh tokens (Concur) answers each refresh with a new one and
	// refuses the old one from then on.
	RefreshToken Secret

	// TokenType is the token_type of the vendor's answer ("Bearer").
	TokenType string

	// Expiry is when AccessToken stops working, by the injected clock;
	// zero means unknown, which is taken as "until the vendor refuses it".
	Expiry time.Time

	// Seed fingerprints the refresh token configured on the instance that
	// this token descends from (a hash, never the token). When the
	// configuration names another refresh token (the user authorised the
	// instance again), the stored chain is abandoned for the new one.
	Seed string
}

// TokenStore keeps OAuth 2 tokens by key (one per instance), so that a
// rotated refresh token survives a restart and is shared by every replica
// that polls the instance. Implementations must be safe for concurrent use
// and pass the conformance suite in package tokentest. Keys are opaque
// strings of at most 512 bytes.
type TokenStore interface {
	// Load returns the token stored under key, or an error wrapping
	// [ErrNoToken] when there is none.
	Load(ctx context.Context, key string) (Token, error)

	// Update calls fn with the token stored under key (found false and a
	// zero Token when there is none) while holding a lock that keeps
	// every other Update of key waiting, in this process and in every
	// other process sharing the store, until it returns. When fn returns
	// a nil error, its token is stored before Update returns it: a
	// refresh token the vendor just rotated is persisted before anyone
	// uses it. When fn fails, nothing is stored and Update returns fn's
	// error unwrapped.
	//
	// When storing fails, Update returns fn's token together with the
	// error, so that the caller can keep the only valid token in memory.
	// A ctx that ends while Update waits for the lock returns ctx.Err()
	// (wrapped) without calling fn.
	Update(ctx context.Context, key string, fn func(current Token, found bool) (Token, error)) (Token, error)

	// Delete removes key's token; deleting a missing key is not an
	// error. The instance's next refresh starts again from its
	// configured refresh token.
	Delete(ctx context.Context, key string) error
}
