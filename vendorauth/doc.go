// Package vendorauth authenticates the library's outbound requests to
// vendor APIs. Today it holds OAuth 1.0a one-legged signing (RFC 5849
// without a token), which WooCommerce requires of REST API calls over
// plain http: each request is signed afresh with a new nonce and the
// injected clock's timestamp, its parameters in the query string or in
// the Authorization header.
//
//	s, err := vendorauth.NewOAuth1(vendorauth.OAuth1Config{
//		ConsumerKey:    "ck_...",
//		ConsumerSecret: vendorauth.Secret("cs_..."),
//	})
//	if err != nil { return err }
//	req, _ := http.NewRequest("GET", "http://shop.example/wp-json/wc/v3/customers?page=2", nil)
//	if err := s.Sign(req); err != nil { return err }
//
// The consumer secret is a [Secret], which every fmt verb, log/slog and
// encoding/json print redacted; errors never hold it nor a signature.
package vendorauth
