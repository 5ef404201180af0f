// Package httpheader reads request headers whatever the case of their
// keys, for the signature checks of package signature and the Receiver:
// a signature header that goes unseen under a lowercase key is a
// downgrade to a weaker scheme.
//
//	sig, present := httpheader.Lookup(r.Header, "Webhook-Signature")
package httpheader

import (
	"net/http"
	"strings"
)

// Lookup returns the first value of the header name in h, and whether h
// has a key for it at all (with no value or an empty one, too), whatever
// the case of h's keys: a server's http.Header has canonical keys, but
// one built by hand, or by an adapter from a gateway that lowercases
// names, may hold "webhook-signature", and a signature header that goes
// unseen is a downgrade. name must be canonical. When several keys match,
// the canonical one wins, then the smallest, so that the answer does not
// depend on the map's order. It allocates nothing.
func Lookup(h http.Header, name string) (string, bool) {
	if v, ok := h[name]; ok {
		return firstValue(v), true
	}
	var (
		best  string
		value string
		found bool
	)
	for k, v := range h {
		if len(k) == len(name) && strings.EqualFold(k, name) && (!found || k < best) {
			best, value, found = k, firstValue(v), true
		}
	}
	return value, found
}

func firstValue(v []string) string {
	if len(v) > 0 {
		return v[0]
	}
	return ""
}
