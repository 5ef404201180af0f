package vendorauth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/jonboulle/clockwork"
)

// The signature methods of [OAuth1Config.SignatureMethod].
const (
	HMACSHA256 = "HMAC-SHA256"
	HMACSHA1   = "HMAC-SHA1"
)

// The placements of [OAuth1Config.Placement].
const (
	PlacementQuery  = "query"
	PlacementHeader = "header"
)

// nonceBytes is the randomness of a nonce, written as 40 hex digits.
const nonceBytes = 20

// OAuth1Config configures an [OAuth1] signer. ConsumerKey and
// ConsumerSecret are required.
type OAuth1Config struct {
	// ConsumerKey is sent as oauth_consumer_key. Required.
	ConsumerKey string

	// ConsumerSecret keys the HMAC, as "secret&" (no token). Required.
	ConsumerSecret Secret

	// SignatureMethod is HMACSHA256 (the default, when empty) or HMACSHA1.
	SignatureMethod string

	// Placement is where the oauth_* parameters go: PlacementQuery (the
	// default, when empty; what WooCommerce reads) or PlacementHeader
	// (an "Authorization: OAuth ..." header).
	Placement string

	// SendVersion adds oauth_version=1.0, which RFC 5849 makes optional.
	// Default: not sent.
	SendVersion bool

	// Clock gives oauth_timestamp. Default: the real clock.
	Clock clockwork.Clock
}

// OAuth1 signs requests with OAuth 1.0a, one-legged: a consumer key and
// secret and no token. It is safe for concurrent use, and prints and logs
// without its secret.
type OAuth1 struct {
	key       string
	secret    Secret
	method    string
	newHash   func() hash.Hash
	placement string
	version   bool
	clock     clockwork.Clock
	nonce     func() (string, error) // tests replace it through export_test.go
}

// NewOAuth1 returns a signer for cfg, or an error wrapping [ErrConfig]
// that names the field at fault.
func NewOAuth1(cfg OAuth1Config) (*OAuth1, error) {
	o := &OAuth1{key: cfg.ConsumerKey, secret: cfg.ConsumerSecret, method: cfg.SignatureMethod,
		placement: cfg.Placement, version: cfg.SendVersion, clock: cfg.Clock, nonce: randomNonce}
	if o.key == "" {
		return nil, fmt.Errorf("%w: OAuth1Config.ConsumerKey is required", ErrConfig)
	}
	if o.secret == "" {
		return nil, fmt.Errorf("%w: OAuth1Config.ConsumerSecret is required", ErrConfig)
	}
	switch o.method {
	case "", HMACSHA256:
		o.method, o.newHash = HMACSHA256, sha256.New
	case HMACSHA1:
		o.newHash = sha1.New
	default:
		return nil, fmt.Errorf("%w: OAuth1Config.SignatureMethod must be %s or %s, got %q", ErrConfig, HMACSHA256, HMACSHA1, o.method)
	}
	switch o.placement {
	case "":
		o.placement = PlacementQuery
	case PlacementQuery, PlacementHeader:
	default:
		return nil, fmt.Errorf("%w: OAuth1Config.Placement must be %s or %s, got %q", ErrConfig, PlacementQuery, PlacementHeader, o.placement)
	}
	if o.clock == nil {
		o.clock = clockwork.NewRealClock()
	}
	return o, nil
}

// Sign signs r in place, with a new nonce and the clock's time: it drops
// any oauth_* parameters r's query already holds (a vendor's next-page
// link may echo the last request's), computes the signature over r's
// method, URL and query, and adds the oauth_* parameters to the query or
// as the Authorization header. A request with a form body is refused
// with [ErrRequest]: its parameters would have to be signed too.
func (o *OAuth1) Sign(r *http.Request) error {
	if r == nil || r.URL == nil {
		return fmt.Errorf("%w: no URL", ErrRequest)
	}
	if r.Body != nil && r.Body != http.NoBody {
		if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "application/x-www-form-urlencoded" {
			return fmt.Errorf("%w: form bodies are not signed", ErrRequest)
		}
	}
	nonce, err := o.nonce()
	if err != nil {
		return fmt.Errorf("vendorauth: OAuth 1.0a nonce: %w", err)
	}
	ps := []param{
		{"oauth_consumer_key", o.key},
		{"oauth_nonce", nonce},
		{"oauth_signature_method", o.method},
		{"oauth_timestamp", strconv.FormatInt(o.clock.Now().Unix(), 10)},
	}
	if o.version {
		ps = append(ps, param{"oauth_version", "1.0"})
	}
	u := *r.URL
	u.RawQuery = dropOAuthParams(u.RawQuery)
	base, err := baseString(r.Method, &u, ps)
	if err != nil {
		return err
	}
	ps = append(ps, param{"oauth_signature", o.signature(base)})
	if o.placement == PlacementHeader {
		r.Header.Set("Authorization", authorizationHeader(ps))
	} else {
		u.RawQuery = appendParams(u.RawQuery, ps)
	}
	r.URL = &u
	return nil
}

// signature is the base64 HMAC of base under "secret&".
func (o *OAuth1) signature(base string) string {
	return hmacBase64(o.newHash, percentEncode(string(o.secret))+"&", base)
}

func hmacBase64(h func() hash.Hash, key, base string) string {
	m := hmac.New(h, []byte(key))
	_, _ = io.WriteString(m, base)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// dropOAuthParams removes the parameters whose names start with oauth_,
// keeping the others byte for byte.
func dropOAuthParams(raw string) string {
	if !strings.Contains(raw, "oauth_") {
		return raw
	}
	pairs := strings.Split(raw, "&")
	kept := pairs[:0]
	for _, p := range pairs {
		if !strings.HasPrefix(p, "oauth_") {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, "&")
}

// appendParams adds ps to a raw query, encoded.
func appendParams(raw string, ps []param) string {
	var b strings.Builder
	b.WriteString(raw)
	for _, p := range ps {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(percentEncode(p.name))
		b.WriteByte('=')
		b.WriteString(percentEncode(p.value))
	}
	return b.String()
}

// authorizationHeader writes ps as RFC 5849 §3.5.1's OAuth header.
func authorizationHeader(ps []param) string {
	var b strings.Builder
	b.WriteString("OAuth ")
	for i, p := range ps {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(percentEncode(p.name))
		b.WriteString(`="`)
		b.WriteString(percentEncode(p.value))
		b.WriteByte('"')
	}
	return b.String()
}

// randomNonce returns 40 hex digits from crypto/rand.
func randomNonce() (string, error) {
	var b [nonceBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}

// String describes the signer without its consumer key or secret.
func (o *OAuth1) String() string {
	return fmt.Sprintf("vendorauth.OAuth1{SignatureMethod: %s, Placement: %s}", o.method, o.placement)
}

// GoString is used by %#v and shows what String shows.
func (o *OAuth1) GoString() string { return "&" + o.String() }

// Format prints the signer as String does, in every verb.
func (o *OAuth1) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = f.Write([]byte(o.GoString()))
		return
	}
	_, _ = f.Write([]byte(o.String()))
}

// LogValue logs the signer without its consumer key or secret.
func (o *OAuth1) LogValue() slog.Value {
	return slog.GroupValue(slog.String("signature_method", o.method), slog.String("placement", o.placement))
}
