package element

import "github.com/a12b7632/elementevents/internal/vocab"

// Auth says how requests to a vendor API authenticate. Its fields name
// configuration keys, never secrets: the credentials stay in the instance
// configuration.
type Auth struct {
	// Style is the authentication style:
	//
	//   - "none" (the default, also when empty) sends no credentials.
	//   - "basic" sends HTTP Basic credentials read from the configuration
	//     keys UsernameKey and PasswordKey (WooCommerce's consumer key and
	//     secret).
	//   - "bearer" sends "Authorization: Bearer <token>", the token read
	//     from the configuration key TokenKey.
	//   - "query" sends the token from TokenKey as the query parameter
	//     Param.
	//   - "header" sends Prefix followed by the token from TokenKey in the
	//     header Param.
	Style string `json:"style,omitempty" validate:"omitempty,oneof=none basic bearer query header"`

	// UsernameKey is the configuration key holding the Basic user name
	// ("oauth.api.key"). Required for basic; unused otherwise.
	UsernameKey string `json:"usernameKey,omitempty"`

	// PasswordKey is the configuration key holding the Basic password
	// ("oauth.api.secret"). Empty means an empty password, as APIs that
	// take an API key as the user name expect. Basic only.
	PasswordKey string `json:"passwordKey,omitempty"`

	// TokenKey is the configuration key holding the token. Required for
	// bearer, query and header; unused otherwise.
	TokenKey string `json:"tokenKey,omitempty"`

	// Param is the query parameter (query) or header name (header) that
	// carries the token. Required for query and header; unused otherwise.
	Param string `json:"param,omitempty"`

	// Prefix is written before the token in the header ("Token "). Empty
	// means the bare token. Header only.
	Prefix string `json:"prefix,omitempty"`
}

// configKeys returns the configuration keys the auth style reads.
func (a Auth) configKeys() []string {
	switch a.Style {
	case vocab.AuthBasic:
		if a.PasswordKey == "" {
			return []string{a.UsernameKey}
		}
		return []string{a.UsernameKey, a.PasswordKey}
	case vocab.AuthBearer, vocab.AuthQuery, vocab.AuthHeader:
		return []string{a.TokenKey}
	}
	return nil
}
