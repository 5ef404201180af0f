package vendortest

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ConcurTokenPath is the path of SAP Concur's OAuth 2 token endpoint
// under the Concur base URL. The fake serves it when ConcurConfig names a
// client and a refresh token: POST, a form body with grant_type
// refresh_token, refresh_token, and the client as client_id and
// client_secret in the body or as HTTP Basic. Each refresh issues an
// access token that lasts TokenLifetime on the fake's clock and a new
// refresh token; the one used is refused from then on with 400
// {"error":"invalid_grant"}, as is any refresh token used twice. Faults
// reach it only when their Resource is "token".
const ConcurTokenPath = "/oauth2/v0/token"

// concurAuth is the token endpoint's state, guarded by Concur.mu.
type concurAuth struct {
	endpoint               bool
	clientID, clientSecret string
	lifetime               time.Duration
	expired                int // the status of a refused access token

	refresh string               // the one refresh token valid now; "" when revoked
	used    map[string]bool      // refresh tokens spent or revoked
	access  map[string]time.Time // access tokens issued, by expiry
	issued  int
}

// authorized reports whether an Authorization header carries an access
// token the reports API accepts: the configured Token, or one the token
// endpoint issued that has not expired.
func (c *Concur) authorized(header string) bool {
	tok, ok := strings.CutPrefix(header, "Bearer ")
	if !ok || tok == "" {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(c.token)) == 1 {
		return true
	}
	exp, ok := c.auth.access[tok]
	return ok && c.clock.Now().Before(exp)
}

// SetRefreshToken makes rt the one valid refresh token, as when the user
// authorises the application again; the one before is refused.
func (c *Concur) SetRefreshToken(rt string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.auth.refresh != "" {
		c.auth.used[c.auth.refresh] = true
	}
	c.auth.refresh = rt
}

// RevokeRefreshToken revokes the valid refresh token, as a user removing
// the application's access does: every refresh is refused until
// SetRefreshToken. Access tokens already issued still work until they
// expire.
func (c *Concur) RevokeRefreshToken() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.auth.refresh != "" {
		c.auth.used[c.auth.refresh] = true
	}
	c.auth.refresh = ""
}

// ExpireAccessTokens ends every access token issued so far before its
// time, so that the next reports request is refused (401, or
// ExpiredStatus) and the client must refresh.
func (c *Concur) ExpireAccessTokens() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.auth.access)
}

// RefreshToken returns the one valid refresh token, or "" when revoked.
func (c *Concur) RefreshToken() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.auth.refresh
}

// serveToken answers a token request; see [ConcurTokenPath].
func (c *Concur) serveToken(w http.ResponseWriter, r *http.Request, entry *LoggedRequest) {
	entry.Page = 1
	if r.Method != http.MethodPost {
		c.tokenError(w, http.StatusMethodNotAllowed, "invalid_request", "use POST")
		return
	}
	if err := r.ParseForm(); err != nil {
		c.tokenError(w, http.StatusBadRequest, "invalid_request", "the body is not a form")
		return
	}
	f := c.faults.matchOf("token", 1, true)
	entry.Fault = f
	if c.onRequest != nil {
		c.onRequest(*entry)
	}
	if !holdFor(c.clock, c.closed, r, f) {
		return
	}
	switch {
	case f != nil && f.HTML:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte("<!DOCTYPE html><html><head><title>Sign in</title></head><body>Please sign in.</body></html>"))
		return
	case f != nil && f.Status != 0:
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		c.fail(w, f.Status, http.StatusText(f.Status))
		return
	}
	id, secret, basic := r.BasicAuth()
	if !basic {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	a := &c.auth
	if subtle.ConstantTimeCompare([]byte(id), []byte(a.clientID)) != 1 ||
		subtle.ConstantTimeCompare([]byte(secret), []byte(a.clientSecret)) != 1 {
		c.tokenError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return
	}
	if gt := r.PostForm.Get("grant_type"); gt != "refresh_token" {
		c.tokenError(w, http.StatusBadRequest, "unsupported_grant_type", "grant_type must be refresh_token")
		return
	}
	rt := r.PostForm.Get("refresh_token")
	c.mu.Lock()
	if rt == "" || a.refresh == "" || subtle.ConstantTimeCompare([]byte(rt), []byte(a.refresh)) != 1 {
		c.mu.Unlock()
		c.tokenError(w, http.StatusBadRequest, "invalid_grant", "the refresh token is invalid, expired, revoked or already used")
		return
	}
	a.issued++
	access, next := "concur-at-"+strconv.Itoa(a.issued)+"-"+randomHex(), "concur-rt-"+strconv.Itoa(a.issued)+"-"+randomHex()
	a.used[rt] = true
	a.refresh = next
	a.access[access] = c.clock.Now().Add(a.lifetime)
	lifetime := a.lifetime
	c.mu.Unlock()
	body, _ := json.Marshal(map[string]string{
		// Concur writes expires_in as a string.
		"expires_in": strconv.Itoa(int(lifetime / time.Second)), "scope": "EXPRPT", "token_type": "Bearer",
		"access_token": access, "refresh_token": next, "refresh_expires_in": "15552000", "geolocation": c.URL(),
	})
	c.header(w)
	_, _ = w.Write(body)
}

// tokenError answers an RFC 6749 §5.2 error.
func (c *Concur) tokenError(w http.ResponseWriter, status int, code, description string) {
	c.header(w)
	w.WriteHeader(status)
	body, _ := json.Marshal(map[string]string{"error": code, "error_description": description})
	_, _ = w.Write(body)
}

func randomHex() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
