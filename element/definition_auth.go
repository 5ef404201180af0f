package element

import (
	"fmt"
	"strings"

	"github.com/a12b7632/elementevents/internal/vocab"
)

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
	//   - "oauth1" signs every request with OAuth 1.0a, one-legged (no
	//     token), with the consumer key and secret from ConsumerKeyKey and
	//     ConsumerSecretKey: what WooCommerce requires over plain http.
	//   - "oauth2-refresh" sends an OAuth 2 bearer token obtained at
	//     TokenURL with the refresh_token grant, from the refresh token in
	//     RefreshTokenKey and the client in ClientIDKey and
	//     ClientSecretKey, renewed before it expires (SAP Concur).
	//   - "oauth2-client" is the same with the client_credentials grant:
	//     no refresh token.
	Style string `json:"style,omitempty" validate:"omitempty,oneof=none basic bearer query header oauth1 oauth2-refresh oauth2-client"`

	// UsernameKey is the configuration key holding the Basic user name
	// ("oauth.api.key"). Required for basic; unused otherwise.
	UsernameKey string `json:"usernameKey,omitempty"`

	// UsernameParam and PasswordParam name the query parameters of basic
	// with Placement "query" (WooCommerce over https takes its keys as
	// consumer_key and consumer_secret, the defaults). Basic only.
	UsernameParam string `json:"usernameParam,omitempty"`
	PasswordParam string `json:"passwordParam,omitempty"`

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

	// ConsumerKeyKey and ConsumerSecretKey are the configuration keys
	// holding the OAuth 1.0a consumer key and secret ("oauth.api.key",
	// "oauth.api.secret"). Required for oauth1; unused otherwise.
	ConsumerKeyKey    string `json:"consumerKeyKey,omitempty"`
	ConsumerSecretKey string `json:"consumerSecretKey,omitempty"`

	// SignatureMethod is the OAuth 1.0a signature method: "HMAC-SHA256"
	// (the default, when empty) or "HMAC-SHA1". oauth1 only.
	SignatureMethod string `json:"signatureMethod,omitempty" validate:"omitempty,oneof=HMAC-SHA256 HMAC-SHA1"`

	// Placement is where the credentials go. oauth1: the oauth_*
	// parameters in the "query" (the default; what WooCommerce reads) or
	// the "header" (Authorization: OAuth ...). basic: the "header" (the
	// default, HTTP Basic) or the "query" (UsernameParam and
	// PasswordParam; send them only over https). oauth2-refresh and
	// oauth2-client: the client id and secret of token requests in the
	// "header" (HTTP Basic, the default) or the form "body" (Concur).
	Placement string `json:"placement,omitempty" validate:"omitempty,oneof=query header body"`

	// SendVersion sends oauth_version=1.0, for vendors that want it.
	// Default: not sent. oauth1 only.
	SendVersion bool `json:"sendVersion,omitempty"`

	// TokenURL is the OAuth 2 token endpoint, a template filled from the
	// configuration as BaseURL is ("{concur.base.url}/oauth2/v0/token").
	// Required for oauth2-refresh and oauth2-client; see
	// [Definition.ExpandTokenURL].
	TokenURL string `json:"tokenUrl,omitempty"`

	// ClientIDKey, ClientSecretKey and RefreshTokenKey are the
	// configuration keys holding the OAuth 2 client id and secret and the
	// refresh token ("oauth.api.key", "oauth.api.secret",
	// "oauth.refresh.token"). The client keys are required for
	// oauth2-refresh and oauth2-client, RefreshTokenKey for
	// oauth2-refresh only.
	ClientIDKey     string `json:"clientIdKey,omitempty"`
	ClientSecretKey string `json:"clientSecretKey,omitempty"`
	RefreshTokenKey string `json:"refreshTokenKey,omitempty"`

	// Scopes are asked for in every token request; none by default.
	// OAuth 2 only.
	Scopes []string `json:"scopes,omitempty"`

	// ForbiddenMeansExpired makes a 403 from the vendor API renew the
	// access token and retry once, as a 401 does: SAP Concur's older
	// documents answer 403 for an expired token. OAuth 2 only.
	ForbiddenMeansExpired bool `json:"forbiddenMeansExpired,omitempty"`
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
	case vocab.AuthOAuth1:
		return []string{a.ConsumerKeyKey, a.ConsumerSecretKey}
	case vocab.AuthOAuth2Refresh:
		return []string{a.ClientIDKey, a.ClientSecretKey, a.RefreshTokenKey}
	case vocab.AuthOAuth2Client:
		return []string{a.ClientIDKey, a.ClientSecretKey}
	}
	return nil
}

// AuthFor returns the auth of requests to a base URL of the given scheme
// ("http", "https", in any case): AuthByScheme's entry for it, or Auth.
func (d *Definition) AuthFor(scheme string) Auth {
	if a, ok := d.AuthByScheme[strings.ToLower(scheme)]; ok {
		return a
	}
	return d.Auth
}

// setDefaults fills the defaults the fields document, for the style's
// fields only, so that a defaulted Auth still validates.
func (a *Auth) setDefaults() {
	switch a.Style {
	case "":
		a.Style = vocab.AuthNone
	case vocab.AuthOAuth1:
		if a.SignatureMethod == "" {
			a.SignatureMethod = vocab.OAuth1HMACSHA256
		}
		if a.Placement == "" {
			a.Placement = vocab.OAuth1PlacementQuery
		}
	case vocab.AuthBasic:
		if a.Placement == vocab.PlacementQuery {
			if a.UsernameParam == "" {
				a.UsernameParam = "consumer_key"
			}
			if a.PasswordParam == "" && a.PasswordKey != "" {
				a.PasswordParam = "consumer_secret"
			}
		}
	}
}

func (a Auth) check(ps *problemList, at string) {
	need := func(field, value string) {
		if value == "" {
			ps.addf(at+"."+field, "required for auth style %s", a.Style)
		}
	}
	// Every style names the fields it reads; the others must be empty.
	uses := map[string]bool{}
	switch a.Style {
	case vocab.AuthBasic:
		need("usernameKey", a.UsernameKey)
		uses["usernameKey"], uses["passwordKey"], uses["placement"] = true, true, true
		uses["usernameParam"], uses["passwordParam"] = true, true
		if a.Placement != "" && a.Placement != vocab.PlacementHeader && a.Placement != vocab.PlacementQuery {
			ps.addf(at+".placement", "must be header or query for auth style basic")
		}
		if a.Placement != vocab.PlacementQuery {
			uses["usernameParam"], uses["passwordParam"] = false, false
		}
	case vocab.AuthBearer:
		need("tokenKey", a.TokenKey)
		uses["tokenKey"] = true
	case vocab.AuthQuery:
		need("tokenKey", a.TokenKey)
		need("param", a.Param)
		uses["tokenKey"], uses["param"] = true, true
	case vocab.AuthHeader:
		need("tokenKey", a.TokenKey)
		need("param", a.Param)
		uses["tokenKey"], uses["param"], uses["prefix"] = true, true, true
		if a.Param != "" && !validHeaderName(a.Param) {
			ps.addf(at+".param", "must be a valid header name")
		}
	case vocab.AuthOAuth1:
		need("consumerKeyKey", a.ConsumerKeyKey)
		need("consumerSecretKey", a.ConsumerSecretKey)
		for _, f := range []string{"consumerKeyKey", "consumerSecretKey", "signatureMethod", "placement", "sendVersion"} {
			uses[f] = true
		}
		if a.Placement == vocab.PlacementBody {
			ps.addf(at+".placement", "must be query or header for auth style oauth1")
		}
	case vocab.AuthOAuth2Refresh, vocab.AuthOAuth2Client:
		need("tokenUrl", a.TokenURL)
		need("clientIdKey", a.ClientIDKey)
		need("clientSecretKey", a.ClientSecretKey)
		for _, f := range []string{"tokenUrl", "clientIdKey", "clientSecretKey", "scopes", "placement", "forbiddenMeansExpired"} {
			uses[f] = true
		}
		if a.Style == vocab.AuthOAuth2Refresh {
			need("refreshTokenKey", a.RefreshTokenKey)
			uses["refreshTokenKey"] = true
		}
		if a.Placement == vocab.PlacementQuery {
			ps.addf(at+".placement", "must be header or body for auth style %s", a.Style)
		}
		a.checkTokenURL(ps, at)
	}
	set := []struct {
		field string
		set   bool
	}{
		{"usernameKey", a.UsernameKey != ""}, {"passwordKey", a.PasswordKey != ""},
		{"usernameParam", a.UsernameParam != ""}, {"passwordParam", a.PasswordParam != ""},
		{"tokenKey", a.TokenKey != ""}, {"param", a.Param != ""}, {"prefix", a.Prefix != ""},
		{"consumerKeyKey", a.ConsumerKeyKey != ""}, {"consumerSecretKey", a.ConsumerSecretKey != ""},
		{"signatureMethod", a.SignatureMethod != ""}, {"placement", a.Placement != ""}, {"sendVersion", a.SendVersion},
		{"tokenUrl", a.TokenURL != ""}, {"clientIdKey", a.ClientIDKey != ""}, {"clientSecretKey", a.ClientSecretKey != ""},
		{"refreshTokenKey", a.RefreshTokenKey != ""}, {"scopes", len(a.Scopes) > 0},
		{"forbiddenMeansExpired", a.ForbiddenMeansExpired},
	}
	for _, f := range set {
		if f.set && !uses[f.field] {
			ps.addf(at+"."+f.field, "not used by auth style %s", a.styleName())
		}
	}
	for _, kv := range [][2]string{{"usernameKey", a.UsernameKey}, {"passwordKey", a.PasswordKey}, {"tokenKey", a.TokenKey},
		{"consumerKeyKey", a.ConsumerKeyKey}, {"consumerSecretKey", a.ConsumerSecretKey},
		{"clientIdKey", a.ClientIDKey}, {"clientSecretKey", a.ClientSecretKey}, {"refreshTokenKey", a.RefreshTokenKey}} {
		if kv[1] != "" && !validRefName(kv[1]) {
			ps.addf(at+"."+kv[0], "must be a configuration key made of letters, digits and '._-'")
		}
	}
	for _, kv := range [][2]string{{"usernameParam", a.UsernameParam}, {"passwordParam", a.PasswordParam}} {
		if kv[1] != "" && strings.ContainsAny(kv[1], "&=#? ") {
			ps.addf(at+"."+kv[0], "must be a query parameter name without '&', '=', '#', '?' or spaces")
		}
	}
	for i, sc := range a.Scopes {
		if sc == "" || strings.ContainsAny(sc, " \"\\") {
			ps.addf(fmt.Sprintf("%s.scopes[%d]", at, i), "must be one non-empty scope without spaces or quotes")
		}
	}
}

// checkTokenURL checks the token URL template as checkBaseURL checks the
// base URL's.
func (a Auth) checkTokenURL(ps *problemList, at string) {
	if a.TokenURL == "" {
		return
	}
	if strings.Contains(a.TokenURL, "${") {
		ps.addf(at+".tokenUrl", "must not hold ${...} placeholders")
		return
	}
	s := a.TokenURL
	if strings.HasPrefix(s, "{") {
		i := strings.IndexByte(s, '}')
		if i < 0 {
			ps.addf(at+".tokenUrl", "unterminated { in the template")
			return
		}
		s = "https://example.invalid" + s[i+1:]
	}
	s, err := expandTemplate(s, func(string) (string, bool) { return "x", true })
	if err != nil {
		ps.wrap(at+".tokenUrl", err)
		return
	}
	if err := checkAbsoluteHTTP(s); err != nil {
		ps.addf(at+".tokenUrl", "%v", err)
	}
}

func (a Auth) styleName() string {
	if a.Style == "" {
		return vocab.AuthNone
	}
	return a.Style
}
