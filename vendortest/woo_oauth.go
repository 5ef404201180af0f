package vendortest

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"hash"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// wooOAuthWindow is how old an oauth_timestamp WooCommerce accepts, and
// how long it remembers a nonce.
const wooOAuthWindow = 15 * time.Minute

// wooOAuthParams are the parameters WooCommerce requires of an OAuth 1.0a
// request, in the order it checks them.
var wooOAuthParams = []string{"oauth_consumer_key", "oauth_timestamp", "oauth_nonce", "oauth_signature", "oauth_signature_method"}

// authenticateOAuth checks an OAuth 1.0a one-legged request as WooCommerce
// does over plain http: the oauth_* parameters from the query or an
// "Authorization: OAuth" header; the consumer key; the signature method
// (HMAC-SHA1 or HMAC-SHA256); the signature, recomputed over the method,
// the store's URL with the request's path, and every query and oauth
// parameter but oauth_signature, keyed by "secret&"; a timestamp no more
// than 15 minutes old; a nonce not used before. A request with no oauth
// parameter is not authenticated at all.
func (s *WooCommerce) authenticateOAuth(r *http.Request) *wpError {
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		query = url.Values{}
	}
	params := map[string]string{}
	for name, vs := range query {
		params[name] = vs[len(vs)-1] // PHP's $_GET keeps the last
	}
	if h, ok := strings.CutPrefix(r.Header.Get("Authorization"), "OAuth "); ok {
		for field := range strings.SplitSeq(h, ",") {
			name, value, _ := strings.Cut(strings.TrimSpace(field), "=")
			v, err := url.PathUnescape(strings.Trim(value, `"`))
			if err == nil && strings.HasPrefix(name, "oauth_") {
				params[name] = v
			}
		}
	}
	oauth := map[string]string{}
	for _, name := range wooOAuthParams {
		if v, ok := params[name]; ok {
			oauth[name] = v
		}
	}
	if len(oauth) == 0 {
		return &wpError{http.StatusUnauthorized, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.", nil}
	}
	for _, name := range wooOAuthParams {
		if oauth[name] == "" {
			return &wpError{http.StatusUnauthorized, "woocommerce_rest_authentication_missing_parameter", "Missing OAuth parameter " + name, nil}
		}
	}
	s.mu.Lock()
	wantKey, secret := s.key, s.secret
	s.mu.Unlock()
	if subtle.ConstantTimeCompare([]byte(oauth["oauth_consumer_key"]), []byte(wantKey)) != 1 {
		return authError("Consumer key is invalid.")
	}
	var h func() hash.Hash
	switch oauth["oauth_signature_method"] {
	case "HMAC-SHA1":
		h = sha1.New
	case "HMAC-SHA256":
		h = sha256.New
	default:
		return authError("Signature method is invalid.")
	}
	mac := hmac.New(h, []byte(secret+"&"))
	mac.Write([]byte(s.oauthBaseString(r, params)))
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(want), []byte(oauth["oauth_signature"])) {
		return authError("Invalid signature - provided signature does not match.")
	}
	return s.useNonce(oauth["oauth_timestamp"], oauth["oauth_nonce"])
}

// oauthBaseString is the string WooCommerce signs: the method, the
// store's URL with the request's path (as sent, without the store's own
// path twice), and the parameters but oauth_signature, each name and
// value encoded, sorted and joined.
func (s *WooCommerce) oauthBaseString(r *http.Request, params map[string]string) string {
	home := s.URL()
	path := r.URL.EscapedPath()
	if u, err := url.Parse(home); err == nil && u.Path != "" {
		path = strings.TrimPrefix(path, u.Path)
	}
	base := home + "/" + strings.TrimLeft(path, "/")
	pairs := make([]string, 0, len(params))
	for name, value := range params {
		if name != "oauth_signature" {
			pairs = append(pairs, rfc3986(name)+"="+rfc3986(value))
		}
	}
	sort.Strings(pairs)
	return r.Method + "&" + rfc3986(base) + "&" + rfc3986(strings.Join(pairs, "&"))
}

// useNonce refuses a timestamp older than the window and a nonce seen
// within it, and remembers the nonce.
func (s *WooCommerce) useNonce(timestamp, nonce string) *wpError {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	now := s.clock.Now()
	if err != nil || time.Unix(ts, 0).Before(now.Add(-wooOAuthWindow)) {
		return authError("Invalid timestamp.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.nonces == nil {
		s.nonces = map[string]time.Time{}
	}
	for n, at := range s.nonces {
		if at.Before(now.Add(-wooOAuthWindow)) {
			delete(s.nonces, n)
		}
	}
	if _, used := s.nonces[nonce]; used {
		return authError("Invalid nonce - nonce has already been used.")
	}
	s.nonces[nonce] = time.Unix(ts, 0)
	return nil
}

func authError(message string) *wpError {
	return &wpError{http.StatusUnauthorized, "woocommerce_rest_authentication_error", message, nil}
}

// rfc3986 percent-encodes every byte but A-Z a-z 0-9 - . _ ~, as PHP's
// rawurlencode does.
func rfc3986(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
		} else {
			b.WriteString("%" + strings.ToUpper(strconv.FormatUint(uint64(c)>>4, 16)) + strings.ToUpper(strconv.FormatUint(uint64(c)&15, 16)))
		}
	}
	return b.String()
}
