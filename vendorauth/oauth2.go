package vendorauth

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/a12b7632/elementevents/netguard"
)

// The defaults of [OAuth2Config] that its fields document.
const (
	defaultOAuth2Skew    = time.Minute
	defaultOAuth2Timeout = 30 * time.Second
)

// The grants of [OAuth2Config.Grant].
const (
	grantRefreshToken      = "refresh_token"
	grantClientCredentials = "client_credentials"
)

// refusalMarker is the token stored for a refused chain: its Expiry
// records when the refusal was found, the same for every replica. It is
// cut to the millisecond, which every store keeps, so that the time read
// back equals the time written.
func (o *OAuth2) refusalMarker() Token {
	return Token{Seed: o.seed, TokenType: reauthMarker, Expiry: o.cfg.Clock.Now().Truncate(time.Millisecond)}
}

// reauthMarker is the TokenType of a stored token that stands for "the
// vendor refused this chain": every replica then answers ErrReauthorize
// without asking the vendor again, until a new refresh token is
// configured (a new Seed).
const reauthMarker = "elementevents:needs-reauthorization"

// OAuth2Config configures an [OAuth2]. Zero values are documented
// defaults.
type OAuth2Config struct {
	// TokenURL is the vendor's token endpoint
	// ("https://us.api.concursolutions.com/oauth2/v0/token"). Required.
	TokenURL string

	// Grant is "refresh_token" (the default) or "client_credentials".
	Grant string

	// ClientID and ClientSecret identify the application. ClientID is
	// required.
	ClientID     string
	ClientSecret Secret

	// RefreshToken is the refresh token the user's authorisation gave;
	// required for the refresh_token grant. It seeds the stored chain:
	// when it changes (the user authorised again), the chain stored under
	// Key is replaced by it.
	RefreshToken Secret

	// Scopes are sent with every token request; none by default.
	Scopes []string

	// AuthInBody sends client_id and client_secret in the form body
	// (oauth2.AuthStyleInParams), as Concur documents; default false
	// sends them as HTTP Basic (oauth2.AuthStyleInHeader). Auto-detection
	// is not offered: its second try would spend a rotating refresh token.
	AuthInBody bool

	// Store keeps the token chain under Key. Default: a new
	// [NewMemoryTokenStore], which forgets rotated refresh tokens on
	// restart.
	Store TokenStore
	// Key is the store key, one per instance. Default: ClientID + "@" +
	// TokenURL.
	Key string

	// Guard is the SSRF guard of every token request; the zero value
	// refuses loopback, private and other non-public addresses. A test
	// allows its own token endpoint with AllowAddrPorts.
	Guard netguard.Guard
	// Transport carries the token requests, guarded by Guard (see
	// [netguard.Guard.RoundTripper]). Default: a new guarded transport.
	Transport http.RoundTripper

	// Clock dates tokens: an access token expires ExpiresIn seconds after
	// the answer, by this clock. Default: the real clock.
	Clock clockwork.Clock
	// Skew renews an access token this long before it expires, so that
	// it does not expire in flight. Default 1 minute; negative is 0.
	Skew time.Duration
	// Timeout bounds each token request, on Clock. Default 30 s.
	Timeout time.Duration

	// ClientSecretKey and RefreshTokenKey are the configuration keys
	// ClientSecret and RefreshToken were read from ("oauth.api.secret",
	// "oauth.refresh.token"), named in errors as the key to fix. Default:
	// the names of the fields.
	ClientSecretKey string
	RefreshTokenKey string

	// Logger receives the one line logged when the store fails to keep a
	// rotated token (the token is then kept in memory). Default:
	// slog.Default().
	Logger *slog.Logger

	// OnRecovered, if set, is called once when a token is obtained after
	// the chain was marked for re-authorisation (by this OAuth2 or by any
	// other sharing Store). It must not block.
	OnRecovered func()
}

// OAuth2 authorises requests with OAuth 2 bearer tokens, refreshing them
// through golang.org/x/oauth2 and keeping the chain in a [TokenStore]. It
// is safe for concurrent use.
type OAuth2 struct {
	cfg      OAuth2Config
	seed     string
	tokenURL string // redacted, for errors
	client   *http.Client
	secrets  []Secret // values scrubbed from vendor text put in errors

	mu      sync.Mutex
	cur     Token
	unsaved bool // cur's rotated refresh token did not reach the store
	reauth  bool // the last outcome was a refusal of the chain
}

// NewOAuth2 returns an OAuth2 for cfg, or an error wrapping [ErrConfig]
// naming the field at fault. It sends no request.
func NewOAuth2(cfg OAuth2Config) (*OAuth2, error) {
	u, err := url.Parse(cfg.TokenURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%w: OAuth2Config.TokenURL %q is not an absolute http(s) URL", ErrConfig, netguard.RedactURL(cfg.TokenURL))
	}
	cfg.Grant = cmp.Or(cfg.Grant, grantRefreshToken)
	switch {
	case cfg.Grant != grantRefreshToken && cfg.Grant != grantClientCredentials:
		return nil, fmt.Errorf("%w: OAuth2Config.Grant %q: want refresh_token or client_credentials", ErrConfig, cfg.Grant)
	case cfg.ClientID == "":
		return nil, fmt.Errorf("%w: OAuth2Config.ClientID is required", ErrConfig)
	case cfg.Grant == grantRefreshToken && cfg.RefreshToken == "":
		return nil, fmt.Errorf("%w: OAuth2Config.RefreshToken is required for the refresh_token grant", ErrConfig)
	}
	if cfg.Store == nil {
		cfg.Store = NewMemoryTokenStore()
	}
	cfg.Key = cmp.Or(cfg.Key, cfg.ClientID+"@"+cfg.TokenURL)
	if cfg.Clock == nil {
		cfg.Clock = clockwork.NewRealClock()
	}
	if cfg.Skew == 0 {
		cfg.Skew = defaultOAuth2Skew
	}
	cfg.Skew = max(cfg.Skew, 0)
	if cfg.Timeout <= 0 {
		cfg.Timeout = defaultOAuth2Timeout
	}
	cfg.ClientSecretKey = cmp.Or(cfg.ClientSecretKey, "OAuth2Config.ClientSecret")
	cfg.RefreshTokenKey = cmp.Or(cfg.RefreshTokenKey, "OAuth2Config.RefreshToken")
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	o := &OAuth2{cfg: cfg, seed: seedOf(cfg), tokenURL: netguard.RedactURL(cfg.TokenURL)}
	o.client = &http.Client{
		Transport: cfg.Guard.RoundTripper(cfg.Transport),
		// A token request carries the client secret: never re-send it
		// elsewhere. The redirect is then an answer that is not a token.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	for _, s := range []Secret{cfg.ClientSecret, cfg.RefreshToken} {
		if s != "" {
			o.secrets = append(o.secrets, s)
		}
	}
	return o, nil
}

// seedOf fingerprints what the chain starts from: the configured refresh
// token, or for client_credentials the client's credentials.
func seedOf(cfg OAuth2Config) string {
	h := sha256.New()
	if cfg.Grant == grantRefreshToken {
		h.Write([]byte(cfg.RefreshToken))
	} else {
		h.Write([]byte(cfg.ClientID + "\x00" + string(cfg.ClientSecret)))
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)[:16])
}

// Authorize sets r's Authorization header to a bearer access token: the
// cached one until it is within Skew of its expiry, else a new one. The
// token request runs under r's context. Errors are a [*TokenError] (test
// errors.Is(err, [ErrReauthorize]) for a refused authorisation) or r's
// context error.
func (o *OAuth2) Authorize(r *http.Request) error {
	o.mu.Lock()
	cur := o.cur
	o.mu.Unlock()
	if o.usable(cur) {
		setBearer(r, cur)
		return nil
	}
	t, err := o.obtain(r.Context(), cur.AccessToken, false)
	if err != nil {
		return err
	}
	setBearer(r, t)
	return nil
}

// Refresh is for a request the vendor answered 401 (or 403 where that
// means an expired token): it renews the access token r carried, unless
// another caller already did, and sets the new one on r for the retry.
// Errors are those of Authorize.
func (o *OAuth2) Refresh(r *http.Request) error {
	refused := Secret(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
	o.mu.Lock()
	cur := o.cur
	o.mu.Unlock()
	if cur.AccessToken != refused && o.usable(cur) {
		setBearer(r, cur)
		return nil
	}
	t, err := o.obtain(r.Context(), refused, true)
	if err != nil {
		return err
	}
	setBearer(r, t)
	return nil
}

func setBearer(r *http.Request, t Token) {
	r.Header.Set("Authorization", "Bearer "+string(t.AccessToken))
}

// usable reports whether t's access token is good for another Skew.
func (o *OAuth2) usable(t Token) bool {
	if t.AccessToken == "" || t.Seed != o.seed || t.TokenType == reauthMarker {
		return false
	}
	return t.Expiry.IsZero() || o.cfg.Clock.Now().Before(t.Expiry.Add(-o.cfg.Skew))
}

// errKeep ends an Update whose stored token is good as it is.
var errKeep = errors.New("vendorauth: keep the stored token")

// obtain returns a usable token: the stored one if another caller (in
// this process or another sharing the store) renewed it since this caller
// saw seen, else a new one from the vendor, stored before it is returned.
// force renews even an unexpired token, unless it is not seen.
//
// A refresh token the vendor refuses is not given up at once: the stored
// token is read again, outside the store's lock (a store may not allow a
// read inside its write), and if another replica rotated the chain
// meanwhile, its refresh token is tried once. Only then is the chain
// marked as refused.
func (o *OAuth2) obtain(ctx context.Context, seen Secret, force bool) (Token, error) {
	t, refused, err := o.update(ctx, seen, force, nil)
	if refused == "" {
		return t, err
	}
	var alt Secret
	if again, lerr := o.cfg.Store.Load(ctx, o.cfg.Key); lerr == nil && again.Seed == o.seed &&
		again.TokenType != reauthMarker && again.RefreshToken != refused {
		alt = again.RefreshToken
	}
	t, _, err = o.update(ctx, seen, force, &lastTry{refused: refused, alt: alt})
	return t, err
}

// lastTry is the second Update of obtain, after the vendor refused a
// refresh token.
type lastTry struct {
	refused Secret // the refresh token refused
	alt     Secret // the one read back from the store, if it differs
}

// update runs one Update of the store. On the first try (last nil), a
// refused refresh token stores nothing and is returned as refused; on the
// last, it marks the chain.
func (o *OAuth2) update(ctx context.Context, seen Secret, force bool, last *lastTry) (Token, Secret, error) {
	var (
		kept       Token
		refusal    *TokenError
		refusedRT  Secret
		recovering bool
	)
	next, err := o.cfg.Store.Update(ctx, o.cfg.Key, func(stored Token, found bool) (Token, error) {
		o.mu.Lock()
		if o.unsaved && o.cur.Seed == o.seed {
			// The store lost our last rotation: ours is the live chain.
			stored, found = o.cur, true
		}
		wasRefused := o.reauth
		o.mu.Unlock()
		same := found && stored.Seed == o.seed
		if same && stored.TokenType == reauthMarker {
			refusal = o.reauthError(nil, "the authorisation was refused earlier (invalid_grant); set a new refresh token")
			refusal.Refused = stored.Expiry
			return Token{}, refusal
		}
		if same && o.usable(stored) && (!force || stored.AccessToken != seen) {
			kept = stored
			return Token{}, errKeep
		}
		recovering = wasRefused || (found && !same && stored.TokenType == reauthMarker)
		rt := o.cfg.RefreshToken
		if same && stored.RefreshToken != "" {
			rt = stored.RefreshToken
		}
		if last != nil && rt == last.refused {
			if last.alt == "" {
				// Nobody rotated the chain: asking again is refused again.
				return o.refusalMarker(), nil
			}
			rt = last.alt
		}
		t, err := o.fetch(ctx, rt)
		var te *TokenError
		if errors.As(err, &te) && te.Reauthorize {
			if last == nil {
				refusedRT = rt
				return Token{}, errRefused
			}
			refusal = te
			return o.refusalMarker(), nil
		}
		if err != nil {
			return Token{}, err
		}
		if t.RefreshToken == "" {
			t.RefreshToken = rt
		}
		return t, nil
	})
	switch {
	case errors.Is(err, errRefused):
		return Token{}, refusedRT, nil
	case errors.Is(err, errKeep):
		o.keep(kept, false)
		return kept, "", nil
	case refusal != nil || next.TokenType == reauthMarker:
		if refusal == nil {
			refusal = o.reauthError(nil, "the refresh token was refused (invalid_grant: expired, revoked or already used); re-authorise and set a new one")
		}
		if refusal.Refused.IsZero() {
			refusal.Refused = next.Expiry
		}
		o.mu.Lock()
		o.cur, o.unsaved, o.reauth = Token{}, false, true
		o.mu.Unlock()
		return Token{}, "", refusal
	case err != nil && next.AccessToken != "":
		// The vendor rotated the refresh token but the store did not
		// keep it: use it from memory, and store it at the next refresh.
		o.cfg.Logger.Warn("vendorauth: the token store failed to keep a new OAuth 2 token; it is kept in memory",
			"key", o.cfg.Key, "err", err)
		o.keep(next, true)
	case err != nil:
		return Token{}, "", err
	default:
		o.keep(next, false)
	}
	if recovering {
		o.mu.Lock()
		o.reauth = false
		o.mu.Unlock()
		if o.cfg.OnRecovered != nil {
			o.cfg.OnRecovered()
		}
	}
	return next, "", nil
}

// errRefused ends the first Update whose refresh token was refused.
var errRefused = errors.New("vendorauth: refresh token refused")

func (o *OAuth2) keep(t Token, unsaved bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.cur, o.unsaved = t, unsaved
	if !unsaved {
		o.reauth = false
	}
}

// fetch asks the token endpoint for a token, with refresh token rt for
// the refresh_token grant.
func (o *OAuth2) fetch(ctx context.Context, rt Secret) (Token, error) {
	// The timeout runs on the injected clock, which context.WithTimeout
	// would not use.
	tctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	t := o.cfg.Clock.AfterFunc(o.cfg.Timeout, func() { cancel(errTokenTimeout) })
	defer t.Stop()

	seen := &lastResponse{next: o.client.Transport}
	client := *o.client
	client.Transport = seen
	tctx = context.WithValue(tctx, oauth2.HTTPClient, &client)
	style := oauth2.AuthStyleInHeader
	if o.cfg.AuthInBody {
		style = oauth2.AuthStyleInParams
	}
	var (
		tok *oauth2.Token
		err error
	)
	if o.cfg.Grant == grantClientCredentials {
		cc := clientcredentials.Config{ClientID: o.cfg.ClientID, ClientSecret: string(o.cfg.ClientSecret),
			TokenURL: o.cfg.TokenURL, Scopes: o.cfg.Scopes, AuthStyle: style}
		tok, err = cc.Token(tctx)
	} else {
		c := oauth2.Config{ClientID: o.cfg.ClientID, ClientSecret: string(o.cfg.ClientSecret), Scopes: o.cfg.Scopes,
			Endpoint: oauth2.Endpoint{TokenURL: o.cfg.TokenURL, AuthStyle: style}}
		// A token with no access token makes the source refresh at once.
		tok, err = c.TokenSource(tctx, &oauth2.Token{RefreshToken: string(rt)}).Token()
	}
	if err != nil {
		if ctx.Err() != nil {
			return Token{}, fmt.Errorf("vendorauth: token request to %s: %w", o.tokenURL, ctx.Err())
		}
		return Token{}, o.classify(err, seen, errors.Is(context.Cause(tctx), errTokenTimeout), rt)
	}
	next := Token{AccessToken: Secret(tok.AccessToken), RefreshToken: Secret(tok.RefreshToken),
		TokenType: tok.TokenType, Seed: o.seed}
	if secs := expiresIn(tok); secs > 0 {
		// Never x/oauth2's Expiry: it is dated by time.Now, not Clock.
		next.Expiry = o.cfg.Clock.Now().Add(time.Duration(secs) * time.Second)
	}
	return next, nil
}

var errTokenTimeout = errors.New("token request timed out")

// lastResponse remembers the status and type of the last answer, which
// x/oauth2's parse errors do not tell.
type lastResponse struct {
	next        http.RoundTripper
	status      int
	contentType string
}

func (l *lastResponse) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := l.next.RoundTrip(r)
	if resp != nil {
		l.status, l.contentType = resp.StatusCode, resp.Header.Get("Content-Type")
	}
	return resp, err
}
