package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"

	"github.com/a12b7632/elementevents/engine"
)

// ErrUnauthenticated reports a request without valid credentials; the
// authenticators of this package return errors wrapping it.
var ErrUnauthenticated = errors.New("api: missing or invalid credentials")

// ElementsTenant is one tenant of [ElementsAuth]: the pair of secrets
// that authenticates it.
type ElementsTenant struct {
	// ID is the tenant's id. Required.
	ID string
	// UserSecret and OrgSecret are the secrets of the header's User and
	// Organization parts. Both are required: an entry missing one never
	// matches.
	UserSecret, OrgSecret string
}

// ElementsAuthConfig configures [ElementsAuth].
type ElementsAuthConfig struct {
	// Tenants lists the tenants and their secrets. A pair of secrets
	// listed twice authenticates as the first of its entries.
	Tenants []ElementsTenant
}

// ElementsAuth returns an authenticator, for [Config.Authenticate], of the
// documented header form
//
//	Authorization: User <user secret>, Organization <organization secret>[, Element <token>]
//
// The pair of secrets selects the tenant; the Element token, when present,
// is returned in [Tenant.ElementToken]. Secrets are compared in constant
// time over their SHA-256 hashes (so that neither their contents nor their
// lengths leak through timing), against every tenant. An error wraps
// [ErrUnauthenticated] and never holds a secret.
func ElementsAuth(cfg ElementsAuthConfig) func(*http.Request) (engine.Tenant, error) {
	type entry struct {
		id        string
		user, org [sha256.Size]byte
	}
	var entries []entry
	for _, t := range cfg.Tenants {
		if t.ID == "" || t.UserSecret == "" || t.OrgSecret == "" {
			continue
		}
		entries = append(entries, entry{t.ID, sha256.Sum256([]byte(t.UserSecret)), sha256.Sum256([]byte(t.OrgSecret))})
	}
	return func(r *http.Request) (engine.Tenant, error) {
		user, org, elem, ok := parseElementsAuth(r.Header.Get("Authorization"))
		if !ok {
			return engine.Tenant{}, ErrUnauthenticated
		}
		u, o := sha256.Sum256([]byte(user)), sha256.Sum256([]byte(org))
		found := -1
		for i, e := range entries { // every entry, so the time does not tell which matched
			match := subtle.ConstantTimeCompare(u[:], e.user[:]) & subtle.ConstantTimeCompare(o[:], e.org[:])
			if match == 1 && found < 0 {
				found = i
			}
		}
		if found < 0 {
			return engine.Tenant{}, ErrUnauthenticated
		}
		return engine.Tenant{ID: entries[found].id, ElementToken: elem}, nil
	}
}

// parseElementsAuth splits "User <s>, Organization <s>[, Element <t>]"
// (parts in any order, names in any case). ok is false without both
// secrets, or with a part it does not know or repeated.
func parseElementsAuth(h string) (user, org, elem string, ok bool) {
	if h == "" {
		return "", "", "", false
	}
	seen := map[string]bool{}
	for part := range strings.SplitSeq(h, ",") {
		name, value, found := strings.Cut(strings.TrimSpace(part), " ")
		value = strings.TrimSpace(value)
		name = strings.ToLower(name)
		if !found || value == "" || seen[name] {
			return "", "", "", false
		}
		seen[name] = true
		switch name {
		case "user":
			user = value
		case "organization":
			org = value
		case "element":
			elem = value
		default:
			return "", "", "", false
		}
	}
	return user, org, elem, user != "" && org != ""
}
