package vendorauth

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/jonboulle/clockwork"

	"github.com/a12b7632/elementevents/element"
	"github.com/a12b7632/elementevents/internal/quote"
	"github.com/a12b7632/elementevents/internal/rawquery"
	"github.com/a12b7632/elementevents/internal/vocab"
	"github.com/a12b7632/elementevents/netguard"
)

// CredentialsConfig configures [NewCredentials]: whose credentials, read
// from where, and what their OAuth 2 token requests go through.
type CredentialsConfig struct {
	// Instance holds the configuration the credentials are read from and
	// the id that, with Definition.Key, names its OAuth 2 tokens in
	// Tokens ("concur/42"). Required.
	Instance *element.Instance

	// Definition says which configuration keys feed which auth style.
	// Required.
	Definition *element.Definition

	// BaseURL is the vendor's base URL as expanded for Instance: its
	// scheme picks the auth style ([element.Definition.AuthFor]), and
	// basic credentials in the query are refused unless it is https.
	// Required.
	BaseURL string

	// Clock dates OAuth 1.0a timestamps and OAuth 2 tokens. Default: the
	// real clock.
	Clock clockwork.Clock

	// Guard and Transport carry the OAuth 2 token requests, as
	// [OAuth2Config]'s do. Default: the zero Guard, a new guarded
	// transport.
	Guard     netguard.Guard
	Transport http.RoundTripper

	// Tokens keeps the OAuth 2 token chain under Definition.Key + "/" +
	// Instance.ID; share one store between everything that calls the
	// vendor for an instance (a rotated refresh token is good once).
	// Default: a new [NewMemoryTokenStore].
	Tokens TokenStore

	// Logger and OnRecovered are [OAuth2Config]'s.
	Logger      *slog.Logger
	OnRecovered func()
}

// Credentials are an instance's vendor credentials, read once from its
// configuration as its element definition says, and put on each request
// by Authorize. They print as their style only, never a credential. They
// are safe for concurrent use.
type Credentials struct {
	style          string
	user, password Secret // basic
	token          Secret // bearer, query, header
	param, prefix  string // query parameter or header name; header prefix
	// basic credentials in the query, under these names (https only).
	userParam, passwordParam string
	oauth1                   *OAuth1
	oauth2                   *OAuth2
	forbiddenExpired         bool   // a 403 renews the OAuth 2 token as a 401 does
	keys                     string // the configuration keys of the credentials, for errors
	tokenURLKey              string // the configuration key the token URL is filled from, if any
}

// ConfigError reports a configuration key of an instance that cannot give
// credentials: missing, empty, or refused by the auth style. It matches
// [ErrConfig].
type ConfigError struct {
	// Element and Key name the element and the configuration key to fix;
	// Key is empty when no one key is to blame (an unknown auth style).
	Element, Key string
	// Err is the cause.
	Err error
}

// Error names the element and the configuration key.
func (e *ConfigError) Error() string {
	switch {
	case e.Key == "":
		return fmt.Sprintf("vendorauth: %s auth: %v", e.Element, e.Err)
	case e.Err == errMissing:
		return fmt.Sprintf("vendorauth: %s auth: configuration key %s is missing", e.Element, quote.String(e.Key))
	}
	return fmt.Sprintf("vendorauth: %s auth: configuration key %s: %v", e.Element, quote.String(e.Key), e.Err)
}

// Unwrap returns the cause.
func (e *ConfigError) Unwrap() error { return e.Err }

// Is makes a ConfigError match [ErrConfig].
func (e *ConfigError) Is(target error) bool { return target == ErrConfig }

// errMissing is the cause of a ConfigError for a key with no value.
var errMissing = errors.New("is missing")

// NewCredentials reads the credentials of cfg.Instance. It fails with a
// [*ConfigError] naming the key when a credential key is missing or
// empty, the token URL cannot be filled, basic credentials would go in
// the query of a plain http URL, or the auth style is unknown. It sends
// no request.
func NewCredentials(cfg CredentialsConfig) (*Credentials, error) {
	if cfg.Instance == nil || cfg.Definition == nil {
		return nil, fmt.Errorf("%w: CredentialsConfig.Instance and Definition are required", ErrConfig)
	}
	def, conf := cfg.Definition, cfg.Instance.Configuration
	scheme, _, _ := strings.Cut(cfg.BaseURL, ":")
	a := def.AuthFor(scheme)
	c := &Credentials{style: a.Style, param: a.Param, prefix: a.Prefix, forbiddenExpired: a.ForbiddenMeansExpired}
	fail := func(key string, err error) (*Credentials, error) {
		return nil, &ConfigError{Element: def.Key, Key: key, Err: err}
	}
	get := func(key string) (Secret, error) {
		v, ok := conf.Get(key)
		if !ok || strings.TrimSpace(v) == "" {
			return "", &ConfigError{Element: def.Key, Key: key, Err: errMissing}
		}
		return Secret(v), nil
	}
	var err error
	switch a.Style {
	case vocab.AuthBasic:
		c.keys = strings.Trim(a.UsernameKey+", "+a.PasswordKey, ", ")
		if c.user, err = get(a.UsernameKey); err == nil && a.PasswordKey != "" {
			c.password, err = get(a.PasswordKey)
		}
		if err == nil && a.Placement == vocab.PlacementQuery {
			c.userParam, c.passwordParam = cmp.Or(a.UsernameParam, "consumer_key"), cmp.Or(a.PasswordParam, "consumer_secret")
			if !strings.EqualFold(scheme, "https") {
				// The keys would cross the network in the clear.
				return fail(strings.Join(def.BaseURLKeys(), ", "), fmt.Errorf("basic credentials in the query need an https base URL, not %s", quote.Cut(scheme)))
			}
		}
	case vocab.AuthBearer, vocab.AuthQuery, vocab.AuthHeader:
		c.keys = a.TokenKey
		c.token, err = get(a.TokenKey)
	case vocab.AuthOAuth1:
		c.keys = a.ConsumerKeyKey + ", " + a.ConsumerSecretKey
		c.oauth1, err = newOAuth1(cfg, a, get)
	case vocab.AuthOAuth2Refresh, vocab.AuthOAuth2Client:
		c.keys = strings.Trim(a.ClientIDKey+", "+a.ClientSecretKey+", "+a.RefreshTokenKey, ", ")
		if rest, ok := strings.CutPrefix(a.TokenURL, "{"); ok {
			c.tokenURLKey, _, _ = strings.Cut(rest, "}")
		}
		c.oauth2, err = newOAuth2(cfg, a, get, c.tokenURLKey)
	case "", vocab.AuthNone:
		c.style = vocab.AuthNone
	default:
		return fail("", fmt.Errorf("unknown auth style %s", quote.String(a.Style)))
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

// newOAuth1 returns the OAuth 1.0a signer of auth a.
func newOAuth1(cfg CredentialsConfig, a element.Auth, get func(string) (Secret, error)) (*OAuth1, error) {
	key, err := get(a.ConsumerKeyKey)
	if err != nil {
		return nil, err
	}
	secret, err := get(a.ConsumerSecretKey)
	if err != nil {
		return nil, err
	}
	o, err := NewOAuth1(OAuth1Config{
		ConsumerKey: string(key), ConsumerSecret: secret,
		SignatureMethod: a.SignatureMethod, Placement: a.Placement, SendVersion: a.SendVersion, Clock: cfg.Clock,
	})
	if err != nil {
		return nil, &ConfigError{Element: cfg.Definition.Key, Err: err}
	}
	return o, nil
}

// newOAuth2 returns the OAuth 2 client of auth a.
func newOAuth2(cfg CredentialsConfig, a element.Auth, get func(string) (Secret, error), tokenURLKey string) (*OAuth2, error) {
	def := cfg.Definition
	tokenURL, err := def.ExpandTokenURL(a, cfg.Instance.Configuration.Get)
	if err != nil {
		return nil, &ConfigError{Element: def.Key, Key: tokenURLKey, Err: err}
	}
	id, err := get(a.ClientIDKey)
	if err != nil {
		return nil, err
	}
	secret, err := get(a.ClientSecretKey)
	if err != nil {
		return nil, err
	}
	oc := OAuth2Config{
		TokenURL: tokenURL, Grant: grantClientCredentials, ClientID: string(id), ClientSecret: secret,
		Scopes: a.Scopes, AuthInBody: a.Placement == vocab.PlacementBody,
		Store: cfg.Tokens, Key: def.Key + "/" + cfg.Instance.ID,
		Guard: cfg.Guard, Transport: cfg.Transport, Clock: cfg.Clock,
		ClientSecretKey: a.ClientSecretKey, RefreshTokenKey: a.RefreshTokenKey,
		Logger: cfg.Logger, OnRecovered: cfg.OnRecovered,
	}
	if a.Style == vocab.AuthOAuth2Refresh {
		oc.Grant = grantRefreshToken
		if oc.RefreshToken, err = get(a.RefreshTokenKey); err != nil {
			return nil, err
		}
	}
	o, err := NewOAuth2(oc)
	if err != nil {
		return nil, &ConfigError{Element: def.Key, Err: err}
	}
	return o, nil
}

// Style returns the auth style in use ("oauth1", "basic", ..., "none").
func (c *Credentials) Style() string { return c.style }

// Authorize puts the credentials on r: a header, query parameters, or an
// OAuth 1.0a signature made afresh over r's URL (sign every attempt and
// every redirect: a nonce is good once). Under OAuth 2 it may ask the
// token endpoint for an access token, under r's context; its errors are
// then a [*TokenError] (test errors.Is(err, [ErrReauthorize]) for a
// refused authorisation) or the context's.
func (c *Credentials) Authorize(r *http.Request) error {
	switch c.style {
	case vocab.AuthOAuth1:
		return c.oauth1.Sign(r)
	case vocab.AuthOAuth2Refresh, vocab.AuthOAuth2Client:
		return c.oauth2.Authorize(r)
	case vocab.AuthBasic:
		if c.userParam == "" {
			r.SetBasicAuth(string(c.user), string(c.password))
			return nil
		}
		r.URL.RawQuery = rawquery.Set(r.URL.RawQuery, c.userParam, string(c.user))
		if c.password != "" {
			r.URL.RawQuery = rawquery.Set(r.URL.RawQuery, c.passwordParam, string(c.password))
		}
	case vocab.AuthQuery:
		r.URL.RawQuery = rawquery.Set(r.URL.RawQuery, c.param, string(c.token))
	case vocab.AuthBearer:
		r.Header.Set("Authorization", "Bearer "+string(c.token))
	case vocab.AuthHeader:
		r.Header.Set(c.param, c.prefix+string(c.token))
	}
	return nil
}

// Renew answers a request r that the vendor refused with status: under
// OAuth 2, a 401 (or a 403 where the definition says it means an expired
// token) renews the access token r carried, unless another caller already
// did, and sets the new one on r; renewed then says to send the request
// once more. Other styles and statuses renew nothing. Errors are those of
// Authorize.
func (c *Credentials) Renew(r *http.Request, status int) (renewed bool, err error) {
	if c.oauth2 == nil || r == nil ||
		(status != http.StatusUnauthorized && (status != http.StatusForbidden || !c.forbiddenExpired)) {
		return false, nil
	}
	if err := c.oauth2.Refresh(r); err != nil {
		return false, err
	}
	return true, nil
}

// IsAuthParam reports whether the query parameter name carries a
// credential, so that it is redacted from URLs shown and dropped from
// a vendor's next-page link before Authorize adds it afresh: the
// query-auth parameter, basic credentials in the query, or, under OAuth
// 1.0a, any oauth_* parameter.
func (c *Credentials) IsAuthParam(name string) bool {
	switch c.style {
	case vocab.AuthQuery:
		return name == c.param
	case vocab.AuthBasic:
		return c.userParam != "" && (name == c.userParam || name == c.passwordParam)
	case vocab.AuthOAuth1:
		return strings.HasPrefix(name, "oauth_")
	}
	return false
}

// ConfigKeys names the configuration keys to fix ("oauth.api.key,
// oauth.api.secret"). With a nil err: the credential keys, those to blame
// when the vendor refuses the credentials (401, 403). With an error of
// Authorize or Renew: the key a [*TokenError] names, else, for a token
// request no credential is to blame for (an endpoint answering HTML or
// 500), the key the token URL is filled from. "" when none is known.
func (c *Credentials) ConfigKeys(err error) string {
	if err == nil {
		return c.keys
	}
	if te, ok := errors.AsType[*TokenError](err); ok && te.ConfigKey != "" {
		return te.ConfigKey
	}
	if c.oauth2 != nil {
		return c.tokenURLKey
	}
	return ""
}

// Scrub returns s, text from the vendor bound for an error or a log
// line, with every credential of c in it replaced by [REDACTED]: a vendor
// may echo what it was sent.
func (c *Credentials) Scrub(s string) string {
	vals := []Secret{c.user, c.password, c.token}
	if c.oauth1 != nil {
		vals = append(vals, c.oauth1.secret)
	}
	for _, v := range vals {
		if v != "" {
			s = strings.ReplaceAll(s, string(v), redacted)
		}
	}
	if c.oauth2 != nil {
		s = c.oauth2.scrub(s, "")
	}
	return s
}

// Format prints the style only, in every verb: never a credential.
func (c *Credentials) Format(f fmt.State, _ rune) {
	if c == nil {
		_, _ = f.Write([]byte("<nil>"))
		return
	}
	_, _ = fmt.Fprintf(f, "vendorauth.Credentials{Style: %q}", c.style)
}

// LogValue prints the style only in log/slog.
func (c *Credentials) LogValue() slog.Value {
	if c == nil {
		return slog.StringValue("<nil>")
	}
	return slog.GroupValue(slog.String("style", c.style))
}
