package vendorauth

// SetNonce makes o use next for its nonces, so that tests know them.
func SetNonce(o *OAuth1, next func() (string, error)) { o.nonce = next }
