package console

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/a12b7632/elementevents/engine"
)

// sessionCookie names the console's sign-in cookie.
const sessionCookie = "elementevents_console"

// errSignedOut reports a request with no valid session and no credentials.
var errSignedOut = errors.New("console: not signed in")

// tenant returns who r is: the session's tenant when its cookie is valid,
// else what Authenticate says of the request itself.
func (h *Handler) tenant(r *http.Request) (engine.Tenant, error) {
	if h.cfg.SessionKey != nil {
		if c, err := r.Cookie(sessionCookie); err == nil {
			if id, ok := h.openSession(c.Value); ok {
				return engine.Tenant{ID: id}, nil
			}
		}
	}
	t, err := h.cfg.Authenticate(r)
	if err != nil || t.ID == "" {
		return engine.Tenant{}, errSignedOut
	}
	return t, nil
}

// sealSession returns the cookie value of a session of tenant until
// expires: base64url(tenant) "." unix seconds "." base64url(HMAC-SHA256).
func (h *Handler) sealSession(tenant string, expires time.Time) string {
	payload := base64.RawURLEncoding.EncodeToString([]byte(tenant)) + "." + strconv.FormatInt(expires.Unix(), 10)
	return payload + "." + base64.RawURLEncoding.EncodeToString(h.mac(payload))
}

// openSession checks a cookie value and returns its tenant.
func (h *Handler) openSession(v string) (string, bool) {
	i := strings.LastIndexByte(v, '.')
	if i < 0 {
		return "", false
	}
	payload, sig := v[:i], v[i+1:]
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, h.mac(payload)) {
		return "", false
	}
	enc, exp, ok := strings.Cut(payload, ".")
	if !ok {
		return "", false
	}
	unix, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || !h.cfg.Clock.Now().Before(time.Unix(unix, 0)) {
		return "", false
	}
	tenant, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil || len(tenant) == 0 {
		return "", false
	}
	return string(tenant), true
}

func (h *Handler) mac(payload string) []byte {
	m := hmac.New(sha256.New, h.cfg.SessionKey)
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// setSession signs the browser in as tenant. The cookie's lifetime is
// relative (Max-Age), so a browser whose clock differs from ours keeps
// it as long; the sealed expiry is what counts.
func (h *Handler) setSession(w http.ResponseWriter, r *http.Request, tenant string) {
	expires := h.cfg.Clock.Now().Add(h.cfg.SessionTTL)
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: h.sealSession(tenant, expires), Path: h.cfg.Prefix + "/",
		MaxAge: int(h.cfg.SessionTTL / time.Second), HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode,
	})
}

// clearSession signs the browser out.
func (h *Handler) clearSession(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: h.cfg.Prefix + "/", MaxAge: -1,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
}

// login answers the sign-in form: the documented credentials, checked by
// Authenticate as the header the API takes.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	if h.cfg.SessionKey == nil {
		http.NotFound(w, r)
		return
	}
	if r.Method == http.MethodGet {
		h.render(w, r, http.StatusOK, "login", page{Title: "Sign in"})
		return
	}
	user, org := strings.TrimSpace(r.PostFormValue("user")), strings.TrimSpace(r.PostFormValue("organization"))
	probe := r.Clone(r.Context())
	probe.Header = http.Header{"Authorization": {"User " + user + ", Organization " + org}}
	t, err := h.cfg.Authenticate(probe)
	if user == "" || org == "" || err != nil || t.ID == "" {
		h.render(w, r, http.StatusUnauthorized, "login", page{Title: "Sign in", Error: "Those secrets sign no one in."})
		return
	}
	h.setSession(w, r, t.ID)
	http.Redirect(w, r, h.cfg.Prefix+"/instances", http.StatusSeeOther)
}

// logout signs the browser out.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	h.clearSession(w, r)
	http.Redirect(w, r, h.cfg.Prefix+"/login", http.StatusSeeOther)
}
