// Package vendorauth authenticates the library's outbound requests to
// vendor APIs: OAuth 1.0a one-legged signing, and OAuth 2 bearer tokens
// kept fresh through a [TokenStore].
//
// # An instance's credentials
//
// [Credentials] read an element instance's credentials once, as its
// definition's auth for the base URL's scheme says (basic, bearer, query,
// header, oauth1, oauth2-refresh, oauth2-client), and put them on each
// request; the poller and the webhook Subscriber both use them.
//
//	creds, err := vendorauth.NewCredentials(vendorauth.CredentialsConfig{
//		Instance: inst, Definition: def, BaseURL: base, Guard: guard, Tokens: store})
//	if err != nil { return err } // a *ConfigError naming the key
//	if err := creds.Authorize(req); err != nil { return err }
//	// after a 401: if ok, err := creds.Renew(req, 401); ok { send req once more }
//
// IsAuthParam names the query parameters to redact from URLs shown, and
// ConfigKeys the configuration keys to fix when the vendor refuses.
//
// # OAuth 1.0a
//
// WooCommerce requires RFC 5849 signing without a token of REST API
// calls over plain http: each request is signed afresh with a new nonce
// and the injected clock's timestamp, its parameters in the query string
// or in the Authorization header.
//
//	s, err := vendorauth.NewOAuth1(vendorauth.OAuth1Config{
//		ConsumerKey:    "ck_...",
//		ConsumerSecret: vendorauth.Secret("cs_..."),
//	})
//	if err != nil { return err }
//	req, _ := http.NewRequest("GET", "http://shop.example/wp-json/wc/v3/customers?page=2", nil)
//	if err := s.Sign(req); err != nil { return err }
//
// # OAuth 2
//
// [OAuth2] gets access tokens with the refresh_token grant (SAP Concur:
// one-hour access tokens, a refresh token that is replaced on every
// refresh) or the client_credentials grant, through golang.org/x/oauth2,
// every request dialling through a netguard.Guard. An access token is
// reused until Skew before its expiry, computed on the injected clock.
//
//	o, err := vendorauth.NewOAuth2(vendorauth.OAuth2Config{
//		TokenURL:     "https://us.api.concursolutions.com/oauth2/v0/token",
//		ClientID:     "...",
//		ClientSecret: vendorauth.Secret("..."),
//		RefreshToken: vendorauth.Secret("..."),
//		AuthInBody:   true,
//		Store:        store, // shared by every replica
//		Key:          "concur/42",
//	})
//	if err != nil { return err }
//	if err := o.Authorize(req); err != nil { return err }
//	// after a 401: if err := o.Refresh(req); err == nil { retry req once }
//
// A refresh runs inside [TokenStore.Update], so that one caller at a time,
// in every process sharing the store, refreshes an instance's token; the
// others find the new token stored and use it. A rotated refresh token is
// stored before the access token that came with it is used; if the store
// fails, the token is kept in memory and stored at the next refresh.
//
// A refused refresh token (invalid_grant) is first checked against the
// stored chain, in case another replica rotated it; otherwise the chain
// is marked as refused in the store, and every caller sharing it gets a
// [*TokenError] matching [ErrReauthorize] without asking the vendor again,
// until a new refresh token is configured: the chain is seeded by a
// fingerprint of the configured refresh token ([Token.Seed]), and a new
// one replaces it.
//
// Credentials are [Secret]s, which every fmt verb, log/slog and
// encoding/json print redacted; errors never hold a secret, a signature
// or a token, and name the configuration key to fix.
package vendorauth
