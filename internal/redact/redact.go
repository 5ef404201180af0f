// Package redact hides the credentials a URL may carry, for errors and
// logs: user info, and the values of query parameters whose names look
// secret. The poller and the Notifier share it, so that a URL reads the
// same, and is as safe, in both. (A credential that must never print is
// a vendorauth.Secret or a signature.Key.)
//
//	log.Warn("fetch failed", "url", redact.URL(u, nil))
package redact

import (
	"net/url"
	"strings"
)

// Mask replaces a redacted value.
const Mask = "REDACTED"

// secretParts are the name fragments that mark a query parameter as a
// credential, lower case: api_key, access_token, client_secret, password,
// passwd, pwd, sig, signature, oauth_*, credentials, session_id, ...
var secretParts = []string{
	"pass", "pwd", "secret", "token", "key", "sig", "auth", "cred",
	"session", "cookie", "jwt", "bearer", "private", "otp",
}

// secretNames are short names that mark a credential only when whole.
var secretNames = []string{"code", "sid", "pin"}

// SecretName reports whether a query parameter name looks like it holds a
// credential: it contains one of secretParts, in any case, or is one of
// secretNames. False positives only hide a value from a log line.
func SecretName(name string) bool {
	n := strings.ToLower(name)
	for _, p := range secretParts {
		if strings.Contains(n, p) {
			return true
		}
	}
	for _, s := range secretNames {
		if n == s {
			return true
		}
	}
	return false
}

// URL returns u as text without its user info and fragment, and with the
// value of every query parameter whose name looks secret ([SecretName]),
// or that also reports (when not nil), replaced by [Mask]. A parameter
// with no '=' is replaced whole: it may be a bare key. Names are compared
// unescaped ("p%61ss" is "pass"); the query keeps its order and escaping
// otherwise. u is not modified.
func URL(u *url.URL, also func(name string) bool) string {
	r := *u
	r.User = nil
	r.Fragment, r.RawFragment = "", ""
	if r.RawQuery != "" {
		pairs := strings.Split(r.RawQuery, "&")
		for i, p := range pairs {
			rawName, _, hasValue := strings.Cut(p, "=")
			name := rawName
			if n, err := url.QueryUnescape(rawName); err == nil {
				name = n
			}
			switch {
			case !hasValue && p != "":
				pairs[i] = Mask
			case SecretName(name) || also != nil && also(name):
				pairs[i] = rawName + "=" + Mask
			}
		}
		r.RawQuery = strings.Join(pairs, "&")
	}
	return r.String()
}

// String is [URL] for a URL in text. Text that does not parse becomes
// "(unparseable URL)": the parser's error would quote it.
func String(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	return URL(u, nil)
}
