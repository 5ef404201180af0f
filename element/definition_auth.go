package element

// AuthStyle is how requests to a vendor API authenticate.
type AuthStyle string

// Authentication styles of a [Definition].
const (
	// AuthNone sends no credentials. It is the default.
	AuthNone AuthStyle = "none"
	// AuthBasic sends HTTP Basic credentials read from the configuration
	// keys UsernameKey and PasswordKey (WooCommerce's consumer key and
	// secret).
	AuthBasic AuthStyle = "basic"
	// AuthBearer sends "Authorization: Bearer <token>", the token read from
	// the configuration key TokenKey.
	AuthBearer AuthStyle = "bearer"
	// AuthQuery sends the token from TokenKey as the query parameter Param.
	AuthQuery AuthStyle = "query"
	// AuthHeader sends Prefix followed by the token from TokenKey in the
	// header Param.
	AuthHeader AuthStyle = "header"
)

// Auth says how requests to a vendor API authenticate. Its fields name
// configuration keys, never secrets: the credentials stay in the instance
// configuration.
type Auth struct {
	// Style is the authentication style. Empty means [AuthNone].
	Style AuthStyle `json:"style,omitempty" validate:"omitempty,oneof=none basic bearer query header"`

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
	case AuthBasic:
		if a.PasswordKey == "" {
			return []string{a.UsernameKey}
		}
		return []string{a.UsernameKey, a.PasswordKey}
	case AuthBearer, AuthQuery, AuthHeader:
		return []string{a.TokenKey}
	}
	return nil
}
