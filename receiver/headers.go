package receiver

import (
	"net/http"
	"strings"

	"github.com/a12b7632/elementevents/signature"
)

// The names Svix gives the Standard Webhooks headers: svix-id,
// svix-timestamp and svix-signature.
const (
	headerSvixID        = "Svix-Id"
	headerSvixTimestamp = "Svix-Timestamp"
	headerSvixSignature = "Svix-Signature"
)

// signed is what a request's headers say about its signature.
type signed struct {
	// standard reports a Standard Webhooks header, under its own name or
	// Svix's, even an empty one: the request is then verified in that
	// scheme, and never in the Cloud Elements one, which a captured
	// request can be downgraded to.
	standard   bool
	svix       bool   // the three below come from the svix- headers
	id         string // webhook-id
	timestamp  string // webhook-timestamp
	signatures string // webhook-signature

	elements   string // Elements-Webhook-Signature
	elementsID string // Elements-Webhook-Id
}

// readSigned reads the signature headers of h whatever the case of their
// keys. The Standard Webhooks id, timestamp and signatures come from the
// webhook- headers when webhook-signature is present, else from the svix-
// ones when svix-signature is (the names Svix sends), never from a mix.
func readSigned(h http.Header) signed {
	var s signed
	var sigOK, idOK, tsOK bool
	s.signatures, sigOK = lookup(h, signature.HeaderWebhookSignature)
	s.id, idOK = lookup(h, signature.HeaderWebhookID)
	s.timestamp, tsOK = lookup(h, signature.HeaderWebhookTimestamp)
	if !sigOK {
		sigs, ok := lookup(h, headerSvixSignature)
		id, svixIDOK := lookup(h, headerSvixID)
		ts, svixTSOK := lookup(h, headerSvixTimestamp)
		if ok {
			s.svix, s.signatures, s.id, s.timestamp = true, sigs, id, ts
			sigOK, idOK, tsOK = true, svixIDOK, svixTSOK
		} else {
			idOK, tsOK = idOK || svixIDOK, tsOK || svixTSOK
		}
	}
	s.standard = sigOK || idOK || tsOK
	if !s.standard {
		s.elements, _ = lookup(h, signature.HeaderElementsSignature)
		s.elementsID, _ = lookup(h, signature.HeaderElementsID)
	}
	return s
}

// lookup returns the first value of the header name in h, and whether h
// has a key for it at all (with no value or an empty one, too), whatever
// the case of h's keys: a server's http.Header has canonical keys, but
// one built by hand, or by an adapter from a gateway that lowercases
// names, may hold "webhook-signature", and a signature header that goes
// unseen is a downgrade. name must be canonical. When several keys match,
// the canonical one wins, then the smallest, so that the answer does not
// depend on the map's order. It allocates nothing.
func lookup(h http.Header, name string) (string, bool) {
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
